/*
 * AF_UNIX streams. A connection is two pipe rings (fs/pipe.c), one per
 * direction, announcing on the connection's poll head; each end relays that
 * head to its own, where its waiters hang (whether it was connected when
 * they came or not). The rings stay until both ends have left, so that a
 * thread still reading one is never left with freed memory when an end
 * shuts a side.
 *
 * connect makes the server's end at once, as Linux does, and puts it in the
 * listener's backlog: the client is connected (and may write) before accept
 * takes it. A backlog of n holds n + 1 connections, as on Linux; beyond
 * that a blocking connect waits for room and a non-blocking one says EAGAIN.
 */
#include <kite/errno.h>
#include <kite/file.h>
#include <kite/compiler.h>
#include <kite/heap.h>
#include <kite/pipe.h>
#include <kite/poll.h>
#include <kite/sys_signal.h>
#include "unix_sock.h"

#define BACKLOG_MAX 4096	/* Linux's somaxconn */

int unix_stream_join(struct unix_sock *a, struct unix_sock *b)
{
	struct unix_conn *c = kzalloc(sizeof(*c));
	if (!c)
		return -ENOMEM;
	poll_head_init(&c->poll);
	c->rings[0] = pipe_new(&c->poll);
	c->rings[1] = pipe_new(&c->poll);
	if (!c->rings[0] || !c->rings[1]) {
		if (c->rings[0])
			pipe_free(c->rings[0]);
		if (c->rings[1])
			pipe_free(c->rings[1]);
		kfree(c);
		return -ENOMEM;
	}
	c->ends = 2;
	a->conn = b->conn = c;
	a->out = b->in = c->rings[0];
	b->out = a->in = c->rings[1];
	unix_relay_start(a, &c->poll);
	unix_relay_start(b, &c->poll);
	return 0;
}

/* Shuts u's sides of the rings, reading and/or writing, once each. */
static void shut_rings(struct unix_sock *u, bool rd, bool wr)
{
	unsigned long flags;
	spin_lock_irqsave(&u->wq.lock, &flags);
	bool in = rd && u->conn && !u->in_shut, out = wr && u->conn && !u->out_shut;
	u->in_shut |= in;
	u->out_shut |= out;
	spin_unlock_irqrestore(&u->wq.lock, flags);
	if (in)
		pipe_shut(u->in, true);
	if (out)
		pipe_shut(u->out, false);
}

/* u leaves its connection (no other thread uses it any more): its sides
 * shut, and the rings freed with the last end. */
static void leave_conn(struct unix_sock *u)
{
	struct unix_conn *c = u->conn;
	shut_rings(u, true, true);
	/* As Linux: what no one will read now drops its files (no new ones
	 * come: writing to a ring without a reader fails). */
	struct pipe_mark *m;
	while ((m = pipe_unmark(u->in)))
		unix_rights_put(container_of(m, struct unix_rights, mark));
	poll_remove(&u->relay);
	u->conn = NULL;
	u->in = u->out = NULL;
	u->in_shut = u->out_shut = false;
	if (__atomic_sub_fetch(&c->ends, 1, __ATOMIC_ACQ_REL) == 0) {
		pipe_free(c->rings[0]);
		pipe_free(c->rings[1]);
		kfree(c);
	}
}

/* The error slot of the reader of u's ring `r` (u->in or u->out). */
static int *reset_of(struct unix_sock *u, struct pipe *r)
{
	return &u->conn->reset[r == u->conn->rings[0] ? 0 : 1];
}

/* As Linux: an end that goes with data unread, or that no one accepted,
 * leaves the other end ECONNRESET; set before its sides shut, so that the
 * other sees it with the EOF. */
static void reset_peer(struct unix_sock *u, bool unaccepted)
{
	if (u->conn && (unaccepted || pipe_unread(u->in)))
		__atomic_store_n(reset_of(u, u->out), ECONNRESET, __ATOMIC_RELEASE);
}

static enum unix_state state_of(struct unix_sock *u)
{
	return __atomic_load_n(&u->state, __ATOMIC_ACQUIRE);
}

long unix_stream_listen(struct unix_sock *u, int backlog)
{
	if (backlog < 0 || backlog > BACKLOG_MAX)
		backlog = BACKLOG_MAX;
	long err = 0;
	unsigned long flags;
	spin_lock_irqsave(&u->wq.lock, &flags);
	if (!u->name.len || (u->state != UNIX_UNCONNECTED && u->state != UNIX_LISTENING)) {
		err = -EINVAL; /* Linux listens only on a bound socket */
	} else {
		__atomic_store_n(&u->state, UNIX_LISTENING, __ATOMIC_RELEASE);
		u->max_pending = backlog;
		wait_queue_wake_locked(&u->wq, -1); /* a bigger backlog may let connects in */
	}
	spin_unlock_irqrestore(&u->wq.lock, flags);
	return err;
}

