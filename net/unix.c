/*
 * AF_UNIX sockets: the socket object, its file (read, write, poll, ioctl,
 * close) and the socket calls that net/socket.c hands over for them. Names
 * are in unix_names.c, streams (socketpair's and connected ones, on pipe
 * rings) in unix_stream.c, datagrams in unix_dgram.c.
 *
 * A socket is reference-counted apart from its file, because others hold it
 * after the file is closed: a datagram socket connected to it finds it
 * closed (ECONNREFUSED), and a connection waits in a listener's backlog
 * before it has a file.
 *
 * sendmsg and recvmsg are in unix_msg.c, their control data (SCM_RIGHTS,
 * SCM_CREDENTIALS) in unix_rights.c.
 *
 * Not there: SOCK_SEQPACKET; the autobind that Linux does for a sender when
 * SO_PASSCRED is on.
 */
#include <kite/clock.h>
#include <kite/errno.h>
#include <kite/file.h>
#include <kite/fs_calls.h>
#include <kite/heap.h>
#include <kite/poll.h>
#include <kite/stat.h>
#include <kite/sys_process.h>
#include <string.h>
#include "socket_buffers.h"
#include "unix.h"
#include "unix_sock.h"

#define SOCK_TYPE_MASK 0xf
#define SOCK_RAW 3
#define SHUT_RD 0
#define SHUT_WR 1
#define SHUT_RDWR 2
#define SOL_SOCKET 1
#define SO_REUSEADDR 2
#define SO_TYPE 3
#define SO_ERROR 4
#define SO_SNDBUF 7
#define SO_RCVBUF 8
#define SO_PASSCRED 16
#define SO_PEERCRED 17
#define SO_RCVTIMEO 20
#define SO_SNDTIMEO 21
#define SO_ACCEPTCONN 30
#define SO_PROTOCOL 38
#define SO_DOMAIN 39
#define FIONREAD 0x541b
#define FIONBIO 0x5421

/* --- the object --- */

struct unix_sock *unix_sock_new(int type)
{
	struct unix_sock *u = kzalloc(sizeof(*u));
	if (!u)
		return NULL;
	u->refs = 1;
	u->type = type;
	wait_queue_init(&u->wq);
	poll_head_init(&u->poll);
	poll_head_init(&u->room);
	list_init(&u->bound_node);
	list_init(&u->backlog);
	list_init(&u->backlog_node);
	list_init(&u->queue);
	return u;
}

void unix_get(struct unix_sock *u)
{
	__atomic_add_fetch(&u->refs, 1, __ATOMIC_RELAXED);
}

void unix_put(struct unix_sock *u)
{
	if (__atomic_sub_fetch(&u->refs, 1, __ATOMIC_ACQ_REL) == 0)
		kfree(u);
}

uint64_t unix_deadline(struct file *f, int msg_flags, uint64_t timeout_ns)
{
	if ((f && (f->flags & O_NONBLOCK)) || (msg_flags & MSG_DONTWAIT))
		return 0;
	return timeout_ns ? clock_monotonic_ns() + timeout_ns : DEADLINE_NONE;
}

static void relay_wake(struct poll_entry *e, unsigned events)
{
	struct unix_sock *u = e->owner;
	poll_wake(&u->poll, events);
}

void unix_relay_start(struct unix_sock *u, struct poll_head *from)
{
	u->relay.wake = relay_wake;
	u->relay.owner = u;
	poll_add(from, &u->relay);
}

/* --- the file --- */

static struct unix_sock *sock_of(struct file *f)
{
	return f->priv;
}

static ssize_t unix_read(struct file *f, void *buf, size_t len, uint64_t *pos)
{
	(void)pos;
	return unix_recvfrom(f, buf, len, 0, NULL, NULL);
}

static ssize_t unix_write(struct file *f, const void *buf, size_t len, uint64_t *pos)
{
	(void)pos;
	return unix_sendto(f, buf, len, 0, NULL, 0);
}

static unsigned unix_poll(struct file *f, struct poll_entry *e)
{
	struct unix_sock *u = sock_of(f);
	if (e)
		poll_add(&u->poll, e); /* first, so that no change after the look is missed */
	return u->type == SOCK_STREAM ? unix_stream_poll(u) : unix_dgram_poll(u);
}

