/*
 * The scheduler (see sched.h and docs/scheduler.md).
 *
 * Each CPU has a run queue of runnable threads sorted by vruntime; the running
 * thread is not in it. schedule() takes the CPU's run-queue lock (irqsave) and
 * holds it across the switch: the thread switched to releases it
 * (sched_finish_switch). So no other CPU can see, steal or wake a thread whose
 * registers are still being saved: that is what `on_cpu` records.
 *
 * Lock order: run-queue locks by CPU id (lower first); a wait queue's or
 * futex bucket's lock may be held while taking a run-queue lock, never the
 * other way round.
 */
#include <kite/clock.h>
#include <kite/compiler.h>
#include <kite/cpu.h>
#include <kite/errno.h>
#include <kite/futex.h>
#include <kite/wait.h>
#include <kite/panic.h>
#include <kite/printk.h>
#include <kite/sched.h>
#include <kite/thread.h>
#include <kite/timer.h>
#include <arch/fpu.h>

struct cpu *cpus[MAX_CPUS];
unsigned nr_cpus;

static bool is_idle(struct cpu *c, struct thread *t)
{
	return t == c->idle;
}

/* Charges the running thread for the time since it last got the CPU. */
static void update_current(struct cpu *c, struct thread *t, uint64_t now)
{
	if (now <= t->run_start_ns)
		return;
	uint64_t delta = now - t->run_start_ns;
	t->run_start_ns = now;
	t->cpu_time_ns += delta;
	if (is_idle(c, t))
		return;
	t->vruntime += delta * 1024 / t->weight;
}

static void update_min_vruntime(struct runqueue *rq, struct thread *running)
{
	uint64_t v = UINT64_MAX;

	if (running)
		v = running->vruntime;
	if (!list_empty(&rq->queue)) {
		uint64_t first = list_first(&rq->queue, struct thread, rq_node)->vruntime;
		v = first < v ? first : v;
	}
	if (v != UINT64_MAX && v > rq->min_vruntime)
		rq->min_vruntime = v;
}

/* Inserts by vruntime, scanning from the back: new arrivals are usually last. */
static void enqueue(struct runqueue *rq, struct thread *t)
{
	struct list *pos = rq->queue.prev;

	while (pos != &rq->queue && list_entry(pos, struct thread, rq_node)->vruntime > t->vruntime)
		pos = pos->prev;
	list_insert_after(pos, &t->rq_node);
	rq->nr_queued++;
}

static void dequeue(struct runqueue *rq, struct thread *t)
{
	list_remove(&t->rq_node);
	rq->nr_queued--;
}

/* Load as the balancer sees it: queued threads plus a busy CPU's own. */
static unsigned load_of(struct cpu *c)
{
	return c->rq.nr_queued + (is_idle(c, c->current) ? 0 : 1);
}

static void lock_two(struct cpu *a, struct cpu *b)
{
	if (a->id < b->id) {
		arch_spin_lock(&a->rq.lock);
		arch_spin_lock(&b->rq.lock);
	} else {
		arch_spin_lock(&b->rq.lock);
		arch_spin_lock(&a->rq.lock);
	}
}

static void unlock_two(struct cpu *a, struct cpu *b)
{
	arch_spin_unlock(&a->rq.lock);
	arch_spin_unlock(&b->rq.lock);
}

/*
 * vruntimes only compare within one queue: a thread that changes queues keeps
 * its lag behind (or lead over) the queue's min_vruntime. The lag may be
 * negative (woken sleepers get a little credit), hence the signed arithmetic.
 */
static int64_t lag_of(struct thread *t, struct runqueue *rq)
{
	return (int64_t)(t->vruntime - rq->min_vruntime);
}

static void set_lag(struct thread *t, struct runqueue *rq, int64_t lag)
{
	t->vruntime = lag < 0 && (uint64_t)-lag > rq->min_vruntime ? 0 : rq->min_vruntime + lag;
}

/* Moves a queued thread t from src to dst; both locks held. */
static void migrate_locked(struct thread *t, struct cpu *src, struct cpu *dst)
{
	dequeue(&src->rq, t);
	set_lag(t, &dst->rq, lag_of(t, &src->rq));
	t->cpu = dst;
	enqueue(&dst->rq, t);
}

