/*
 * open, close, dup and fcntl: creating and changing descriptors.
 */
#include <kite/errno.h>
#include <kite/file.h>
#include <kite/fs_calls.h>
#include <kite/heap.h>
#include <string.h>

struct file *fd_remove(int fd);
int fd_replace(int fd, struct file *f, bool cloexec);
int fd_get_cloexec(int fd);
int fd_set_cloexec(int fd, bool on);
unsigned fs_umask(void);

/* The directory a *at() call starts from: NULL for the current directory. */
int dirfd_base(int dirfd, const char *path, struct vnode **base)
{
	*base = NULL;
	if (dirfd == AT_FDCWD || (path && path[0] == '/'))
		return 0;
	struct file *f = fd_get(dirfd);
	if (!f)
		return -EBADF;
	if (!f->vn || (!S_ISDIR(f->vn->mode) && path && *path)) {
		file_put(f);
		return -ENOTDIR;
	}
	*base = vnode_get(f->vn);
	file_put(f);
	return 0;
}

/* The absolute form of a name opened relative to dirfd (NULL if unknown). */
static char *absolute_name(int dirfd, const char *path)
{
	char *abs = kmalloc(PATH_MAX);
	if (!abs)
		return NULL;
	if (path[0] == '/') {
		strlcpy(abs, path, PATH_MAX);
		return abs;
	}
	struct vnode *base;
	int err = dirfd_base(dirfd, path, &base);
	if (!err) {
		struct vnode *dir = base ? base : vfs_cwd();
		err = vfs_path_of(dir, abs, PATH_MAX);
		vnode_put(dir);
	}
	size_t len = err ? 0 : strlen(abs);
	if (err || len + 1 + strlen(path) >= PATH_MAX) {
		kfree(abs);
		return NULL;
	}
	if (abs[len - 1] != '/')
		abs[len++] = '/';
	strlcpy(abs + len, path, PATH_MAX - len);
	return abs;
}

/* Finds or creates the file for open(O_CREAT). */
static int open_create(struct vnode *base, const char *path, int flags, unsigned mode,
		       struct vnode **out)
{
	struct vnode *parent;
	char last[NAME_MAX + 1];
	bool slash;
	int err = vfs_lookup_parent(base, path, &parent, last, &slash);
	if (err)
		return err;
	if (slash || !last[0]) {
		vnode_put(parent);
		return -EISDIR;
	}
	mutex_lock(&vfs_lock);
	err = parent->ops->lookup ? parent->ops->lookup(parent, last, strlen(last), out) : -ENOTDIR;
	if (err == -ENOENT && parent->ops->create)
		err = parent->ops->create(parent, last, strlen(last),
					  S_IFREG | (mode & 07777 & ~fs_umask()), 0, out);
	else if (!err && (flags & O_EXCL))
		err = -EEXIST;
	mutex_unlock(&vfs_lock);
	vnode_put(parent);
	if (!err && S_ISLNK((*out)->mode)) {
		/* An existing symlink: open what it points to (or refuse). */
		vnode_put(*out);
		if (flags & O_NOFOLLOW)
			return -ELOOP;
		return vfs_lookup(base, path, LOOKUP_FOLLOW, out);
	}
	return err;
}

int vfs_write_file(const char *path, const void *data, size_t len, bool replace)
{
	struct vnode *vn;
	int err = open_create(NULL, path, replace ? 0 : O_EXCL, 0644, &vn);
	if (err)
		return err;
	if (!S_ISREG(vn->mode) || !vn->ops->write || !vn->ops->truncate) {
		vnode_put(vn);
		return -EINVAL;
	}
	err = vn->ops->truncate(vn, 0);
	ssize_t n = err ? err : vn->ops->write(vn, data, len, 0);
	vnode_put(vn);
	return n < 0 ? (int)n : (size_t)n == len ? 0 : -ENOSPC;
}