static int unix_ioctl(struct file *f, unsigned long request, void *arg)
{
	struct unix_sock *u = sock_of(f);
	switch (request) {
	case FIONBIO:
		if (*(int *)arg)
			f->flags |= O_NONBLOCK;
		else
			f->flags &= ~(unsigned)O_NONBLOCK;
		return 0;
	case FIONREAD:
		if (u->type == SOCK_STREAM && __atomic_load_n(&u->state, __ATOMIC_ACQUIRE) == UNIX_LISTENING)
			return -EINVAL;
		*(int *)arg = (int)(u->type == SOCK_STREAM ? unix_stream_unread(u) : unix_dgram_next_size(u));
		return 0;
	}
	return -ENOTTY;
}

void unix_close(struct unix_sock *u)
{
	unix_names_unbind(u);
	if (u->type == SOCK_STREAM)
		unix_stream_close(u);
	else
		unix_dgram_close(u);
	unix_put(u);
}

static void unix_release(struct file *f)
{
	unix_close(sock_of(f));
}

static const struct file_ops unix_ops = {
	.read = unix_read,
	.write = unix_write,
	.poll = unix_poll,
	.ioctl = unix_ioctl,
	.release = unix_release,
	.fstat_type = S_IFSOCK,
};

bool unix_is(const struct file *f)
{
	return f->ops == &unix_ops;
}

bool unix_is_datagram(const struct file *f)
{
	return sock_of((struct file *)f)->type == SOCK_DGRAM;
}

long unix_install(struct unix_sock *u, int flags)
{
	struct file *f = file_new(&unix_ops, NULL, O_RDWR | (flags & SOCK_NONBLOCK ? O_NONBLOCK : 0));
	if (!f) {
		unix_close(u);
		return -ENOMEM;
	}
	f->priv = u;
	int fd = fd_install(f, 0, flags & SOCK_CLOEXEC);
	if (fd < 0)
		file_put(f); /* closes u */
	return fd;
}

/* --- the calls --- */

static int socket_kind(int type)
{
	int kind = type & SOCK_TYPE_MASK;
	if (type & ~(SOCK_TYPE_MASK | SOCK_NONBLOCK | SOCK_CLOEXEC))
		return -EINVAL;
	if (kind == SOCK_RAW)
		return SOCK_DGRAM; /* as Linux takes it */
	return kind == SOCK_STREAM || kind == SOCK_DGRAM ? kind : -ESOCKTNOSUPPORT;
}

long unix_socket(int type, int protocol)
{
	if (protocol && protocol != AF_UNIX)
		return -EPROTONOSUPPORT;
	int kind = socket_kind(type);
	if (kind < 0)
		return kind;
	struct unix_sock *u = unix_sock_new(kind);
	return u ? unix_install(u, type) : -ENOMEM;
}

long unix_socketpair(int type, int sv[2])
{
	int kind = socket_kind(type);
	if (kind < 0)
		return kind;
	struct unix_sock *a = unix_sock_new(kind), *b = unix_sock_new(kind);
	int err = a && b ? 0 : -ENOMEM;
	if (!err && kind == SOCK_STREAM) {
		err = unix_stream_join(a, b);
		if (!err)
			a->state = b->state = UNIX_CONNECTED;
	} else if (!err) {
		unix_dgram_pair(a, b);
	}
	if (err) {
		kfree(a);
		kfree(b);
		return err;
	}
	long fd0 = unix_install(a, type);
	if (fd0 < 0) {
		unix_close(b);
		return fd0;
	}
	long fd1 = unix_install(b, type);
	if (fd1 < 0) {
		sys_close((int)fd0);
		return fd1;
	}
	sv[0] = (int)fd0;
	sv[1] = (int)fd1;
	return 0;
}

long unix_bind(struct file *f, const void *addr, uint32_t len)
{
	return unix_names_bind(sock_of(f), addr, len);
}

