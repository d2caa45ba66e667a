/* What a thread carries for the CPU: its saved stack pointer, %fs base, the
 * stacks its interrupts and exceptions run on, and its vector-register state. */
#ifndef ARCH_THREAD_H
#define ARCH_THREAD_H
#include <stdbool.h>
#include <stdint.h>

struct arch_thread {
	uintptr_t rsp;		/* saved by arch_switch; must stay first */
	uintptr_t fs_base;
	uintptr_t istack_top;	/* IST_INTERRUPT while this thread runs */
	uintptr_t xstack_top;	/* IST_EXCEPTION while this thread runs */
	void *fpu;		/* XSAVE/FXSAVE area, 64-byte aligned */
};

struct thread;

/* Switches from prev to next (arch/x86_64/switch.S); returns when prev runs again. */
void arch_switch(struct arch_thread *prev, struct arch_thread *next);

/* Prepares a new thread's stack so that the first switch to it calls
 * thread_start(t) (core/thread.c). */
void arch_thread_init_stack(struct arch_thread *a, uintptr_t stack_top, struct thread *t);

/* Installs next's %fs base and IST stacks on this CPU (before arch_switch). */
void arch_thread_activate(struct arch_thread *next);

#endif
