/*
 * The current CPU, for per-CPU data. Code that uses per-CPU data brackets the
 * use with preempt_disable()/preempt_enable() so it is not moved meanwhile.
 */
#ifndef KITE_CPU_H
#define KITE_CPU_H

#define MAX_CPUS 64

unsigned cpu_current_id(void);
void preempt_disable(void);
void preempt_enable(void);

#endif
