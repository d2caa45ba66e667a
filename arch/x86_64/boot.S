/*
 * Multiboot entry: the loader (QEMU's -kernel, or GRUB's `multiboot` command) jumps
 * here in 32-bit protected mode with paging off, EAX = multiboot magic and
 * EBX = physical address of the multiboot information.
 *
 * QEMU's multiboot loader refuses 64-bit ELF files, so the header sets the a.out
 * kludge flag and gives the load addresses itself; GRUB honours the same fields.
 * The image is linked at KERNEL_VMA + phys and loaded at KERNEL_LOAD_PHYS.
 *
 * Steps: record the entry TSC for the boot chart, check for long mode, zero .bss,
 * build early page tables (the first 1 GiB mapped both at 0 and at KERNEL_VMA),
 * enable PAE, long mode and NX, turn paging on, far-jump into 64-bit code, jump to
 * the high half and call kmain(magic, info). Kite's own page tables replace the
 * early ones in paging_init().
 */
#include <kite/memlayout.h>
#include <arch/stacks.h>

#define MB_MAGIC 0x1BADB002
#define MB_FLAG_PAGE_ALIGN (1 << 0)
#define MB_FLAG_MEMORY_INFO (1 << 1)
#define MB_FLAG_AOUT_KLUDGE (1 << 16)
#define MB_FLAGS (MB_FLAG_PAGE_ALIGN | MB_FLAG_MEMORY_INFO | MB_FLAG_AOUT_KLUDGE)

#define PHYS(sym) ((sym) - KERNEL_VMA)

#define COM1 0x3f8
#define DEBUG_EXIT_PORT 0xf4
#define EXIT_OUT_OF_MEMORY 101	/* the values of include/kite/exit.h */
#define EXIT_NO_LONG_MODE 109

	.section .multiboot, "a"
	.align 4
multiboot_header:
	.long MB_MAGIC
	.long MB_FLAGS
	.long -(MB_MAGIC + MB_FLAGS)
	.long PHYS(multiboot_header)	/* header_addr */
	.long PHYS(__kernel_start)	/* load_addr */
	.long PHYS(__load_end)		/* load_end_addr */
	.long PHYS(__bss_end)		/* bss_end_addr */
	.long PHYS(_start32)		/* entry_addr */

	.section .boot.text, "ax"
	.code32
	.globl _start32
_start32:
	cli
	cld
	movl %eax, %edi			/* kept for kmain's first argument */
	movl %ebx, %esi			/* and its second */

	rdtsc
	movl %eax, PHYS(boot_entry_tsc)
	movl %edx, PHYS(boot_entry_tsc) + 4

	/* Long mode? CPUID 0x80000001 EDX bit 29. */
	movl $0x80000000, %eax
	cpuid
	cmpl $0x80000001, %eax
	jb no_long_mode
	movl $0x80000001, %eax
	cpuid
	btl $29, %edx
	jnc no_long_mode
	movl %edx, %ebp			/* EDX bit 20: NX */

	/* Enough RAM for the image and its .bss? The loader's mem_upper (KiB above
	 * 1 MiB) tells; without it we go on and let the memory map decide. */
	cmpl $0x2badb002, %edi
	jne 1f
	testl $1, (%esi)
	jz 1f
	movl 8(%esi), %eax
	addl $1024, %eax
	shll $10, %eax
	cmpl $PHYS(__bss_end), %eax
	jb too_little_memory
1:

	/* Zero .bss (the early page tables and the boot stack live there). The
	 * loader zeroes it too, but the multiboot spec does not promise that. */
	pushl %edi
	movl $PHYS(__bss_start), %edi
	movl $PHYS(__bss_end), %ecx
	subl %edi, %ecx
	shrl $2, %ecx
	xorl %eax, %eax
	rep stosl
	popl %edi
	/* rdtsc result was stored in .data, not .bss, so it survives. */

	movl $PHYS(boot_stack_area) + PAGE_SIZE + BOOT_STACK_SIZE, %esp

	/* Early page directory: 512 entries of 2 MiB = the first 1 GiB. */
	movl $PHYS(early_pd), %ebx
	xorl %ecx, %ecx
