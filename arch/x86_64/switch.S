/*
 * arch_switch(prev, next): the voluntary context switch. Only what the SysV ABI
 * makes callee-saved survives a call, so only that is saved: rbx, rbp, r12-r15,
 * and the control bits of MXCSR and the x87 control word. A preempted thread's
 * full vector state was already saved by the interrupt path (see fpu.c).
 */
	.section .text
	.globl arch_switch
arch_switch:
	pushq %rbp
	pushq %rbx
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	subq $8, %rsp
	stmxcsr (%rsp)
	fnstcw 4(%rsp)
	movq %rsp, (%rdi)		/* prev->rsp */
	movq (%rsi), %rsp		/* next->rsp */
	ldmxcsr (%rsp)
	fldcw 4(%rsp)
	addq $8, %rsp
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
	ret

/* A new thread's first "return" from arch_switch lands here with the thread in
 * %r12 (see arch_thread_init_stack). */
	.globl thread_trampoline
thread_trampoline:
	movq %r12, %rdi
	xorl %ebp, %ebp			/* the backtrace stops here */
	call thread_start
	ud2

/* arch_enter_program(entry, sp): starts a program at its ELF entry point with
 * the initial stack Linux would give it; %rdx = 0 says "no dynamic-linker fini". */
	.globl arch_enter_program
arch_enter_program:
	movq %rsi, %rsp
	xorl %edx, %edx
	xorl %ebp, %ebp
	jmpq *%rdi
