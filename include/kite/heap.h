/*
 * The kernel heap, which becomes libc's malloc: size classes served from 64 KiB
 * spans, with a per-CPU cache (a magazine) of free objects per class so that the
 * common kmalloc/kfree touches no lock and no shared cache line. Requests above
 * HEAP_MAX_SMALL take whole buddy blocks.
 *
 * Not for interrupt handlers: they must not allocate.
 */
#ifndef KITE_HEAP_H
#define KITE_HEAP_H
#include <stddef.h>
#include <stdint.h>

#define HEAP_MAX_SMALL 16384
#define HEAP_ALIGN 16
#define HEAP_MAX_CONTIGUOUS (128 * 1024)	/* larger blocks are vmalloc'ed */
#define HEAP_MAX_LARGE ((size_t)1 << 40)
#define HEAP_MAX_ALIGN (32 * 1024)	/* the largest alignment kmalloc_aligned gives */

/* Starts an empty heap (forgetting any earlier one); the frame allocator must be ready. */
void heap_init(void);

void *kmalloc(size_t size);	/* NULL when out of memory; 16-byte aligned */
void *kzalloc(size_t size);
/* `align` a power of two up to HEAP_MAX_ALIGN, else NULL; kfree frees it. */
void *kmalloc_aligned(size_t size, size_t align);
void *kcalloc(size_t n, size_t size); /* NULL on overflow too */
void *krealloc(void *p, size_t size);
void kfree(void *p);		/* p may be NULL */
size_t kmalloc_usable_size(const void *p);

struct heap_stats {
	size_t in_use_bytes;	/* bytes handed out (rounded to the class size) */
	size_t span_bytes;	/* bytes of spans that hold small objects */
	size_t large_bytes;	/* bytes of large blocks */
	size_t percpu_bytes;	/* the CPUs' caches themselves */
	size_t allocs, frees;
};

void heap_get_stats(struct heap_stats *st);

/* Returns this CPU's cached objects and every empty span to the frame allocator. */
void heap_trim(void);

#endif
