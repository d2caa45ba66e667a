/*
 * The boot-time page allocator: a bump pointer in one free stretch of RAM below
 * EARLY_MAP_SIZE, used for the page tables and the frame allocator's metadata
 * before the frame allocator exists. What it handed out is never given back.
 */
#ifndef KITE_BOOTMEM_H
#define KITE_BOOTMEM_H
#include <stddef.h>
#include <kite/memlayout.h>

struct phys_range {
	phys_addr_t start, end;
};

/* Chooses the stretch; fails (returns -1) when no free RAM is reachable. */
int bootmem_init(void);

/* Page-aligned physical memory, not zeroed; panics when exhausted. */
phys_addr_t bootmem_alloc(size_t size);

/* What bootmem used, and the ranges no allocator may hand out (kernel image,
 * boot modules, the first MiB, bootmem's own pages). Returns the count. */
int reserved_ranges(struct phys_range *out, int max);

#endif
