/*
 * The application processors' first code. The boot CPU copies it to
 * TRAMPOLINE_PHYS (below 1 MiB, as the start-up IPI requires) and maps that page
 * at the same address while the CPUs start. An AP begins in 16-bit real mode at
 * its start; it switches to protected mode, then to long mode on the kernel's
 * own page tables, and jumps to ap_entry (smp.c) on the stack it was given.
 *
 * Addresses are absolute: TRAMPOLINE_PHYS + (label - trampoline_start).
 */
#include <arch/smp.h>

#define T(label) (TRAMPOLINE_PHYS + (label - trampoline_start))

	.section .rodata
	.globl trampoline_start, trampoline_end
	.code16
trampoline_start:
	cli
	cld
	xorw %ax, %ax
	movw %ax, %ds
	lgdtl T(tramp_gdt_pointer)
	movl %cr0, %eax
	orl $1, %eax			/* PE */
	movl %eax, %cr0
	ljmpl $0x08, $T(tramp32)

	.code32
tramp32:
	movw $0x10, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movl %cr4, %eax
	orl $(1 << 5), %eax		/* PAE */
	movl %eax, %cr4
	movl T(tramp_cr3), %eax
	movl %eax, %cr3
	movl $0xc0000080, %ecx		/* EFER: LME, and NXE as the boot CPU has it */
	rdmsr
	orl T(tramp_efer), %eax
	wrmsr
	movl %cr0, %eax
	orl $((1 << 31) | (1 << 16)), %eax	/* PG, WP */
	movl %eax, %cr0
	ljmpl $0x18, $T(tramp64)

	.code64
tramp64:
	movq T(tramp_stack), %rsp
	movq T(tramp_cpu), %rdi
	xorl %ebp, %ebp
	movq T(tramp_entry), %rax
	jmpq *%rax

	.align 16
tramp_gdt:
	.quad 0
	.quad 0x00cf9a000000ffff	/* 0x08: 32-bit code */
	.quad 0x00cf92000000ffff	/* 0x10: data */
	.quad 0x00af9a000000ffff	/* 0x18: 64-bit code */
tramp_gdt_end:
tramp_gdt_pointer:
	.word tramp_gdt_end - tramp_gdt - 1
	.long T(tramp_gdt)

	/* Filled by the boot CPU before each start-up IPI (struct trampoline_data). */
	.align 8
	.globl trampoline_data
trampoline_data:
tramp_cr3:	.quad 0
tramp_efer:	.quad 0
tramp_stack:	.quad 0
tramp_cpu:	.quad 0
tramp_entry:	.quad 0
trampoline_end:
