/*
 * Until the scheduler lands only the boot CPU runs and nothing preempts, so the
 * current CPU is 0 and preemption control only counts (to catch imbalance).
 * FIXME: per-CPU data through %gs and a real preempt count (threads issue).
 */
#include <kite/cpu.h>
#include <kite/panic.h>

static int preempt_count;

unsigned cpu_current_id(void)
{
	return 0;
}

void preempt_disable(void)
{
	preempt_count++;
}

void preempt_enable(void)
{
	assert(preempt_count > 0);
	preempt_count--;
}
