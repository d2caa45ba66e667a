/*
 * x86-64 four-level page tables (see kite/paging.h). Page-table pages are
 * reached through `table_virt_offset`: the early map (KERNEL_VMA + phys) until
 * Kite's own tables are live, the direct map afterwards.
 */
#include <arch/cpu.h>
#include <arch/stacks.h>
#include <kite/bootinfo.h>
#include <kite/bootmem.h>
#include <kite/errno.h>
#include <kite/frame.h>
#include <kite/kva.h>
#include <kite/paging.h>
#include <kite/panic.h>
#include <string.h>

#define PTE_PRESENT (1UL << 0)
#define PTE_WRITE (1UL << 1)
#define PTE_PWT (1UL << 3)
#define PTE_PCD (1UL << 4)
#define PTE_LARGE (1UL << 7)
#define PTE_NO_ACCESS (1UL << 9)	/* software bit: not present, but the frame is kept (PROT_NONE) */
#define PTE_NX (1UL << 63)
#define PTE_ADDR_MASK 0x000ffffffffff000UL

static uint64_t *pml4;
static uintptr_t table_virt_offset = KERNEL_VMA;
static uint64_t nx_bit;
static bool use_frame_allocator;

extern char __kernel_start[], __text_end[], __rodata_end[], __kernel_end[];

static uint64_t *table_virt(phys_addr_t pa)
{
	return (uint64_t *)(pa + table_virt_offset);
}

static phys_addr_t new_table(void)
{
	phys_addr_t pa;

	if (use_frame_allocator) {
		void *p = frame_alloc(0);
		if (!p)
			return 0;
		pa = virt_to_phys(p);
	} else {
		pa = bootmem_alloc(PAGE_SIZE);
	}
	memset(table_virt(pa), 0, PAGE_SIZE);
	return pa;
}

static uint64_t prot_bits(unsigned prot)
{
	if (!(prot & (PROT_R | PROT_W | PROT_X)))
		return PTE_NO_ACCESS;
	return PTE_PRESENT | ((prot & PROT_W) ? PTE_WRITE : 0) | ((prot & PROT_X) ? 0 : nx_bit) |
	       ((prot & PROT_NOCACHE) ? PTE_PCD | PTE_PWT : 0);
}

/* The entry for va at `level` (3 = PML4 … 0 = PT), creating tables on the way. */
static uint64_t *walk(uintptr_t va, int level, bool create)
{
	uint64_t *table = pml4;

	for (int l = 3; l > level; l--) {
		uint64_t *e = &table[(va >> (12 + 9 * l)) & 511];
		if (!(*e & PTE_PRESENT)) {
			if (!create)
				return NULL;
			phys_addr_t pa = new_table();
			if (!pa)
				return NULL;
			/* Upper levels allow everything; the leaf decides. */
			*e = pa | PTE_PRESENT | PTE_WRITE;
		} else if (*e & PTE_LARGE) {
			return create ? NULL : e;
		}
		table = table_virt(*e & PTE_ADDR_MASK);
	}
	return &table[(va >> (12 + 9 * level)) & 511];
}

static void invlpg(uintptr_t va)
{
	__asm__ volatile("invlpg (%0)" : : "r"(va) : "memory");
}

int paging_map(uintptr_t va, phys_addr_t pa, size_t size, unsigned prot)
{
	for (size_t off = 0; off < size; off += PAGE_SIZE) {
		uint64_t *e = walk(va + off, 0, true);
		if (!e)
			return -ENOMEM;
		*e = (pa + off) | prot_bits(prot);
		invlpg(va + off);
	}
	return 0;
}

void paging_unmap(uintptr_t va, size_t size)
{
	for (size_t off = 0; off < size; off += PAGE_SIZE) {
		uint64_t *e = walk(va + off, 0, false);
		if (e && !(*e & PTE_LARGE)) {
			*e = 0;
			invlpg(va + off);
		}
	}
}

