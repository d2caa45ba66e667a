/*
 * Buddy allocator (see frame.h). A block of order k at frame index i has its
 * buddy at i ^ 2^k; freeing merges with the buddy while the buddy is a free
 * block of the same order, so free memory always coalesces back into the largest
 * aligned blocks. Indices are relative to `base`, which is aligned to a max-order
 * block, so relative alignment is also physical (and direct-map) alignment.
 *
 * FIXME: per-CPU caches of order-0 frames, so that CPUs do not meet on the lock.
 */
#include <kite/frame.h>
#include <kite/panic.h>
#include <stdbool.h>

#define META_FREE 0x80
#define META_ORDER_MASK 0x1f

struct free_block {
	struct free_block *next, *prev;
};

struct frame_allocator kernel_frames;

static const phys_addr_t max_block = PAGE_SIZE << FRAME_MAX_ORDER;

static size_t frames_covered(phys_addr_t lo, phys_addr_t hi)
{
	phys_addr_t base = lo & ~(max_block - 1);
	return (PAGE_ALIGN_UP(hi) - base) >> PAGE_SHIFT;
}

/* One byte per frame, then the bitmap of free max-order blocks. */
static size_t bitmap_words(size_t nr_frames)
{
	return ((nr_frames >> FRAME_MAX_ORDER) + 63) / 64;
}

size_t frame_meta_size(phys_addr_t lo, phys_addr_t hi)
{
	size_t n = frames_covered(lo, hi);
	return ALIGN_UP(n, 8) + bitmap_words(n) * 8;
}

void frame_allocator_init(struct frame_allocator *fa, phys_addr_t lo, phys_addr_t hi,
			  uint8_t *meta, uintptr_t virt_offset)
{
	*fa = (struct frame_allocator){
		.lock = SPINLOCK_INIT,
		.base = lo & ~(max_block - 1),
		.meta = meta,
		.virt_offset = virt_offset,
	};
	fa->nr_frames = frames_covered(lo, hi);
	fa->max_free_bitmap = (uint64_t *)(meta + ALIGN_UP(fa->nr_frames, 8));
}

static struct free_block *block_at(struct frame_allocator *fa, size_t idx)
{
	return (struct free_block *)(fa->base + (idx << PAGE_SHIFT) + fa->virt_offset);
}

static size_t index_of(struct frame_allocator *fa, const void *block)
{
	return ((uintptr_t)block - fa->virt_offset - fa->base) >> PAGE_SHIFT;
}

/*
 * Free max-order blocks are bits in a bitmap rather than list nodes inside the
 * blocks: adding all of RAM at boot then writes only metadata, never the free
 * memory itself. (Under a hypervisor, touching a guest page for the first time
 * costs the host a page fault; at boot that was most of the time spent.)
 */
static void bitmap_set(struct frame_allocator *fa, size_t idx, bool free)
{
	size_t bit = idx >> FRAME_MAX_ORDER;
	uint64_t mask = 1ULL << (bit % 64);

	if (free) {
		fa->max_free_bitmap[bit / 64] |= mask;
		if (bit / 64 < fa->max_free_hint)
			fa->max_free_hint = bit / 64;
	} else {
		fa->max_free_bitmap[bit / 64] &= ~mask;
	}
}

/* A free max-order block's frame index, or -1. */
static long bitmap_first(struct frame_allocator *fa)
{
	size_t words = bitmap_words(fa->nr_frames);

	for (size_t w = fa->max_free_hint; w < words; w++) {
		if (fa->max_free_bitmap[w]) {
			fa->max_free_hint = w;
			return (long)((w * 64 + __builtin_ctzll(fa->max_free_bitmap[w])) << FRAME_MAX_ORDER);
		}
	}
	fa->max_free_hint = words;
	return -1;
}

static void list_push(struct frame_allocator *fa, size_t idx, unsigned order)
{
	fa->meta[idx] = META_FREE | order;
	fa->nr_free_blocks[order]++;
	if (order == FRAME_MAX_ORDER) {
		bitmap_set(fa, idx, true);
		return;
	}
	struct free_block *b = block_at(fa, idx);

	b->prev = NULL;
	b->next = fa->free[order];
	if (b->next)
		b->next->prev = b;
	fa->free[order] = b;
}

static void list_remove(struct frame_allocator *fa, size_t idx, unsigned order)
{
	fa->meta[idx] = 0;
	fa->nr_free_blocks[order]--;
	if (order == FRAME_MAX_ORDER) {
		bitmap_set(fa, idx, false);
		return;
	}
	struct free_block *b = block_at(fa, idx);

	if (b->prev)
		b->prev->next = b->next;
	else
		fa->free[order] = b->next;
	if (b->next)
		b->next->prev = b->prev;
}

