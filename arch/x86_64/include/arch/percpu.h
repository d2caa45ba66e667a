/*
 * x86-64 per-CPU access: GS.base holds the CPU's `struct cpu`, whose first word
 * points to itself. Applications compiled for Linux use %fs (TLS) and leave %gs
 * alone, so the kernel can keep it; nothing ever runs SWAPGS.
 */
#ifndef ARCH_PERCPU_H
#define ARCH_PERCPU_H
#include <stdint.h>
#include <arch/tss.h>

#define CPU_OFFSET_CURRENT 8
#define CPU_OFFSET_PREEMPT 16
#define CPU_OFFSET_RESCHED 20

struct cpu;
struct thread;

struct arch_cpu {
	struct tss tss;
	uint64_t gdt[5];
	uint32_t apic_id;
	uintptr_t ist_tops[8];		/* this CPU's IST stacks, by slot (1..) */
	uintptr_t start_stack_top;	/* an AP's first stack, later its idle thread's */
	struct thread *switch_from;	/* the thread being switched away from */
};

/* Halts until the next interrupt with interrupts enabled (sti; hlt, atomically). */
static inline void arch_idle_halt(void)
{
	__asm__ volatile("sti\n\thlt" : : : "memory");
}

/* The running CPU; volatile, since a preemptible thread may move between reads. */
static inline struct cpu *this_cpu(void)
{
	struct cpu *c;
	__asm__ volatile("movq %%gs:0, %0" : "=r"(c));
	return c;
}

/* The running thread: the same value wherever the thread runs, so not volatile. */
static inline struct thread *current(void)
{
	struct thread *t;
	__asm__("movq %%gs:8, %0" : "=r"(t));
	return t;
}

#endif
