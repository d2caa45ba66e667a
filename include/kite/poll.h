/*
 * Readiness of open files, for poll, select and epoll. An object whose
 * readiness changes (a pipe, a socket) has a poll_head and calls poll_wake
 * when it does; a waiter hangs a poll_entry on it through the file's poll
 * operation, which also returns the current events (registering first and
 * looking after, so that no change is missed).
 */
#ifndef KITE_POLL_H
#define KITE_POLL_H
#include <stdbool.h>
#include <stdint.h>
#include <kite/list.h>
#include <kite/spinlock.h>

#define POLLIN 0x001
#define POLLPRI 0x002
#define POLLOUT 0x004
#define POLLERR 0x008
#define POLLHUP 0x010
#define POLLNVAL 0x020
#define POLLRDNORM 0x040
#define POLLWRNORM 0x100
#define POLLRDHUP 0x2000

struct poll_head {
	spinlock_t lock;
	struct list entries;
};

struct poll_entry {
	struct list node;
	struct poll_head *head;		/* NULL: not on one */
	/* Called with the head's lock held and maybe in interrupt context: it
	 * must not sleep. */
	void (*wake)(struct poll_entry *e, unsigned events);
	void *owner;
};

void poll_head_init(struct poll_head *h);
/* Tells every waiter that the events may have changed. */
void poll_wake(struct poll_head *h, unsigned events);
void poll_add(struct poll_head *h, struct poll_entry *e);
/* Whether anyone waits on h now: a hint, which may be stale at once. */
static inline bool poll_has_waiters(struct poll_head *h)
{
	return __atomic_load_n(&h->entries.next, __ATOMIC_ACQUIRE) != &h->entries;
}
/* Takes e off its head, if it is on one. */
void poll_remove(struct poll_entry *e);

#endif
