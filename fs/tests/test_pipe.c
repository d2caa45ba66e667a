/* Host tests of a pipe ring's marks (fs/pipe.c): where reads stop and who
 * gets a mark. No test waits: a full or empty ring answers EAGAIN at once. */
#include <kite/errno.h>
#include <kite/file.h>
#include <kite/pipe.h>
#include <kite/poll.h>
#include <kite/wait.h>
#include <stdio.h>
#include <string.h>
#include "unit.h"

/* What fs/pipe.c needs from the rest of the kernel, for a ring alone. */
void wait_queue_init(struct wait_queue *wq)
{
	spin_init(&wq->lock);
	list_init(&wq->waiters);
}
int wait_queue_sleep(struct wait_queue *wq, unsigned long *flags, uint64_t deadline_ns)
{
	(void)wq, (void)flags, (void)deadline_ns;
	return -ETIMEDOUT;
}
int wait_queue_wake_locked(struct wait_queue *wq, int n)
{
	(void)wq, (void)n;
	return 0;
}
void poll_head_init(struct poll_head *h) { (void)h; }
void poll_add(struct poll_head *h, struct poll_entry *e) { (void)h, (void)e; }
void poll_wake(struct poll_head *h, unsigned events) { (void)h, (void)events; }
void signal_raise_self(int sig) { (void)sig; }
struct file *file_new(const struct file_ops *ops, struct vnode *vn, unsigned flags)
{
	(void)ops, (void)vn, (void)flags;
	return NULL;
}
void file_put(struct file *f) { (void)f; }
int fd_install(struct file *f, int min, bool cloexec)
{
	(void)f, (void)min, (void)cloexec;
	return -EMFILE;
}
long sys_close(int fd)
{
	(void)fd;
	return 0;
}

static char buf[128];

static ssize_t rd(struct pipe *p, size_t len, bool peek, struct pipe_mark **m)
{
	memset(buf, 0, sizeof(buf));
	return pipe_read_marked(p, buf, len, 0, peek, m);
}

TEST(reads_stop_after_marked_bytes)
{
	struct pipe *p = pipe_new(NULL);
	struct pipe_mark a = { .refs = 1 }, b = { .refs = 1 }, *m;
	CHECK_EQ(pipe_write_data(p, "aaa", 3, 0), 3);
	CHECK_EQ(pipe_write_marked(p, "bbb", 3, 0, &a), 3);
	CHECK_EQ(pipe_write_marked(p, "ccc", 3, 0, &b), 3);
	CHECK_EQ(pipe_write_data(p, "ddd", 3, 0), 3);
	/* Unmarked bytes before a mark join it; the read ends with it. */
	CHECK_EQ(rd(p, 100, false, &m), 6);
	CHECK_STR(buf, "aaabbb");
	CHECK(m == &a);
	/* A peek of part of the next gives its mark with a reference more. */
	CHECK_EQ(rd(p, 2, true, &m), 2);
	CHECK(m == &b);
	CHECK_EQ(b.refs, 2);
	CHECK_EQ(rd(p, 2, false, &m), 2);
	CHECK(m == &b);
	/* Its mark taken, the rest of those bytes joins what follows. */
	CHECK_EQ(rd(p, 100, false, &m), 4);
	CHECK_STR(buf, "cddd");
	CHECK(m == NULL);
	CHECK(pipe_unmark(p) == NULL);
	pipe_free(p);
}

TEST(a_read_short_of_a_mark_leaves_it)
{
	struct pipe *p = pipe_new(NULL);
	struct pipe_mark a = { .refs = 1 }, *m;
	CHECK_EQ(pipe_write_data(p, "12", 2, 0), 2);
	CHECK_EQ(pipe_write_marked(p, "34", 2, 0, &a), 2);
	CHECK_EQ(rd(p, 2, false, &m), 2);
	CHECK(m == NULL);
	CHECK(pipe_unmark(p) == &a);
	CHECK(pipe_unmark(p) == NULL);
	pipe_free(p);
}

TEST(a_write_that_places_nothing_leaves_no_mark)
{
	struct pipe *p = pipe_new(NULL);
	struct pipe_mark a = { .refs = 1 }, b = { .refs = 1 }, *m;
	CHECK_EQ(pipe_write_marked(p, "", 0, 0, &a), 0);
	CHECK(pipe_unmark(p) == NULL);
	/* Full: a write of up to PIPE_BUF waits for room for all of it. */
	static char big[64 * 1024];
	CHECK_EQ(pipe_write_data(p, big, sizeof(big) - 100, 0), (long)sizeof(big) - 100);
	CHECK_EQ(pipe_write_marked(p, big, 200, 0, &b), -EAGAIN);
	CHECK(pipe_unmark(p) == NULL);
	CHECK_EQ(rd(p, 100, false, &m), 100);
	CHECK(m == NULL);
	pipe_free(p);
}

TEST(a_mark_covers_what_went_in_before_a_wait)
{
	struct pipe *p = pipe_new(NULL);
	struct pipe_mark a = { .refs = 1 }, *m;
	static char big[64 * 1024 + 10];
	memset(big, 'x', sizeof(big));
	/* More than the ring holds, not blocking: what fits goes in, marked. */
	CHECK_EQ(pipe_write_marked(p, big, sizeof(big), 0, &a), 64 * 1024);
	CHECK_EQ(a.end - a.start, 64 * 1024);
	CHECK_EQ(pipe_read_marked(p, big, sizeof(big), 0, false, &m), 64 * 1024);
	CHECK(m == &a);
	pipe_free(p);
}