/* Asks c to look at its run queue soon (a preemption, or an idle CPU's wake-up). */
static void kick(struct cpu *c)
{
	__atomic_store_n(&c->need_resched, 1, __ATOMIC_RELEASE);
	if (c != this_cpu())
		arch_send_reschedule(c);
}

/* An idle CPU that t may run on, or NULL. */
static struct cpu *find_idle_cpu(struct thread *t)
{
	for (unsigned i = 0; i < nr_cpus; i++) {
		struct cpu *c = cpus[i];
		if ((t->affinity & (1ULL << i)) && c->online &&
		    __atomic_load_n(&c->idling, __ATOMIC_ACQUIRE) && !c->rq.nr_queued)
			return c;
	}
	return NULL;
}

/* After t joined c's queue (lock held): preempt c's thread if t should run first. */
static void maybe_preempt(struct cpu *c, struct thread *t)
{
	struct thread *running = c->current;

	if (is_idle(c, running) || t->vruntime + SCHED_WAKEUP_GRANULARITY_NS < running->vruntime)
		kick(c);
	else if (!c->slice_end_ns && c == this_cpu())
		timer_set_slice_end(clock_monotonic_ns() + SCHED_SLICE_NS);
	else if (!c->slice_end_ns)
		kick(c); /* its thread ran alone, without a slice timer: let it set one */
}

static void place(struct cpu *target, struct thread *t, bool new_thread)
{
	struct runqueue *rq = &target->rq;
	uint64_t floor = rq->min_vruntime > SCHED_SLEEPER_CREDIT_NS ? rq->min_vruntime - SCHED_SLEEPER_CREDIT_NS : 0;

	if (new_thread)
		t->vruntime = rq->min_vruntime;
	else if (t->vruntime < floor)
		t->vruntime = floor;
	enqueue(rq, t);
	maybe_preempt(target, t);
}

/* Where a thread that becomes runnable should go: its last CPU, unless that one is
 * busy and an idle CPU is free for it. */
static struct cpu *select_cpu(struct thread *t)
{
	struct cpu *last = t->cpu;

	if (last && (t->affinity & (1ULL << last->id)) && is_idle(last, last->current) && !last->rq.nr_queued)
		return last;
	struct cpu *idle = find_idle_cpu(t);
	if (idle)
		return idle;
	if (last && (t->affinity & (1ULL << last->id)))
		return last;
	for (unsigned i = 0; i < nr_cpus; i++)
		if (t->affinity & (1ULL << i))
			return cpus[i];
	return cpus[0];
}

void sched_enqueue_new(struct thread *t)
{
	unsigned long flags = local_irq_save();
	struct cpu *target = select_cpu(t);

	preempt_disable();
	arch_spin_lock(&target->rq.lock);
	t->cpu = target;
	t->state = THREAD_RUNNABLE;
	place(target, t, true);
	arch_spin_unlock(&target->rq.lock);
	local_irq_restore(flags);
	preempt_enable();
}

bool thread_wake(struct thread *t)
{
	unsigned long flags = local_irq_save();
	struct cpu *c;

	preempt_disable();
	for (;;) {
		c = __atomic_load_n(&t->cpu, __ATOMIC_ACQUIRE);
		arch_spin_lock(&c->rq.lock);
		if (t->cpu == c)
			break;
		arch_spin_unlock(&c->rq.lock);
	}
	if (t->state != THREAD_BLOCKED) {
		arch_spin_unlock(&c->rq.lock);
		local_irq_restore(flags);
		preempt_enable();
		return false;
	}
	t->state = THREAD_RUNNABLE;
	if (t->on_cpu) {
		/* Still on its CPU on its way to sleep: schedule() there sees
		 * RUNNABLE and keeps it. */
		arch_spin_unlock(&c->rq.lock);
		local_irq_restore(flags);
		preempt_enable();
		return true;
	}
	struct cpu *target = select_cpu(t);
	if (target != c) {
		/* Not queued anywhere and claimed by us (RUNNABLE): only we move it. */
		int64_t lag = lag_of(t, &c->rq);
		__atomic_store_n(&t->cpu, target, __ATOMIC_RELEASE);
		arch_spin_unlock(&c->rq.lock);
		arch_spin_lock(&target->rq.lock);
		set_lag(t, &target->rq, lag);
	}
	place(target, t, false);
	arch_spin_unlock(&target->rq.lock);
	local_irq_restore(flags);
	preempt_enable();
	return true;
}