long unix_stream_accept(struct file *f, struct unix_sock *l, void *addr, uint32_t *len, int flags)
{
	uint64_t deadline = unix_deadline(f, 0, l->rcvtimeo_ns);
	struct unix_sock *s = NULL;
	long err = 0;
	unsigned long irq;
	spin_lock_irqsave(&l->wq.lock, &irq);
	for (;;) {
		if (l->state != UNIX_LISTENING || l->shut_rd) {
			err = -EINVAL;
			break;
		}
		if (!list_empty(&l->backlog)) {
			s = list_first(&l->backlog, struct unix_sock, backlog_node);
			list_remove(&s->backlog_node);
			l->pending--;
			wait_queue_wake_locked(&l->wq, -1); /* connects waiting for room */
			break;
		}
		if (!deadline || wait_queue_sleep(&l->wq, &irq, deadline)) {
			err = -EAGAIN;
			break;
		}
	}
	spin_unlock_irqrestore(&l->wq.lock, irq);
	if (err)
		return err;
	spin_lock_irqsave(&s->wq.lock, &irq);
	struct unix_name peer = s->peer_name;
	spin_unlock_irqrestore(&s->wq.lock, irq);
	long fd = unix_install(s, flags);
	if (fd >= 0 && addr && len)
		unix_names_copy_out(&peer, addr, len, false);
	return fd;
}

/* Puts s, the server's end of a new connection from a client named
 * `client`, in l's backlog; 0, -ECONNREFUSED when l does not listen, or
 * -EAGAIN when its backlog stayed full until the deadline. */
static long enqueue(struct unix_sock *l, struct unix_sock *s, const struct unix_name *client, uint64_t deadline,
		    struct unix_name *server)
{
	long err = 0;
	unsigned long irq;
	spin_lock_irqsave(&l->wq.lock, &irq);
	for (;;) {
		if (l->state != UNIX_LISTENING || l->shut_rd) {
			err = -ECONNREFUSED;
			break;
		}
		if (l->pending <= l->max_pending)
			break;
		if (!deadline || wait_queue_sleep(&l->wq, &irq, deadline)) {
			err = -EAGAIN;
			break;
		}
	}
	if (!err) {
		s->name = *server = l->name; /* accepted ends have their listener's name */
		s->peer_name = *client;
		list_push_back(&l->backlog, &s->backlog_node);
		l->pending++;
		wait_queue_wake_locked(&l->wq, -1); /* accept */
	}
	spin_unlock_irqrestore(&l->wq.lock, irq);
	if (!err)
		poll_wake(&l->poll, POLLIN | POLLRDNORM);
	return err;
}

long unix_stream_connect(struct file *f, struct unix_sock *u, const void *addr, uint32_t len)
{
	struct unix_sock *l;
	long err = unix_names_find(addr, len, &l);
	if (err)
		return err;
	if (l->type != SOCK_STREAM) {
		unix_put(l);
		return -EPROTOTYPE;
	}
	struct unix_name client, server;
	unsigned long irq;
	spin_lock_irqsave(&u->wq.lock, &irq);
	switch (u->state) {
	case UNIX_UNCONNECTED:
		u->state = UNIX_CONNECTING;
		client = u->name;
		break;
	case UNIX_CONNECTED: err = -EISCONN; break;
	case UNIX_CONNECTING: err = -EALREADY; break;
	default: err = -EINVAL; break;
	}
	spin_unlock_irqrestore(&u->wq.lock, irq);
	if (err) {
		unix_put(l);
		return err;
	}
	struct unix_sock *s = unix_sock_new(SOCK_STREAM);
	err = s ? unix_stream_join(u, s) : -ENOMEM;
	if (!err) {
		s->state = UNIX_CONNECTED;
		err = enqueue(l, s, &client, unix_deadline(f, 0, u->sndtimeo_ns), &server);
		if (err) {
			leave_conn(u);
			leave_conn(s);
		}
	}
	if (err && s)
		unix_put(s);
	spin_lock_irqsave(&u->wq.lock, &irq);
	if (!err)
		u->peer_name = server;
	__atomic_store_n(&u->state, err ? UNIX_UNCONNECTED : UNIX_CONNECTED, __ATOMIC_RELEASE);
	spin_unlock_irqrestore(&u->wq.lock, irq);
	if (!err)
		poll_wake(&u->poll, POLLOUT | POLLWRNORM);
	unix_put(l);
	return err;
}

long unix_stream_send(struct file *f, struct unix_sock *u, const void *buf, size_t len, int flags,
		      struct unix_rights *rights)
{
	if (state_of(u) != UNIX_CONNECTED) {
		unix_rights_put(rights);
		return -ENOTCONN;
	}
	/* No bytes, no rights: as Linux, which has nothing to attach them to. */
	long n = __atomic_load_n(&u->shut_wr, __ATOMIC_RELAXED) ?
			 -EPIPE :
			 pipe_write_marked(u->out, buf, len, unix_deadline(f, flags, u->sndtimeo_ns),
					   rights ? &rights->mark : NULL);
	if (n <= 0)
		unix_rights_put(rights);
	/* As Linux: a stream's EPIPE raises SIGPIPE (a datagram's does not). */
	if (n == -EPIPE && !(flags & MSG_NOSIGNAL))
		signal_raise_self(SIGPIPE);
	return n;
}

