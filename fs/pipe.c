/*
 * Pipes: a 64 KiB ring with a reader end and a writer end. Readers block while
 * it is empty and a writer exists (EOF when none is left), writers block while
 * it is full and a reader exists (EPIPE when none is left); O_NONBLOCK turns the
 * waits into EAGAIN. Writes of up to PIPE_BUF bytes are atomic.
 *
 * Locking: the wait queue's lock protects the ring and the counts.
 *
 * The ring is also each direction of a connected AF_UNIX stream socket
 * (net/unix_stream.c), through kite/pipe.h. A socket's writes may mark their
 * bytes (the descriptors sent with them ride on the mark): the marks are
 * kept here, under the same lock as the bytes, so that a reader sees a mark
 * exactly when it sees its first byte, and no reader runs past its end.
 */
#include <kite/errno.h>
#include <kite/file.h>
#include <kite/fs_calls.h>
#include <kite/heap.h>
#include <kite/pipe.h>
#include <kite/poll.h>
#include <kite/sys_signal.h>
#include <kite/wait.h>
#include <string.h>

#define PIPE_SIZE (64 * 1024)
#define PIPE_BUF 4096

struct pipe {
	struct wait_queue wq;	/* readers and writers both wait here */
	char *buf;
	size_t head, count;	/* wq.lock */
	uint64_t consumed;	/* wq.lock: bytes read since the start (a mark's offsets count from it) */
	struct list marks;	/* wq.lock: struct pipe_mark, oldest first */
	int readers, writers;	/* wq.lock */
	struct poll_head own_poll;
	struct poll_head *poll;	/* own_poll, or the one a socket pair's two rings share */
};

ssize_t pipe_read_marked(struct pipe *p, void *out, size_t len, uint64_t deadline, bool peek,
			 struct pipe_mark **mark)
{
	unsigned long flags;
	ssize_t n = 0;
	struct pipe_mark *m = NULL;

	*mark = NULL;
	if (!len)
		return 0;
	spin_lock_irqsave(&p->wq.lock, &flags);
	while (!p->count && p->writers) {
		if (!deadline || wait_queue_sleep(&p->wq, &flags, deadline)) {
			n = -EAGAIN;
			goto out_unlock;
		}
	}
	/* Marked bytes end the read; reading any of them takes their mark. No
	 * mark lies wholly behind `consumed`: a read that reached it took it. */
	if (!list_empty(&p->marks)) {
		m = list_first(&p->marks, struct pipe_mark, node);
		if (m->start < p->consumed + MIN(len, p->count))
			len = MIN(len, (size_t)(m->end - p->consumed));
		else
			m = NULL;
	}
	size_t head = p->head, count = p->count;
	while ((size_t)n < len && count) {
		size_t chunk = MIN(len - (size_t)n, MIN(count, PIPE_SIZE - head));
		memcpy((char *)out + n, p->buf + head, chunk);
		head = (head + chunk) % PIPE_SIZE;
		count -= chunk;
		n += (ssize_t)chunk;
	}
	if (m && peek)
		__atomic_add_fetch(&m->refs, 1, __ATOMIC_RELAXED);
	else if (m)
		list_remove(&m->node); /* the ring's reference goes to the caller */
	*mark = m;
	if (!peek) {
		p->head = head;
		p->count = count;
		p->consumed += (uint64_t)n;
		wait_queue_wake_locked(&p->wq, -1); /* writers waiting for room */
		poll_wake(p->poll, POLLOUT);
	}
out_unlock:
	spin_unlock_irqrestore(&p->wq.lock, flags);
	return n;
}

ssize_t pipe_read_data(struct pipe *p, void *out, size_t len, uint64_t deadline, bool peek)
{
	struct pipe_mark *m;
	/* Rings with marks are read by pipe_read_marked only. */
	return pipe_read_marked(p, out, len, deadline, peek, &m);
}

ssize_t pipe_write_marked(struct pipe *p, const void *in, size_t len, uint64_t deadline, struct pipe_mark *m)
{
	unsigned long flags;
	size_t done = 0;

	spin_lock_irqsave(&p->wq.lock, &flags);
	while (done < len) {
		if (!p->readers) {
			spin_unlock_irqrestore(&p->wq.lock, flags);
			return done ? (ssize_t)done : -EPIPE; /* the caller raises SIGPIPE */
		}
		size_t room = PIPE_SIZE - p->count;
		/* Small writes go in whole or wait, so they never interleave. */
		if (!room || (len - done <= PIPE_BUF && room < len - done)) {
			if (!deadline || wait_queue_sleep(&p->wq, &flags, deadline)) {
				spin_unlock_irqrestore(&p->wq.lock, flags);
				return done ? (ssize_t)done : -EAGAIN;
			}
			if (done)
				m = NULL; /* in the ring, and maybe read while we slept */
			continue;
		}
		size_t tail = (p->head + p->count) % PIPE_SIZE;
		size_t chunk = MIN(len - done, MIN(room, PIPE_SIZE - tail));
		if (m) {
			if (!done) {
				m->start = m->end = p->consumed + p->count;
				list_push_back(&p->marks, &m->node);
			}
			m->end += chunk;
		}
		memcpy(p->buf + tail, (const char *)in + done, chunk);
		p->count += chunk;
		done += chunk;
		wait_queue_wake_locked(&p->wq, -1); /* readers */
		poll_wake(p->poll, POLLIN);
	}
	spin_unlock_irqrestore(&p->wq.lock, flags);
	return (ssize_t)done;
}

