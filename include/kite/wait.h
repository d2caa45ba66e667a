/*
 * Wait queues: the one way a thread sleeps until something happens. The
 * pattern, with the queue's lock protecting the condition:
 *
 *     spin_lock_irqsave(&wq->lock, &flags);
 *     while (!condition) {
 *         err = wait_queue_sleep(wq, &flags, deadline);   // drops and retakes the lock
 *         if (err) break;                                  // -ETIMEDOUT
 *     }
 *     spin_unlock_irqrestore(&wq->lock, flags);
 *
 * and the waker changes the condition under the same lock, then wakes.
 */
#ifndef KITE_WAIT_H
#define KITE_WAIT_H
#include <stdbool.h>
#include <stdint.h>
#include <kite/list.h>
#include <kite/spinlock.h>

#define DEADLINE_NONE UINT64_MAX

struct thread;

struct wait_queue {
	spinlock_t lock;
	struct list waiters;	/* struct waiter; lock */
};

struct waiter {
	struct list node;
	struct thread *thread;
	bool woken;		/* set by the waker, under the queue's lock */
};

#define WAIT_QUEUE_INIT(name) { .lock = SPINLOCK_INIT, .waiters = LIST_INIT((name).waiters) }

void wait_queue_init(struct wait_queue *wq);

/* With wq->lock held (irqsave, flags): sleeps until woken or the deadline;
 * returns with the lock held again. 0, or -ETIMEDOUT. */
int wait_queue_sleep(struct wait_queue *wq, unsigned long *flags, uint64_t deadline_ns);

/* With wq->lock held: wakes up to n waiters (all with n < 0); returns how many. */
int wait_queue_wake_locked(struct wait_queue *wq, int n);

/* The current thread, already marked BLOCKED with every lock dropped, sleeps
 * until woken or the deadline: 0, or -ETIMEDOUT. */
int thread_block(uint64_t deadline_ns);

/* Takes the lock and wakes. */
int wait_queue_wake(struct wait_queue *wq, int n);

#endif
