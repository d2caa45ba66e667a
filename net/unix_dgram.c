/*
 * AF_UNIX datagrams. Each socket has a queue of whole messages, each with
 * its sender's name; a sender puts its message in the receiver's queue under
 * the receiver's lock, so boundaries are kept and nothing is copied twice.
 *
 * A queue is full, as on Linux, when it holds more than 10 datagrams
 * (net.unix.max_dgram_qlen) and the sender is not the receiver's own peer;
 * and, standing in for Linux's accounting of each sender's buffer, when the
 * next datagram would take it past UNIX_BUFFER_BYTES. A blocking sender
 * waits for room, a non-blocking one gets EAGAIN.
 *
 * A socket connected to another (connect, or socketpair) hangs its relay on
 * the other's `room` head, which every receive there announces on: so poll
 * tells the sender when room appears in its peer's queue.
 */
#include <kite/errno.h>
#include <kite/file.h>
#include <kite/heap.h>
#include <kite/poll.h>
#include <string.h>
#include "unix_sock.h"

#define MAX_DGRAM_QLEN 10
#define SNDBUF_OVERHEAD 32	/* Linux's biggest datagram is its send buffer less this */

struct unix_datagram {
	struct list node;	/* in the receiver's queue */
	size_t len;
	struct unix_name from;
	struct unix_rights *rights;	/* referenced, or NULL */
	struct unix_ucred cred;
	char data[];
};

/* Whether `to` has no room for len more bytes from `from`; to->wq.lock held. */
static bool queue_full(const struct unix_sock *to, const struct unix_sock *from, size_t len)
{
	if (to->queued && to->queued_bytes + len > UNIX_BUFFER_BYTES)
		return true;
	return to->peer != from && to->queued > MAX_DGRAM_QLEN;
}

void unix_dgram_pair(struct unix_sock *a, struct unix_sock *b)
{
	unix_get(b);
	a->peer = b;
	unix_relay_start(a, &b->room);
	unix_get(a);
	b->peer = a;
	unix_relay_start(b, &a->room);
}

/* u forgets its peer if that is still `expected` (any peer when NULL). */
static void disconnect(struct unix_sock *u, struct unix_sock *expected)
{
	unsigned long irq;
	spin_lock_irqsave(&u->wq.lock, &irq);
	struct unix_sock *old = u->peer;
	if (old && (!expected || old == expected)) {
		u->peer = NULL;
		poll_remove(&u->relay);
	} else {
		old = NULL;
	}
	spin_unlock_irqrestore(&u->wq.lock, irq);
	if (old)
		unix_put(old);
}

long unix_dgram_connect(struct unix_sock *u, const void *addr, uint32_t len)
{
	if (addr && len >= sizeof(uint16_t) && *(const uint16_t *)addr == AF_UNSPEC) {
		disconnect(u, NULL);
		return 0;
	}
	struct unix_sock *to;
	long err = unix_names_find(addr, len, &to);
	if (err)
		return err;
	unsigned long irq;
	if (to->type != SOCK_DGRAM) {
		err = -EPROTOTYPE;
	} else {
		spin_lock_irqsave(&to->wq.lock, &irq);
		if (to->state == UNIX_CLOSED)
			err = -ECONNREFUSED;
		else if (to->peer && to->peer != u)
			err = -EPERM; /* it takes datagrams from its own peer only */
		spin_unlock_irqrestore(&to->wq.lock, irq);
	}
	if (err) {
		unix_put(to);
		return err;
	}
	spin_lock_irqsave(&u->wq.lock, &irq);
	struct unix_sock *old = u->peer;
	if (old)
		poll_remove(&u->relay);
	u->peer = to; /* takes the reference */
	unix_relay_start(u, &to->room);
	spin_unlock_irqrestore(&u->wq.lock, irq);
	if (old)
		unix_put(old);
	poll_wake(&u->poll, POLLOUT | POLLWRNORM);
	return 0;
}

