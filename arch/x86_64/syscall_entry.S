/*
 * The `syscall` instruction's entry, for code that makes raw system calls
 * (assembly, glibc-built libraries, JIT compilers). Everything runs at ring 0,
 * so the CPU switches no stack: %rsp is still the caller's, and the 128 bytes
 * below it may be the caller's red zone, which the entry steps over before it
 * pushes anything. The caller keeps every register but %rax (the result), %rcx
 * and %r11 (as the Linux ABI says); no vector register is touched. The return
 * is a plain jump: SYSRET would drop to ring 3.
 */
	.section .text
	.globl syscall_entry
syscall_entry:
	leaq -128(%rsp), %rsp		/* over the red zone; lea keeps the flags */
	pushq %r11			/* the caller's RFLAGS */
	pushq %rcx			/* the return address */
	pushq %rbp			/* with the return address above it, a frame */
	movq %rsp, %rbp			/* that backtraces follow into the caller */
	andq $-16, %rsp
	pushq %rdi			/* preserved for the caller, clobbered by C */
	pushq %rsi
	pushq %rdx
	pushq %r10
	pushq %r8
	pushq %r9
	/* syscall_dispatch(nr, a0, a1, a2, a3, a4, a5): the sixth argument goes
	 * on the stack, which stays 16-byte aligned at the call. */
	subq $8, %rsp
	pushq %r9
	movq %r8, %r9
	movq %r10, %r8
	movq %rdx, %rcx
	movq %rsi, %rdx
	movq %rdi, %rsi
	movq %rax, %rdi
	cld
	call syscall_dispatch
	addq $16, %rsp
	popq %r9
	popq %r8
	popq %r10
	popq %rdx
	popq %rsi
	popq %rdi
	movq %rbp, %rsp
	popq %rbp
	popq %rcx
	popq %r11
	pushq %r11			/* below the caller's red zone: harmless */
	popfq
	leaq 128(%rsp), %rsp
	jmpq *%rcx
