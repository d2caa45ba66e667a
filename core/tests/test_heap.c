/* Host tests of the kernel heap (core/heap.c) on a fake physical memory. */
#include <kite/heap.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "arena.h"
#include "unit.h"

#define MIB (1024 * 1024UL)

extern size_t host_vmalloc_bytes, host_vmalloc_limit;
static struct arena arena;
static size_t initial_free;

/* A fresh memory for each test; the previous test must have left the heap empty. */
static void setup(size_t size)
{
	static int ready;
	if (ready)
		arena_destroy(&arena);
	ready = 1;
	arena_init(&arena, &kernel_frames, size);
	frame_allocator_add(&kernel_frames, ARENA_PHYS, ARENA_PHYS + size);
	initial_free = kernel_frames.free_frames;
	heap_init();
}

/* After freeing everything and trimming, all memory is back. */
static int all_returned(void)
{
	struct heap_stats st;
	heap_trim();
	heap_get_stats(&st);
	return kernel_frames.free_frames + st.percpu_bytes / PAGE_SIZE == initial_free &&
	       st.in_use_bytes == 0 &&
	       st.span_bytes == 0 && st.large_bytes == 0 && host_vmalloc_bytes == 0;
}

/* Two blocks of `size` from the heap: aligned, usable, apart; then freed. */
static void check_pair_and_free(uint8_t *a, uint8_t *b, size_t size, size_t align)
{
	CHECK(a && b);
	CHECK_EQ((uintptr_t)a % align, 0);
	CHECK_EQ((uintptr_t)b % align, 0);
	CHECK(kmalloc_usable_size(a) >= size);
	CHECK(a + size <= b || b + size <= a);
	memset(a, 0xaa, size);
	memset(b, 0x55, size);
	for (size_t i = 0; i < size; i++)
		CHECK(a[i] == 0xaa);
	kfree(a);
	kfree(b);
}

TEST(every_size_is_aligned_usable_and_separate)
{
	setup(64 * MIB);
	for (size_t size = 0; size < 70000; size += size < 2048 ? 1 : 997)
		check_pair_and_free(kmalloc(size), kmalloc(size), size, HEAP_ALIGN);
	kfree(NULL);
	CHECK(all_returned());
}

TEST(aligned_allocations_are_aligned_usable_and_freed)
{
	setup(64 * MIB);
	for (size_t align = 1; align <= HEAP_MAX_ALIGN; align *= 2) {
		for (size_t size = 0; size < 40000; size += size < 300 ? 7 : 3001)
			check_pair_and_free(kmalloc_aligned(size, align), kmalloc_aligned(size, align), size, align);
	}
	CHECK(kmalloc_aligned(16, 48) == NULL);	/* not a power of two */
	CHECK(kmalloc_aligned(16, 2 * HEAP_MAX_ALIGN) == NULL);
	CHECK(all_returned());
}

TEST(exhaustion_gives_null_then_memory_comes_back)
{
	setup(8 * MIB);
	host_vmalloc_limit = 4 * MIB;
	void **objs = malloc(8 * MIB / 16 * sizeof(void *));
	size_t n = 0;
	void *p;

	while ((p = kmalloc(4096)))
		objs[n++] = p;
	/* Most of the 8 MiB went to 4 KiB objects (span headers cost a few). */
	CHECK(n * 4096 > 7 * MIB);
	CHECK(kmalloc(16) == NULL || (objs[n++] = kmalloc(16)) != NULL);
	CHECK(kmalloc(100000) == NULL);
	CHECK(kmalloc(5 * MIB) == NULL); /* beyond the vmalloc budget */
	for (size_t i = 0; i < n; i++)
		kfree(objs[i]);
	CHECK(all_returned());
	host_vmalloc_limit = (size_t)1 << 30;
	free(objs);
}

TEST(large_blocks_contiguous_and_mapped)
{
	setup(64 * MIB);
	size_t sizes[] = { HEAP_MAX_SMALL + 1, 100000, HEAP_MAX_CONTIGUOUS, HEAP_MAX_CONTIGUOUS + 1,
			   3 * MIB, 9 * MIB };
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		uint8_t *p = kmalloc(sizes[i]);
		CHECK(p != NULL);
		CHECK(kmalloc_usable_size(p) >= sizes[i]);
		memset(p, 0x5a, sizes[i]);
		CHECK(p[sizes[i] - 1] == 0x5a);
		if (sizes[i] > HEAP_MAX_CONTIGUOUS)
			CHECK(host_vmalloc_bytes > 0);
		kfree(p);
	}
	CHECK(all_returned());
}

