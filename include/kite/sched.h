/*
 * The scheduler: per-CPU run queues ordered by virtual runtime (CPU time
 * weighted by priority), so every runnable thread gets its share; see
 * docs/scheduler.md for the policy and the locking.
 */
#ifndef KITE_SCHED_H
#define KITE_SCHED_H
#include <stdbool.h>
#include <stdint.h>
#include <kite/cpu.h>

struct thread;

#define SCHED_SLICE_NS 4000000ULL	/* a thread's turn when others wait */
#define SCHED_WAKEUP_GRANULARITY_NS 1000000ULL
#define SCHED_SLEEPER_CREDIT_NS 3000000ULL

/* Boot CPU: makes the running boot code thread "main" (its interrupts and
 * exceptions on the given stacks), makes the idle thread, starts the CPU's timer
 * and turns interrupts on. */
void sched_init(uintptr_t istack_top, uintptr_t xstack_top);

/* The arch part of a CPU's start: interrupt controller and timer (apic.c). */
void arch_sched_start_cpu(void);
/* Each CPU, on its own idle thread's stack: runs the idle loop forever. */
__noreturn void sched_idle_loop(void);

/* Gives up the CPU; returns when this thread is picked again. The caller has set
 * its state (BLOCKED to sleep; RUNNING to just yield). */
void schedule(void);
void thread_yield(void);
/* Sleeps until the deadline (monotonic ns): 0, or -EINTR if woken earlier. */
int thread_sleep_until(uint64_t deadline_ns);

/* Moves the running thread to a CPU its affinity allows. */
void sched_migrate_self(void);

/* Makes a blocked thread runnable; false when it was not blocked. */
bool thread_wake(struct thread *t);

/* A new thread's first turn (thread.c). */
void sched_enqueue_new(struct thread *t);

/* Interrupt paths: the end of a time slice, and the exit of every interrupt. */
void sched_tick(void);
void sched_irq_exit(void);

/* Runs on each CPU when it comes online (smp.c), before sched_idle_loop. */
void sched_init_cpu(struct cpu *c, struct thread *idle);

/* Called on a CPU after a thread was switched in (arch and new threads). */
void sched_finish_switch(void);

/* Dead threads: freed later by the idle loop or by thread_join (thread.c). */
void thread_reap_later(struct thread *t);
void thread_reap_zombies(void);

/* Sends the reschedule IPI (arch). */
void arch_send_reschedule(struct cpu *c);

#endif
