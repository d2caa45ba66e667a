/*
 * poll, ppoll, select and pselect6: each descriptor's file is asked for its
 * events with a poll_entry hung on it, then the caller sleeps until one of
 * them announces a change or the deadline passes, and asks again. Files
 * without a poll operation (regular files, directories) are always ready.
 */
#include <kite/clock.h>
#include <kite/errno.h>
#include <kite/file.h>
#include <kite/fs_calls.h>
#include <kite/heap.h>
#include <kite/poll.h>
#include <kite/sync.h>
#include <string.h>

#define NSEC_PER_SEC 1000000000ULL

struct pollfd {
	int fd;
	short events, revents;
};

struct poller {
	struct semaphore woken;
	struct poll_entry *entries;
	struct file **files;	/* held while entries hang on them */
};

static void poller_wake(struct poll_entry *e, unsigned events)
{
	(void)events;
	struct poller *p = e->owner;
	/* One pending wake-up is enough to look again. */
	if (__atomic_load_n(&p->woken.count, __ATOMIC_RELAXED) == 0)
		semaphore_up(&p->woken);
}

/* The events of a file, registering `e` when given. */
static unsigned file_events(struct file *f, struct poll_entry *e)
{
	if (!f)
		return POLLNVAL;
	return f->ops->poll ? f->ops->poll(f, e) : POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM;
}

static long do_poll(struct pollfd *fds, unsigned long nfds, uint64_t deadline)
{
	if (nfds > FD_LIMIT)
		return -EINVAL;
	struct poller p;
	semaphore_init(&p.woken, 0);
	p.entries = nfds ? kzalloc(nfds * sizeof(*p.entries)) : NULL;
	p.files = nfds ? kzalloc(nfds * sizeof(*p.files)) : NULL;
	if (nfds && (!p.entries || !p.files)) {
		kfree(p.entries);
		kfree(p.files);
		return -ENOMEM;
	}
	for (unsigned long i = 0; i < nfds; i++) {
		p.entries[i].wake = poller_wake;
		p.entries[i].owner = &p;
		/* The files are held until the end: their poll heads must stay. */
		p.files[i] = fds[i].fd >= 0 ? fd_get(fds[i].fd) : NULL;
	}
	long ready;
	for (bool first = true;; first = false) {
		ready = 0;
		for (unsigned long i = 0; i < nfds; i++) {
			fds[i].revents = 0;
			if (fds[i].fd < 0)
				continue;
			unsigned wanted = (unsigned)(uint16_t)fds[i].events | POLLERR | POLLHUP | POLLNVAL;
			unsigned events = file_events(p.files[i], first ? &p.entries[i] : NULL);
			fds[i].revents = (short)(events & wanted);
			if (fds[i].revents)
				ready++;
		}
		if (ready || deadline == 0)
			break;
		if (semaphore_down(&p.woken, deadline) == -ETIMEDOUT) {
			deadline = 0; /* one last look */
			continue;
		}
	}
	for (unsigned long i = 0; i < nfds; i++) {
		poll_remove(&p.entries[i]);
		if (p.files[i])
			file_put(p.files[i]);
	}
	kfree(p.entries);
	kfree(p.files);
	return ready;
}

/* A timeout (NULL: none) as a deadline; 0 means "do not wait". */
static long deadline_of(const struct timespec64 *t, uint64_t *deadline)
{
	if (!t) {
		*deadline = DEADLINE_NONE;
		return 0;
	}
	if (t->tv_sec < 0 || t->tv_nsec < 0 || t->tv_nsec >= (int64_t)NSEC_PER_SEC)
		return -EINVAL;
	uint64_t ns = (uint64_t)t->tv_sec * NSEC_PER_SEC + (uint64_t)t->tv_nsec;
	*deadline = ns ? clock_monotonic_ns() + ns : 0;
	return 0;
}

