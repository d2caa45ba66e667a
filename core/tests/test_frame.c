/* Host tests of the buddy frame allocator (core/frame.c). */
#include <kite/frame.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "arena.h"
#include "unit.h"

#define MIB (1024 * 1024UL)

static struct frame_allocator fa;
static struct arena arena;

static void setup(size_t size)
{
	arena_init(&arena, &fa, size);
	frame_allocator_add(&fa, ARENA_PHYS, ARENA_PHYS + size);
}

TEST(add_counts_every_frame)
{
	setup(16 * MIB);
	CHECK_EQ(fa.free_frames, 16 * MIB / PAGE_SIZE);
	CHECK_EQ(fa.total_frames, 16 * MIB / PAGE_SIZE);
	arena_destroy(&arena);
}

TEST(exhaustion_returns_null_and_everything_comes_back)
{
	setup(8 * MIB);
	size_t total = fa.free_frames, n = 0;
	void **blocks = malloc(total * sizeof(void *));
	void *p;

	while ((p = frame_allocator_alloc(&fa, 0))) {
		CHECK(arena_contains(&arena, p, PAGE_SIZE));
		blocks[n++] = p;
	}
	CHECK_EQ(n, total);
	CHECK_EQ(fa.free_frames, 0);
	CHECK(frame_allocator_alloc(&fa, 0) == NULL);
	CHECK(frame_allocator_alloc(&fa, 3) == NULL);
	/* Every frame handed out once: sort and check they are distinct. */
	for (size_t i = 0; i < n; i++)
		memset(blocks[i], (int)(i & 0xff), PAGE_SIZE);
	for (size_t i = 0; i < n; i++)
		CHECK(((uint8_t *)blocks[i])[PAGE_SIZE - 1] == (uint8_t)(i & 0xff));
	for (size_t i = 0; i < n; i++)
		frame_allocator_free(&fa, blocks[i], 0);
	CHECK_EQ(fa.free_frames, total);
	/* Full coalescing: the whole arena as max-order blocks again. */
	for (size_t i = 0; i < total >> FRAME_MAX_ORDER; i++)
		CHECK(frame_allocator_alloc(&fa, FRAME_MAX_ORDER) != NULL);
	CHECK(frame_allocator_alloc(&fa, 0) == NULL);
	free(blocks);
	arena_destroy(&arena);
}

TEST(fragmentation_blocks_large_allocations_until_freed)
{
	setup(4 * MIB);
	size_t total = fa.free_frames;
	void **blocks = malloc(total * sizeof(void *));

	for (size_t i = 0; i < total; i++)
		CHECK((blocks[i] = frame_allocator_alloc(&fa, 0)) != NULL);
	/* Free every other frame: half the memory is free, yet no two free frames
	 * are buddies, so an order-1 request must fail. */
	for (size_t i = 0; i < total; i += 2)
		frame_allocator_free(&fa, blocks[i], 0);
	CHECK_EQ(fa.free_frames, total / 2);
	CHECK(frame_allocator_alloc(&fa, 1) == NULL);
	void *single = frame_allocator_alloc(&fa, 0);
	CHECK(single != NULL);
	frame_allocator_free(&fa, single, 0);
	for (size_t i = 1; i < total; i += 2)
		frame_allocator_free(&fa, blocks[i], 0);
	CHECK(frame_allocator_alloc(&fa, FRAME_MAX_ORDER) != NULL);
	free(blocks);
	arena_destroy(&arena);
}

TEST(blocks_are_naturally_aligned)
{
	setup(16 * MIB);
	for (unsigned order = 0; order <= FRAME_MAX_ORDER; order++) {
		void *p = frame_allocator_alloc(&fa, order);
		CHECK(p != NULL);
		uintptr_t pa = (uintptr_t)p - fa.virt_offset;
		CHECK_EQ(pa & ((PAGE_SIZE << order) - 1), 0);
	}
	CHECK(frame_allocator_alloc(&fa, FRAME_MAX_ORDER + 1) == NULL);
	arena_destroy(&arena);
}

