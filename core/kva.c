/*
 * KVA ranges: a sorted list of free ranges with first fit, coalescing on free,
 * and a bump pointer for the never-used remainder. Few, long-lived ranges
 * (stacks, big blocks) make a list good enough.
 * FIXME: a tree keyed by size if thread stacks make the list long.
 *
 * Locking: kva_lock protects free_ranges and bump.
 */
#include <kite/compiler.h>
#include <kite/heap.h>
#include <kite/kva.h>
#include <kite/spinlock.h>

struct kva_range {
	uintptr_t start, end;
	struct kva_range *next;
};

static spinlock_t kva_lock = SPINLOCK_INIT;
static struct kva_range *free_ranges; /* sorted by address, never adjacent */
static uintptr_t bump, limit;

void kva_init(uintptr_t base, size_t size)
{
	free_ranges = NULL;
	bump = base;
	limit = base + size;
}

uintptr_t kva_alloc(size_t size, size_t align)
{
	/* A split may need a node; allocate it before taking the lock, since
	 * kmalloc must not be called with it held. */
	struct kva_range *spare = kmalloc(sizeof(*spare));
	struct kva_range *emptied = NULL;
	uintptr_t result = 0;

	if (!spare)
		return 0;
	spin_lock(&kva_lock);
	for (struct kva_range **link = &free_ranges; *link; link = &(*link)->next) {
		struct kva_range *r = *link;
		uintptr_t start = ALIGN_UP(r->start, align);
		if (start < r->start || start + size > r->end || start + size < start)
			continue;
		result = start;
		if (start == r->start) {
			r->start += size;
			if (r->start == r->end) {
				*link = r->next;
				emptied = r;
			}
		} else if (start + size == r->end) {
			r->end = start;
		} else {
			/* From the middle: r keeps the front, spare takes the back. */
			*spare = (struct kva_range){ start + size, r->end, r->next };
			r->end = start;
			r->next = spare;
			spare = NULL;
		}
		break;
	}
	if (!result) {
		uintptr_t start = ALIGN_UP(bump, align);
		if (start >= bump && start + size <= limit && start + size > start) {
			if (start > bump) {
				/* The alignment gap, at the end of the list, serves smaller
				 * requests later. */
				struct kva_range **link = &free_ranges;
				while (*link)
					link = &(*link)->next;
				*spare = (struct kva_range){ bump, start, NULL };
				*link = spare;
				spare = NULL;
			}
			bump = start + size;
			result = start;
		}
	}
	spin_unlock(&kva_lock);
	kfree(spare);
	kfree(emptied);
	return result;
}

void kva_free(uintptr_t start, size_t size)
{
	uintptr_t end = start + size;
	struct kva_range *node = kmalloc(sizeof(*node));
	struct kva_range *unused = NULL;

	spin_lock(&kva_lock);
	struct kva_range **link = &free_ranges;
	struct kva_range *prev = NULL;
	while (*link && (*link)->start < start) {
		prev = *link;
		link = &(*link)->next;
	}
	struct kva_range *next = *link;
	if (prev && prev->end == start) {
		prev->end = end;
		if (next && next->start == end) { /* bridges two ranges */
			prev->end = next->end;
			prev->next = next->next;
			unused = next;
		}
	} else if (next && next->start == end) {
		next->start = start;
	} else if (node) {
		*node = (struct kva_range){ start, end, next };
		*link = node;
		node = NULL;
	}
	/* With no memory for a node the range is lost: a leak of address space,
	 * not of memory, and only when the heap is already exhausted. */
	spin_unlock(&kva_lock);
	kfree(node);
	kfree(unused);
}