/* Queues d at `to`, waiting for room until the deadline. */
static long deliver(struct unix_sock *to, struct unix_sock *from, struct unix_datagram *d, uint64_t deadline)
{
	long err = 0;
	unsigned long irq;
	spin_lock_irqsave(&to->wq.lock, &irq);
	for (;;) {
		if (to->state == UNIX_CLOSED) {
			err = -ECONNREFUSED;
			break;
		}
		if (to->peer && to->peer != from) {
			err = -EPERM;
			break;
		}
		if (to->shut_rd) {
			err = -EPIPE;
			break;
		}
		if (!queue_full(to, from, d->len))
			break;
		if (!deadline || wait_queue_sleep(&to->wq, &irq, deadline)) {
			err = -EAGAIN;
			break;
		}
	}
	if (!err) {
		list_push_back(&to->queue, &d->node);
		to->queued++;
		to->queued_bytes += d->len;
		wait_queue_wake_locked(&to->wq, -1); /* receivers */
	}
	spin_unlock_irqrestore(&to->wq.lock, irq);
	if (!err)
		poll_wake(&to->poll, POLLIN | POLLRDNORM);
	return err;
}

/* Drops a datagram that no one will read, and its files. */
static void drop(struct unix_datagram *d)
{
	unix_rights_put(d->rights);
	kfree(d);
}

/* unix_dgram_send, but the rights are the caller's still when it fails. */
static long dgram_send(struct file *f, struct unix_sock *u, const void *buf, size_t len, int flags,
		       const void *addr, uint32_t addrlen, struct unix_rights *rights, const struct unix_ucred *cred)
{
	if (__atomic_load_n(&u->shut_wr, __ATOMIC_RELAXED))
		return -EPIPE;
	if (len > (size_t)(u->sndbuf ? u->sndbuf : UNIX_BUFFER_BYTES) - SNDBUF_OVERHEAD)
		return -EMSGSIZE;
	struct unix_sock *to = NULL;
	long err = 0;
	unsigned long irq;
	if (addr) {
		err = unix_names_find(addr, addrlen, &to);
	} else {
		spin_lock_irqsave(&u->wq.lock, &irq);
		to = u->peer;
		if (to)
			unix_get(to);
		spin_unlock_irqrestore(&u->wq.lock, irq);
		if (!to)
			err = -ENOTCONN;
	}
	if (err)
		return err;
	struct unix_datagram *d = to->type == SOCK_DGRAM ? kmalloc(sizeof(*d) + len) : NULL;
	if (!d) {
		err = to->type == SOCK_DGRAM ? -ENOMEM : -EPROTOTYPE;
	} else {
		memcpy(d->data, buf, len);
		d->len = len;
		d->rights = rights;
		if (cred)
			d->cred = *cred;
		else
			unix_own_cred(&d->cred);
		spin_lock_irqsave(&u->wq.lock, &irq);
		d->from = u->name;
		spin_unlock_irqrestore(&u->wq.lock, irq);
		err = deliver(to, u, d, unix_deadline(f, flags, u->sndtimeo_ns));
		if (err)
			kfree(d); /* not drop: the rights go back to the caller */
	}
	/* As Linux: a peer that is gone refuses once; then we are not connected. */
	if (err == -ECONNREFUSED && !addr)
		disconnect(u, to);
	unix_put(to);
	return err ? err : (long)len;
}

long unix_dgram_send(struct file *f, struct unix_sock *u, const void *buf, size_t len, int flags,
		     const void *addr, uint32_t addrlen, struct unix_rights *rights, const struct unix_ucred *cred)
{
	long n = dgram_send(f, u, buf, len, flags, addr, addrlen, rights, cred);
	if (n < 0)
		unix_rights_put(rights);
	return n;
}

