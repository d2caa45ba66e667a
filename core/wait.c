/*
 * Wait queues (see wait.h). A sleeper marks itself BLOCKED before it drops the
 * queue's lock, so a wake-up that comes between the unlock and the switch is
 * not lost: thread_wake sees BLOCKED, makes it RUNNABLE, and schedule() keeps
 * it running.
 */
#include <kite/clock.h>
#include <kite/errno.h>
#include <kite/sched.h>
#include <kite/thread.h>
#include <kite/wait.h>

void wait_queue_init(struct wait_queue *wq)
{
	spin_init(&wq->lock);
	list_init(&wq->waiters);
}

/* Blocks the current thread (already marked BLOCKED) until woken or the
 * deadline; -ETIMEDOUT when the deadline woke it. */
int thread_block(uint64_t deadline_ns)
{
	struct thread *t = current();

	if (deadline_ns != DEADLINE_NONE) {
		t->timed_out = false;
		if (deadline_ns <= clock_monotonic_ns()) {
			t->state = THREAD_RUNNING;
			return -ETIMEDOUT;
		}
		timer_arm(&t->wake_timer, deadline_ns);
	}
	schedule();
	if (deadline_ns != DEADLINE_NONE) {
		timer_cancel(&t->wake_timer);
		if (t->timed_out)
			return -ETIMEDOUT;
	}
	return 0;
}

int wait_queue_sleep(struct wait_queue *wq, unsigned long *flags, uint64_t deadline_ns)
{
	struct thread *t = current();
	struct waiter w = { .thread = t };

	list_push_back(&wq->waiters, &w.node);
	__atomic_store_n(&t->state, THREAD_BLOCKED, __ATOMIC_SEQ_CST);
	spin_unlock_irqrestore(&wq->lock, *flags);
	int err = thread_block(deadline_ns);
	spin_lock_irqsave(&wq->lock, flags);
	if (!w.woken) {
		list_remove(&w.node);
		return err ? err : 0;
	}
	return 0;
}

int wait_queue_wake_locked(struct wait_queue *wq, int n)
{
	int woken = 0;

	while ((n < 0 || woken < n) && !list_empty(&wq->waiters)) {
		struct waiter *w = list_first(&wq->waiters, struct waiter, node);
		list_remove(&w->node);
		w->woken = true;
		thread_wake(w->thread);
		woken++;
	}
	return woken;
}

int wait_queue_wake(struct wait_queue *wq, int n)
{
	unsigned long flags;

	spin_lock_irqsave(&wq->lock, &flags);
	int woken = wait_queue_wake_locked(wq, n);
	spin_unlock_irqrestore(&wq->lock, flags);
	return woken;
}
