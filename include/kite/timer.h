/*
 * One-shot timers on the monotonic clock, kept in a queue per CPU: a timer runs
 * its function in interrupt context on the CPU that armed it, at or soon after
 * its deadline. The CPU's timer hardware is programmed for the earliest of its
 * timers and its current thread's time slice, and not at all when idle with no
 * timers: no periodic tick.
 */
#ifndef KITE_TIMER_H
#define KITE_TIMER_H
#include <stdbool.h>
#include <stdint.h>
#include <kite/list.h>

struct cpu;

struct timer {
	struct list node;
	uint64_t deadline_ns;
	void (*fn)(struct timer *t);	/* required; interrupt context, must not block */
	struct cpu *cpu;		/* the queue it was last armed on */
	int state;			/* TIMER_IDLE, _ARMED, _RUNNING; cpu's queue lock */
};

enum { TIMER_IDLE, TIMER_ARMED, TIMER_RUNNING };

void timer_init(struct timer *t, void (*fn)(struct timer *t));

/* Arms (or re-arms) t on this CPU for an absolute monotonic deadline. */
void timer_arm(struct timer *t, uint64_t deadline_ns);

/* Disarms t; returns false when it had already fired (or was never armed).
 * If its function is running on another CPU, waits for it to finish. */
bool timer_cancel(struct timer *t);

/* The timer interrupt's work: runs expired timers, then reprograms. */
void timer_interrupt(void);

/* Programs this CPU's timer hardware for its next event (timers, time slice). */
void timer_reprogram(void);

/* The time-slice end the scheduler asks for (0: none). */
void timer_set_slice_end(uint64_t deadline_ns);

#endif
