/*
 * Per-CPU state. Each CPU's `struct cpu` is reached through %gs (see
 * arch/percpu.h): this_cpu(), current() and the preemption count are single
 * instructions. Code that uses per-CPU data brackets the use with
 * preempt_disable()/preempt_enable() so the thread is not moved meanwhile.
 */
#ifndef KITE_CPU_H
#define KITE_CPU_H
#include <stdbool.h>
#include <stdint.h>
#include <kite/list.h>
#include <kite/spinlock.h>

#define MAX_CPUS 64

struct thread;

struct runqueue {
	spinlock_t lock;	/* irqsave: the timer interrupt wakes threads */
	struct list queue;	/* runnable threads by vruntime; lock */
	unsigned nr_queued;	/* lock */
	uint64_t min_vruntime;	/* lock; never goes backwards */
};

struct timer_queue {
	spinlock_t lock;	/* irqsave */
	struct list timers;	/* armed timers by deadline; lock */
};

#include <arch/percpu.h>
#include <arch/preempt.h>

struct cpu {
	/* The first four fields are read by arch/percpu.h at fixed offsets. */
	struct cpu *self;
	struct thread *current;
	int preempt_count;	/* > 0: no preemption on this CPU */
	int need_resched;	/* set when a better thread waits */

	unsigned id;		/* 0 .. nr_cpus - 1 */
	bool online;
	struct runqueue rq;
	struct timer_queue timers;
	struct thread *idle;	/* runs when rq is empty */
	bool idling;		/* halted in the idle loop */
	uint64_t slice_end_ns;	/* when the current thread's time slice ends */
	uint64_t timer_armed_ns; /* the timer hardware's deadline, 0 if none; timers.lock */
	uint64_t context_switches;
	struct arch_cpu arch;
};

_Static_assert(__builtin_offsetof(struct cpu, current) == CPU_OFFSET_CURRENT, "cpu layout");
_Static_assert(__builtin_offsetof(struct cpu, preempt_count) == CPU_OFFSET_PREEMPT, "cpu layout");
_Static_assert(__builtin_offsetof(struct cpu, need_resched) == CPU_OFFSET_RESCHED, "cpu layout");
_Static_assert(__builtin_offsetof(struct cpu, id) == 24, "cpu layout: see arch/preempt.h");

extern struct cpu *cpus[MAX_CPUS];
extern unsigned nr_cpus; /* CPUs that are online */

#endif
