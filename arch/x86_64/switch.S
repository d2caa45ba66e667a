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

/* arch_start_main: the entry point Kite gives a program that is a shared
 * object with a `main` but no `_start` of its own (see loader/program.c). It
 * does what crt1's _start does: argc and argv from the initial stack to
 * __libc_start_main(main, argc, argv, 0, 0, 0). */
	.globl arch_start_main
arch_start_main:
	xorl %ebp, %ebp
	movq (%rsp), %rsi		/* argc */
	leaq 8(%rsp), %rdx		/* argv */
	movq program_main, %rdi
	xorl %ecx, %ecx
	xorl %r8d, %r8d
	xorl %r9d, %r9d
	andq $-16, %rsp
	call __libc_start_main
	ud2
