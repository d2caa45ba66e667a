/* Crash tests that need the CPU's own structures (see core/crashtest.c). */
#include <arch/stacks.h>
#include <arch/trap.h>
#include <kite/memlayout.h>

/*
 * A double fault: with the exception stack pointed at an unmapped page, the CPU
 * cannot deliver #UD (the push faults) nor the resulting #PF (same stack), and
 * escalates to #DF, which arrives on its own IST stack and is reported.
 */
void arch_crash_double_fault(void)
{
	uintptr_t guard_of_exception_stack = ist_stack_top(IST_EXCEPTION) - IST_STACK_SIZE - PAGE_SIZE;

	tss_set_ist(IST_EXCEPTION, guard_of_exception_stack + PAGE_SIZE / 2);
	__builtin_trap();
}