long unix_listen(struct file *f, int backlog)
{
	struct unix_sock *u = sock_of(f);
	return u->type == SOCK_STREAM ? unix_stream_listen(u, backlog) : -EOPNOTSUPP;
}

long unix_accept(struct file *f, void *addr, uint32_t *len, int flags)
{
	struct unix_sock *u = sock_of(f);
	return u->type == SOCK_STREAM ? unix_stream_accept(f, u, addr, len, flags) : -EOPNOTSUPP;
}

long unix_connect(struct file *f, const void *addr, uint32_t len)
{
	struct unix_sock *u = sock_of(f);
	return u->type == SOCK_STREAM ? unix_stream_connect(f, u, addr, len) : unix_dgram_connect(u, addr, len);
}

long unix_getname(struct file *f, void *addr, uint32_t *len, bool peer)
{
	struct unix_sock *u = sock_of(f), *other = NULL;
	struct unix_name name;
	long err = 0;
	unsigned long flags;
	spin_lock_irqsave(&u->wq.lock, &flags);
	if (!peer)
		name = u->name;
	else if (u->type == SOCK_STREAM && u->state == UNIX_CONNECTED)
		name = u->peer_name;
	else if (u->type == SOCK_DGRAM && u->peer)
		unix_get(other = u->peer);
	else
		err = -ENOTCONN;
	spin_unlock_irqrestore(&u->wq.lock, flags);
	if (other) {
		spin_lock_irqsave(&other->wq.lock, &flags);
		name = other->name;
		spin_unlock_irqrestore(&other->wq.lock, flags);
		unix_put(other);
	}
	if (!err)
		unix_names_copy_out(&name, addr, len, false);
	return err;
}

long unix_send(struct file *f, const void *buf, size_t len, int flags, const void *addr, uint32_t addrlen,
	       struct unix_rights *rights, const struct unix_ucred *cred)
{
	struct unix_sock *u = sock_of(f);
	if (!addrlen)
		addr = NULL; /* as Linux: a name of no length is none */
	if (u->type == SOCK_DGRAM)
		return unix_dgram_send(f, u, buf, len, flags, addr, addrlen, rights, cred);
	if (addr) {
		unix_rights_put(rights);
		return __atomic_load_n(&u->state, __ATOMIC_ACQUIRE) == UNIX_CONNECTED ? -EISCONN : -EOPNOTSUPP;
	}
	/* A stream's credentials are always Kite's own (FIXME: claimed ones are not kept). */
	return unix_stream_send(f, u, buf, len, flags, rights);
}

long unix_sendto(struct file *f, const void *buf, size_t len, int flags, const void *addr, uint32_t addrlen)
{
	return unix_send(f, buf, len, flags, addr, addrlen, NULL, NULL);
}

long unix_recv(struct file *f, void *buf, size_t len, int flags, void *addr, uint32_t *addrlen,
	       struct unix_rights **rights, struct unix_ucred *cred, int *msg_flags)
{
	struct unix_sock *u = sock_of(f);
	if (u->type == SOCK_DGRAM)
		return unix_dgram_recv(f, u, buf, len, flags, addr, addrlen, rights, cred, msg_flags);
	unix_own_cred(cred);
	long n = unix_stream_recv(f, u, buf, len, flags, rights);
	if (n >= 0 && addr && addrlen) {
		/* Linux names the sender: the other end, if it has a name. */
		unsigned long irq;
		spin_lock_irqsave(&u->wq.lock, &irq);
		struct unix_name peer = u->peer_name;
		spin_unlock_irqrestore(&u->wq.lock, irq);
		unix_names_copy_out(&peer, addr, addrlen, true);
	}
	return n;
}

long unix_recvfrom(struct file *f, void *buf, size_t len, int flags, void *addr, uint32_t *addrlen)
{
	struct unix_rights *rights;
	struct unix_ucred cred;
	int msg_flags = 0;
	long n = unix_recv(f, buf, len, flags, addr, addrlen, &rights, &cred, &msg_flags);
	unix_rights_put(rights); /* as Linux: files that come to a plain read close */
	return n;
}