int64_t paging_lookup(uintptr_t va, unsigned *prot)
{
	for (int level = 0; level <= 2; level++) {
		uint64_t *e = walk(va, level, false);
		if (e && level == 0 && (*e & PTE_NO_ACCESS)) {
			if (prot)
				*prot = 0;
			return (int64_t)((*e & PTE_ADDR_MASK) | (va & (PAGE_SIZE - 1)));
		}
		if (!e || !(*e & PTE_PRESENT))
			continue;
		if (level > 0 && !(*e & PTE_LARGE))
			continue;
		if (prot)
			*prot = PROT_R | ((*e & PTE_WRITE) ? PROT_W : 0) | ((*e & nx_bit) ? 0 : PROT_X);
		uint64_t page_mask = (1UL << (12 + 9 * level)) - 1;
		return (int64_t)((*e & PTE_ADDR_MASK & ~page_mask) | (va & page_mask));
	}
	return -1;
}

uintptr_t paging_next_present(uintptr_t va, uintptr_t end)
{
	va &= ~(uintptr_t)(PAGE_SIZE - 1);
	while (va < end) {
		uint64_t *table = pml4;
		int l;
		for (l = 3; l >= 0; l--) {
			uint64_t e = table[(va >> (12 + 9 * l)) & 511];
			if (l == 0 && (e & (PTE_PRESENT | PTE_NO_ACCESS)))
				return va;
			if (!(e & PTE_PRESENT))
				break;
			if (e & PTE_LARGE)
				return va;
			table = table_virt(e & PTE_ADDR_MASK);
		}
		/* Nothing at level l: on to the next entry of that level. */
		uintptr_t step = 1UL << (12 + 9 * l);
		uintptr_t next = (va & ~(step - 1)) + step;
		if (next <= va)
			break;
		va = next;
	}
	return end;
}

/* Direct map with 2 MiB pages; the range is rounded out to 2 MiB. */
static void map_direct(phys_addr_t start, phys_addr_t end)
{
	start = ALIGN_DOWN(start, LARGE_PAGE_SIZE);
	end = ALIGN_UP(end, LARGE_PAGE_SIZE);
	if (end > DIRECT_MAP_SIZE)
		end = DIRECT_MAP_SIZE;
	for (phys_addr_t pa = start; pa < end; pa += LARGE_PAGE_SIZE) {
		uint64_t *e = walk(DIRECT_MAP_BASE + pa, 1, true);
		if (!e)
			panic("paging: no memory for the direct map");
		*e = pa | PTE_LARGE | prot_bits(PROT_R | PROT_W);
	}
}

static void map_kernel_range(const char *start, const char *end, unsigned prot)
{
	uintptr_t va = (uintptr_t)start;
	if (paging_map(va, va - KERNEL_VMA, PAGE_ALIGN_UP((uintptr_t)end) - va, prot))
		panic("paging: no memory for the kernel image");
}

static void unmap_guard(uintptr_t guard_va)
{
	paging_unmap(guard_va, PAGE_SIZE);
}

void paging_init(void)
{
	if (rdmsr(MSR_EFER) & EFER_NXE)
		nx_bit = PTE_NX;

	pml4 = table_virt(new_table());

	map_direct(0, 0x100000);
	for (int i = 0; i < boot_info.nr_regions; i++)
		map_direct(boot_info.regions[i].start, boot_info.regions[i].end);

	map_kernel_range(__kernel_start, __text_end, PROT_R | PROT_X);
	map_kernel_range(__text_end, __rodata_end, PROT_R);
	map_kernel_range(__rodata_end, __kernel_end, PROT_R | PROT_W);
	static_stack_for_each_guard(unmap_guard);

	write_cr3(virt_to_phys(pml4));
	table_virt_offset = DIRECT_MAP_BASE;
	pml4 = table_virt(read_cr3() & PTE_ADDR_MASK);
	write_cr0(read_cr0() | CR0_WP);
}

void paging_use_frame_allocator(void)
{
	use_frame_allocator = true;
}

void *ioremap(phys_addr_t pa, size_t size)
{
	phys_addr_t start = PAGE_ALIGN_DOWN(pa);
	size_t len = PAGE_ALIGN_UP(pa + size) - start;
	uintptr_t va = kva_alloc(len, PAGE_SIZE);

	if (!va)
		return NULL;
	if (paging_map(va, start, len, PROT_R | PROT_W | PROT_NOCACHE)) {
		kva_free(va, len);
		return NULL;
	}
	return (void *)(va + (pa - start));
}