ssize_t pipe_write_data(struct pipe *p, const void *in, size_t len, uint64_t deadline)
{
	return pipe_write_marked(p, in, len, deadline, NULL);
}

struct pipe_mark *pipe_unmark(struct pipe *p)
{
	unsigned long flags;
	spin_lock_irqsave(&p->wq.lock, &flags);
	struct pipe_mark *m = list_empty(&p->marks) ? NULL : list_first(&p->marks, struct pipe_mark, node);
	if (m)
		list_remove(&m->node);
	spin_unlock_irqrestore(&p->wq.lock, flags);
	return m;
}

static ssize_t pipe_read(struct file *f, void *out, size_t len, uint64_t *pos __unused)
{
	return pipe_read_data(f->priv, out, len, f->flags & O_NONBLOCK ? 0 : DEADLINE_NONE, false);
}

static ssize_t pipe_write(struct file *f, const void *in, size_t len, uint64_t *pos __unused)
{
	ssize_t n = pipe_write_data(f->priv, in, len, f->flags & O_NONBLOCK ? 0 : DEADLINE_NONE);
	if (n == -EPIPE)
		signal_raise_self(SIGPIPE);
	return n;
}

bool pipe_shut(struct pipe *p, bool reader)
{
	unsigned long flags;

	spin_lock_irqsave(&p->wq.lock, &flags);
	if (reader)
		p->readers--;
	else
		p->writers--;
	bool last = !p->readers && !p->writers;
	wait_queue_wake_locked(&p->wq, -1); /* EOF or EPIPE for the other end */
	poll_wake(p->poll, POLLHUP | POLLERR);
	spin_unlock_irqrestore(&p->wq.lock, flags);
	return last;
}

void pipe_free(struct pipe *p)
{
	kfree(p->buf);
	kfree(p);
}

void pipe_close_end(struct pipe *p, bool reader)
{
	if (pipe_shut(p, reader))
		pipe_free(p);
}

size_t pipe_unread(struct pipe *p)
{
	unsigned long flags;
	spin_lock_irqsave(&p->wq.lock, &flags);
	size_t n = p->count;
	spin_unlock_irqrestore(&p->wq.lock, flags);
	return n;
}

static void pipe_release(struct file *f)
{
	pipe_close_end(f->priv, (f->flags & O_ACCMODE) == O_RDONLY);
}

unsigned pipe_poll_end(struct pipe *p, bool reader, struct poll_entry *e)
{
	unsigned long flags;
	if (e)
		poll_add(p->poll, e);
	spin_lock_irqsave(&p->wq.lock, &flags);
	unsigned events = 0;
	if (reader) {
		if (p->count)
			events |= POLLIN | POLLRDNORM;
		if (!p->writers)
			events |= POLLHUP;
	} else {
		if (PIPE_SIZE - p->count >= PIPE_BUF)
			events |= POLLOUT | POLLWRNORM;
		if (!p->readers)
			events |= POLLERR;
	}
	spin_unlock_irqrestore(&p->wq.lock, flags);
	return events;
}

static unsigned pipe_poll(struct file *f, struct poll_entry *e)
{
	return pipe_poll_end(f->priv, (f->flags & O_ACCMODE) == O_RDONLY, e);
}

static const struct file_ops pipe_ops = {
	.read = pipe_read,
	.write = pipe_write,
	.poll = pipe_poll,
	.release = pipe_release,
};

struct pipe *pipe_new(struct poll_head *shared)
{
	struct pipe *p = kzalloc(sizeof(*p));
	char *buf = kmalloc(PIPE_SIZE);
	if (!p || !buf) {
		kfree(p);
		kfree(buf);
		return NULL;
	}
	wait_queue_init(&p->wq);
	poll_head_init(&p->own_poll);
	p->poll = shared ? shared : &p->own_poll;
	p->buf = buf;
	list_init(&p->marks);
	p->readers = p->writers = 1;
	return p;
}

long sys_pipe2(int fds[2], int flags)
{
	if (flags & ~(O_CLOEXEC | O_NONBLOCK))
		return -EINVAL;
	struct pipe *p = pipe_new(NULL);
	struct file *r = file_new(&pipe_ops, NULL, O_RDONLY | (flags & O_NONBLOCK));
	struct file *w = file_new(&pipe_ops, NULL, O_WRONLY | (flags & O_NONBLOCK));
	if (!p || !r || !w) {
		if (p) {
			kfree(p->buf);
			kfree(p);
		}
		kfree(r);
		kfree(w);
		return -ENOMEM;
	}
	r->priv = w->priv = p;
	int rfd = fd_install(r, 0, flags & O_CLOEXEC);
	if (rfd < 0) {
		file_put(r);
		file_put(w);
		return rfd;
	}
	int wfd = fd_install(w, 0, flags & O_CLOEXEC);
	if (wfd < 0) {
		sys_close(rfd);
		file_put(w);
		return wfd;
	}
	fds[0] = rfd;
	fds[1] = wfd;
	return 0;
}

long sys_pipe(int fds[2])
{
	return sys_pipe2(fds, 0);
}
