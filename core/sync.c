/*
 * Mutexes, condition variables and semaphores (see sync.h), built on wait
 * queues.
 *
 * The mutex follows Drepper's "Futexes are tricky" (mutex 2): a locker that
 * finds it taken sets state 2 before sleeping, so an unlocker that swaps 0 in
 * and sees 2 knows it must wake someone. The swap to 2 happens under the wait
 * queue's lock, as does the wake, so no wake-up falls between a locker's check
 * and its sleep.
 */
#include <kite/errno.h>
#include <kite/sync.h>

void mutex_init(struct mutex *m)
{
	m->state = 0;
	wait_queue_init(&m->wq);
}

int mutex_trylock(struct mutex *m)
{
	int unlocked = 0;
	return __atomic_compare_exchange_n(&m->state, &unlocked, 1, false, __ATOMIC_ACQUIRE,
					   __ATOMIC_RELAXED);
}

int mutex_lock_deadline(struct mutex *m, uint64_t deadline_ns)
{
	unsigned long flags;
	int err = 0;

	if (mutex_trylock(m))
		return 0;
	spin_lock_irqsave(&m->wq.lock, &flags);
	while (__atomic_exchange_n(&m->state, 2, __ATOMIC_ACQUIRE) != 0) {
		err = wait_queue_sleep(&m->wq, &flags, deadline_ns);
		if (err)
			break;
	}
	spin_unlock_irqrestore(&m->wq.lock, flags);
	return err;
}

void mutex_lock(struct mutex *m)
{
	mutex_lock_deadline(m, DEADLINE_NONE);
}

void mutex_unlock(struct mutex *m)
{
	if (__atomic_exchange_n(&m->state, 0, __ATOMIC_RELEASE) == 2)
		wait_queue_wake(&m->wq, 1);
}

void condvar_init(struct condvar *cv)
{
	wait_queue_init(&cv->wq);
}

int condvar_wait(struct condvar *cv, struct mutex *m, uint64_t deadline_ns)
{
	unsigned long flags;

	/* Join the queue before letting the mutex go, so a signal sent right
	 * after the unlock finds us. */
	spin_lock_irqsave(&cv->wq.lock, &flags);
	mutex_unlock(m);
	int err = wait_queue_sleep(&cv->wq, &flags, deadline_ns);
	spin_unlock_irqrestore(&cv->wq.lock, flags);
	mutex_lock(m);
	return err;
}

void condvar_signal(struct condvar *cv)
{
	wait_queue_wake(&cv->wq, 1);
}

void condvar_broadcast(struct condvar *cv)
{
	wait_queue_wake(&cv->wq, -1);
}

void semaphore_init(struct semaphore *s, long count)
{
	s->count = count;
	wait_queue_init(&s->wq);
}

int semaphore_down(struct semaphore *s, uint64_t deadline_ns)
{
	unsigned long flags;
	int err = 0;

	spin_lock_irqsave(&s->wq.lock, &flags);
	while (s->count == 0) {
		err = wait_queue_sleep(&s->wq, &flags, deadline_ns);
		if (err && s->count == 0)
			break;
		err = 0;
	}
	if (!err)
		s->count--;
	spin_unlock_irqrestore(&s->wq.lock, flags);
	return err;
}

void semaphore_up(struct semaphore *s)
{
	unsigned long flags;

	spin_lock_irqsave(&s->wq.lock, &flags);
	s->count++;
	wait_queue_wake_locked(&s->wq, 1);
	spin_unlock_irqrestore(&s->wq.lock, flags);
}
