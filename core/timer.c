/*
 * Per-CPU timer queues (see timer.h). The queue is a list sorted by deadline;
 * timers are few per CPU (sleeping threads, timeouts), so insertion is a short
 * walk. Expired timers run after the queue's lock is dropped, so their
 * functions may wake threads (which takes run-queue locks).
 */
#include <kite/clock.h>
#include <kite/cpu.h>
#include <kite/sched.h>
#include <kite/timer.h>

/* The arch's one-shot timer: fires the timer interrupt at the deadline (0: never). */
void arch_timer_program(uint64_t deadline_ns);

void timer_init(struct timer *t, void (*fn)(struct timer *t))
{
	list_init(&t->node);
	t->fn = fn;
	t->cpu = NULL;
	t->state = TIMER_IDLE;
}

/*
 * Lock held (irqs off). Programming the timer hardware costs (an MMIO or MSR
 * write, a VM exit under a hypervisor), and a context switch asks for it every
 * time, so the hardware is only moved earlier: a deadline that became later or
 * went away leaves the timer as it was, and its interrupt, early or needless,
 * just programs the next event.
 */
static void program_locked(struct cpu *c)
{
	uint64_t next = c->slice_end_ns ? c->slice_end_ns : UINT64_MAX;

	if (!list_empty(&c->timers.timers)) {
		uint64_t first = list_first(&c->timers.timers, struct timer, node)->deadline_ns;
		next = first < next ? first : next;
	}
	if (next == UINT64_MAX || (c->timer_armed_ns && c->timer_armed_ns <= next))
		return;
	c->timer_armed_ns = next;
	arch_timer_program(next);
}

void timer_reprogram(void)
{
	unsigned long flags;
	struct cpu *c;

	preempt_disable();
	c = this_cpu();
	spin_lock_irqsave(&c->timers.lock, &flags);
	program_locked(c);
	spin_unlock_irqrestore(&c->timers.lock, flags);
	preempt_enable_no_resched();
}

void timer_set_slice_end(uint64_t deadline_ns)
{
	preempt_disable();
	this_cpu()->slice_end_ns = deadline_ns;
	timer_reprogram();
	preempt_enable_no_resched();
}

void timer_arm(struct timer *t, uint64_t deadline_ns)
{
	timer_cancel(t);

	unsigned long flags;
	preempt_disable();
	struct cpu *c = this_cpu();
	spin_lock_irqsave(&c->timers.lock, &flags);
	t->deadline_ns = deadline_ns;
	t->cpu = c;
	t->state = TIMER_ARMED;
	struct list *pos = c->timers.timers.prev;
	while (pos != &c->timers.timers && list_entry(pos, struct timer, node)->deadline_ns > deadline_ns)
		pos = pos->prev;
	list_insert_after(pos, &t->node);
	if (c->timers.timers.next == &t->node)
		program_locked(c);
	spin_unlock_irqrestore(&c->timers.lock, flags);
	preempt_enable_no_resched();
}

bool timer_cancel(struct timer *t)
{
	struct cpu *c = __atomic_load_n(&t->cpu, __ATOMIC_ACQUIRE);
	unsigned long flags;

	if (!c)
		return false;
	for (;;) {
		spin_lock_irqsave(&c->timers.lock, &flags);
		if (t->state == TIMER_ARMED) {
			list_remove(&t->node);
			t->state = TIMER_IDLE;
			spin_unlock_irqrestore(&c->timers.lock, flags);
			return true;
		}
		bool running = t->state == TIMER_RUNNING;
		spin_unlock_irqrestore(&c->timers.lock, flags);
		if (!running)
			return false;
		cpu_relax(); /* its function runs on another CPU: wait for it */
	}
}

void timer_interrupt(void)
{
	struct cpu *c = this_cpu();
	uint64_t now = clock_monotonic_ns();

	c->timer_armed_ns = 0; /* the one-shot has fired */
	for (;;) {
		arch_spin_lock(&c->timers.lock);
		if (list_empty(&c->timers.timers) ||
		    list_first(&c->timers.timers, struct timer, node)->deadline_ns > now) {
			arch_spin_unlock(&c->timers.lock);
			break;
		}
		struct timer *t = list_first(&c->timers.timers, struct timer, node);
		list_remove(&t->node);
		t->state = TIMER_RUNNING;
		arch_spin_unlock(&c->timers.lock);
		t->fn(t);
		arch_spin_lock(&c->timers.lock);
		if (t->state == TIMER_RUNNING)
			t->state = TIMER_IDLE;
		arch_spin_unlock(&c->timers.lock);
	}
	if (c->slice_end_ns && now >= c->slice_end_ns) {
		c->slice_end_ns = 0;
		sched_tick();
	}
	arch_spin_lock(&c->timers.lock);
	program_locked(c);
	arch_spin_unlock(&c->timers.lock);
}
