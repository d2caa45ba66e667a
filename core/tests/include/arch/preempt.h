/* Host unit tests: preemption control and the CPU id as plain functions
 * (core/tests/host_stubs.c), one "CPU" per host thread. */
#ifndef ARCH_PREEMPT_H
#define ARCH_PREEMPT_H

void preempt_disable(void);
void preempt_enable(void);
void preempt_enable_no_resched(void);
unsigned cpu_current_id(void);

#endif
