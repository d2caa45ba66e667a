/* The register frame that every interrupt and exception entry saves. */
#ifndef ARCH_TRAP_H
#define ARCH_TRAP_H
#include <stdint.h>

#define VEC_DIVIDE_ERROR 0
#define VEC_DEBUG 1
#define VEC_NMI 2
#define VEC_BREAKPOINT 3
#define VEC_INVALID_OPCODE 6
#define VEC_DOUBLE_FAULT 8
#define VEC_GENERAL_PROTECTION 13
#define VEC_PAGE_FAULT 14
#define VEC_MACHINE_CHECK 18
#define VEC_FIRST_IRQ 32
#define NR_VECTORS 256

/* Layout fixed by arch/x86_64/entry.S: general registers, then what the stub
 * pushed (vector, error code), then what the CPU pushed. */
struct trap_frame {
	uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp;
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t vector, error;
	uint64_t rip, cs, rflags, rsp, ss;
};

/* A handler returns to the interrupted code when it returns. */
typedef void (*trap_handler_t)(struct trap_frame *frame);

/* Installs the handler for a vector (an exception that is not fatal, or an IRQ). */
void trap_set_handler(int vector, trap_handler_t handler);

struct cpu;

/* The boot CPU's struct cpu in GS.base: first thing in kmain. */
void percpu_init_boot(void);
void percpu_set_gs(struct cpu *c);
/* Loads c's GDT and TSS; ist_tops[slot] for slot 1..IST_COUNT. */
void gdt_init(struct cpu *c, const uintptr_t *ist_tops);

/* Points IST slot `slot` of this CPU at a new stack top. */
void tss_set_ist(int slot, uintptr_t top);
void idt_init(void);		/* builds the IDT and loads it */
void idt_init_cpu(void);	/* loads it on another CPU */

/* Entry stubs, one per vector, defined in entry.S. */
extern const uint64_t trap_stubs[NR_VECTORS];

#endif
