/*
 * AF_UNIX control data: SCM_RIGHTS (open files passed from one socket to
 * another) and SCM_CREDENTIALS (who sent a message), read from a sendmsg
 * and written into a recvmsg as Linux does (net/core/scm.c's rules).
 *
 * A message's files are referenced from its sendmsg on, so that the sender
 * may close its descriptors at once, and stay referenced until a recvmsg
 * installs them as new descriptors, or the message is dropped unread (the
 * receiving socket closed, or the receive had no room for them).
 *
 * Dropping a message's last reference closes its files, which may close a
 * socket with messages of its own queued, and so on: a chain as long as the
 * application made it. So that such a chain cannot overflow a stack, files
 * are closed by one loop, never by recursion: a drop that happens while
 * another is closing files (on this CPU or another) queues its message for
 * that loop instead.
 *
 * A socket's own descriptor sent to itself (or two sockets each queued in
 * the other) keeps itself open: Linux's garbage collector frees such
 * cycles, Kite has none yet, so the sockets and their queues stay until the
 * program ends (FIXME). Nothing breaks; the memory is lost.
 */
#include <kite/errno.h>
#include <kite/file.h>
#include <kite/heap.h>
#include <kite/spinlock.h>
#include <kite/sys_process.h>
#include <string.h>
#include "unix_sock.h"

#define SOL_SOCKET 1
#define SCM_RIGHTS 1
#define SCM_CREDENTIALS 2
#define SCM_MAX_FD 253		/* Linux's bound on the files of one message */

/* Linux's struct cmsghdr; each one starts at a multiple of 8 bytes. */
struct cmsghdr {
	size_t len;		/* with the header, without the padding after */
	int level, type;
};
#define CMSG_ALIGN(n) (((n) + sizeof(size_t) - 1) & ~(sizeof(size_t) - 1))
#define CMSG_HDR sizeof(struct cmsghdr)

static spinlock_t drop_lock = SPINLOCK_INIT;
static struct list dropped = LIST_INIT(dropped);	/* drop_lock: messages whose files are to close */
static bool closing;					/* drop_lock: a loop is closing them */

void unix_own_cred(struct unix_ucred *cred)
{
	cred->pid = (int32_t)sys_getpid();
	cred->uid = cred->gid = (uint32_t)sys_getuid(); /* Kite's gid is its uid */
}

void unix_rights_get(struct unix_rights *r)
{
	__atomic_add_fetch(&r->mark.refs, 1, __ATOMIC_RELAXED);
}

void unix_rights_put(struct unix_rights *r)
{
	if (!r || __atomic_sub_fetch(&r->mark.refs, 1, __ATOMIC_ACQ_REL))
		return;
	spin_lock(&drop_lock);
	list_push_back(&dropped, &r->mark.node);
	if (closing) {
		spin_unlock(&drop_lock);
		return;
	}
	closing = true;
	while (!list_empty(&dropped)) {
		r = list_first(&dropped, struct unix_rights, mark.node);
		list_remove(&r->mark.node);
		spin_unlock(&drop_lock);
		for (int i = 0; i < r->count; i++)
			file_put(r->files[i]); /* may drop more messages: queued above */
		kfree(r);
		spin_lock(&drop_lock);
	}
	closing = false;
	spin_unlock(&drop_lock);
}

/* Calls `each` on every well-formed SOL_SOCKET header; stops at its first
 * error, or with -EINVAL at a malformed header (Linux's CMSG_OK). */
static long walk(const struct msghdr *msg, long (*each)(const struct cmsghdr *c, void *arg), void *arg)
{
	const char *at = msg->control;
	size_t left = msg->control ? msg->controllen : 0;
	while (left >= CMSG_HDR) {
		const struct cmsghdr *c = (const void *)at;
		if (c->len < CMSG_HDR || c->len > left)
			return -EINVAL;
		if (c->level == SOL_SOCKET) {
			long err = each(c, arg);
			if (err)
				return err;
		}
		size_t step = CMSG_ALIGN(c->len);
		if (step >= left)
			break;
		at += step;
		left -= step;
	}
	return 0;
}

static int fds_in(const struct cmsghdr *c)
{
	return (int)((c->len - CMSG_HDR) / sizeof(int));
}

struct parse {
	int count;			/* files seen so far */
	struct unix_rights *rights;	/* the second walk fills it */
	struct unix_ucred *cred;
};

/* The first walk: checks the types and counts the files. */
static long check_one(const struct cmsghdr *c, void *arg)
{
	struct parse *p = arg;
	switch (c->type) {
	case SCM_RIGHTS:
		p->count += fds_in(c);
		return p->count > SCM_MAX_FD ? -EINVAL : 0;
	case SCM_CREDENTIALS: {
		if (c->len != CMSG_HDR + sizeof(struct unix_ucred))
			return -EINVAL;
		struct unix_ucred claimed;
		memcpy(&claimed, c + 1, sizeof(claimed));
		/* As Linux for root: any uid and gid, but a pid that exists. */
		if (claimed.pid != (int32_t)sys_getpid())
			return -ESRCH;
		*p->cred = claimed;
		return 0;
	}
	}
	return -EINVAL;
}

