/*
 * Stacks that exist before the memory allocators do: the boot thread's stack and
 * the interrupt stack table (IST) stacks. Each lives in .bss.stacks behind a guard
 * page that the kernel's page tables leave unmapped, so running off the end of any
 * of them is a page fault reported as a stack overflow, never silent corruption.
 */
#ifndef ARCH_STACKS_H
#define ARCH_STACKS_H

#define BOOT_STACK_SIZE (32 * 1024)
#define IST_STACK_SIZE (16 * 1024)

/* IST slots (1-based, as the TSS numbers them). Distinct slots keep nested
 * entries (an NMI inside a page fault, a fault inside a device interrupt) from
 * overwriting each other's frames. */
#define IST_DOUBLE_FAULT 1
#define IST_NMI 2
#define IST_MACHINE_CHECK 3
#define IST_EXCEPTION 4
#define IST_INTERRUPT 5
#define IST_COUNT 5

#ifndef __ASSEMBLER__
#include <stdint.h>
#include <stdbool.h>

/* The area of a static stack: one guard page, then the stack itself. */
extern uint8_t boot_stack_area[];

/* Top of IST stack `slot` (1..IST_COUNT) of the boot CPU. */
uintptr_t ist_stack_top(int slot);
/* All of them, indexed by slot. */
const uintptr_t *boot_ist_tops(void);

/* Puts the static stacks into the kstack registry (for crash reports). */
void static_stacks_register(void);

/* Calls fn for every guard page of the static stacks (the paging code skips them). */
void static_stack_for_each_guard(void (*fn)(uintptr_t guard_va));
#endif

#endif