/* Frees the block at idx and merges it with free buddies; lock held. */
static void free_locked(struct frame_allocator *fa, size_t idx, unsigned order)
{
	fa->free_frames += (size_t)1 << order;
	while (order < FRAME_MAX_ORDER) {
		size_t buddy = idx ^ ((size_t)1 << order);
		if (buddy >= fa->nr_frames || fa->meta[buddy] != (META_FREE | order))
			break;
		list_remove(fa, buddy, order);
		idx &= ~((size_t)1 << order);
		order++;
	}
	list_push(fa, idx, order);
}

/* Frees frames [idx, last) as the largest aligned blocks that fit; lock held. */
static void free_range_locked(struct frame_allocator *fa, size_t idx, size_t last)
{
	while (idx < last) {
		unsigned order = 0;
		while (order < FRAME_MAX_ORDER && !(idx & ((size_t)1 << order)) &&
		       idx + ((size_t)2 << order) <= last)
			order++;
		free_locked(fa, idx, order);
		idx += (size_t)1 << order;
	}
}

void frame_allocator_add(struct frame_allocator *fa, phys_addr_t start, phys_addr_t end)
{
	assert(start >= fa->base && (end - fa->base) >> PAGE_SHIFT <= fa->nr_frames);
	spin_lock(&fa->lock);
	free_range_locked(fa, (start - fa->base) >> PAGE_SHIFT, (end - fa->base) >> PAGE_SHIFT);
	fa->total_frames += (end - start) >> PAGE_SHIFT;
	spin_unlock(&fa->lock);
}

void *frame_allocator_alloc(struct frame_allocator *fa, unsigned order)
{
	unsigned k;

	if (order > FRAME_MAX_ORDER)
		return NULL;
	spin_lock(&fa->lock);
	for (k = order; k <= FRAME_MAX_ORDER && !fa->nr_free_blocks[k]; k++)
		;
	if (k > FRAME_MAX_ORDER) {
		spin_unlock(&fa->lock);
		return NULL;
	}
	size_t idx = k == FRAME_MAX_ORDER ? (size_t)bitmap_first(fa) : index_of(fa, fa->free[k]);
	list_remove(fa, idx, k);
	while (k > order) {
		k--;
		list_push(fa, idx + ((size_t)1 << k), k);
	}
	fa->free_frames -= (size_t)1 << order;
	spin_unlock(&fa->lock);
	return block_at(fa, idx);
}

/* True when frame idx lies inside a free block (of any order); lock held. */
static bool inside_free_block(struct frame_allocator *fa, size_t idx)
{
	for (unsigned o = 0; o <= FRAME_MAX_ORDER; o++) {
		size_t head = idx & ~(((size_t)1 << o) - 1);
		uint8_t m = fa->meta[head];
		if ((m & META_FREE) && (m & META_ORDER_MASK) >= o)
			return true;
	}
	return false;
}

void frame_allocator_free(struct frame_allocator *fa, void *block, unsigned order)
{
	size_t idx = index_of(fa, block);

	if (idx >= fa->nr_frames || (idx & (((size_t)1 << order) - 1)) || order > FRAME_MAX_ORDER)
		panic("frame_free: %p (order %u) is not an allocated block", block, order);
	spin_lock(&fa->lock);
	if (inside_free_block(fa, idx)) {
		spin_unlock(&fa->lock);
		panic("frame_free: %p freed twice", block);
	}
	free_locked(fa, idx, order);
	spin_unlock(&fa->lock);
}

void *frame_allocator_alloc_pages(struct frame_allocator *fa, size_t npages, unsigned min_order)
{
	unsigned order = min_order;

	while (((size_t)1 << order) < npages)
		order++;
	void *block = frame_allocator_alloc(fa, order);
	if (block && npages < ((size_t)1 << order)) {
		size_t idx = index_of(fa, block);
		spin_lock(&fa->lock);
		free_range_locked(fa, idx + npages, idx + ((size_t)1 << order));
		spin_unlock(&fa->lock);
	}
	return block;
}

void frame_allocator_free_pages(struct frame_allocator *fa, void *block, size_t npages)
{
	size_t idx = index_of(fa, block);

	if (idx >= fa->nr_frames || npages > fa->nr_frames - idx)
		panic("frame_free_pages: %p (%zu pages) is not an allocated range", block, npages);
	spin_lock(&fa->lock);
	if (inside_free_block(fa, idx)) {
		spin_unlock(&fa->lock);
		panic("frame_free_pages: %p freed twice", block);
	}
	free_range_locked(fa, idx, idx + npages);
	spin_unlock(&fa->lock);
}