void sched_finish_switch(void)
{
	struct cpu *c = this_cpu();
	struct thread *from = c->arch.switch_from;

	__atomic_store_n(&from->on_cpu, false, __ATOMIC_RELEASE);
	arch_spin_unlock(&c->rq.lock);
	if (from->state == THREAD_DEAD)
		thread_reap_later(from);
	if (from->move_after_switch) {
		from->move_after_switch = false;
		thread_wake(from);
	}
}

void schedule(void)
{
	if (unlikely(preempt_count()))
		panic("schedule() with preemption disabled (count %d): a lock is held or a count leaked",
		      preempt_count());
	preempt_disable();
	unsigned long flags = local_irq_save();
	struct cpu *c = this_cpu();
	struct thread *prev = c->current;
	uint64_t now = clock_monotonic_ns();

	arch_spin_lock(&c->rq.lock);
	c->need_resched = 0;
	update_current(c, prev, now);
	if (prev->state == THREAD_RUNNING)
		prev->state = THREAD_RUNNABLE;
	if (prev->state == THREAD_RUNNABLE && !is_idle(c, prev)) {
		if (prev->affinity & (1ULL << c->id)) {
			enqueue(&c->rq, prev);
		} else {
			/* Its affinity changed: it leaves this CPU, and is woken
			 * onto an allowed one once its registers are saved. */
			prev->state = THREAD_BLOCKED;
			prev->move_after_switch = true;
		}
	}

	struct thread *next = c->idle;
	if (!list_empty(&c->rq.queue)) {
		next = list_first(&c->rq.queue, struct thread, rq_node);
		dequeue(&c->rq, next);
	}
	update_min_vruntime(&c->rq, is_idle(c, next) ? NULL : next);
	next->state = THREAD_RUNNING;
	c->slice_end_ns = c->rq.nr_queued ? now + SCHED_SLICE_NS : 0;
	if (next == prev) {
		arch_spin_unlock(&c->rq.lock);
		timer_reprogram();
		local_irq_restore(flags);
		preempt_enable_no_resched();
		return;
	}
	next->on_cpu = true;
	next->cpu = c;
	next->run_start_ns = now;
	next->cpus_used |= 1ULL << c->id;
	c->current = next;
	c->context_switches++;
	c->arch.switch_from = prev;
	timer_reprogram();
	arch_thread_activate(&next->arch);
	arch_switch(&prev->arch, &next->arch);

	/* prev runs again, perhaps on another CPU. */
	sched_finish_switch();
	local_irq_restore(flags);
	preempt_enable_no_resched();
}

/*
 * Whether a preemption must wait: t has marked itself BLOCKED and is on its
 * way to schedule() (wait_queue_sleep, futex_wait and thread_sleep_until
 * mark it first, so that a wake-up in between is not lost). Switching it out
 * now would take it off the CPU as if it had gone to sleep, before
 * thread_block armed its deadline: a sleeper with a timeout and no one to
 * wake it would sleep for ever. It reaches schedule() itself in a moment, and
 * need_resched stays set until then.
 */
static bool going_to_sleep(struct thread *t)
{
	return __atomic_load_n(&t->state, __ATOMIC_ACQUIRE) == THREAD_BLOCKED;
}

void preempt_schedule(void)
{
	if (!local_irq_enabled())
		return; /* an irqsave section ends later and looks again */
	if (going_to_sleep(current()))
		return;
	schedule();
}

void thread_yield(void)
{
	schedule();
}

int thread_sleep_until(uint64_t deadline_ns)
{
	__atomic_store_n(&current()->state, THREAD_BLOCKED, __ATOMIC_SEQ_CST);
	int err = thread_block(deadline_ns);
	return err == -ETIMEDOUT ? 0 : -EINTR;
}

void sched_migrate_self(void)
{
	schedule(); /* schedule() moves a thread that may no longer run here */
}

