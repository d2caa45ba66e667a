/* Host tests of the kernel virtual area allocator (core/kva.c). */
#include <kite/heap.h>
#include <kite/kva.h>
#include "arena.h"
#include "unit.h"

#define BASE 0x100000000UL
#define SIZE (64 * 1024 * 1024UL)

static struct arena arena;

static void setup(void)
{
	static int ready;
	if (!ready) {
		arena_init(&arena, &kernel_frames, 8 << 20);
		frame_allocator_add(&kernel_frames, ARENA_PHYS, ARENA_PHYS + (8 << 20));
		heap_init();
		ready = 1;
	}
	kva_init(BASE, SIZE);
}

TEST(allocations_are_aligned_disjoint_and_bounded)
{
	setup();
	uintptr_t a = kva_alloc(PAGE_SIZE, PAGE_SIZE);
	uintptr_t b = kva_alloc(3 * PAGE_SIZE, 65536);
	uintptr_t c = kva_alloc(PAGE_SIZE, PAGE_SIZE);
	CHECK_EQ(a, BASE);
	CHECK_EQ(b % 65536, 0);
	CHECK(b >= a + PAGE_SIZE);
	/* c reuses the alignment gap left between a and b. */
	CHECK_EQ(c, a + PAGE_SIZE);
	CHECK_EQ(kva_alloc(SIZE, PAGE_SIZE), 0);
	CHECK_EQ(kva_alloc(SIZE - (b + 3 * PAGE_SIZE - BASE) + PAGE_SIZE, PAGE_SIZE), 0);
}

TEST(freed_ranges_coalesce_and_are_reused)
{
	setup();
	uintptr_t pad = kva_alloc(PAGE_SIZE, PAGE_SIZE); /* so that a is not 8-page aligned */
	uintptr_t a = kva_alloc(4 * PAGE_SIZE, PAGE_SIZE);
	uintptr_t b = kva_alloc(4 * PAGE_SIZE, PAGE_SIZE);
	uintptr_t c = kva_alloc(4 * PAGE_SIZE, PAGE_SIZE);
	uintptr_t d = kva_alloc(4 * PAGE_SIZE, PAGE_SIZE); /* keeps c off the bump end */
	kva_free(b, 4 * PAGE_SIZE);
	kva_free(a, 4 * PAGE_SIZE);
	kva_free(c, 4 * PAGE_SIZE);
	/* a, b and c are one free range again: a 12-page request fits exactly there. */
	CHECK_EQ(kva_alloc(12 * PAGE_SIZE, PAGE_SIZE), a);
	/* And a split from the middle of a free range keeps both sides. */
	kva_free(a, 12 * PAGE_SIZE);
	uintptr_t mid = kva_alloc(4 * PAGE_SIZE, 8 * PAGE_SIZE);
	CHECK_EQ(mid, pad + 8 * PAGE_SIZE);
	CHECK_EQ(kva_alloc(7 * PAGE_SIZE, PAGE_SIZE), a);
	CHECK_EQ(kva_alloc(PAGE_SIZE, PAGE_SIZE), mid + 4 * PAGE_SIZE);
	(void)d;
}
