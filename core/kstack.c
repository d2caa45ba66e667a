/*
 * The kernel stacks (see kstack.h), in a list. Lookups happen in crash reports
 * and backtraces, where a lock could be held forever, so they take none: a
 * stack is unlinked only after its thread is gone, and lookups only read.
 */
#include <kite/kstack.h>
#include <kite/memlayout.h>
#include <kite/spinlock.h>

static spinlock_t kstack_lock = SPINLOCK_INIT;
static struct list kstacks = LIST_INIT(kstacks); /* kstack_lock for changes */

void kstack_register(struct kstack *s)
{
	spin_lock(&kstack_lock);
	list_push_back(&kstacks, &s->node);
	spin_unlock(&kstack_lock);
}

void kstack_unregister(struct kstack *s)
{
	spin_lock(&kstack_lock);
	list_remove(&s->node);
	spin_unlock(&kstack_lock);
}

const struct kstack *kstack_guard_hit(uintptr_t addr)
{
	list_for_each(pos, &kstacks) {
		const struct kstack *s = list_entry(pos, struct kstack, node);
		if (addr < s->bottom && addr >= s->bottom - PAGE_SIZE)
			return s;
	}
	return 0;
}

const struct kstack *kstack_containing(uintptr_t addr, uintptr_t len)
{
	list_for_each(pos, &kstacks) {
		const struct kstack *s = list_entry(pos, struct kstack, node);
		if (addr >= s->bottom && addr + len <= s->top && addr + len > addr)
			return s;
	}
	return 0;
}

void kstack_for_each(void (*fn)(const struct kstack *s, void *arg), void *arg)
{
	list_for_each(pos, &kstacks)
		fn(list_entry(pos, struct kstack, node), arg);
}