TEST(holes_and_odd_ranges_are_respected)
{
	arena_init(&arena, &fa, 8 * MIB);
	/* Two ranges that start and end off any large alignment, a hole between. */
	phys_addr_t a0 = ARENA_PHYS + 3 * PAGE_SIZE, a1 = ARENA_PHYS + MIB + 5 * PAGE_SIZE;
	phys_addr_t b0 = ARENA_PHYS + 2 * MIB + 7 * PAGE_SIZE, b1 = ARENA_PHYS + 8 * MIB - PAGE_SIZE;
	frame_allocator_add(&fa, a0, a1);
	frame_allocator_add(&fa, b0, b1);
	size_t expected = ((a1 - a0) + (b1 - b0)) / PAGE_SIZE;
	CHECK_EQ(fa.free_frames, expected);
	size_t n = 0;
	void *p;
	while ((p = frame_allocator_alloc(&fa, 0))) {
		phys_addr_t pa = (uintptr_t)p - fa.virt_offset;
		CHECK((pa >= a0 && pa < a1) || (pa >= b0 && pa < b1));
		n++;
	}
	CHECK_EQ(n, expected);
	arena_destroy(&arena);
}

TEST(double_free_and_bad_free_panic)
{
	setup(4 * MIB);
	void *p = frame_allocator_alloc(&fa, 0);
	void *q = frame_allocator_alloc(&fa, 0);
	frame_allocator_free(&fa, p, 0);
	EXPECT_PANIC(frame_allocator_free(&fa, p, 0));
	frame_allocator_free(&fa, q, 0);
	/* p and q merged into a larger free block: freeing p again is still caught. */
	EXPECT_PANIC(frame_allocator_free(&fa, p, 0));
	void *big = frame_allocator_alloc(&fa, 2);
	EXPECT_PANIC(frame_allocator_free(&fa, (char *)big + PAGE_SIZE, 2)); /* misaligned */
	EXPECT_PANIC(frame_allocator_free(&fa, (char *)arena.mem + 64 * MIB, 0)); /* outside */
	arena_destroy(&arena);
}

TEST(exact_page_runs_return_their_tail)
{
	setup(8 * MIB);
	size_t total = fa.free_frames;
	void *p = frame_allocator_alloc_pages(&fa, 5, 4);
	CHECK(p != NULL);
	CHECK_EQ(((uintptr_t)p - fa.virt_offset) & ((PAGE_SIZE << 4) - 1), 0);
	CHECK_EQ(fa.free_frames, total - 5);
	void *q = frame_allocator_alloc_pages(&fa, 257, 0);
	CHECK_EQ(fa.free_frames, total - 5 - 257);
	frame_allocator_free_pages(&fa, p, 5);
	frame_allocator_free_pages(&fa, q, 257);
	CHECK_EQ(fa.free_frames, total);
	CHECK(frame_allocator_alloc(&fa, FRAME_MAX_ORDER) != NULL);
	arena_destroy(&arena);
}

struct live {
	void *p;
	unsigned order;
	uint32_t tag;
};

static void fill(const struct live *l)
{
	uint32_t *w = l->p;
	for (size_t i = 0; i < (PAGE_SIZE << l->order) / 4; i += 97)
		w[i] = l->tag ^ (uint32_t)i;
}

static int intact(const struct live *l)
{
	const uint32_t *w = l->p;
	for (size_t i = 0; i < (PAGE_SIZE << l->order) / 4; i += 97)
		if (w[i] != (l->tag ^ (uint32_t)i))
			return 0;
	return 1;
}

TEST(random_alloc_free_stress_keeps_contents)
{
	enum { SLOTS = 512, OPS = 200000 };
	static struct live live[SLOTS];
	unsigned seed = 12345;

	setup(32 * MIB);
	size_t total = fa.free_frames;
	memset(live, 0, sizeof(live));
	for (int op = 0; op < OPS; op++) {
		unsigned slot = rand_r(&seed) % SLOTS;
		struct live *l = &live[slot];
		if (l->p) {
			CHECK(intact(l));
			frame_allocator_free(&fa, l->p, l->order);
			l->p = NULL;
		} else {
			unsigned r = rand_r(&seed) % 100;
			l->order = r < 70 ? 0 : r < 90 ? 1 + r % 3 : 4 + r % 7;
			l->p = frame_allocator_alloc(&fa, l->order);
			if (l->p) {
				l->tag = (uint32_t)op * 2654435761u;
				fill(l);
			}
		}
	}
	for (int i = 0; i < SLOTS; i++)
		if (live[i].p) {
			CHECK(intact(&live[i]));
			frame_allocator_free(&fa, live[i].p, live[i].order);
		}
	CHECK_EQ(fa.free_frames, total);
	arena_destroy(&arena);
}
