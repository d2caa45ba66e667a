/*
 * trap_dispatch: where every interrupt and exception arrives. A vector with a
 * handler goes to it; an exception without one is fatal and produces the crash
 * report: cause, faulting address, registers, backtrace, distinct exit status.
 */
#include <arch/cpu.h>
#include <arch/stacks.h>
#include <arch/trap.h>
#include <kite/exit.h>
#include <kite/kstack.h>
#include <kite/memlayout.h>
#include <kite/panic.h>
#include <kite/printk.h>
#include <kite/sched.h>
#include <kite/cpu.h>

static trap_handler_t handlers[NR_VECTORS];

void trap_set_handler(int vector, trap_handler_t handler)
{
	handlers[vector] = handler;
}

static const char *const exception_names[32] = {
	[0] = "divide error", [1] = "debug", [2] = "non-maskable interrupt",
	[3] = "breakpoint", [4] = "overflow", [5] = "bound range exceeded",
	[6] = "invalid opcode", [7] = "device not available", [8] = "double fault",
	[10] = "invalid TSS", [11] = "segment not present", [12] = "stack-segment fault",
	[13] = "general protection fault", [14] = "page fault", [16] = "x87 floating-point error",
	[17] = "alignment check", [18] = "machine check", [19] = "SIMD floating-point error",
	[20] = "virtualization exception", [21] = "control protection fault",
};

static int exit_status_for(int vector)
{
	switch (vector) {
	case VEC_DIVIDE_ERROR:
		return EXIT_DIVIDE_ERROR;
	case VEC_INVALID_OPCODE:
		return EXIT_INVALID_OPCODE;
	case VEC_DOUBLE_FAULT:
		return EXIT_DOUBLE_FAULT;
	case VEC_GENERAL_PROTECTION:
		return EXIT_GENERAL_PROTECTION;
	case VEC_PAGE_FAULT:
		return EXIT_PAGE_FAULT;
	default:
		return EXIT_OTHER_EXCEPTION;
	}
}

static void print_registers(const struct trap_frame *f)
{
	pr_err("  rax=%016lx rbx=%016lx rcx=%016lx rdx=%016lx\n", f->rax, f->rbx, f->rcx, f->rdx);
	pr_err("  rsi=%016lx rdi=%016lx rbp=%016lx rsp=%016lx\n", f->rsi, f->rdi, f->rbp, f->rsp);
	pr_err("  r8 =%016lx r9 =%016lx r10=%016lx r11=%016lx\n", f->r8, f->r9, f->r10, f->r11);
	pr_err("  r12=%016lx r13=%016lx r14=%016lx r15=%016lx\n", f->r12, f->r13, f->r14, f->r15);
	pr_err("  rip=%016lx rflags=%08lx cs=%02lx ss=%02lx error=%lx\n", f->rip, f->rflags, f->cs,
	       f->ss, f->error);
	pr_err("  cr0=%08lx cr2=%016lx cr3=%016lx cr4=%08lx\n", read_cr0(), read_cr2(), read_cr3(),
	       read_cr4());
}

/* One line that says what the page fault was, and whether it hit a guard page. */
static int describe_page_fault(const struct trap_frame *f, uint64_t addr)
{
	const char *access = (f->error & 0x10) ? "executing" : (f->error & 0x2) ? "writing" : "reading";
	const char *why = (f->error & 0x1) ? "protection violation" : "not mapped";
	const struct kstack *stack = kstack_guard_hit(addr);

	if (stack && stack->what) {
		pr_err("kite: crash: stack overflow: %s %016lx hit the guard page of the %s stack of thread '%s'\n",
		       access, addr, stack->what, stack->name);
		return EXIT_STACK_OVERFLOW;
	}
	if (stack) {
		pr_err("kite: crash: stack overflow: %s %016lx hit the guard page of the '%s' stack\n",
		       access, addr, stack->name);
		return EXIT_STACK_OVERFLOW;
	}
	pr_err("kite: crash: page fault %s %016lx (%s%s)\n", access, addr, why,
	       addr < PAGE_SIZE ? ", null pointer" : "");
	return EXIT_PAGE_FAULT;
}

static __noreturn void fatal_exception(struct trap_frame *f)
{
	uint64_t cr2 = read_cr2();
	int status = exit_status_for(f->vector);

	if (!crash_begin())
		kite_exit(status);
	if (f->vector == VEC_PAGE_FAULT) {
		status = describe_page_fault(f, cr2);
	} else {
		const char *name = f->vector < 32 && exception_names[f->vector]
					   ? exception_names[f->vector] : "unexpected interrupt";
		pr_err("kite: crash: %s (vector %lu) at %016lx\n", name, f->vector, f->rip);
	}
	/* The handler runs on the exception IST stack; a fault here would have
	 * clobbered the frame we are reporting on, so say so. */
	if (kstack_containing(f->rsp, 8) && kstack_containing(f->rsp, 8)->top == ist_stack_top(IST_EXCEPTION))
		pr_err("  (nested: the fault happened inside an exception handler)\n");
	print_registers(f);
	crash_print_context();
	crash_end(f->rip, f->rbp, status);
}

/*
 * Device and inter-processor interrupts run with preemption counted off; on the
 * way out, a pending reschedule switches threads right here, on the interrupted
 * thread's own interrupt stack (see sched_irq_exit).
 */
void trap_dispatch(struct trap_frame *frame)
{
	trap_handler_t h = handlers[frame->vector];

	if (frame->vector >= VEC_FIRST_IRQ) {
		preempt_disable();
		if (h)
			h(frame);
		else
			pr_warn("kite: unexpected interrupt on vector %lu, ignored\n", frame->vector);
		preempt_enable_no_resched();
		sched_irq_exit();
		return;
	}
	if (h) {
		h(frame);
		return;
	}
	fatal_exception(frame);
}
