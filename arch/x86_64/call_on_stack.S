/*
 * long arch_call_on_stack(long (*fn)(void *), void *arg, void *stack_top):
 * calls fn(arg) on another stack and comes back to this one. stack_top is
 * aligned down to 16 bytes, as the ABI wants at a call.
 */
	.section .text
	.globl arch_call_on_stack
arch_call_on_stack:
	pushq %rbp
	movq %rsp, %rbp
	movq %rdi, %rax
	movq %rsi, %rdi
	movq %rdx, %rsp
	andq $-16, %rsp
	callq *%rax
	movq %rbp, %rsp
	popq %rbp
	ret
	.section .note.GNU-stack, "", @progbits