long sys_openat(int dirfd, const char *path, int flags, unsigned mode)
{
	struct vnode *base, *vn = NULL;
	int acc = flags & O_ACCMODE;

	if (acc == 3)
		return -EINVAL;
	int err = dirfd_base(dirfd, path, &base);
	if (err)
		return err;
	if (flags & O_CREAT)
		err = open_create(base, path, flags, mode, &vn);
	else
		err = vfs_lookup(base, path, (flags & O_NOFOLLOW) ? 0 : LOOKUP_FOLLOW, &vn);
	vnode_put(base);
	if (err)
		return err;

	const struct file_ops *ops = &vnode_file_ops;
	if (S_ISLNK(vn->mode)) {
		err = -ELOOP; /* O_NOFOLLOW on a symlink */
	} else if ((flags & O_DIRECTORY) && !S_ISDIR(vn->mode)) {
		err = -ENOTDIR;
	} else if (S_ISDIR(vn->mode) && (acc != O_RDONLY || (flags & O_TRUNC))) {
		err = -EISDIR;
	} else if (S_ISSOCK(vn->mode)) {
		err = -ENXIO; /* a socket's name: connect to it, as on Linux */
	} else if (S_ISREG(vn->mode) && acc != O_RDONLY && !vn->ops->write) {
		err = -EACCES; /* read-only by nature (/proc) */
	} else if (S_ISCHR(vn->mode)) {
		const struct device *dev = device_find(vn->rdev);
		if (dev)
			ops = dev->ops;
		else
			err = -ENXIO;
	}
	if (!err && (flags & O_TRUNC) && S_ISREG(vn->mode) && acc != O_RDONLY)
		err = vn->ops->truncate ? vn->ops->truncate(vn, 0) : -EINVAL;
	if (err) {
		vnode_put(vn);
		return err;
	}
	struct file *f = file_new(ops, vn, (unsigned)flags & (O_ACCMODE | O_APPEND | O_NONBLOCK | O_DIRECTORY));
	if (!f) {
		vnode_put(vn);
		return -ENOMEM;
	}
	f->path = absolute_name(dirfd, path);
	int fd = fd_install(f, 0, flags & O_CLOEXEC);
	if (fd < 0)
		file_put(f);
	return fd;
}

long sys_open(const char *path, int flags, unsigned mode)
{
	return sys_openat(AT_FDCWD, path, flags, mode);
}

long sys_close(int fd)
{
	struct file *f = fd_remove(fd);
	if (!f)
		return -EBADF;
	file_put(f);
	return 0;
}

long sys_dup(int fd)
{
	struct file *f = fd_get(fd);
	if (!f)
		return -EBADF;
	int nfd = fd_install(f, 0, false);
	if (nfd < 0)
		file_put(f);
	return nfd;
}

long sys_dup3(int oldfd, int newfd, int flags)
{
	if (oldfd == newfd || (flags & ~O_CLOEXEC))
		return -EINVAL;
	if (newfd < 0 || newfd >= FD_LIMIT)
		return -EBADF;
	struct file *f = fd_get(oldfd);
	if (!f)
		return -EBADF;
	return fd_replace(newfd, f, flags & O_CLOEXEC);
}

long sys_dup2(int oldfd, int newfd)
{
	if (oldfd == newfd) {
		struct file *f = fd_get(oldfd);
		if (!f)
			return -EBADF;
		file_put(f);
		return newfd;
	}
	return sys_dup3(oldfd, newfd, 0);
}

long sys_fcntl(int fd, int cmd, unsigned long arg)
{
	struct file *f = fd_get(fd);
	long ret = 0;

	if (!f)
		return -EBADF;
	switch (cmd) {
	case F_DUPFD:
	case F_DUPFD_CLOEXEC:
		if (arg >= FD_LIMIT) {
			ret = -EINVAL;
			break;
		}
		ret = fd_install(f, (int)arg, cmd == F_DUPFD_CLOEXEC);
		if (ret >= 0)
			return ret; /* the new descriptor keeps our reference */
		break;
	case F_GETFD:
		ret = fd_get_cloexec(fd) > 0 ? FD_CLOEXEC : 0;
		break;
	case F_SETFD:
		ret = fd_set_cloexec(fd, arg & FD_CLOEXEC);
		break;
	case F_GETFL:
		ret = f->flags;
		break;
	case F_SETFL:
		/* Only these status flags can change after open, as on Linux. */
		f->flags = (f->flags & ~(unsigned)(O_APPEND | O_NONBLOCK)) | ((unsigned)arg & (O_APPEND | O_NONBLOCK));
		break;
	case F_GETLK:
	case F_SETLK:
	case F_SETLKW:
		/* One process: no one else can hold a lock. Locks succeed and do
		 * nothing; F_GETLK reports the region unlocked (l_type at offset 0). */
		if (cmd == F_GETLK && arg)
			*(short *)arg = 2; /* F_UNLCK */
		break;
	default:
		ret = -EINVAL;
	}
	file_put(f);
	return ret;
}

long sys_ioctl(int fd, unsigned long request, void *arg)
{
	struct file *f = fd_get(fd);
	if (!f)
		return -EBADF;
	long ret = f->ops->ioctl ? f->ops->ioctl(f, request, arg) : -ENOTTY;
	file_put(f);
	return ret;
}