/* The end of a time slice: let the queue's first thread run, and spread load. */
void sched_tick(void)
{
	struct cpu *c = this_cpu();

	c->need_resched = 1;
	if (c->rq.nr_queued == 0 || nr_cpus < 2)
		return;
	struct cpu *least = NULL;
	for (unsigned i = 0; i < nr_cpus; i++) {
		struct cpu *o = cpus[i];
		if (o != c && o->online && (!least || load_of(o) < load_of(least)))
			least = o;
	}
	if (!least || load_of(c) < load_of(least) + 2)
		return;
	lock_two(c, least);
	struct thread *victim = NULL;
	list_for_each(pos, &c->rq.queue) {
		struct thread *t = list_entry(pos, struct thread, rq_node);
		if (t->affinity & (1ULL << least->id)) {
			victim = t;
			break;
		}
	}
	if (victim) {
		migrate_locked(victim, c, least);
		maybe_preempt(least, victim);
	}
	unlock_two(c, least);
}

/* An idle CPU takes a queued thread from the busiest CPU; true if it got one. */
static bool steal_work(struct cpu *c)
{
	struct cpu *busiest = NULL;

	for (unsigned i = 0; i < nr_cpus; i++) {
		struct cpu *o = cpus[i];
		if (o != c && o->online && o->rq.nr_queued && (!busiest || o->rq.nr_queued > busiest->rq.nr_queued))
			busiest = o;
	}
	if (!busiest)
		return false;
	unsigned long flags = local_irq_save();
	preempt_disable();
	lock_two(c, busiest);
	struct thread *victim = NULL;
	/* From the back: the thread that would wait longest where it is. */
	for (struct list *pos = busiest->rq.queue.prev; pos != &busiest->rq.queue; pos = pos->prev) {
		struct thread *t = list_entry(pos, struct thread, rq_node);
		if (t->affinity & (1ULL << c->id)) {
			victim = t;
			break;
		}
	}
	if (victim)
		migrate_locked(victim, busiest, c);
	unlock_two(c, busiest);
	local_irq_restore(flags);
	preempt_enable_no_resched();
	return victim != NULL;
}

void sched_irq_exit(void)
{
	struct cpu *c = this_cpu();
	struct thread *t = c->current;

	if (!c->need_resched || c->preempt_count || going_to_sleep(t))
		return;
	/* Preemption: the interrupted thread loses its vector registers' content
	 * unless saved here; a voluntary switch (schedule() called as a function)
	 * keeps only what the ABI makes callee-saved. */
	fpu_save(t->arch.fpu);
	schedule();
	fpu_restore(t->arch.fpu);
}

__noreturn void sched_idle_loop(void)
{
	struct cpu *c = this_cpu();

	for (;;) {
		thread_reap_zombies();
		if (c->rq.nr_queued || steal_work(c)) {
			schedule();
			continue;
		}
		local_irq_disable();
		if (c->need_resched || c->rq.nr_queued) {
			local_irq_enable();
			schedule();
			continue;
		}
		__atomic_store_n(&c->idling, true, __ATOMIC_RELEASE);
		timer_reprogram();
		arch_idle_halt(); /* sti; hlt: wakes on any interrupt */
		__atomic_store_n(&c->idling, false, __ATOMIC_RELEASE);
		if (c->need_resched)
			schedule();
	}
}

void sched_init_cpu(struct cpu *c, struct thread *idle)
{
	spin_init(&c->rq.lock);
	list_init(&c->rq.queue);
	spin_init(&c->timers.lock);
	list_init(&c->timers.timers);
	c->idle = idle;
	idle->cpu = c;
	idle->affinity = 1ULL << c->id;
}

void sched_init(uintptr_t istack_top, uintptr_t xstack_top)
{
	struct cpu *c = this_cpu();

	list_init(&c->rq.queue);
	list_init(&c->timers.timers);
	futex_init();
	struct thread *main = thread_adopt("main", istack_top, xstack_top);
	main->state = THREAD_RUNNING;
	main->on_cpu = true;
	main->cpu = c;
	main->cpus_used = 1ULL << c->id;
	main->run_start_ns = clock_monotonic_ns();
	c->current = main;
	arch_thread_activate(&main->arch); /* its %fs: the libc descriptor */
	sched_init_cpu(c, thread_create_idle(c));
	arch_sched_start_cpu();
	local_irq_enable();
}
