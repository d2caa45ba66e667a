/*
 * Futexes (see futex.h): 256 hashed wait queues. The value check and the
 * enqueue happen under the bucket's lock, and a waker takes the same lock, so
 * a wake that follows a change of the word cannot be missed.
 */
#include <kite/errno.h>
#include <kite/futex.h>
#include <kite/sched.h>
#include <kite/thread.h>
#include <kite/wait.h>

#define FUTEX_BUCKETS 256

struct futex_waiter {
	struct waiter w;	/* w.node is on the bucket's queue */
	const uint32_t *addr;
};

static struct wait_queue buckets[FUTEX_BUCKETS];

void futex_init(void)
{
	for (int i = 0; i < FUTEX_BUCKETS; i++)
		wait_queue_init(&buckets[i]);
}

static struct wait_queue *bucket_of(const uint32_t *addr)
{
	uintptr_t a = (uintptr_t)addr;
	return &buckets[((a >> 2) ^ (a >> 12)) % FUTEX_BUCKETS];
}

int futex_wait(const uint32_t *addr, uint32_t expected, uint64_t deadline_ns)
{
	struct wait_queue *wq = bucket_of(addr);
	struct futex_waiter fw = { .w = { .thread = current() }, .addr = addr };
	unsigned long flags;

	spin_lock_irqsave(&wq->lock, &flags);
	if (__atomic_load_n(addr, __ATOMIC_SEQ_CST) != expected) {
		spin_unlock_irqrestore(&wq->lock, flags);
		return -EAGAIN;
	}
	list_push_back(&wq->waiters, &fw.w.node);
	__atomic_store_n(&fw.w.thread->state, THREAD_BLOCKED, __ATOMIC_SEQ_CST);
	spin_unlock_irqrestore(&wq->lock, flags);
	int err = thread_block(deadline_ns);
	spin_lock_irqsave(&wq->lock, &flags);
	if (fw.w.woken) {
		err = 0;
	} else {
		list_remove(&fw.w.node);
		if (!err)
			err = -EINTR; /* woken by something else: the caller retries */
	}
	spin_unlock_irqrestore(&wq->lock, flags);
	return err;
}

int futex_wake(const uint32_t *addr, int n)
{
	struct wait_queue *wq = bucket_of(addr);
	unsigned long flags;
	int woken = 0;

	spin_lock_irqsave(&wq->lock, &flags);
	list_for_each_safe(pos, tmp, &wq->waiters) {
		struct futex_waiter *fw = container_of(pos, struct futex_waiter, w.node);
		if (fw->addr != addr)
			continue;
		if (woken == n)
			break;
		list_remove(&fw->w.node);
		fw->w.woken = true;
		thread_wake(fw->w.thread);
		woken++;
	}
	spin_unlock_irqrestore(&wq->lock, flags);
	return woken;
}
