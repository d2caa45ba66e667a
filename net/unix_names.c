/*
 * AF_UNIX names: a socket file in the file system (bind makes it, and it
 * stays after the socket is closed, as on Linux, until unlink), or a name in
 * the abstract namespace (sun_path[0] == 0), which goes with the socket.
 *
 * The sockets bound to a name are in one list: a connect or sendto walks it
 * for the socket whose file it found (or whose abstract name it was given).
 * A program has a few named sockets, not thousands, so a table would not pay.
 */
#include <kite/errno.h>
#include <kite/file.h>
#include <kite/spinlock.h>
#include <kite/vfs.h>
#include <string.h>
#include "unix_sock.h"

unsigned fs_umask(void);

static struct list bound = LIST_INIT(bound);	/* unix_sock.bound_node */
static spinlock_t bound_lock = SPINLOCK_INIT;
static unsigned next_autobind;			/* bound_lock */

#define FAMILY_LEN offsetof(struct unix_sockaddr, path)
#define AUTOBIND_NAMES 0x100000			/* five hex digits, as Linux makes them */

/* A program's sockaddr_un as a name; -EINVAL if it is none. */
static long name_from(const void *addr, uint32_t len, struct unix_name *n)
{
	if (!addr || len <= FAMILY_LEN || len > sizeof(struct unix_sockaddr))
		return -EINVAL;
	memset(n, 0, sizeof(*n));
	memcpy(&n->addr, addr, len);
	if (n->addr.family != AF_UNIX)
		return -EINVAL;
	/* A file's name ends at its first NUL (or after all of sun_path), and
	 * Linux gives its length with that NUL; an abstract one is as long as
	 * the caller said. */
	n->len = n->addr.path[0] ? (uint32_t)(FAMILY_LEN + strnlen(n->addr.path, len - FAMILY_LEN) + 1) : len;
	return 0;
}

static bool is_abstract(const struct unix_name *n)
{
	return n->addr.path[0] == 0;
}

/* The socket bound to an abstract name; bound_lock held. */
static struct unix_sock *abstract_owner(const struct unix_name *n)
{
	list_for_each(pos, &bound) {
		struct unix_sock *u = list_entry(pos, struct unix_sock, bound_node);
		if (!u->node && u->name.len == n->len && !memcmp(&u->name.addr, &n->addr, n->len))
			return u;
	}
	return NULL;
}

/* The socket file for a name, made new: EADDRINUSE if the name exists. */
static long make_node(const struct unix_name *n, struct vnode **out)
{
	struct vnode *dir;
	char last[NAME_MAX + 1];
	bool slash;
	long err = vfs_lookup_parent(NULL, n->addr.path, &dir, last, &slash);
	if (err)
		return err;
	if (!last[0])
		err = -EADDRINUSE; /* "/" */
	else if (slash)
		err = -ENOENT;
	else if (!dir->ops->create)
		err = -EACCES;
	if (!err) {
		mutex_lock(&vfs_lock);
		err = dir->ops->create(dir, last, strlen(last), S_IFSOCK | (0777 & ~fs_umask()), 0, out);
		mutex_unlock(&vfs_lock);
	}
	vnode_put(dir);
	return err == -EEXIST ? -EADDRINUSE : err;
}

/* Puts u in the table under n (and node); bound_lock held. */
static void publish(struct unix_sock *u, const struct unix_name *n, struct vnode *node)
{
	unsigned long flags;
	spin_lock_irqsave(&u->wq.lock, &flags);
	u->name = *n;
	spin_unlock_irqrestore(&u->wq.lock, flags);
	u->node = node;
	list_push_back(&bound, &u->bound_node);
}

/* bind with only a family: a free abstract name of five hex digits. */
static long autobind(struct unix_sock *u)
{
	struct unix_name n = { .len = FAMILY_LEN + 6, .addr.family = AF_UNIX };
	long err = -EADDRINUSE;
	spin_lock(&bound_lock);
	for (unsigned tries = 0; tries < AUTOBIND_NAMES; tries++) {
		unsigned number = next_autobind++ % AUTOBIND_NAMES;
		for (int i = 0; i < 5; i++)
			n.addr.path[1 + i] = "0123456789abcdef"[(number >> (4 * (4 - i))) & 0xf];
		if (!abstract_owner(&n)) {
			publish(u, &n, NULL);
			err = 0;
			break;
		}
	}
	spin_unlock(&bound_lock);
	return err;
}

long unix_names_bind(struct unix_sock *u, const void *addr, uint32_t len)
{
	struct unix_name n;
	bool family_only = addr && len == FAMILY_LEN && *(const uint16_t *)addr == AF_UNIX;
	long err = family_only ? 0 : name_from(addr, len, &n);
	if (err)
		return err;
	if (__atomic_exchange_n(&u->binding, true, __ATOMIC_ACQ_REL))
		return -EINVAL; /* bound already */
	struct vnode *node = NULL;
	if (family_only)
		err = autobind(u);
	else if (!is_abstract(&n))
		err = make_node(&n, &node);
	if (!err && !family_only) {
		spin_lock(&bound_lock);
		if (is_abstract(&n) && abstract_owner(&n))
			err = -EADDRINUSE;
		else
			publish(u, &n, node);
		spin_unlock(&bound_lock);
	}
	if (err)
		__atomic_store_n(&u->binding, false, __ATOMIC_RELEASE);
	return err;
}

long unix_names_find(const void *addr, uint32_t len, struct unix_sock **out)
{
	struct unix_name n;
	long err = name_from(addr, len, &n);
	if (err)
		return err;
	struct vnode *node = NULL;
	if (!is_abstract(&n)) {
		err = vfs_lookup(NULL, n.addr.path, LOOKUP_FOLLOW, &node);
		if (err)
			return err;
		if (!S_ISSOCK(node->mode)) {
			vnode_put(node);
			return -ECONNREFUSED;
		}
	}
	struct unix_sock *found = NULL;
	spin_lock(&bound_lock);
	if (node) {
		list_for_each(pos, &bound) {
			struct unix_sock *u = list_entry(pos, struct unix_sock, bound_node);
			if (u->node == node) {
				found = u;
				break;
			}
		}
	} else {
		found = abstract_owner(&n);
	}
	if (found)
		unix_get(found);
	spin_unlock(&bound_lock);
	vnode_put(node);
	*out = found;
	return found ? 0 : -ECONNREFUSED;
}

void unix_names_unbind(struct unix_sock *u)
{
	if (!__atomic_load_n(&u->binding, __ATOMIC_ACQUIRE))
		return;
	spin_lock(&bound_lock);
	list_remove(&u->bound_node); /* a bind that failed left it alone: removing it again is harmless */
	spin_unlock(&bound_lock);
	vnode_put(u->node);
	u->node = NULL;
}

void unix_names_copy_out(const struct unix_name *n, void *addr, uint32_t *len, bool unnamed_empty)
{
	static const struct unix_name unnamed = { .len = FAMILY_LEN, .addr.family = AF_UNIX };
	const struct unix_name *from = n->len ? n : &unnamed;
	uint32_t size = n->len || !unnamed_empty ? from->len : 0;
	if (addr && len)
		memcpy(addr, &from->addr, *len < size ? *len : size);
	if (len)
		*len = size;
}
