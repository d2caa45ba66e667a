/*
 * eventfd: a 64-bit counter as a file. write adds to it (blocking while it
 * would overflow), read takes it whole (or one, with EFD_SEMAPHORE) and
 * blocks while it is 0; O_NONBLOCK turns the waits into EAGAIN. Readable
 * while non-zero, writable while 1 more fits.
 */
#include <kite/errno.h>
#include <kite/file.h>
#include <kite/fs_calls.h>
#include <kite/heap.h>
#include <kite/poll.h>
#include <kite/stat.h>
#include <kite/wait.h>

#define EFD_SEMAPHORE 1
#define EFD_CLOEXEC 02000000
#define EFD_NONBLOCK 04000
#define COUNTER_MAX 0xfffffffffffffffeULL

struct eventfd {
	struct wait_queue wq;		/* its lock guards count */
	uint64_t count;
	bool semaphore;
	struct poll_head poll;
};

static ssize_t eventfd_read(struct file *f, void *buf, size_t len, uint64_t *pos)
{
	(void)pos;
	struct eventfd *e = f->priv;
	if (len < 8)
		return -EINVAL;
	unsigned long flags;
	spin_lock_irqsave(&e->wq.lock, &flags);
	while (!e->count) {
		if (f->flags & O_NONBLOCK) {
			spin_unlock_irqrestore(&e->wq.lock, flags);
			return -EAGAIN;
		}
		wait_queue_sleep(&e->wq, &flags, DEADLINE_NONE);
	}
	uint64_t value = e->semaphore ? 1 : e->count;
	e->count -= value;
	wait_queue_wake_locked(&e->wq, -1);
	spin_unlock_irqrestore(&e->wq.lock, flags);
	poll_wake(&e->poll, POLLOUT);
	*(uint64_t *)buf = value;
	return 8;
}

static ssize_t eventfd_write(struct file *f, const void *buf, size_t len, uint64_t *pos)
{
	(void)pos;
	struct eventfd *e = f->priv;
	if (len < 8)
		return -EINVAL;
	uint64_t value = *(const uint64_t *)buf;
	if (value == UINT64_MAX)
		return -EINVAL;
	unsigned long flags;
	spin_lock_irqsave(&e->wq.lock, &flags);
	while (COUNTER_MAX - e->count < value) {
		if (f->flags & O_NONBLOCK) {
			spin_unlock_irqrestore(&e->wq.lock, flags);
			return -EAGAIN;
		}
		wait_queue_sleep(&e->wq, &flags, DEADLINE_NONE);
	}
	e->count += value;
	wait_queue_wake_locked(&e->wq, -1);
	spin_unlock_irqrestore(&e->wq.lock, flags);
	if (value)
		poll_wake(&e->poll, POLLIN);
	return 8;
}

static unsigned eventfd_poll(struct file *f, struct poll_entry *pe)
{
	struct eventfd *e = f->priv;
	if (pe)
		poll_add(&e->poll, pe);
	unsigned long flags;
	spin_lock_irqsave(&e->wq.lock, &flags);
	unsigned events = (e->count ? POLLIN | POLLRDNORM : 0) | (e->count < COUNTER_MAX ? POLLOUT | POLLWRNORM : 0);
	spin_unlock_irqrestore(&e->wq.lock, flags);
	return events;
}

static void eventfd_release(struct file *f)
{
	kfree(f->priv);
}

static const struct file_ops eventfd_ops = {
	.read = eventfd_read,
	.write = eventfd_write,
	.poll = eventfd_poll,
	.release = eventfd_release,
};

long sys_eventfd2(unsigned initval, int flags)
{
	if (flags & ~(EFD_SEMAPHORE | EFD_CLOEXEC | EFD_NONBLOCK))
		return -EINVAL;
	struct eventfd *e = kzalloc(sizeof(*e));
	struct file *f = e ? file_new(&eventfd_ops, NULL, O_RDWR | (flags & EFD_NONBLOCK ? O_NONBLOCK : 0)) : NULL;
	if (!f) {
		kfree(e);
		return -ENOMEM;
	}
	wait_queue_init(&e->wq);
	poll_head_init(&e->poll);
	e->count = initval;
	e->semaphore = flags & EFD_SEMAPHORE;
	f->priv = e;
	int fd = fd_install(f, 0, flags & EFD_CLOEXEC);
	if (fd < 0)
		file_put(f);
	return fd;
}

long sys_eventfd(unsigned initval)
{
	return sys_eventfd2(initval, 0);
}