long unix_dgram_recv(struct file *f, struct unix_sock *u, void *buf, size_t len, int flags, void *addr,
		     uint32_t *addrlen, struct unix_rights **rights, struct unix_ucred *cred, int *msg_flags)
{
	uint64_t deadline = unix_deadline(f, flags, u->rcvtimeo_ns);
	unsigned long irq;
	*rights = NULL;
	spin_lock_irqsave(&u->wq.lock, &irq);
	while (list_empty(&u->queue)) {
		/* As Linux: shut for reading and empty is EOF, but a call
		 * that must not wait still says EAGAIN. */
		long err = u->shut_rd && deadline ? 0 : -EAGAIN;
		if (u->shut_rd || !deadline || wait_queue_sleep(&u->wq, &irq, deadline)) {
			spin_unlock_irqrestore(&u->wq.lock, irq);
			if (!err && addrlen)
				*addrlen = 0;
			return err;
		}
	}
	struct unix_datagram *d = list_first(&u->queue, struct unix_datagram, node);
	size_t n = len < d->len ? len : d->len, total = d->len;
	if (n < total)
		*msg_flags |= MSG_TRUNC;
	*cred = d->cred;
	if (flags & MSG_PEEK) {
		/* It stays in the queue, where another receiver may take it;
		 * a peek gets its files too (as new descriptors), as on Linux. */
		memcpy(buf, d->data, n);
		struct unix_name from = d->from;
		if (d->rights)
			unix_rights_get(*rights = d->rights);
		spin_unlock_irqrestore(&u->wq.lock, irq);
		unix_names_copy_out(&from, addr, addrlen, true);
		return (long)((flags & MSG_TRUNC) ? total : n);
	}
	list_remove(&d->node);
	u->queued--;
	u->queued_bytes -= d->len;
	wait_queue_wake_locked(&u->wq, -1); /* senders waiting for room */
	spin_unlock_irqrestore(&u->wq.lock, irq);
	memcpy(buf, d->data, n);
	unix_names_copy_out(&d->from, addr, addrlen, true);
	*rights = d->rights;
	kfree(d);
	poll_wake(&u->room, POLLOUT | POLLWRNORM);
	return (long)((flags & MSG_TRUNC) ? total : n);
}

unsigned unix_dgram_poll(struct unix_sock *u)
{
	unsigned long irq;
	spin_lock_irqsave(&u->wq.lock, &irq);
	bool readable = !list_empty(&u->queue), shut_rd = u->shut_rd, shut_wr = u->shut_wr;
	struct unix_sock *peer = u->peer;
	if (peer)
		unix_get(peer);
	spin_unlock_irqrestore(&u->wq.lock, irq);
	bool writable = true;
	if (peer) {
		spin_lock_irqsave(&peer->wq.lock, &irq);
		writable = peer->state == UNIX_CLOSED || !queue_full(peer, u, 1);
		spin_unlock_irqrestore(&peer->wq.lock, irq);
		unix_put(peer);
	}
	unsigned events = 0;
	if (readable || shut_rd)
		events |= POLLIN | POLLRDNORM;
	if (shut_rd)
		events |= POLLRDHUP;
	if (shut_rd && shut_wr)
		events |= POLLHUP;
	if (writable)
		events |= POLLOUT | POLLWRNORM | POLLWRBAND;
	return events;
}

size_t unix_dgram_next_size(struct unix_sock *u)
{
	unsigned long irq;
	spin_lock_irqsave(&u->wq.lock, &irq);
	size_t n = list_empty(&u->queue) ? 0 : list_first(&u->queue, struct unix_datagram, node)->len;
	spin_unlock_irqrestore(&u->wq.lock, irq);
	return n;
}

void unix_dgram_close(struct unix_sock *u)
{
	struct list dropped;
	list_init(&dropped);
	unsigned long irq;
	spin_lock_irqsave(&u->wq.lock, &irq);
	__atomic_store_n(&u->state, UNIX_CLOSED, __ATOMIC_RELEASE);
	struct unix_sock *peer = u->peer;
	u->peer = NULL;
	if (peer)
		poll_remove(&u->relay);
	while (!list_empty(&u->queue)) {
		struct list *n = u->queue.next;
		list_remove(n);
		list_push_back(&dropped, n);
	}
	u->queued = 0;
	u->queued_bytes = 0;
	wait_queue_wake_locked(&u->wq, -1); /* senders waiting for room: refused */
	spin_unlock_irqrestore(&u->wq.lock, irq);
	while (!list_empty(&dropped)) {
		struct unix_datagram *d = list_first(&dropped, struct unix_datagram, node);
		list_remove(&d->node);
		drop(d);
	}
	if (peer)
		unix_put(peer);
	poll_wake(&u->room, POLLOUT | POLLERR); /* its connected senders look again */
}
