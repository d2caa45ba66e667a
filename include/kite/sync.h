/*
 * Sleeping locks and their companions, for threads (not interrupt handlers):
 * mutexes, condition variables and counting semaphores, all with deadlines
 * (absolute, on the monotonic clock; DEADLINE_NONE waits for ever). Each
 * returns 0, or -ETIMEDOUT when the deadline passed first.
 */
#ifndef KITE_SYNC_H
#define KITE_SYNC_H
#include <stdint.h>
#include <kite/wait.h>

/* state: 0 unlocked, 1 locked, 2 locked and maybe waited for. The fast paths
 * are one atomic instruction; only contention touches the wait queue. */
struct mutex {
	int state;
	struct wait_queue wq;
};

struct condvar {
	struct wait_queue wq;
};

struct semaphore {
	long count;		/* wq.lock */
	struct wait_queue wq;
};

#define MUTEX_INIT(name) { .state = 0, .wq = WAIT_QUEUE_INIT((name).wq) }

void mutex_init(struct mutex *m);
void mutex_lock(struct mutex *m);
int mutex_lock_deadline(struct mutex *m, uint64_t deadline_ns);
int mutex_trylock(struct mutex *m); /* 1 when taken */
void mutex_unlock(struct mutex *m);

void condvar_init(struct condvar *cv);
/* Unlocks m, waits for a signal (or the deadline), locks m again. */
int condvar_wait(struct condvar *cv, struct mutex *m, uint64_t deadline_ns);
void condvar_signal(struct condvar *cv);
void condvar_broadcast(struct condvar *cv);

void semaphore_init(struct semaphore *s, long count);
int semaphore_down(struct semaphore *s, uint64_t deadline_ns);
void semaphore_up(struct semaphore *s);

#endif
