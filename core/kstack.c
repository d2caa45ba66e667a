/*
 * A small table of kernel stacks (see kstack.h). Stacks are registered at boot
 * and by the thread code; lookups happen only in crash reports.
 * FIXME: thread stacks come and go; give them a lock-free list when threads land.
 */
#include <kite/kstack.h>
#include <kite/memlayout.h>

#define MAX_KSTACKS 32

static struct kstack stacks[MAX_KSTACKS];
static int nr_stacks;

bool kstack_register(const struct kstack *stack)
{
	if (nr_stacks == MAX_KSTACKS)
		return false;
	stacks[nr_stacks++] = *stack;
	return true;
}

const struct kstack *kstack_guard_hit(uintptr_t addr)
{
	for (int i = 0; i < nr_stacks; i++)
		if (addr < stacks[i].bottom && addr >= stacks[i].bottom - PAGE_SIZE)
			return &stacks[i];
	return 0;
}

const struct kstack *kstack_containing(uintptr_t addr, uintptr_t len)
{
	for (int i = 0; i < nr_stacks; i++)
		if (addr >= stacks[i].bottom && addr + len <= stacks[i].top && addr + len > addr)
			return &stacks[i];
	return 0;
}