long sys_poll(struct pollfd *fds, unsigned long nfds, int timeout_ms)
{
	uint64_t deadline = timeout_ms < 0 ? DEADLINE_NONE :
			    timeout_ms == 0 ? 0 : clock_monotonic_ns() + (uint64_t)timeout_ms * 1000000;
	return do_poll(fds, nfds, deadline);
}

long sys_ppoll(struct pollfd *fds, unsigned long nfds, const struct timespec64 *timeout, const void *sigmask,
	       size_t sigsetsize)
{
	(void)sigmask; /* FIXME: signals are only delivered synchronously yet */
	(void)sigsetsize;
	uint64_t deadline;
	long err = deadline_of(timeout, &deadline);
	return err ? err : do_poll(fds, nfds, deadline);
}

/* select's sets: bits of unsigned longs. */
static bool fd_isset(const unsigned long *set, int fd)
{
	return set && (set[fd / 64] >> (fd % 64)) & 1;
}

static long do_select(int nfds, unsigned long *readfds, unsigned long *writefds, unsigned long *exceptfds,
		      uint64_t deadline)
{
	if (nfds < 0 || nfds > FD_LIMIT)
		return -EINVAL;
	struct pollfd *fds = kmalloc((size_t)(nfds ? nfds : 1) * sizeof(*fds));
	if (!fds)
		return -ENOMEM;
	unsigned long n = 0;
	for (int fd = 0; fd < nfds; fd++) {
		short events = (short)((fd_isset(readfds, fd) ? POLLIN : 0) | (fd_isset(writefds, fd) ? POLLOUT : 0) |
				       (fd_isset(exceptfds, fd) ? POLLPRI : 0));
		if (events)
			fds[n++] = (struct pollfd){ .fd = fd, .events = events };
	}
	long ret = do_poll(fds, n, deadline);
	if (ret >= 0) {
		size_t words = ((size_t)nfds + 63) / 64;
		if (readfds)
			memset(readfds, 0, words * 8);
		if (writefds)
			memset(writefds, 0, words * 8);
		if (exceptfds)
			memset(exceptfds, 0, words * 8);
		ret = 0;
		for (unsigned long i = 0; i < n; i++) {
			short r = fds[i].revents;
			int fd = fds[i].fd;
			if (r & POLLNVAL) {
				ret = -EBADF;
				break;
			}
			if (readfds && (fds[i].events & POLLIN) && (r & (POLLIN | POLLHUP | POLLERR))) {
				readfds[fd / 64] |= 1UL << (fd % 64);
				ret++;
			}
			if (writefds && (fds[i].events & POLLOUT) && (r & (POLLOUT | POLLERR))) {
				writefds[fd / 64] |= 1UL << (fd % 64);
				ret++;
			}
			if (exceptfds && (fds[i].events & POLLPRI) && (r & POLLPRI)) {
				exceptfds[fd / 64] |= 1UL << (fd % 64);
				ret++;
			}
		}
	}
	kfree(fds);
	return ret;
}

struct timeval64 {
	int64_t tv_sec, tv_usec;
};

long sys_select(int nfds, unsigned long *readfds, unsigned long *writefds, unsigned long *exceptfds,
		struct timeval64 *timeout)
{
	uint64_t deadline = DEADLINE_NONE;
	if (timeout) {
		if (timeout->tv_sec < 0 || timeout->tv_usec < 0 || timeout->tv_usec >= 1000000)
			return -EINVAL;
		uint64_t ns = (uint64_t)timeout->tv_sec * NSEC_PER_SEC + (uint64_t)timeout->tv_usec * 1000;
		deadline = ns ? clock_monotonic_ns() + ns : 0;
	}
	return do_select(nfds, readfds, writefds, exceptfds, deadline);
}

long sys_pselect6(int nfds, unsigned long *readfds, unsigned long *writefds, unsigned long *exceptfds,
		  const struct timespec64 *timeout, const void *sigmask)
{
	(void)sigmask;
	uint64_t deadline;
	long err = deadline_of(timeout, &deadline);
	return err ? err : do_select(nfds, readfds, writefds, exceptfds, deadline);
}
