/*
 * Per-CPU set-up: the `struct cpu` reached through GS.base, and each CPU's own
 * GDT and TSS, whose IST pointers give every interrupt vector a stack of its own
 * (see stacks.h). The boot CPU's struct is static so that it exists from the
 * first line of kmain.
 */
#include <arch/cpu.h>
#include <arch/percpu.h>
#include <arch/stacks.h>
#include <arch/trap.h>
#include <kite/compiler.h>
#include <kite/cpu.h>

#define MSR_GS_BASE 0xc0000101
#define SEL_KERNEL_CODE 0x08
#define SEL_KERNEL_DATA 0x10
#define SEL_TSS 0x18

static struct cpu boot_cpu;

struct descriptor_pointer {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

void percpu_init_boot(void)
{
	boot_cpu.self = &boot_cpu;
	boot_cpu.id = 0;
	boot_cpu.online = true;
	cpus[0] = &boot_cpu;
	nr_cpus = 1;
	wrmsr(MSR_GS_BASE, (uint64_t)&boot_cpu);
}

void percpu_set_gs(struct cpu *c)
{
	wrmsr(MSR_GS_BASE, (uint64_t)c);
}

/* Loads c's GDT (flat 64-bit code and data, and its TSS) and the TSS itself.
 * ist_tops[1..IST_COUNT] are the tops of its IST stacks. */
void gdt_init(struct cpu *c, const uintptr_t *ist_tops)
{
	struct arch_cpu *a = &c->arch;
	uint64_t base = (uint64_t)&a->tss;
	uint64_t limit = sizeof(a->tss) - 1;

	for (int slot = 1; slot <= IST_COUNT; slot++)
		a->tss.ist[slot - 1] = ist_tops[slot];
	a->tss.iomap_base = sizeof(a->tss); /* no I/O bitmap */
	a->gdt[0] = 0;
	a->gdt[1] = 0x00af9a000000ffff; /* kernel code: 64-bit, present, ring 0 */
	a->gdt[2] = 0x00cf92000000ffff; /* kernel data */
	/* 64-bit available TSS (type 9), present. */
	a->gdt[3] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89UL << 40) |
		    (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
	a->gdt[4] = base >> 32;

	struct descriptor_pointer gdtr = { sizeof(a->gdt) - 1, (uint64_t)a->gdt };
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
	/* lgdt/segment loads leave GS.base alone, but be explicit. */
	percpu_set_gs(c);
}

void tss_set_ist(int slot, uintptr_t top)
{
	this_cpu()->arch.tss.ist[slot - 1] = top;
}
