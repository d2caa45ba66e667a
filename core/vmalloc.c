/*
 * vmalloc/vfree (see kva.h): KVA address space backed page by page with frames
 * from anywhere in RAM, so a large block needs no physically contiguous memory.
 *
 * With a guard, the reservation is `align` bytes longer and the block starts
 * `align` bytes in: the page just below the block is never mapped.
 */
#include <kite/frame.h>
#include <kite/kva.h>
#include <kite/paging.h>

static size_t lead_in(size_t align, bool guard)
{
	return guard ? align : 0;
}

static void unmap_and_free(uintptr_t va, size_t size)
{
	for (size_t off = 0; off < size; off += PAGE_SIZE) {
		int64_t pa = paging_lookup(va + off, NULL);
		if (pa < 0)
			continue;
		paging_unmap(va + off, PAGE_SIZE);
		frame_free(phys_to_virt((phys_addr_t)pa), 0);
	}
}

void *vmalloc(size_t size, size_t align, bool guard)
{
	size = PAGE_ALIGN_UP(size);
	if (align < PAGE_SIZE)
		align = PAGE_SIZE;
	uintptr_t base = kva_alloc(size + lead_in(align, guard), align);
	if (!base)
		return NULL;
	uintptr_t start = base + lead_in(align, guard);
	for (size_t off = 0; off < size; off += PAGE_SIZE) {
		void *frame = frame_alloc(0);
		if (!frame || paging_map(start + off, virt_to_phys(frame), PAGE_SIZE, PROT_R | PROT_W)) {
			if (frame)
				frame_free(frame, 0);
			unmap_and_free(start, off);
			kva_free(base, size + lead_in(align, guard));
			return NULL;
		}
	}
	return (void *)start;
}

void vfree(void *p, size_t size, size_t align, bool guard)
{
	size = PAGE_ALIGN_UP(size);
	if (align < PAGE_SIZE)
		align = PAGE_SIZE;
	unmap_and_free((uintptr_t)p, size);
	tlb_flush_others();
	kva_free((uintptr_t)p - lead_in(align, guard), size + lead_in(align, guard));
}
