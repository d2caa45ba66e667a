/* The kernel's <stdlib.h>: only what third-party code built into the kernel
 * (lwIP) includes it for. Memory comes from the kernel heap (kite/heap.h). */
#ifndef KLIBC_STDLIB_H
#define KLIBC_STDLIB_H
#include <stddef.h>

void *malloc(size_t size);
void *calloc(size_t n, size_t size);
void *realloc(void *p, size_t size);
void free(void *p);

#endif
