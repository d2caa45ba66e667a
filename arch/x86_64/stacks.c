/*
 * The static stacks: the boot stack and the boot CPU's IST stacks. Each area is
 * a guard page followed by the stack, page aligned, in .bss. paging_init() leaves
 * every guard page unmapped.
 */
#include <arch/stacks.h>
#include <kite/compiler.h>
#include <kite/kstack.h>
#include <kite/memlayout.h>

#define STACK_AREA(name, size) uint8_t name[PAGE_SIZE + (size)] __aligned(PAGE_SIZE) __section(".bss.stacks")

STACK_AREA(boot_stack_area, BOOT_STACK_SIZE);
static STACK_AREA(ist_areas[IST_COUNT], IST_STACK_SIZE);

static const char *const ist_names[IST_COUNT] = {
	[IST_DOUBLE_FAULT - 1] = "double-fault",
	[IST_NMI - 1] = "nmi",
	[IST_MACHINE_CHECK - 1] = "machine-check",
	[IST_EXCEPTION - 1] = "exception",
	[IST_INTERRUPT - 1] = "interrupt",
};

const uintptr_t *boot_ist_tops(void)
{
	static uintptr_t tops[IST_COUNT + 1];
	for (int slot = 1; slot <= IST_COUNT; slot++)
		tops[slot] = ist_stack_top(slot);
	return tops;
}

uintptr_t ist_stack_top(int slot)
{
	return (uintptr_t)ist_areas[slot - 1] + PAGE_SIZE + IST_STACK_SIZE;
}

static struct kstack boot_kstack, ist_kstacks[IST_COUNT];

void static_stacks_register(void)
{
	boot_kstack = (struct kstack){
		.name = "boot",
		.bottom = (uintptr_t)boot_stack_area + PAGE_SIZE,
		.top = (uintptr_t)boot_stack_area + PAGE_SIZE + BOOT_STACK_SIZE,
	};
	kstack_register(&boot_kstack);
	for (int i = 0; i < IST_COUNT; i++) {
		ist_kstacks[i] = (struct kstack){
			.name = ist_names[i],
			.bottom = (uintptr_t)ist_areas[i] + PAGE_SIZE,
			.top = (uintptr_t)ist_areas[i] + PAGE_SIZE + IST_STACK_SIZE,
		};
		kstack_register(&ist_kstacks[i]);
	}
}

void static_stack_for_each_guard(void (*fn)(uintptr_t guard_va))
{
	fn((uintptr_t)boot_stack_area);
	for (int i = 0; i < IST_COUNT; i++)
		fn((uintptr_t)ist_areas[i]);
}
