/* A fake physical memory for host tests: an aligned host buffer that the frame
 * allocator believes starts at ARENA_PHYS. */
#ifndef TESTS_ARENA_H
#define TESTS_ARENA_H
#include <kite/frame.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_PHYS 0x400000UL /* aligned to a max-order block, like real RAM */

struct arena {
	void *mem;
	uint8_t *meta;
	size_t size;
};

static inline void arena_init(struct arena *a, struct frame_allocator *fa, size_t size)
{
	size_t align = PAGE_SIZE << FRAME_MAX_ORDER;
	a->size = size;
	a->mem = aligned_alloc(align, size);
	a->meta = calloc(1, frame_meta_size(ARENA_PHYS, ARENA_PHYS + size));
	frame_allocator_init(fa, ARENA_PHYS, ARENA_PHYS + size, a->meta,
			     (uintptr_t)a->mem - ARENA_PHYS);
}

static inline void arena_destroy(struct arena *a)
{
	free(a->mem);
	free(a->meta);
}

static inline int arena_contains(const struct arena *a, const void *p, size_t len)
{
	return (const char *)p >= (const char *)a->mem &&
	       (const char *)p + len <= (const char *)a->mem + a->size;
}

#endif
