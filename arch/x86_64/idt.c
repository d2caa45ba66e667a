/*
 * The IDT: all 256 vectors, each with an IST stack. Exceptions share one slot,
 * device interrupts another, and NMI, double fault and machine check have their
 * own, so that the entries that can nest never land on the same stack.
 */
#include <arch/stacks.h>
#include <arch/trap.h>
#include <kite/compiler.h>

struct idt_gate {
	uint16_t offset_low;
	uint16_t selector;
	uint8_t ist;
	uint8_t type_attr;
	uint16_t offset_mid;
	uint32_t offset_high;
	uint32_t reserved;
} __attribute__((packed));

static struct idt_gate idt[NR_VECTORS] __aligned(16);

static int ist_for_vector(int v)
{
	switch (v) {
	case VEC_DOUBLE_FAULT:
		return IST_DOUBLE_FAULT;
	case VEC_NMI:
		return IST_NMI;
	case VEC_MACHINE_CHECK:
		return IST_MACHINE_CHECK;
	default:
		return v < VEC_FIRST_IRQ ? IST_EXCEPTION : IST_INTERRUPT;
	}
}

static void idt_load(void)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) idtr = { sizeof(idt) - 1, (uint64_t)idt };
	__asm__ volatile("lidt %0" : : "m"(idtr));
}

void idt_init_cpu(void)
{
	idt_load();
}

void idt_init(void)
{
	for (int v = 0; v < NR_VECTORS; v++) {
		uint64_t addr = trap_stubs[v];
		idt[v] = (struct idt_gate){
			.offset_low = addr & 0xffff,
			.selector = 0x08,
			.ist = ist_for_vector(v),
			.type_attr = 0x8e, /* present, ring 0, interrupt gate */
			.offset_mid = (addr >> 16) & 0xffff,
			.offset_high = addr >> 32,
		};
	}
	idt_load();
}
