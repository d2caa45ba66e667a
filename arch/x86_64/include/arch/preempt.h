/*
 * Preemption control and the CPU id, as single %gs-relative instructions. A
 * preempt_enable() that drops the count to zero while a reschedule is pending
 * schedules at once. Host unit tests replace this header with their own.
 */
#ifndef ARCH_PREEMPT_H
#define ARCH_PREEMPT_H
#include <stdint.h>

void preempt_schedule(void);

static inline void preempt_disable(void)
{
	__asm__ volatile("incl %%gs:16" : : : "memory");
}

static inline void preempt_enable(void)
{
	int count;
	__asm__ volatile("decl %%gs:16\n\tmovl %%gs:16, %0" : "=r"(count) : : "memory");
	if (count == 0) {
		int resched;
		__asm__ volatile("movl %%gs:20, %0" : "=r"(resched));
		if (resched)
			preempt_schedule();
	}
}

/* For paths that decide about rescheduling themselves. */
static inline void preempt_enable_no_resched(void)
{
	__asm__ volatile("decl %%gs:16" : : : "memory");
}

static inline int preempt_count(void)
{
	int count;
	__asm__ volatile("movl %%gs:16, %0" : "=r"(count));
	return count;
}

/* The id of the running CPU (struct cpu's `id` field follows need_resched). */
static inline unsigned cpu_current_id(void)
{
	unsigned id;
	__asm__ volatile("movl %%gs:24, %0" : "=r"(id));
	return id;
}

#endif
