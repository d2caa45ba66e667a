/*
 * statx, utimensat, fallocate, sendfile and copy_file_range: the newer and the
 * copying calls.
 */
#include <kite/errno.h>
#include <kite/file.h>
#include <kite/fs_calls.h>
#include <kite/heap.h>
#include <string.h>

int dirfd_base(int dirfd, const char *path, struct vnode **base);

#define STATX_BASIC_STATS 0x7ffU
#define UTIME_NOW ((1L << 30) - 1)
#define UTIME_OMIT ((1L << 30) - 2)
#define COPY_CHUNK (64 * 1024)

/* The vnode a *at() call with AT_EMPTY_PATH / AT_SYMLINK_NOFOLLOW names. */
static int at_vnode(int dirfd, const char *path, int flags, struct vnode **out)
{
	if ((!path || !*path) && (flags & AT_EMPTY_PATH || !path)) {
		struct file *f = fd_get(dirfd);
		if (!f)
			return -EBADF;
		int err = f->vn ? 0 : -EINVAL;
		if (!err)
			*out = vnode_get(f->vn);
		file_put(f);
		return err;
	}
	struct vnode *base;
	int err = dirfd_base(dirfd, path, &base);
	if (err)
		return err;
	err = vfs_lookup(base, path, (flags & AT_SYMLINK_NOFOLLOW) ? 0 : LOOKUP_FOLLOW, out);
	vnode_put(base);
	return err;
}

static struct statx_timestamp to_stx(struct timespec64 t)
{
	return (struct statx_timestamp){ .tv_sec = t.tv_sec, .tv_nsec = (uint32_t)t.tv_nsec };
}

long sys_statx(int dirfd, const char *path, int flags, unsigned mask, struct statx *stx)
{
	(void)mask; /* everything is cheap to give */
	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | 0x6000 /* AT_STATX_SYNC_TYPE */))
		return -EINVAL;
	struct vnode *vn;
	int err = at_vnode(dirfd, path, flags, &vn);
	if (err)
		return err;
	struct kstat st;
	vfs_stat(vn, &st);
	vnode_put(vn);
	memset(stx, 0, sizeof(*stx));
	stx->stx_mask = STATX_BASIC_STATS;
	stx->stx_blksize = (uint32_t)st.st_blksize;
	stx->stx_nlink = (uint32_t)st.st_nlink;
	stx->stx_uid = st.st_uid;
	stx->stx_gid = st.st_gid;
	stx->stx_mode = (uint16_t)st.st_mode;
	stx->stx_ino = st.st_ino;
	stx->stx_size = (uint64_t)st.st_size;
	stx->stx_blocks = (uint64_t)st.st_blocks;
	stx->stx_atime = to_stx(st.st_atim);
	stx->stx_mtime = to_stx(st.st_mtim);
	stx->stx_ctime = to_stx(st.st_ctim);
	stx->stx_rdev_major = (uint32_t)(st.st_rdev >> 8);
	stx->stx_rdev_minor = (uint32_t)(st.st_rdev & 0xff);
	stx->stx_dev_minor = (uint32_t)st.st_dev;
	return 0;
}

long sys_utimensat(int dirfd, const char *path, const struct timespec64 times[2], int flags)
{
	struct vnode *vn;
	int err = at_vnode(dirfd, path, flags, &vn);
	if (err)
		return err;
	struct timespec64 now = vfs_now();
	for (int i = 0; i < 2 && times; i++) {
		if (times[i].tv_nsec != UTIME_NOW && times[i].tv_nsec != UTIME_OMIT &&
		    (times[i].tv_nsec < 0 || times[i].tv_nsec >= 1000000000)) {
			vnode_put(vn);
			return -EINVAL;
		}
	}
	mutex_lock(&vn->lock);
	if (!times) {
		vn->atime = vn->mtime = now;
	} else {
		if (times[0].tv_nsec != UTIME_OMIT)
			vn->atime = times[0].tv_nsec == UTIME_NOW ? now : times[0];
		if (times[1].tv_nsec != UTIME_OMIT)
			vn->mtime = times[1].tv_nsec == UTIME_NOW ? now : times[1];
	}
	vn->ctime = now;
	mutex_unlock(&vn->lock);
	vnode_put(vn);
	return 0;
}

/* Mode 0 only: ramfs keeps its memory lazy, so reserving space is growing the
 * size; punching holes and the rest are EOPNOTSUPP. */
long sys_fallocate(int fd, int mode, int64_t off, int64_t len)
{
	if (off < 0 || len <= 0)
		return -EINVAL;
	if (mode)
		return -EOPNOTSUPP;
	struct file *f = fd_get(fd);
	if (!f)
		return -EBADF;
	long err = 0;
	if (!f->vn || (f->flags & O_ACCMODE) == O_RDONLY)
		err = -EBADF;
	else if (S_ISDIR(f->vn->mode))
		err = -EISDIR;
	else if (!S_ISREG(f->vn->mode))
		err = -ENODEV;
	else if ((uint64_t)(off + len) > f->vn->size)
		err = f->vn->ops->truncate(f->vn, (uint64_t)(off + len));
	file_put(f);
	return err;
}

/* Copies up to len bytes from in to out through a bounce buffer; positions
 * given by pointer are used and advanced instead of the files' own. */
static long copy(int in, int64_t *in_off, int out, int64_t *out_off, size_t len)
{
	char *buf = kmalloc(COPY_CHUNK);
	long total = 0;

	if (!buf)
		return -ENOMEM;
	while ((size_t)total < len) {
		size_t want = MIN(len - (size_t)total, (size_t)COPY_CHUNK);
		long n = in_off ? sys_pread64(in, buf, want, *in_off) : sys_read(in, buf, want);
		if (n <= 0) {
			if (n < 0 && !total)
				total = n;
			break;
		}
		long w = out_off ? sys_pwrite64(out, buf, (size_t)n, *out_off) : sys_write(out, buf, (size_t)n);
		if (w < 0) {
			if (!total)
				total = w;
			break;
		}
		if (in_off)
			*in_off += w;
		if (out_off)
			*out_off += w;
		total += w;
		if (w < n) {
			/* The writer took less: the reader gave the rest back. */
			if (!in_off)
				sys_lseek(in, (int64_t)(w - n), SEEK_CUR);
			break;
		}
	}
	kfree(buf);
	return total;
}

long sys_sendfile(int out_fd, int in_fd, int64_t *offset, size_t count)
{
	if (offset && *offset < 0)
		return -EINVAL;
	return copy(in_fd, offset, out_fd, NULL, count);
}

long sys_copy_file_range(int fd_in, int64_t *off_in, int fd_out, int64_t *off_out, size_t len,
			 unsigned flags)
{
	if (flags)
		return -EINVAL;
	struct file *in = fd_get(fd_in), *out = fd_get(fd_out);
	long err = 0;
	if (!in || !out)
		err = -EBADF;
	else if (!in->vn || !out->vn || !S_ISREG(in->vn->mode) || !S_ISREG(out->vn->mode))
		err = -EINVAL;
	file_put(in);
	file_put(out);
	return err ? err : copy(fd_in, off_in, fd_out, off_out, len);
}
