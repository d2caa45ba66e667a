/*
 * read, write and their positioned and vectored forms, lseek, getdents64,
 * truncation and sync: moving data through open files.
 */
#include <kite/errno.h>
#include <kite/file.h>
#include <kite/fs_calls.h>
#include <string.h>

static bool can_read(struct file *f)
{
	return (f->flags & O_ACCMODE) != O_WRONLY;
}

static bool can_write(struct file *f)
{
	return (f->flags & O_ACCMODE) != O_RDONLY;
}

/* Reads or writes at the file's position (under its lock) or at `*at`. */
static long transfer(struct file *f, void *buf, size_t len, int64_t *at, bool write)
{
	if (len > (size_t)INT64_MAX)
		len = (size_t)INT64_MAX;
	if (at) {
		if (!f->ops->seekable)
			return -ESPIPE;
		if (*at < 0)
			return -EINVAL;
		uint64_t pos = (uint64_t)*at;
		return write ? f->ops->write(f, buf, len, &pos) : f->ops->read(f, buf, len, &pos);
	}
	if (!f->ops->seekable) {
		uint64_t unused = 0;
		return write ? f->ops->write(f, buf, len, &unused) : f->ops->read(f, buf, len, &unused);
	}
	mutex_lock(&f->pos_lock);
	long n = write ? f->ops->write(f, buf, len, &f->pos) : f->ops->read(f, buf, len, &f->pos);
	mutex_unlock(&f->pos_lock);
	return n;
}

static long rw(int fd, void *buf, size_t len, int64_t *at, bool write)
{
	struct file *f = fd_get(fd);
	if (!f)
		return -EBADF;
	long n = (write ? can_write(f) : can_read(f)) ? transfer(f, buf, len, at, write) : -EBADF;
	file_put(f);
	return n;
}

long sys_read(int fd, void *buf, size_t len)
{
	return rw(fd, buf, len, NULL, false);
}

long sys_write(int fd, const void *buf, size_t len)
{
	return rw(fd, (void *)buf, len, NULL, true);
}

long sys_pread64(int fd, void *buf, size_t len, int64_t off)
{
	return rw(fd, buf, len, &off, false);
}

long sys_pwrite64(int fd, const void *buf, size_t len, int64_t off)
{
	return rw(fd, (void *)buf, len, &off, true);
}

static long rwv(int fd, const struct iovec *iov, int iovcnt, bool write)
{
	if (iovcnt < 0 || iovcnt > 1024)
		return -EINVAL;
	long total = 0;
	for (int i = 0; i < iovcnt; i++) {
		if (!iov[i].iov_len)
			continue;
		long n = rw(fd, iov[i].iov_base, iov[i].iov_len, NULL, write);
		if (n < 0)
			return total ? total : n;
		total += n;
		if ((size_t)n < iov[i].iov_len)
			break; /* short: stop as the kernel does */
	}
	return total;
}

long sys_readv(int fd, const struct iovec *iov, int iovcnt)
{
	return rwv(fd, iov, iovcnt, false);
}

long sys_writev(int fd, const struct iovec *iov, int iovcnt)
{
	return rwv(fd, iov, iovcnt, true);
}

long sys_lseek(int fd, int64_t off, int whence)
{
	struct file *f = fd_get(fd);
	if (!f)
		return -EBADF;
	long ret;
	if (!f->ops->seekable) {
		ret = -ESPIPE;
		goto out;
	}
	mutex_lock(&f->pos_lock);
	int64_t base = whence == SEEK_SET ? 0 : whence == SEEK_CUR ? (int64_t)f->pos
		     : whence == SEEK_END ? (int64_t)f->vn->size : -1;
	if (base < 0 && whence != SEEK_SET) {
		ret = -EINVAL;
	} else if (base + off < 0 || (off > 0 && base + off < base)) {
		ret = -EINVAL;
	} else {
		f->pos = (uint64_t)(base + off);
		if (S_ISDIR(f->vn->mode))
			f->dir_index = f->pos; /* a directory's offset is its entry index */
		ret = (long)f->pos;
	}
	mutex_unlock(&f->pos_lock);
out:
	file_put(f);
	return ret;
}

long sys_getdents64(int fd, void *buf, size_t len)
{
	struct file *f = fd_get(fd);
	if (!f)
		return -EBADF;
	long ret = 0;
	if (!f->vn || !S_ISDIR(f->vn->mode) || !f->vn->ops->readdir) {
		ret = -ENOTDIR;
		goto out;
	}
	struct dir_entry e;
	size_t used = 0;
	mutex_lock(&f->pos_lock);
	mutex_lock(&vfs_lock);
	for (;;) {
		e.next = f->dir_index + 1;
		if (f->vn->ops->readdir(f->vn, f->dir_index, &e) != 1)
			break;
		size_t namelen = strlen(e.name);
		size_t reclen = (__builtin_offsetof(struct linux_dirent64, d_name) + namelen + 1 + 7) & ~(size_t)7;
		if (used + reclen > len) {
			if (!used)
				ret = -EINVAL; /* the buffer cannot hold one entry */
			break;
		}
		struct linux_dirent64 *d = (struct linux_dirent64 *)((char *)buf + used);
		d->d_ino = e.ino;
		d->d_off = (int64_t)e.next;
		d->d_reclen = (uint16_t)reclen;
		d->d_type = e.type;
		memcpy(d->d_name, e.name, namelen + 1);
		used += reclen;
		f->dir_index = e.next;
	}
	f->pos = f->dir_index;
	mutex_unlock(&vfs_lock);
	mutex_unlock(&f->pos_lock);
	if (!ret)
		ret = (long)used;
out:
	file_put(f);
	return ret;
}

static long truncate_vnode(struct vnode *vn, int64_t len)
{
	if (len < 0)
		return -EINVAL;
	if (S_ISDIR(vn->mode))
		return -EISDIR;
	if (!S_ISREG(vn->mode) || !vn->ops->truncate)
		return -EINVAL;
	return vn->ops->truncate(vn, (uint64_t)len);
}

long sys_ftruncate(int fd, int64_t len)
{
	struct file *f = fd_get(fd);
	if (!f)
		return -EBADF;
	long ret = !f->vn || !can_write(f) ? -EINVAL : truncate_vnode(f->vn, len);
	file_put(f);
	return ret;
}

long sys_truncate(const char *path, int64_t len)
{
	struct vnode *vn;
	int err = vfs_lookup(NULL, path, LOOKUP_FOLLOW, &vn);
	if (err)
		return err;
	long ret = truncate_vnode(vn, len);
	vnode_put(vn);
	return ret;
}

/* Everything lives in memory: there is nothing to write back. */
long sys_fsync(int fd)
{
	struct file *f = fd_get(fd);
	if (!f)
		return -EBADF;
	file_put(f);
	return 0;
}

long sys_fdatasync(int fd)
{
	return sys_fsync(fd);
}

/* Advice about a file's access pattern: everything is in memory, so only checked. */
long sys_fadvise64(int fd, int64_t offset, int64_t len, int advice)
{
	enum { POSIX_FADV_NOREUSE = 5 };
	(void)offset;
	struct file *f = fd_get(fd);
	if (!f)
		return -EBADF;
	file_put(f);
	return advice < 0 || advice > POSIX_FADV_NOREUSE || len < 0 ? -EINVAL : 0;
}
