/*
 * Open files, the descriptor table and the device registry (see file.h).
 *
 * Locking: fd_lock protects the table and the close-on-exec bits; a file's
 * position is under its pos_lock, so that two threads reading one descriptor
 * each get their own bytes.
 */
#include <kite/errno.h>
#include <kite/file.h>
#include <kite/heap.h>
#include <kite/spinlock.h>
#include <string.h>

static spinlock_t fd_lock = SPINLOCK_INIT;
static struct file *fds[FD_LIMIT];	/* fd_lock */
static bool cloexec_bits[FD_LIMIT];	/* fd_lock; kept though there is no exec */

#define MAX_DEVICES 32
static const struct device *devices[MAX_DEVICES];
static int nr_devices;

struct file *file_new(const struct file_ops *ops, struct vnode *vn, unsigned flags)
{
	struct file *f = kzalloc(sizeof(*f));
	if (!f)
		return NULL;
	f->ops = ops;
	f->vn = vn; /* takes the caller's reference */
	f->flags = flags;
	f->refs = 1;
	mutex_init(&f->pos_lock);
	list_init(&f->epoll_items);
	return f;
}

void file_put(struct file *f)
{
	if (!f || __atomic_sub_fetch(&f->refs, 1, __ATOMIC_ACQ_REL))
		return;
	epoll_file_closed(f);
	if (f->ops->release)
		f->ops->release(f);
	vnode_put(f->vn);
	kfree(f->path);
	kfree(f);
}

int fd_install(struct file *f, int min, bool cloexec)
{
	spin_lock(&fd_lock);
	for (int fd = min < 0 ? 0 : min; fd < FD_LIMIT; fd++) {
		if (!fds[fd]) {
			fds[fd] = f;
			cloexec_bits[fd] = cloexec;
			spin_unlock(&fd_lock);
			return fd;
		}
	}
	spin_unlock(&fd_lock);
	return -EMFILE;
}

struct file *fd_get(int fd)
{
	struct file *f = NULL;

	if (fd < 0 || fd >= FD_LIMIT)
		return NULL;
	spin_lock(&fd_lock);
	f = fds[fd];
	if (f)
		__atomic_add_fetch(&f->refs, 1, __ATOMIC_RELAXED);
	spin_unlock(&fd_lock);
	return f;
}

/* Takes fd out of the table; returns its file (the table's reference) or NULL. */
struct file *fd_remove(int fd)
{
	if (fd < 0 || fd >= FD_LIMIT)
		return NULL;
	spin_lock(&fd_lock);
	struct file *f = fds[fd];
	fds[fd] = NULL;
	spin_unlock(&fd_lock);
	return f;
}

/* Puts f at exactly `fd`, closing what was there (dup2/dup3). */
int fd_replace(int fd, struct file *f, bool cloexec)
{
	if (fd < 0 || fd >= FD_LIMIT)
		return -EBADF;
	spin_lock(&fd_lock);
	struct file *old = fds[fd];
	fds[fd] = f;
	cloexec_bits[fd] = cloexec;
	spin_unlock(&fd_lock);
	file_put(old);
	return fd;
}

int fd_get_cloexec(int fd)
{
	spin_lock(&fd_lock);
	int v = fd >= 0 && fd < FD_LIMIT && fds[fd] ? cloexec_bits[fd] : -EBADF;
	spin_unlock(&fd_lock);
	return v;
}

int fd_set_cloexec(int fd, bool on)
{
	spin_lock(&fd_lock);
	int err = fd >= 0 && fd < FD_LIMIT && fds[fd] ? 0 : -EBADF;
	if (!err)
		cloexec_bits[fd] = on;
	spin_unlock(&fd_lock);
	return err;
}

/* --- files backed by a vnode --- */

static ssize_t vnode_read(struct file *f, void *buf, size_t len, uint64_t *pos)
{
	struct vnode *vn = f->vn;
	if (S_ISDIR(vn->mode))
		return -EISDIR;
	if (!vn->ops->read)
		return -EINVAL;
	ssize_t n = vn->ops->read(vn, buf, len, *pos);
	if (n > 0)
		*pos += (uint64_t)n;
	return n;
}

static ssize_t vnode_write(struct file *f, const void *buf, size_t len, uint64_t *pos)
{
	struct vnode *vn = f->vn;
	if (!vn->ops->write)
		return -EINVAL;
	if (f->flags & O_APPEND)
		*pos = vn->size;
	ssize_t n = vn->ops->write(vn, buf, len, *pos);
	if (n > 0)
		*pos += (uint64_t)n;
	return n;
}

const struct file_ops vnode_file_ops = {
	.read = vnode_read,
	.write = vnode_write,
	.seekable = true,
};

/* --- devices --- */

void device_register(const struct device *dev)
{
	if (nr_devices < MAX_DEVICES)
		devices[nr_devices++] = dev;
}

const struct device *device_find(uint64_t rdev)
{
	for (int i = 0; i < nr_devices; i++)
		if (DEV(devices[i]->major, devices[i]->minor) == rdev)
			return devices[i];
	return NULL;
}

int device_count(void)
{
	return nr_devices;
}

const struct device *device_at(int i)
{
	return devices[i];
}
