/*
 * The kernel's page tables: one set for kernel and application alike.
 * paging_init() replaces the early boot tables with Kite's own: a direct map of
 * all physical memory the firmware described, and the kernel image mapped with
 * its section permissions (text RX, rodata R, data RW, never W and X together),
 * the guard page of every static stack left out. Then NX and CR0.WP are on.
 */
#ifndef KITE_PAGING_H
#define KITE_PAGING_H
#include <stddef.h>
#include <stdint.h>
#include <kite/memlayout.h>

enum {
	PROT_R = 1,
	PROT_W = 2,
	PROT_X = 4,
	PROT_NOCACHE = 8,	/* device memory: uncached */
};

void paging_init(void);

/* After the frame allocator exists, new page-table pages come from it. */
void paging_use_frame_allocator(void);

/* Maps [va, va + size) to pa with 4 KiB pages; 0, or -ENOMEM. With none of
 * R, W, X (PROT_NONE) the pages fault on any access but keep their frames. */
int paging_map(uintptr_t va, phys_addr_t pa, size_t size, unsigned prot);

/* Removes the mappings of [va, va + size) (4 KiB pages) and flushes the TLB. */
void paging_unmap(uintptr_t va, size_t size);

/* Maps device memory (uncached) into the kernel virtual area; NULL on failure. */
void *ioremap(phys_addr_t pa, size_t size);

/* After unmapping: flushes the other CPUs' TLBs (interrupts must be on). */
void tlb_flush_others(void);

/* The physical address va maps to and the mapping's permissions (0 for a
 * PROT_NONE page), or -1. */
int64_t paging_lookup(uintptr_t va, unsigned *prot);
/* The first page at or after va, below end, that has a mapping (PROT_NONE
 * ones with a frame too); end if none. Skips empty tables whole. */
uintptr_t paging_next_present(uintptr_t va, uintptr_t end);

#endif
