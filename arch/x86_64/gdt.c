/*
 * The GDT (flat 64-bit code and data) and the TSS, whose IST pointers give every
 * interrupt vector a stack of its own (see stacks.h). Only the boot CPU for now.
 * FIXME: one GDT/TSS per CPU when the other CPUs start (threads issue).
 */
#include <arch/stacks.h>
#include <arch/trap.h>
#include <kite/compiler.h>

#define SEL_KERNEL_CODE 0x08
#define SEL_KERNEL_DATA 0x10
#define SEL_TSS 0x18

struct tss {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
} __attribute__((packed));

struct descriptor_pointer {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

static struct tss boot_tss __aligned(16);
static uint64_t boot_gdt[5] __aligned(16) = {
	0,
	0x00af9a000000ffff, /* kernel code: 64-bit, present, ring 0 */
	0x00cf92000000ffff, /* kernel data */
	0, 0,		    /* TSS: filled in by gdt_init */
};

void gdt_init(void)
{
	uint64_t base = (uint64_t)&boot_tss;
	uint64_t limit = sizeof(boot_tss) - 1;

	for (int slot = 1; slot <= IST_COUNT; slot++)
		boot_tss.ist[slot - 1] = ist_stack_top(slot);
	boot_tss.iomap_base = sizeof(boot_tss); /* no I/O bitmap */

	/* 64-bit available TSS (type 9), present. */
	boot_gdt[3] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89UL << 40) |
		      (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
	boot_gdt[4] = base >> 32;

	struct descriptor_pointer gdtr = { sizeof(boot_gdt) - 1, (uint64_t)boot_gdt };
	__asm__ volatile("lgdt %0\n\t"
			 "pushq %1\n\t"
			 "leaq 1f(%%rip), %%rax\n\t"
			 "pushq %%rax\n\t"
			 "lretq\n"
			 "1:\n\t"
			 "movw %w2, %%ax\n\t"
			 "movw %%ax, %%ds\n\t"
			 "movw %%ax, %%es\n\t"
			 "movw %%ax, %%ss\n\t"
			 "ltr %w3"
			 :
			 : "m"(gdtr), "i"(SEL_KERNEL_CODE), "r"(SEL_KERNEL_DATA), "r"(SEL_TSS)
			 : "rax", "memory");
}

void tss_set_ist(int slot, uintptr_t top)
{
	boot_tss.ist[slot - 1] = top;
}
