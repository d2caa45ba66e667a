/*
 * The virtual address space, one set of page tables for kernel and app.
 *
 *   0x0000000000000000  +----------------------------------+
 *                       | application (lower half, 128 TiB)|  empty at boot: non-PIE
 *                       | fixed addresses from 0x400000,   |  programs need their
 *                       | PIEs wherever the loader puts    |  link addresses; page 0
 *                       | them; page 0 is never mapped     |  stays unmapped (NULL)
 *   0x00007fffffffffff  +----------------------------------+
 *                       |     (non-canonical hole)         |
 *   0xffff800000000000  +----------------------------------+ DIRECT_MAP_BASE
 *                       | direct map of physical memory:   |  RW, NX, 2 MiB pages
 *                       | virt = phys + DIRECT_MAP_BASE    |  where alignment allows
 *   0xffffc00000000000  +----------------------------------+ KVA_BASE
 *                       | kernel virtual area: stacks with |  4 KiB pages, every
 *                       | guard pages, device MMIO windows |  stack below a hole
 *   0xffffffff80000000  +----------------------------------+ KERNEL_VMA
 *                       | kernel image: virt = phys +      |  text RX, rodata R,
 *                       | KERNEL_VMA (loaded at 1 MiB)     |  data/bss RW+NX
 *   0xffffffffffffffff  +----------------------------------+
 *
 * The kernel is linked in the top 2 GiB (-mcmodel=kernel) so that the whole lower
 * half belongs to the application.
 */
#ifndef KITE_MEMLAYOUT_H
#define KITE_MEMLAYOUT_H

#define PAGE_SHIFT 12
#define PAGE_SIZE (1UL << PAGE_SHIFT)
#define LARGE_PAGE_SIZE (1UL << 21)

#define KERNEL_VMA 0xffffffff80000000UL
#define KERNEL_LOAD_PHYS 0x100000UL

#define DIRECT_MAP_BASE 0xffff800000000000UL
#define DIRECT_MAP_SIZE (1UL << 46) /* 64 TiB of physical memory at most */

#define KVA_BASE 0xffffc00000000000UL
#define KVA_SIZE (1UL << 40)

/* Early boot maps the first EARLY_MAP_SIZE of physical memory at KERNEL_VMA. */
#define EARLY_MAP_SIZE (1UL << 30)

#ifndef __ASSEMBLER__
#include <stdint.h>

typedef uint64_t phys_addr_t;

static inline void *phys_to_virt(phys_addr_t pa)
{
	return (void *)(pa + DIRECT_MAP_BASE);
}

static inline phys_addr_t virt_to_phys(const void *va)
{
	uintptr_t v = (uintptr_t)va;
	return v >= KERNEL_VMA ? v - KERNEL_VMA : v - DIRECT_MAP_BASE;
}

#define PAGE_ALIGN_UP(x) (((x) + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1))
#define PAGE_ALIGN_DOWN(x) ((x) & ~(PAGE_SIZE - 1))
#endif

#endif
