/*
 * epoll: an epoll file keeps an interest list of (file, events, data) items.
 * Each item hangs a poll_entry on its file's poll head; when the file
 * announces a change, the item goes on the epoll's ready list (a spinlock,
 * as announcements come from interrupt handlers and lwIP's thread) and the
 * waiters wake. epoll_wait then asks each ready item's file for its events:
 * level-triggered items stay on the ready list while they have any,
 * edge-triggered (EPOLLET) and one-shot ones leave it until the next
 * announcement (one-shot ones until EPOLL_CTL_MOD re-arms them).
 *
 * As on Linux, closing a file's last descriptor takes it out of every epoll
 * (epoll_file_closed, from file_put): items hold no reference to their file.
 *
 * Locks: the epoll's mutex guards its interest list; ready_lock (a spinlock)
 * the ready list; items_lock (global) the files' lists of items.
 */
#include <kite/clock.h>
#include <kite/errno.h>
#include <kite/file.h>
#include <kite/fs_calls.h>
#include <kite/heap.h>
#include <kite/poll.h>
#include <kite/stat.h>
#include <kite/sync.h>
#include <string.h>

#define EPOLL_CTL_ADD 1
#define EPOLL_CTL_DEL 2
#define EPOLL_CTL_MOD 3
#define EPOLLEXCLUSIVE (1u << 28)
#define EPOLLWAKEUP (1u << 29)
#define EPOLLONESHOT (1u << 30)
#define EPOLLET (1u << 31)
#define EPOLL_CLOEXEC 02000000
#define MAX_EVENTS (INT32_MAX / 12)

struct epoll_event {
	uint32_t events;
	uint64_t data;
} __attribute__((packed));

struct epoll {
	struct mutex lock;		/* the interest list */
	struct list items;
	spinlock_t ready_lock;
	struct list ready;
	struct semaphore wake;		/* waiters in epoll_wait */
	int waiters;			/* ready_lock */
	struct poll_head poll;		/* the epoll file itself is pollable */
	unsigned collect_round;		/* counts collect calls; the lock held */
};

struct epoll_item {
	struct epoll *ep;
	struct file *file;		/* not referenced: closing the file removes the item */
	int fd;
	uint32_t events;		/* what the program asked for; 0: a disarmed one-shot */
	uint64_t data;
	struct poll_entry entry;
	struct list node;		/* in ep->items */
	struct list ready_node;		/* in ep->ready, when on_ready */
	bool on_ready;
	unsigned collected_in;		/* the last collect round that looked at it */
	struct list file_node;		/* in the file's epoll_items */
};

static spinlock_t items_lock = SPINLOCK_INIT;

static void make_ready(struct epoll_item *it)
{
	struct epoll *ep = it->ep;
	unsigned long flags;
	spin_lock_irqsave(&ep->ready_lock, &flags);
	bool wake = false;
	if (!it->on_ready && it->events) {
		it->on_ready = true;
		list_push_back(&ep->ready, &it->ready_node);
		wake = ep->waiters > 0;
	}
	spin_unlock_irqrestore(&ep->ready_lock, flags);
	if (wake)
		semaphore_up(&ep->wake);
	poll_wake(&ep->poll, POLLIN);
}

static void item_wake(struct poll_entry *e, unsigned events)
{
	(void)events;
	make_ready(e->owner);
}

static void leave_ready(struct epoll_item *it)
{
	unsigned long flags;
	spin_lock_irqsave(&it->ep->ready_lock, &flags);
	if (it->on_ready) {
		list_remove(&it->ready_node);
		it->on_ready = false;
	}
	spin_unlock_irqrestore(&it->ep->ready_lock, flags);
}

/* Takes an item out of everything; the epoll's lock held. */
static void item_remove(struct epoll_item *it)
{
	poll_remove(&it->entry);
	leave_ready(it);
	list_remove(&it->node);
	spin_lock(&items_lock);
	list_remove(&it->file_node);
	spin_unlock(&items_lock);
	kfree(it);
}

static unsigned file_events(struct file *f, struct poll_entry *e)
{
	return f->ops->poll ? f->ops->poll(f, e) : POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM;
}

