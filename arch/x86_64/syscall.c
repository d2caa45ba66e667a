/* The MSRs that make `syscall` enter syscall_entry at ring 0 (each CPU). */
#include <arch/cpu.h>
#include <kite/syscall.h>

#define MSR_STAR 0xc0000081
#define MSR_LSTAR 0xc0000082
#define MSR_FMASK 0xc0000084
#define EFER_SCE (1UL << 0)

/* Cleared on entry: trap, direction, nested task, alignment check. Interrupts
 * stay as they were: a system call may be preempted like any kernel code. */
#define SYSCALL_FLAGS_CLEARED ((1UL << 8) | (1UL << 10) | (1UL << 14) | (1UL << 18))

extern char syscall_entry[];

void syscall_init_cpu(void)
{
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE);
	wrmsr(MSR_STAR, 0x08UL << 32); /* CS 0x08 and SS 0x10 on entry */
	wrmsr(MSR_LSTAR, (uint64_t)syscall_entry);
	wrmsr(MSR_FMASK, SYSCALL_FLAGS_CLEARED);
}
