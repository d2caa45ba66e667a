/* The arch side of threads: a new thread's first frame, and what a switch
 * installs on the CPU (see arch/thread.h). */
#include <arch/cpu.h>
#include <arch/stacks.h>
#include <arch/thread.h>
#include <kite/cpu.h>
#include <kite/thread.h>

#define MSR_FS_BASE 0xc0000100
#define MXCSR_DEFAULT 0x1f80	/* all exceptions masked, round to nearest */
#define FCW_DEFAULT 0x037f

extern char thread_trampoline[];

/* The frame arch_switch pops: MXCSR/FCW, r15, r14, r13, r12, rbx, rbp, return. */
struct switch_frame {
	uint32_t mxcsr;
	uint16_t fcw, pad;
	uint64_t r15, r14, r13, r12, rbx, rbp;
	uint64_t ret;
};

void arch_thread_init_stack(struct arch_thread *a, uintptr_t stack_top, struct thread *t)
{
	/* After arch_switch's `ret` the stack pointer is stack_top (16-byte
	 * aligned), so the trampoline's call enters thread_start as the ABI wants. */
	struct switch_frame *f = (struct switch_frame *)(stack_top - sizeof(*f));
	*f = (struct switch_frame){
		.mxcsr = MXCSR_DEFAULT,
		.fcw = FCW_DEFAULT,
		.r12 = (uint64_t)t,
		.ret = (uint64_t)thread_trampoline,
	};
	a->rsp = (uintptr_t)f;
}

void arch_thread_activate(struct arch_thread *next)
{
	struct arch_cpu *ac = &this_cpu()->arch;

	ac->tss.ist[IST_INTERRUPT - 1] = next->istack_top;
	ac->tss.ist[IST_EXCEPTION - 1] = next->xstack_top;
	wrmsr(MSR_FS_BASE, next->fs_base);
}

void arch_set_fs_base(uint64_t base)
{
	struct thread *t = current();
	t->arch.fs_base = base;
	wrmsr(MSR_FS_BASE, base);
}
