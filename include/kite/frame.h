/*
 * The physical frame allocator: a binary buddy allocator over all usable RAM.
 * Blocks are 2^order frames (order 0 = 4 KiB up to FRAME_MAX_ORDER = 4 MiB),
 * naturally aligned. Callers get direct-map pointers and pass the order back when
 * freeing, as Linux's free_pages() does.
 *
 * Metadata is one byte per frame (0.025 % of RAM) and a bitmap of the free
 * max-order blocks; smaller free blocks are kept on doubly linked lists threaded
 * through the free frames themselves.
 */
#ifndef KITE_FRAME_H
#define KITE_FRAME_H
#include <stddef.h>
#include <stdint.h>
#include <kite/memlayout.h>
#include <kite/spinlock.h>

#define FRAME_MAX_ORDER 10

struct free_block;

struct frame_allocator {
	spinlock_t lock;
	phys_addr_t base;	/* first frame covered; aligned to a max-order block */
	size_t nr_frames;	/* frames covered by meta[], usable or not */
	uint8_t *meta;		/* per frame: FREE flag | order on a free block's head */
	uintptr_t virt_offset;	/* a frame's pointer is its address + virt_offset */
	struct free_block *free[FRAME_MAX_ORDER]; /* lists of free blocks below max order; lock */
	uint64_t *max_free_bitmap;	/* free max-order blocks, a bit each; lock */
	size_t max_free_hint;		/* no set bit in words below this; lock */
	size_t nr_free_blocks[FRAME_MAX_ORDER + 1]; /* lock */
	size_t free_frames;	/* lock: lock */
	size_t total_frames;	/* frames ever added */
};

/* Bytes of metadata needed to cover [lo, hi). */
size_t frame_meta_size(phys_addr_t lo, phys_addr_t hi);

/* Sets up an allocator for [lo, hi) with no free memory yet; meta must be zeroed. */
void frame_allocator_init(struct frame_allocator *fa, phys_addr_t lo, phys_addr_t hi,
			  uint8_t *meta, uintptr_t virt_offset);

/* Hands [start, end) (page aligned, inside the covered range) to the allocator. */
void frame_allocator_add(struct frame_allocator *fa, phys_addr_t start, phys_addr_t end);

/* Returns a 2^order-frame block, naturally aligned, or NULL when out of memory. */
void *frame_allocator_alloc(struct frame_allocator *fa, unsigned order);
void frame_allocator_free(struct frame_allocator *fa, void *block, unsigned order);

/*
 * Exactly npages frames, the first aligned to 2^min_order frames (or to the
 * power of two above npages, if larger); the rest of the buddy block goes back.
 * Freed with frame_allocator_free_pages and the same npages.
 */
void *frame_allocator_alloc_pages(struct frame_allocator *fa, size_t npages, unsigned min_order);
void frame_allocator_free_pages(struct frame_allocator *fa, void *block, size_t npages);

/* The kernel's allocator. */
extern struct frame_allocator kernel_frames;

static inline void *frame_alloc(unsigned order)
{
	return frame_allocator_alloc(&kernel_frames, order);
}

static inline void frame_free(void *block, unsigned order)
{
	frame_allocator_free(&kernel_frames, block, order);
}

#endif
