/*
 * Interrupt and exception entry. Every vector runs on an IST stack (see
 * idt.c), so the CPU never pushes onto the interrupted stack and the red zone
 * below an application's %rsp survives. Nothing here writes below the
 * interrupted %rsp and nothing here touches vector registers.
 */

	.section .text
	.altmacro

.macro TRAP_STUB v
	.align 16
trap_stub_\v:
	.if !((\v == 8) || (\v >= 10 && \v <= 14) || (\v == 17) || (\v == 21) || (\v == 29) || (\v == 30))
	pushq $0			/* no error code: keep the frame uniform */
	.endif
	pushq $\v
	jmp trap_common
.endm

	.set i, 0
	.rept 256
	TRAP_STUB %i
	.set i, i + 1
	.endr

trap_common:
	pushq %r15
	pushq %r14
	pushq %r13
	pushq %r12
	pushq %r11
	pushq %r10
	pushq %r9
	pushq %r8
	pushq %rbp
	pushq %rdi
	pushq %rsi
	pushq %rdx
	pushq %rcx
	pushq %rbx
	pushq %rax
	/* 22 quadwords on a 16-byte aligned IST top: %rsp is 16-byte aligned
	 * here, as the C ABI wants at the call. */
	movq %rsp, %rdi
	cld
	call trap_dispatch
	popq %rax
	popq %rbx
	popq %rcx
	popq %rdx
	popq %rsi
	popq %rdi
	popq %rbp
	popq %r8
	popq %r9
	popq %r10
	popq %r11
	popq %r12
	popq %r13
	popq %r14
	popq %r15
	addq $16, %rsp			/* vector and error code */
	iretq

.macro STUB_ADDR v
	.quad trap_stub_\v
.endm

	.section .rodata
	.align 8
	.globl trap_stubs
trap_stubs:
	.set i, 0
	.rept 256
	STUB_ADDR %i
	.set i, i + 1
	.endr
