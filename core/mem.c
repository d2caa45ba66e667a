/*
 * mem_init: bootmem → Kite's page tables → the frame allocator (fed with every
 * RAM range minus the reserved ones) → the heap.
 */
#include <kite/bootinfo.h>
#include <kite/bootmem.h>
#include <kite/compiler.h>
#include <kite/exit.h>
#include <kite/frame.h>
#include <kite/heap.h>
#include <kite/kva.h>
#include <kite/mem.h>
#include <kite/paging.h>
#include <kite/panic.h>
#include <kite/printk.h>
#include <string.h>

/* Adds [start, end) minus the reserved ranges to the frame allocator. */
static void add_free(phys_addr_t start, phys_addr_t end, const struct phys_range *r, int n)
{
	for (int i = 0; i < n; i++) {
		if (r[i].start < end && r[i].end > start) {
			if (r[i].start > start)
				add_free(start, r[i].start, r, n);
			if (r[i].end < end)
				add_free(r[i].end, end, r, n);
			return;
		}
	}
	if (end > start)
		frame_allocator_add(&kernel_frames, start, end);
}

static void frames_init(void)
{
	phys_addr_t lo = ~0UL, hi = 0;

	for (int i = 0; i < boot_info.nr_regions; i++) {
		const struct boot_region *reg = &boot_info.regions[i];
		if (reg->type != BOOT_RAM || reg->end <= reg->start)
			continue;
		lo = MIN(lo, PAGE_ALIGN_UP(reg->start));
		hi = MAX(hi, PAGE_ALIGN_DOWN(reg->end));
	}
	if (hi <= lo)
		out_of_memory("the memory map lists no usable RAM");

	size_t meta_size = frame_meta_size(lo, hi);
	uint8_t *meta = phys_to_virt(bootmem_alloc(meta_size));
	memset(meta, 0, meta_size);
	frame_allocator_init(&kernel_frames, lo, hi, meta, DIRECT_MAP_BASE);

	/* From here bootmem is frozen: reserved_ranges() includes what it used. */
	struct phys_range reserved[BOOT_MAX_MODULES + 3];
	int nr = reserved_ranges(reserved, ARRAY_SIZE(reserved));
	for (int i = 0; i < boot_info.nr_regions; i++) {
		const struct boot_region *reg = &boot_info.regions[i];
		if (reg->type == BOOT_RAM)
			add_free(PAGE_ALIGN_UP(reg->start), PAGE_ALIGN_DOWN(reg->end), reserved, nr);
	}
}

void mem_init(void)
{
	if (bootmem_init())
		out_of_memory("no free RAM after the kernel image and boot modules");
	paging_init();
	frames_init();
	paging_use_frame_allocator();
	kva_init(KVA_BASE, KVA_SIZE);
	heap_init();
	pr_debug("kite: memory: %lu KiB RAM, %lu KiB free after boot\n", boot_ram_size() >> 10,
		 (kernel_frames.free_frames * PAGE_SIZE) >> 10);
}
