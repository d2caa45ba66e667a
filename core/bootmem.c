/*
 * bootmem (see bootmem.h) and the list of reserved physical ranges, which both
 * bootmem and the frame allocator must step around.
 */
#include <kite/bootinfo.h>
#include <kite/bootmem.h>
#include <kite/compiler.h>
#include <kite/panic.h>
#include <stdbool.h>

#define LOW_MEMORY_END 0x100000 /* BIOS data, EBDA, ROMs; later the AP trampoline */

extern char __kernel_end[];

static phys_addr_t bootmem_start, bootmem_next, bootmem_limit;

int reserved_ranges(struct phys_range *out, int max)
{
	int n = 0;

	if (n < max)
		out[n++] = (struct phys_range){ 0, LOW_MEMORY_END };
	if (n < max)
		out[n++] = (struct phys_range){ KERNEL_LOAD_PHYS,
						PAGE_ALIGN_UP((phys_addr_t)__kernel_end - KERNEL_VMA) };
	for (int i = 0; i < boot_info.nr_modules && n < max; i++)
		out[n++] = (struct phys_range){ PAGE_ALIGN_DOWN(boot_info.modules[i].start),
						PAGE_ALIGN_UP(boot_info.modules[i].end) };
	if (bootmem_next > bootmem_start && n < max)
		out[n++] = (struct phys_range){ bootmem_start, bootmem_next };
	return n;
}

/* The end of the free stretch that starts at `start` inside [start, end). */
static phys_addr_t free_until(phys_addr_t start, phys_addr_t end, const struct phys_range *r, int n)
{
	phys_addr_t until = end;

	for (int i = 0; i < n; i++)
		if (r[i].start < until && r[i].end > start)
			until = r[i].start > start ? r[i].start : start;
	return until;
}

int bootmem_init(void)
{
	struct phys_range reserved[BOOT_MAX_MODULES + 3];
	int nr = reserved_ranges(reserved, ARRAY_SIZE(reserved));
	phys_addr_t best = 0, best_len = 0;

	/* The largest free stretch below EARLY_MAP_SIZE: candidates start at a region
	 * start or at the end of a reserved range. */
	for (int i = 0; i < boot_info.nr_regions; i++) {
		const struct boot_region *reg = &boot_info.regions[i];
		if (reg->type != BOOT_RAM)
			continue;
		phys_addr_t lo = PAGE_ALIGN_UP(reg->start);
		phys_addr_t hi = PAGE_ALIGN_DOWN(MIN(reg->end, (phys_addr_t)EARLY_MAP_SIZE));
		for (int c = -1; c < nr; c++) {
			phys_addr_t s = c < 0 ? lo : reserved[c].end;
			if (s < lo || s >= hi)
				continue;
			bool inside_reserved = false;
			for (int k = 0; k < nr; k++)
				if (s >= reserved[k].start && s < reserved[k].end)
					inside_reserved = true;
			if (inside_reserved)
				continue;
			phys_addr_t e = free_until(s, hi, reserved, nr);
			if (e - s > best_len) {
				best = s;
				best_len = e - s;
			}
		}
	}
	if (!best_len)
		return -1;
	bootmem_start = bootmem_next = best;
	bootmem_limit = best + best_len;
	return 0;
}

phys_addr_t bootmem_alloc(size_t size)
{
	phys_addr_t p = bootmem_next;

	size = PAGE_ALIGN_UP(size);
	if (size > bootmem_limit - bootmem_next)
		out_of_memory("while booting (%zu more bytes of page tables and metadata)", size);
	bootmem_next += size;
	return p;
}