long unix_shutdown(struct file *f, int how)
{
	struct unix_sock *u = sock_of(f);
	if (how < SHUT_RD || how > SHUT_RDWR)
		return -EINVAL;
	bool rd = how != SHUT_WR, wr = how != SHUT_RD;
	unsigned long flags;
	spin_lock_irqsave(&u->wq.lock, &flags);
	u->shut_rd |= rd;
	u->shut_wr |= wr;
	wait_queue_wake_locked(&u->wq, -1); /* accept and datagram receivers look again */
	spin_unlock_irqrestore(&u->wq.lock, flags);
	if (u->type == SOCK_STREAM)
		unix_stream_shutdown(u, rd, wr);
	poll_wake(&u->poll, POLLIN | POLLOUT | POLLHUP);
	return 0;
}

struct timeval64 {
	int64_t sec, usec;
};

long unix_setsockopt(struct file *f, int level, int name, const void *value, uint32_t len)
{
	struct unix_sock *u = sock_of(f);
	if (level != SOL_SOCKET)
		return -EOPNOTSUPP;
	if (!value || len < sizeof(int))
		return -EINVAL;
	int v = *(const int *)value;
	switch (name) {
	case SO_REUSEADDR: return 0; /* means nothing to AF_UNIX */
	case SO_PASSCRED: u->passcred = v; return 0;
	case SO_SNDBUF: u->sndbuf = socket_buffer_size(v, false); return 0;
	case SO_RCVBUF: u->rcvbuf = socket_buffer_size(v, true); return 0;
	case SO_RCVTIMEO:
	case SO_SNDTIMEO: {
		const struct timeval64 *tv = value;
		if (len < sizeof(*tv))
			return -EINVAL;
		if (tv->usec < 0 || tv->usec >= 1000000)
			return -EDOM;
		uint64_t ns = tv->sec < 0 ? 0 : (uint64_t)tv->sec * 1000000000 + (uint64_t)tv->usec * 1000;
		*(name == SO_RCVTIMEO ? &u->rcvtimeo_ns : &u->sndtimeo_ns) = ns;
		return 0;
	}
	}
	return -ENOPROTOOPT;
}

long unix_getsockopt(struct file *f, int level, int name, void *value, uint32_t *len)
{
	struct unix_sock *u = sock_of(f);
	if (level != SOL_SOCKET)
		return -EOPNOTSUPP;
	if (!value || !len || *len < sizeof(int))
		return -EINVAL;
	int v;
	switch (name) {
	case SO_TYPE: v = u->type; break;
	case SO_ERROR: v = 0; break;
	case SO_REUSEADDR: v = 0; break;
	case SO_PASSCRED: v = u->passcred; break;
	case SO_SNDBUF: v = u->sndbuf ? u->sndbuf : UNIX_BUFFER_BYTES; break;
	case SO_RCVBUF: v = u->rcvbuf ? u->rcvbuf : UNIX_BUFFER_BYTES; break;
	case SO_ACCEPTCONN: v = __atomic_load_n(&u->state, __ATOMIC_ACQUIRE) == UNIX_LISTENING; break;
	case SO_PROTOCOL: v = 0; break;
	case SO_DOMAIN: v = AF_UNIX; break;
	case SO_PEERCRED: {
		/* One process: the peer is this one. Kite's gid is its uid (0). */
		int cred[3] = { (int)sys_getpid(), (int)sys_getuid(), (int)sys_getuid() };
		uint32_t n = *len < sizeof(cred) ? *len : sizeof(cred);
		memcpy(value, cred, n);
		*len = n;
		return 0;
	}
	case SO_RCVTIMEO:
	case SO_SNDTIMEO: {
		uint64_t ns = name == SO_RCVTIMEO ? u->rcvtimeo_ns : u->sndtimeo_ns;
		struct timeval64 tv = { (int64_t)(ns / 1000000000), (int64_t)(ns % 1000000000 / 1000) };
		uint32_t n = *len < sizeof(tv) ? *len : sizeof(tv);
		memcpy(value, &tv, n);
		*len = n;
		return 0;
	}
	default: return -ENOPROTOOPT;
	}
	*(int *)value = v;
	*len = sizeof(int);
	return 0;
}
