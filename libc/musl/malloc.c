/*
 * libc's allocator is the kernel heap (core/heap.c): one allocator for kernel
 * and application, with per-CPU caches, instead of musl's mallocng on top of
 * mmap. musl's own malloc members are taken out of the archive the kernel
 * links (MUSL_REPLACED in the Makefile); this file gives their entry points,
 * with C and POSIX's rules for sizes of zero, overflow and errno.
 *
 * The heap's prototypes are declared here rather than included: this file is
 * built against musl's headers, not the kernel's.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

void *kmalloc(size_t size);
void *kmalloc_aligned(size_t size, size_t align);
void *krealloc(void *p, size_t size);
void kfree(void *p);
size_t kmalloc_usable_size(const void *p);

/* The heap refuses larger requests anyway; this keeps size arithmetic safe. */
#define LARGEST_REQUEST (PTRDIFF_MAX / 2)

static void *out_of_memory(void)
{
	errno = ENOMEM;
	return NULL;
}

void *malloc(size_t size)
{
	void *p = size <= LARGEST_REQUEST ? kmalloc(size) : NULL;
	return p ? p : out_of_memory();
}

void free(void *p)
{
	kfree(p);
}

void *calloc(size_t n, size_t size)
{
	if (size && n > LARGEST_REQUEST / size)
		return out_of_memory();
	void *p = malloc(n * size);
	if (p)
		memset(p, 0, n * size);
	return p;
}

void *realloc(void *p, size_t size)
{
	if (size > LARGEST_REQUEST)
		return out_of_memory();
	void *q = krealloc(p, size);
	return q ? q : out_of_memory();
}

void *aligned_alloc(size_t align, size_t size)
{
	if (!align || (align & (align - 1))) {
		errno = EINVAL;
		return NULL;
	}
	void *p = size <= LARGEST_REQUEST ? kmalloc_aligned(size, align) : NULL;
	return p ? p : out_of_memory();
}

int posix_memalign(void **result, size_t align, size_t size)
{
	if (align < sizeof(void *) || (align & (align - 1)))
		return EINVAL;
	void *p = size <= LARGEST_REQUEST ? kmalloc_aligned(size, align) : NULL;
	if (!p)
		return ENOMEM;
	*result = p;
	return 0;
}

void *memalign(size_t align, size_t size)
{
	return aligned_alloc(align, size);
}

size_t malloc_usable_size(void *p)
{
	return kmalloc_usable_size(p);
}

/* musl's internal names for the same (its code that must not be interposed). */
void *__libc_malloc(size_t size) { return malloc(size); }
void *__libc_calloc(size_t n, size_t size) { return calloc(n, size); }
void *__libc_realloc(void *p, size_t size) { return realloc(p, size); }
void __libc_free(void *p) { free(p); }

/* The heap has no process-wide lock for fork to take. */
void __malloc_atfork(int who) { (void)who; }