1:	movl %ecx, %eax
	shll $21, %eax
	orl $0x83, %eax			/* present, writable, 2 MiB page */
	movl %eax, (%ebx, %ecx, 8)
	incl %ecx
	cmpl $512, %ecx
	jne 1b

	movl $PHYS(early_pd) + 3, %eax
	movl %eax, PHYS(early_pdpt_low)
	movl %eax, PHYS(early_pdpt_high) + 510 * 8	/* 0xffffffff80000000 */
	movl $PHYS(early_pdpt_low) + 3, %eax
	movl %eax, PHYS(early_pml4)
	movl $PHYS(early_pdpt_high) + 3, %eax
	movl %eax, PHYS(early_pml4) + 511 * 8

	movl %cr4, %eax
	orl $(1 << 5), %eax		/* PAE */
	movl %eax, %cr4
	movl $PHYS(early_pml4), %eax
	movl %eax, %cr3

	movl $0xc0000080, %ecx		/* EFER */
	rdmsr
	orl $(1 << 8), %eax		/* LME */
	btl $20, %ebp
	jnc 2f
	orl $(1 << 11), %eax		/* NXE */
2:	wrmsr

	movl %cr0, %eax
	orl $((1 << 31) | (1 << 0)), %eax	/* PG, PE */
	movl %eax, %cr0

	lgdt PHYS(early_gdt_pointer)
	ljmp $0x08, $PHYS(start64_low)

too_little_memory:
	movl $PHYS(too_little_memory_msg), %ebx
	movl $EXIT_OUT_OF_MEMORY, %ecx
	jmp early_fail

no_long_mode:
	movl $PHYS(no_long_mode_msg), %ebx
	movl $EXIT_NO_LONG_MODE, %ecx
	/* fall through */

/* Prints the message at %ebx on COM1 and exits with status %ecx. */
early_fail:
	movw $COM1, %dx
3:	movb (%ebx), %al
	testb %al, %al
	jz 4f
	outb %al, %dx
	incl %ebx
	jmp 3b
4:	movw $DEBUG_EXIT_PORT, %dx
	movl %ecx, %eax
	outl %eax, %dx
5:	hlt
	jmp 5b

	.code64
start64_low:
	movabsq $start64_high, %rax
	jmpq *%rax

	.section .text
start64_high:
	movw $0x10, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	xorl %eax, %eax
	movw %ax, %fs
	movw %ax, %gs
	movabsq $boot_stack_area + PAGE_SIZE + BOOT_STACK_SIZE, %rsp
	xorl %ebp, %ebp			/* the backtrace stops here */
	/* %edi = magic, %esi = info physical address, already in place. */
	call kmain
6:	cli
	hlt
	jmp 6b

	.section .rodata
no_long_mode_msg:
	.asciz "kite: this CPU has no 64-bit long mode; Kite needs an x86-64 CPU\n"
too_little_memory_msg:
	.asciz "kite: out of memory: the kernel image does not fit in this guest's RAM\n"

	.section .data
	.align 16
early_gdt:
	.quad 0
	.quad 0x00af9a000000ffff	/* 0x08: 64-bit code */
	.quad 0x00cf92000000ffff	/* 0x10: data */
early_gdt_end:
early_gdt_pointer:
	.word early_gdt_end - early_gdt - 1
	.long PHYS(early_gdt)

	.align 8
	.globl boot_entry_tsc
boot_entry_tsc:
	.quad 0

	.section .bss
	.align PAGE_SIZE
early_pml4:
	.skip PAGE_SIZE
early_pdpt_low:
	.skip PAGE_SIZE
early_pdpt_high:
	.skip PAGE_SIZE
early_pd:
	.skip PAGE_SIZE