TEST(krealloc_keeps_contents_and_kcalloc_checks_overflow)
{
	setup(32 * MIB);
	uint8_t *p = kmalloc(10);
	for (int i = 0; i < 10; i++)
		p[i] = (uint8_t)i;
	for (size_t size = 16; size < 300000; size *= 3) {
		p = krealloc(p, size);
		CHECK(p != NULL);
		for (int i = 0; i < 10; i++)
			CHECK(p[i] == i);
	}
	p = krealloc(p, 5);
	CHECK(p[4] == 4);
	kfree(p);
	CHECK(kcalloc(SIZE_MAX / 2, 4) == NULL);
	uint32_t *z = kcalloc(1000, 4);
	for (int i = 0; i < 1000; i++)
		CHECK(z[i] == 0);
	kfree(z);
	CHECK(all_returned());
}

TEST(bad_free_panics)
{
	setup(8 * MIB);
	char *p = kmalloc(100);
	EXPECT_PANIC(kfree(p + 8)); /* not the start of an object */
	kfree(p);
	CHECK(all_returned());
}

struct object {
	uint8_t *p;
	size_t size;
	uint8_t tag;
};

static size_t random_size(unsigned *seed)
{
	unsigned r = rand_r(seed) % 1000;
	if (r < 700)
		return rand_r(seed) % 256;
	if (r < 950)
		return rand_r(seed) % 4096;
	if (r < 995)
		return rand_r(seed) % 65536;
	return rand_r(seed) % (600 * 1024);
}

static int check_and_free(struct object *o)
{
	for (size_t i = 0; i < o->size; i += 7)
		if (o->p[i] != o->tag)
			return 0;
	kfree(o->p);
	o->p = NULL;
	return 1;
}

static int stress(unsigned seed, int ops, struct object *objs, int slots)
{
	for (int op = 0; op < ops; op++) {
		struct object *o = &objs[rand_r(&seed) % slots];
		if (o->p) {
			if (!check_and_free(o))
				return 0;
		} else {
			o->size = random_size(&seed);
			o->p = kmalloc(o->size);
			if (!o->p)
				continue;
			o->tag = (uint8_t)op;
			memset(o->p, o->tag, o->size);
		}
	}
	for (int i = 0; i < slots; i++)
		if (objs[i].p && !check_and_free(&objs[i]))
			return 0;
	return 1;
}

TEST(random_stress_verifies_contents)
{
	static struct object objs[2048];
	setup(128 * MIB);
	memset(objs, 0, sizeof(objs));
	CHECK(stress(42, 300000, objs, 2048));
	CHECK(all_returned());
}

/* Several "CPUs" (host threads): each allocates; half the objects are freed by
 * the next thread, so objects travel between magazines. */
#define THREADS 4
#define HANDOFF 4096
static void *handoff[THREADS][HANDOFF];

static void *thread_main(void *arg)
{
	long id = (long)arg;
	struct object *objs = calloc(512, sizeof(*objs));
	int ok = stress((unsigned)id + 1, 50000, objs, 512);
	for (int i = 0; i < HANDOFF; i++) {
		handoff[id][i] = kmalloc(16 + (i % 200));
		if (handoff[id][i])
			memset(handoff[id][i], (int)id, 16);
	}
	heap_trim(); /* this "CPU" goes away: return its cached objects */
	free(objs);
	return (void *)(long)ok;
}

static void *free_neighbour(void *arg)
{
	long id = (long)arg, from = (id + 1) % THREADS;
	int ok = 1;
	for (int i = 0; i < HANDOFF; i++) {
		uint8_t *p = handoff[from][i];
		if (p && p[15] != from)
			ok = 0;
		kfree(p);
	}
	heap_trim();
	return (void *)(long)ok;
}

TEST(threads_on_several_cpus)
{
	pthread_t t[THREADS];
	void *ok;

	setup(128 * MIB);
	for (long i = 0; i < THREADS; i++)
		pthread_create(&t[i], NULL, thread_main, (void *)i);
	for (int i = 0; i < THREADS; i++) {
		pthread_join(t[i], &ok);
		CHECK(ok);
	}
	for (long i = 0; i < THREADS; i++)
		pthread_create(&t[i], NULL, free_neighbour, (void *)i);
	for (int i = 0; i < THREADS; i++) {
		pthread_join(t[i], &ok);
		CHECK(ok);
	}
	struct heap_stats st;
	heap_get_stats(&st);
	CHECK_EQ(st.allocs, st.frees);
	CHECK(all_returned());
}
