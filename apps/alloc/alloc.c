/*
 * The C allocator as programs use it: sizes from one byte to megabytes, contents
 * that survive realloc, alignment requests, and the errors C and POSIX define.
 * Prints what it checks (never addresses), so host and Kite outputs compare.
 */
#include <errno.h>
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures;

static void check(int ok, const char *what)
{
	printf("%s: %s\n", what, ok ? "ok" : "FAILED");
	failures += !ok;
}

static unsigned char pattern(size_t i, size_t seed)
{
	return (unsigned char)(i * 31 + seed * 7);
}

/* Many live blocks of mixed sizes, freed in an interleaved order. */
static int mixed_sizes(void)
{
	enum { N = 2000 };
	static unsigned char *blocks[N];
	static size_t sizes[N];
	uint32_t rng = 12345;
	for (size_t i = 0; i < N; i++) {
		rng = rng * 1103515245 + 12345;
		sizes[i] = (rng >> 8) % (i % 50 == 0 ? 300000 : 2000) + 1;
		blocks[i] = malloc(sizes[i]);
		if (!blocks[i] || (uintptr_t)blocks[i] % 16)
			return 0;
		for (size_t k = 0; k < sizes[i]; k++)
			blocks[i][k] = pattern(k, i);
	}
	for (size_t pass = 0; pass < 2; pass++)
		for (size_t i = pass; i < N; i += 2) {
			for (size_t k = 0; k < sizes[i]; k++)
				if (blocks[i][k] != pattern(k, i))
					return 0;
			free(blocks[i]);
		}
	return 1;
}

static int realloc_keeps_contents(void)
{
	unsigned char *p = NULL;
	size_t old = 0;
	for (size_t size = 1; size < (8u << 20); size = size * 3 + 1) {
		unsigned char *q = realloc(p, size);
		if (!q)
			return 0;
		for (size_t k = 0; k < old && k < size; k++)
			if (q[k] != pattern(k, 1))
				return 0;
		for (size_t k = 0; k < size; k++)
			q[k] = pattern(k, 1);
		p = q, old = size;
	}
	for (size_t size = old; size > 1; size /= 5) {
		unsigned char *q = realloc(p, size);
		if (!q)
			return 0;
		for (size_t k = 0; k < size; k++)
			if (q[k] != pattern(k, 1))
				return 0;
		p = q;
	}
	free(p);
	return 1;
}

static int alignments(void)
{
	for (size_t align = sizeof(void *); align <= 4096; align *= 2) {
		for (size_t size = 1; size < 100000; size = size * 5 + 3) {
			void *p = NULL;
			if (posix_memalign(&p, align, size) || (uintptr_t)p % align)
				return 0;
			memset(p, 0x5a, size);
			void *q = aligned_alloc(align, size);
			if (!q || (uintptr_t)q % align)
				return 0;
			memset(q, 0xa5, size);
			if (((unsigned char *)p)[size - 1] != 0x5a)
				return 0;
			free(p);
			free(q);
		}
	}
	return 1;
}

int main(void)
{
	char *s = strdup("hello, allocator");
	check(s && strcmp(s, "hello, allocator") == 0, "strdup");
	free(s);

	check(mixed_sizes(), "2000 blocks of mixed sizes keep their contents");
	check(realloc_keeps_contents(), "realloc up to 8 MiB and back keeps contents");
	check(alignments(), "posix_memalign and aligned_alloc align");

	unsigned *zeros = calloc(100000, sizeof *zeros);
	int all_zero = zeros != NULL;
	for (size_t i = 0; zeros && i < 100000; i++)
		all_zero &= zeros[i] == 0;
	check(all_zero, "calloc zeroes");
	free(zeros);

	void *p = malloc(64);
	check(p && malloc_usable_size(p) >= 64, "malloc_usable_size");
	free(p);
	free(NULL);

	/* volatile: the compiler would warn about (and could fold) these sizes. */
	volatile size_t huge = SIZE_MAX - 4096, half = SIZE_MAX / 2;
	errno = 0;
	check(malloc(huge) == NULL && errno == ENOMEM, "huge malloc fails with ENOMEM");
	errno = 0;
	check(calloc(half, 4) == NULL && errno == ENOMEM, "overflowing calloc fails with ENOMEM");
	p = NULL;
	check(posix_memalign(&p, 24, 16) == EINVAL && p == NULL, "posix_memalign rejects alignment 24");

	printf("%d failures\n", failures);
	return failures ? 1 : 0;
}