/* A reference to f unless its last one is already gone (it is closing). */
static bool file_try_get(struct file *f)
{
	int refs = __atomic_load_n(&f->refs, __ATOMIC_RELAXED);
	while (refs > 0)
		if (__atomic_compare_exchange_n(&f->refs, &refs, refs + 1, false, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
			return true;
	return false;
}

void epoll_file_closed(struct file *f)
{
	for (;;) {
		spin_lock(&items_lock);
		if (list_empty(&f->epoll_items)) {
			spin_unlock(&items_lock);
			return;
		}
		struct epoll_item *it = list_entry(f->epoll_items.next, struct epoll_item, file_node);
		struct epoll *ep = it->ep;
		spin_unlock(&items_lock);
		mutex_lock(&ep->lock);
		/* Still there (a concurrent EPOLL_CTL_DEL may have taken it)? */
		bool present = false;
		list_for_each(pos, &ep->items)
			present |= pos == &it->node;
		if (present)
			item_remove(it);
		mutex_unlock(&ep->lock);
	}
}

/* --- the epoll file --- */

static unsigned epoll_poll(struct file *f, struct poll_entry *e)
{
	struct epoll *ep = f->priv;
	if (e)
		poll_add(&ep->poll, e);
	unsigned long flags;
	spin_lock_irqsave(&ep->ready_lock, &flags);
	bool ready = !list_empty(&ep->ready);
	spin_unlock_irqrestore(&ep->ready_lock, flags);
	return ready ? POLLIN | POLLRDNORM : 0;
}

static void epoll_release(struct file *f)
{
	struct epoll *ep = f->priv;
	mutex_lock(&ep->lock);
	while (!list_empty(&ep->items))
		item_remove(list_entry(ep->items.next, struct epoll_item, node));
	mutex_unlock(&ep->lock);
	kfree(ep);
}

static ssize_t epoll_read(struct file *f, void *buf, size_t len, uint64_t *pos)
{
	(void)f, (void)buf, (void)len, (void)pos;
	return -EINVAL;
}

static ssize_t epoll_write(struct file *f, const void *buf, size_t len, uint64_t *pos)
{
	(void)f, (void)buf, (void)len, (void)pos;
	return -EINVAL;
}

static const struct file_ops epoll_ops = {
	.read = epoll_read,
	.write = epoll_write,
	.poll = epoll_poll,
	.release = epoll_release,
};

long sys_epoll_create1(int flags)
{
	if (flags & ~EPOLL_CLOEXEC)
		return -EINVAL;
	struct epoll *ep = kzalloc(sizeof(*ep));
	struct file *f = ep ? file_new(&epoll_ops, NULL, O_RDWR) : NULL;
	if (!f) {
		kfree(ep);
		return -ENOMEM;
	}
	mutex_init(&ep->lock);
	list_init(&ep->items);
	spin_init(&ep->ready_lock);
	list_init(&ep->ready);
	semaphore_init(&ep->wake, 0);
	poll_head_init(&ep->poll);
	f->priv = ep;
	int fd = fd_install(f, 0, flags & EPOLL_CLOEXEC);
	if (fd < 0)
		file_put(f);
	return fd;
}

long sys_epoll_create(int size)
{
	return size <= 0 ? -EINVAL : sys_epoll_create1(0);
}

static struct epoll_item *find_item(struct epoll *ep, struct file *f, int fd)
{
	list_for_each(pos, &ep->items) {
		struct epoll_item *it = list_entry(pos, struct epoll_item, node);
		if (it->file == f && it->fd == fd)
			return it;
	}
	return NULL;
}

long sys_epoll_ctl(int epfd, int op, int fd, struct epoll_event *event)
{
	struct file *ef = fd_get(epfd);
	if (!ef)
		return -EBADF;
	struct file *f = fd_get(fd);
	long err = 0;
	if (!f) {
		err = -EBADF;
		goto out;
	}
	if (ef->ops != &epoll_ops || f == ef) {
		err = -EINVAL;
		goto out;
	}
	if (f->ops == &vnode_file_ops) {
		err = -EPERM; /* regular files and directories, as on Linux */
		goto out;
	}
	if (op != EPOLL_CTL_DEL && !event) {
		err = -EFAULT;
		goto out;
	}
	struct epoll *ep = ef->priv;
	mutex_lock(&ep->lock);
	struct epoll_item *it = find_item(ep, f, fd);
	switch (op) {
	case EPOLL_CTL_ADD:
		if (it) {
			err = -EEXIST;
			break;
		}
		it = kzalloc(sizeof(*it));
		if (!it) {
			err = -ENOMEM;
			break;
		}
		*it = (struct epoll_item){ .ep = ep, .file = f, .fd = fd, .events = event->events, .data = event->data };
		it->entry.wake = item_wake;
		it->entry.owner = it;
		list_push_back(&ep->items, &it->node);
		spin_lock(&items_lock);
		list_push_back(&f->epoll_items, &it->file_node);
		spin_unlock(&items_lock);
		if (file_events(f, &it->entry) & (it->events | POLLERR | POLLHUP))
			make_ready(it);
		break;
	case EPOLL_CTL_MOD:
		if (!it) {
			err = -ENOENT;
			break;
		}
		it->events = event->events;
		it->data = event->data;
		if (file_events(f, NULL) & (it->events | POLLERR | POLLHUP))
			make_ready(it);
		break;
	case EPOLL_CTL_DEL:
		if (!it)
			err = -ENOENT;
		else
			item_remove(it);
		break;
	default:
		err = -EINVAL;
	}
	mutex_unlock(&ep->lock);
out:
	file_put(f);
	file_put(ef);
	return err;
}

/* Takes the events of the ready items, at most max, looking at no more than
 * max_put of them (each looked-at file is referenced in to_put); the epoll's
 * lock held. */
static int collect(struct epoll *ep, struct epoll_event *out, int max, struct file **to_put, int *nr_put,
		   int max_put)
{
	int n = 0;
	unsigned long flags;
	struct list done;
	list_init(&done);
	unsigned round = ++ep->collect_round;
	spin_lock_irqsave(&ep->ready_lock, &flags);
	while (n < max && *nr_put < max_put && !list_empty(&ep->ready)) {
		struct epoll_item *it = list_entry(ep->ready.next, struct epoll_item, ready_node);
		list_remove(&it->ready_node);
		if (it->collected_in == round) {
			/* Made ready again while we looked at it (asking a
			 * socket for its events can process its segments): one
			 * report per call, as on Linux; it stays ready. */
			list_push_back(&done, &it->ready_node);
			continue;
		}
		it->collected_in = round;
		it->on_ready = false;
		spin_unlock_irqrestore(&ep->ready_lock, flags);
		unsigned events = 0;
		if (it->events && file_try_get(it->file)) {
			events = file_events(it->file, NULL) & (it->events | POLLERR | POLLHUP);
			to_put[(*nr_put)++] = it->file;
		}
		spin_lock_irqsave(&ep->ready_lock, &flags);
		if (!events)
			continue;
		out[n].events = events;
		out[n].data = it->data;
		n++;
		if (it->events & EPOLLONESHOT)
			it->events = 0;
		else if (!(it->events & EPOLLET) && !it->on_ready) {
			/* Level-triggered: asked again next time, after the others. */
			it->on_ready = true;
			list_push_back(&done, &it->ready_node);
		}
	}
	/* The level-triggered ones go back behind the rest. */
	while (!list_empty(&done)) {
		struct list *node = done.next;
		list_remove(node);
		list_push_back(&ep->ready, node);
	}
	spin_unlock_irqrestore(&ep->ready_lock, flags);
	return n;
}

long sys_epoll_wait(int epfd, struct epoll_event *events, int maxevents, int timeout_ms)
{
	if (maxevents <= 0 || maxevents > MAX_EVENTS)
		return -EINVAL;
	struct file *ef = fd_get(epfd);
	if (!ef)
		return -EBADF;
	if (ef->ops != &epoll_ops) {
		file_put(ef);
		return -EINVAL;
	}
	struct epoll *ep = ef->priv;
	uint64_t deadline = timeout_ms < 0 ? DEADLINE_NONE :
			    clock_monotonic_ns() + (uint64_t)timeout_ms * 1000000;
	/* Files whose events were asked for: referenced meanwhile, put after. */
	int max_put = maxevents < 1024 ? 2 * maxevents : maxevents + 1024;
	struct file **to_put = kmalloc((size_t)max_put * sizeof(*to_put));
	if (!to_put) {
		file_put(ef);
		return -ENOMEM;
	}
	long n;
	for (;;) {
		int nr_put = 0;
		unsigned long flags;
		spin_lock_irqsave(&ep->ready_lock, &flags);
		ep->waiters++;
		spin_unlock_irqrestore(&ep->ready_lock, flags);
		mutex_lock(&ep->lock);
		n = collect(ep, events, maxevents, to_put, &nr_put, max_put);
		mutex_unlock(&ep->lock);
		for (int i = 0; i < nr_put; i++)
			file_put(to_put[i]);
		if (n || timeout_ms == 0 || clock_monotonic_ns() >= deadline) {
			spin_lock_irqsave(&ep->ready_lock, &flags);
			ep->waiters--;
			spin_unlock_irqrestore(&ep->ready_lock, flags);
			break;
		}
		int err = semaphore_down(&ep->wake, deadline);
		spin_lock_irqsave(&ep->ready_lock, &flags);
		ep->waiters--;
		spin_unlock_irqrestore(&ep->ready_lock, flags);
		if (err == -ETIMEDOUT)
			timeout_ms = 0; /* one last look */
	}
	kfree(to_put);
	file_put(ef);
	return n;
}

long sys_epoll_pwait(int epfd, struct epoll_event *events, int maxevents, int timeout_ms, const void *sigmask,
		     size_t sigsetsize)
{
	(void)sigmask; /* FIXME: signals are only delivered synchronously yet */
	(void)sigsetsize;
	return sys_epoll_wait(epfd, events, maxevents, timeout_ms);
}