/* The second walk: takes a reference on each file. */
static long take_one(const struct cmsghdr *c, void *arg)
{
	struct parse *p = arg;
	if (c->type != SCM_RIGHTS)
		return 0;
	const int *fds = (const void *)(c + 1);
	for (int i = 0; i < fds_in(c); i++) {
		int fd;
		memcpy(&fd, fds + i, sizeof(fd));
		struct file *f = fd_get(fd);
		if (!f)
			return -EBADF;
		p->rights->files[p->rights->count++] = f;
	}
	return 0;
}

long unix_control_in(const struct msghdr *msg, struct unix_rights **rights, struct unix_ucred *cred)
{
	struct parse p = { .cred = cred };
	*rights = NULL;
	unix_own_cred(cred);
	long err = walk(msg, check_one, &p);
	if (err || !p.count)
		return err;
	p.rights = kzalloc(sizeof(*p.rights) + (size_t)p.count * sizeof(struct file *));
	if (!p.rights)
		return -ENOMEM;
	p.rights->mark.refs = 1;
	list_init(&p.rights->mark.node);
	err = walk(msg, take_one, &p);
	if (err) {
		unix_rights_put(p.rights);
		return err;
	}
	*rights = p.rights;
	return 0;
}

/* Where recvmsg writes its control messages: what is left of the buffer. */
struct control_out {
	char *at;
	size_t left;
	int flags;		/* MSG_CTRUNC when something did not fit */
};

/* Moves past a message of `len` data bytes (its padding too, if there is room). */
static void advance(struct control_out *o, size_t len)
{
	size_t step = CMSG_ALIGN(CMSG_HDR + len);
	step = step < o->left ? step : o->left;
	o->at += step;
	o->left -= step;
}

/* One message, cut at the end of the buffer as Linux's put_cmsg does. */
static void put_cmsg(struct control_out *o, int type, const void *data, size_t len)
{
	if (o->left < CMSG_HDR) {
		o->flags |= MSG_CTRUNC;
		return;
	}
	size_t whole = CMSG_HDR + len;
	if (o->left < whole) {
		o->flags |= MSG_CTRUNC;
		whole = o->left;
	}
	struct cmsghdr c = { .len = whole, .level = SOL_SOCKET, .type = type };
	memcpy(o->at, &c, CMSG_HDR);
	memcpy(o->at + CMSG_HDR, data, whole - CMSG_HDR);
	advance(o, len);
}

/* The files as descriptors, as many as fit (Linux's scm_detach_fds). */
static void put_rights(struct control_out *o, struct unix_rights *r, bool cloexec)
{
	int room = o->left <= CMSG_HDR ? 0 : (int)((o->left - CMSG_HDR) / sizeof(int));
	int most = room < r->count ? room : r->count, n = 0;
	int *fds = (int *)(o->at + CMSG_HDR);
	for (; n < most; n++) {
		/* The new descriptor's own reference (r keeps its own until dropped). */
		__atomic_add_fetch(&r->files[n]->refs, 1, __ATOMIC_RELAXED);
		int fd = fd_install(r->files[n], 0, cloexec);
		if (fd < 0) {
			file_put(r->files[n]);
			break;
		}
		memcpy(fds + n, &fd, sizeof(fd));
	}
	if (n) {
		struct cmsghdr c = { .len = CMSG_HDR + (size_t)n * sizeof(int), .level = SOL_SOCKET, .type = SCM_RIGHTS };
		memcpy(o->at, &c, CMSG_HDR);
		advance(o, (size_t)n * sizeof(int));
	}
	if (n < r->count)
		o->flags |= MSG_CTRUNC;
}

void unix_control_out(struct msghdr *msg, int flags, bool passcred, const struct unix_ucred *cred,
		      struct unix_rights *rights)
{
	struct control_out o = { .at = msg->control, .left = msg->control ? msg->controllen : 0 };
	if (!msg->control) {
		/* As Linux: no buffer at all drops everything, and says so. */
		if (passcred || rights)
			msg->flags |= MSG_CTRUNC;
		msg->controllen = 0;
		unix_rights_put(rights);
		return;
	}
	if (passcred)
		put_cmsg(&o, SCM_CREDENTIALS, cred, sizeof(*cred));
	if (rights)
		put_rights(&o, rights, flags & MSG_CMSG_CLOEXEC);
	unix_rights_put(rights); /* the files not installed close */
	msg->flags |= o.flags;
	msg->controllen = (size_t)(o.at - (char *)msg->control);
}
