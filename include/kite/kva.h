/*
 * The kernel virtual area (KVA_BASE, see memlayout.h): address ranges for memory
 * that needs its own mapping: stacks behind guard pages and large heap blocks
 * built from scattered frames (vmalloc).
 */
#ifndef KITE_KVA_H
#define KITE_KVA_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Reserves `size` bytes of address space aligned to `align` (powers of two,
 * page multiples); 0 when the area is exhausted or no memory is left. */
uintptr_t kva_alloc(size_t size, size_t align);
void kva_free(uintptr_t start, size_t size);

/* Resets the allocator to [base, base + size) (boot, and host tests). */
void kva_init(uintptr_t base, size_t size);

/*
 * vmalloc: `size` bytes (rounded up to pages) of fresh frames mapped read-write
 * in the KVA, the start aligned to `align`, with an unmapped guard page below
 * when `guard` is set. NULL when out of memory.
 */
void *vmalloc(size_t size, size_t align, bool guard);
void vfree(void *p, size_t size, size_t align, bool guard); /* the same size, align, guard */

#endif