static struct unix_rights *rights_of(struct pipe_mark *m)
{
	return m ? container_of(m, struct unix_rights, mark) : NULL;
}

long unix_stream_recv(struct file *f, struct unix_sock *u, void *buf, size_t len, int flags,
		      struct unix_rights **rights)
{
	*rights = NULL;
	if (state_of(u) != UNIX_CONNECTED)
		return -EINVAL;
	/* As Linux: after SHUT_RD what was queued is still read, then EOF at
	 * once (the peer's writes fail, so no more comes). */
	bool shut = __atomic_load_n(&u->shut_rd, __ATOMIC_RELAXED);
	uint64_t deadline = shut ? 0 : unix_deadline(f, flags, u->rcvtimeo_ns);
	bool peek = flags & MSG_PEEK;
	struct pipe_mark *m;
	ssize_t n = pipe_read_marked(u->in, buf, len, deadline, peek, &m);
	if (n == -EAGAIN && shut)
		return 0;
	if (n == 0 && len) {
		/* At EOF: a reset is reported first (once). */
		int *reset = reset_of(u, u->in);
		int err = __atomic_load_n(reset, __ATOMIC_ACQUIRE) ? __atomic_exchange_n(reset, 0, __ATOMIC_ACQ_REL) : 0;
		if (err)
			return -err;
	}
	*rights = rights_of(m);
	if (!(flags & MSG_WAITALL) || peek || !deadline || m)
		return n;
	/* MSG_WAITALL: on until all of it, EOF, the deadline, or the end of
	 * bytes sent with rights (Linux stops there too). */
	size_t done = n > 0 ? (size_t)n : 0;
	while (n > 0 && done < len && !m) {
		n = pipe_read_marked(u->in, (char *)buf + done, len - done, deadline, false, &m);
		if (n > 0)
			done += (size_t)n;
	}
	*rights = rights_of(m);
	return done ? (long)done : n;
}

long unix_stream_shutdown(struct unix_sock *u, bool rd, bool wr)
{
	/* The peer sees EOF (we shut writing) or EPIPE (we shut reading). */
	shut_rings(u, rd, wr);
	return 0;
}

unsigned unix_stream_poll(struct unix_sock *u)
{
	unsigned long irq;
	spin_lock_irqsave(&u->wq.lock, &irq);
	enum unix_state state = u->state;
	bool shut_rd = u->shut_rd, shut_wr = u->shut_wr, pending = u->pending > 0;
	spin_unlock_irqrestore(&u->wq.lock, irq);
	if (state == UNIX_LISTENING)
		return pending ? POLLIN | POLLRDNORM : 0;
	if (state != UNIX_CONNECTED)
		return POLLOUT | POLLWRNORM | POLLWRBAND | POLLHUP; /* as Linux says it */
	/* As Linux: the peer's close or SHUT_WR ends our reading, its close or
	 * SHUT_RD our writing; both ended is a hang-up, and writing that can
	 * only fail does not block. */
	unsigned in = pipe_poll_end(u->in, true, NULL), out = pipe_poll_end(u->out, false, NULL);
	bool rcv_ended = shut_rd || (in & POLLHUP), snd_ended = shut_wr || (out & POLLERR);
	unsigned events = __atomic_load_n(reset_of(u, u->in), __ATOMIC_ACQUIRE) ? POLLERR : 0;
	if ((in & POLLIN) || rcv_ended)
		events |= POLLIN | POLLRDNORM;
	if (rcv_ended)
		events |= POLLRDHUP;
	if (rcv_ended && snd_ended)
		events |= POLLHUP;
	if ((out & POLLOUT) || snd_ended)
		events |= POLLOUT | POLLWRNORM | POLLWRBAND;
	return events;
}

size_t unix_stream_unread(struct unix_sock *u)
{
	return state_of(u) == UNIX_CONNECTED ? pipe_unread(u->in) : 0;
}

void unix_stream_close(struct unix_sock *u)
{
	struct list unaccepted;
	list_init(&unaccepted);
	unsigned long irq;
	spin_lock_irqsave(&u->wq.lock, &irq);
	while (!list_empty(&u->backlog)) {
		struct list *n = u->backlog.next;
		list_remove(n);
		list_push_back(&unaccepted, n);
	}
	u->pending = 0;
	__atomic_store_n(&u->state, UNIX_CLOSED, __ATOMIC_RELEASE);
	wait_queue_wake_locked(&u->wq, -1); /* connects waiting for room: refused */
	spin_unlock_irqrestore(&u->wq.lock, irq);
	/* Connections no one accepted close: their clients read EOF. */
	while (!list_empty(&unaccepted)) {
		struct unix_sock *s = list_first(&unaccepted, struct unix_sock, backlog_node);
		list_remove(&s->backlog_node);
		reset_peer(s, true);
		unix_close(s);
	}
	if (u->conn) {
		reset_peer(u, false);
		leave_conn(u);
	}
}
