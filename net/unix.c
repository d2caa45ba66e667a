/*
 * AF_UNIX stream sockets, as socketpair makes them: two pipe rings, one per
 * direction (fs/pipe.c), sharing one poll head. read, write, poll, close,
 * and through the socket calls send, recv, sendmsg, recvmsg, shutdown and
 * getsockopt (net/socket.c routes them here).
 *
 * FIXME: AF_UNIX sockets with names (bind/connect to a path) and datagram
 * ones are not there.
 */
#include <kite/errno.h>
#include <kite/file.h>
#include <kite/fs_calls.h>
#include <kite/heap.h>
#include <kite/pipe.h>
#include <kite/poll.h>
#include <kite/stat.h>
#include "unix.h"

#define SOCK_STREAM 1
#define SOCK_NONBLOCK 04000
#define SOCK_CLOEXEC 02000000
#define MSG_DONTWAIT 0x40
#define SHUT_RD 0
#define SHUT_WR 1
#define SHUT_RDWR 2

struct unix_pair {
	struct poll_head poll;		/* both rings announce here */
	int ends;			/* open ends; the pair goes with the last */
};

struct unix_end {
	struct unix_pair *pair;
	struct pipe *in, *out;
	bool in_closed, out_closed;	/* shutdown */
};

static ssize_t unix_read(struct file *f, void *buf, size_t len, uint64_t *pos)
{
	(void)pos;
	return unix_recv(f, buf, len, 0);
}

static ssize_t unix_write(struct file *f, const void *buf, size_t len, uint64_t *pos)
{
	(void)pos;
	return unix_send(f, buf, len, 0);
}

static unsigned unix_poll(struct file *f, struct poll_entry *e)
{
	struct unix_end *u = f->priv;
	unsigned in = u->in_closed ? POLLIN | POLLRDNORM : pipe_poll_end(u->in, true, e);
	unsigned out = u->out_closed ? 0 : pipe_poll_end(u->out, false, u->in_closed ? e : NULL);
	if (in & POLLHUP)
		in |= POLLIN | POLLRDHUP; /* EOF reads as readable */
	return (in & (POLLIN | POLLRDNORM | POLLHUP | POLLRDHUP)) | (out & (POLLOUT | POLLWRNORM | POLLERR));
}

static void unix_release(struct file *f)
{
	struct unix_end *u = f->priv;
	if (!u->in_closed)
		pipe_close_end(u->in, true);
	if (!u->out_closed)
		pipe_close_end(u->out, false);
	if (__atomic_sub_fetch(&u->pair->ends, 1, __ATOMIC_ACQ_REL) == 0)
		kfree(u->pair);
	kfree(u);
}

static const struct file_ops unix_ops = {
	.read = unix_read,
	.write = unix_write,
	.poll = unix_poll,
	.release = unix_release,
};

bool unix_is(const struct file *f)
{
	return f->ops == &unix_ops;
}

long unix_recv(struct file *f, void *buf, size_t len, int flags)
{
	struct unix_end *u = f->priv;
	if (u->in_closed)
		return 0;
	bool nonblock = (f->flags & O_NONBLOCK) || (flags & MSG_DONTWAIT);
	return pipe_read_data(u->in, buf, len, nonblock ? 0 : DEADLINE_NONE, false);
}

long unix_send(struct file *f, const void *buf, size_t len, int flags)
{
	struct unix_end *u = f->priv;
	if (u->out_closed)
		return -EPIPE;
	bool nonblock = (f->flags & O_NONBLOCK) || (flags & MSG_DONTWAIT);
	return pipe_write_data(u->out, buf, len, nonblock ? 0 : DEADLINE_NONE);
}

long unix_shutdown(struct file *f, int how)
{
	struct unix_end *u = f->priv;
	if (how < SHUT_RD || how > SHUT_RDWR)
		return -EINVAL;
	/* FIXME: two threads shutting down one end at once could close a side twice. */
	if (how != SHUT_WR && !u->in_closed) {
		u->in_closed = true;
		pipe_close_end(u->in, true);
	}
	if (how != SHUT_RD && !u->out_closed) {
		u->out_closed = true;
		pipe_close_end(u->out, false);
	}
	return 0;
}

long unix_socketpair(int type, int sv[2])
{
	if ((type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC)) != SOCK_STREAM)
		return -EOPNOTSUPP;
	struct unix_pair *pair = kzalloc(sizeof(*pair));
	struct unix_end *a = kzalloc(sizeof(*a)), *b = kzalloc(sizeof(*b));
	unsigned flags = O_RDWR | (type & SOCK_NONBLOCK ? O_NONBLOCK : 0);
	struct file *fa = file_new(&unix_ops, NULL, flags), *fb = file_new(&unix_ops, NULL, flags);
	struct pipe *ab = pair ? pipe_new(&pair->poll) : NULL, *ba = pair ? pipe_new(&pair->poll) : NULL;
	if (!pair || !a || !b || !fa || !fb || !ab || !ba) {
		if (ab) {
			pipe_close_end(ab, true);
			pipe_close_end(ab, false);
		}
		if (ba) {
			pipe_close_end(ba, true);
			pipe_close_end(ba, false);
		}
		kfree(pair);
		kfree(a);
		kfree(b);
		kfree(fa);
		kfree(fb);
		return -ENOMEM;
	}
	poll_head_init(&pair->poll);
	pair->ends = 2;
	*a = (struct unix_end){ .pair = pair, .in = ba, .out = ab };
	*b = (struct unix_end){ .pair = pair, .in = ab, .out = ba };
	fa->priv = a;
	fb->priv = b;
	int fd0 = fd_install(fa, 0, type & SOCK_CLOEXEC);
	if (fd0 < 0) {
		file_put(fa);
		file_put(fb);
		return fd0;
	}
	int fd1 = fd_install(fb, 0, type & SOCK_CLOEXEC);
	if (fd1 < 0) {
		sys_close(fd0);
		file_put(fb);
		return fd1;
	}
	sv[0] = fd0;
	sv[1] = fd1;
	return 0;
}
