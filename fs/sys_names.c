/*
 * Calls that work on names: stat, mkdir, unlink, rename, link, symlink,
 * readlink, access, chdir, getcwd, umask.
 */
#include <kite/errno.h>
#include <kite/file.h>
#include <kite/fs_calls.h>
#include <kite/heap.h>
#include <string.h>

int dirfd_base(int dirfd, const char *path, struct vnode **base);

static unsigned umask_bits = 022;

unsigned fs_umask(void)
{
	return __atomic_load_n(&umask_bits, __ATOMIC_RELAXED);
}

long sys_umask(unsigned mask)
{
	return __atomic_exchange_n(&umask_bits, mask & 0777, __ATOMIC_RELAXED);
}

long sys_fstat(int fd, struct kstat *st)
{
	struct file *f = fd_get(fd);
	if (!f)
		return -EBADF;
	if (f->vn) {
		vfs_stat(f->vn, st);
	} else {
		memset(st, 0, sizeof(*st));
		/* A pipe's or (as Linux says them) a socket's mode. */
		st->st_mode = f->ops->fstat_type == S_IFSOCK ? S_IFSOCK | 0777 : S_IFIFO | 0600;
		st->st_nlink = 1;
		st->st_blksize = 4096;
	}
	file_put(f);
	return 0;
}

long sys_newfstatat(int dirfd, const char *path, struct kstat *st, int flags)
{
	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	if (!*path && (flags & AT_EMPTY_PATH) && dirfd != AT_FDCWD)
		return sys_fstat(dirfd, st);
	struct vnode *base, *vn;
	int err = dirfd_base(dirfd, path, &base);
	if (err)
		return err;
	unsigned lf = ((flags & AT_SYMLINK_NOFOLLOW) ? 0 : LOOKUP_FOLLOW) | ((flags & AT_EMPTY_PATH) ? LOOKUP_EMPTY : 0);
	err = vfs_lookup(base, path, lf, &vn);
	vnode_put(base);
	if (err)
		return err;
	vfs_stat(vn, st);
	vnode_put(vn);
	return 0;
}

long sys_stat(const char *path, struct kstat *st)
{
	return sys_newfstatat(AT_FDCWD, path, st, 0);
}

long sys_lstat(const char *path, struct kstat *st)
{
	return sys_newfstatat(AT_FDCWD, path, st, AT_SYMLINK_NOFOLLOW);
}

/* The parent directory and last name of a path for the calls that change names. */
struct target {
	struct vnode *dir;
	char name[NAME_MAX + 1];
	bool slash;
};

static int resolve_parent(int dirfd, const char *path, struct target *t)
{
	struct vnode *base;
	int err = dirfd_base(dirfd, path, &base);
	if (err)
		return err;
	err = vfs_lookup_parent(base, path, &t->dir, t->name, &t->slash);
	vnode_put(base);
	return err;
}

static bool is_dots(const char *name)
{
	return !strcmp(name, ".") || !strcmp(name, "..");
}

long sys_mkdirat(int dirfd, const char *path, unsigned mode)
{
	struct target t;
	int err = resolve_parent(dirfd, path, &t);
	if (err)
		return err;
	if (!t.name[0] || is_dots(t.name))
		err = -EEXIST;
	else if (!t.dir->ops->create)
		err = -EPERM;
	if (!err) {
		mutex_lock(&vfs_lock);
		err = t.dir->ops->create(t.dir, t.name, strlen(t.name), S_IFDIR | (mode & 07777 & ~fs_umask()), 0, NULL);
		mutex_unlock(&vfs_lock);
	}
	vnode_put(t.dir);
	return err;
}

long sys_mkdir(const char *path, unsigned mode)
{
	return sys_mkdirat(AT_FDCWD, path, mode);
}

long sys_unlinkat(int dirfd, const char *path, int flags)
{
	if (flags & ~AT_REMOVEDIR)
		return -EINVAL;
	bool rmdir = flags & AT_REMOVEDIR;
	struct target t;
	int err = resolve_parent(dirfd, path, &t);
	if (err)
		return err;
	if (!t.name[0])
		err = rmdir ? -EBUSY : -EISDIR;
	else if (rmdir && !strcmp(t.name, "."))
		err = -EINVAL;
	else if (!t.dir->ops->unlink)
		err = -EPERM;
	if (!err) {
		mutex_lock(&vfs_lock);
		if (!rmdir && t.slash) {
			/* "file/" names a directory or nothing. */
			struct vnode *vn;
			err = t.dir->ops->lookup(t.dir, t.name, strlen(t.name), &vn);
			if (!err) {
				err = S_ISDIR(vn->mode) ? -EISDIR : -ENOTDIR;
				vnode_put(vn);
			}
		}
		if (!err)
			err = t.dir->ops->unlink(t.dir, t.name, strlen(t.name), rmdir);
		mutex_unlock(&vfs_lock);
	}
	vnode_put(t.dir);
	return err;
}

long sys_unlink(const char *path)
{
	return sys_unlinkat(AT_FDCWD, path, 0);
}

long sys_rmdir(const char *path)
{
	return sys_unlinkat(AT_FDCWD, path, AT_REMOVEDIR);
}

long sys_renameat2(int olddirfd, const char *from, int newdirfd, const char *to, unsigned flags)
{
	if (flags)
		return -EINVAL; /* FIXME: RENAME_NOREPLACE and RENAME_EXCHANGE */
	struct target a, b;
	int err = resolve_parent(olddirfd, from, &a);
	if (err)
		return err;
	err = resolve_parent(newdirfd, to, &b);
	if (err) {
		vnode_put(a.dir);
		return err;
	}
	if (!a.name[0] || !b.name[0])
		err = -EBUSY;
	else if (a.dir->mount != b.dir->mount)
		err = -EXDEV;
	else if (!a.dir->ops->rename)
		err = -EPERM;
	if (!err) {
		mutex_lock(&vfs_lock);
		err = a.dir->ops->rename(a.dir, a.name, strlen(a.name), b.dir, b.name, strlen(b.name));
		mutex_unlock(&vfs_lock);
	}
	vnode_put(a.dir);
	vnode_put(b.dir);
	return err;
}

long sys_rename(const char *from, const char *to)
{
	return sys_renameat2(AT_FDCWD, from, AT_FDCWD, to, 0);
}

long sys_linkat(int olddirfd, const char *from, int newdirfd, const char *to, int flags)
{
	if (flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	struct vnode *base, *vn;
	int err = dirfd_base(olddirfd, from, &base);
	if (err)
		return err;
	err = vfs_lookup(base, from, (flags & AT_SYMLINK_FOLLOW) ? LOOKUP_FOLLOW : 0, &vn);
	vnode_put(base);
	if (err)
		return err;
	struct target t;
	err = resolve_parent(newdirfd, to, &t);
	if (!err) {
		if (!t.name[0] || is_dots(t.name))
			err = -EEXIST;
		else if (!t.dir->ops->link)
			err = -EPERM;
		else {
			mutex_lock(&vfs_lock);
			err = t.dir->ops->link(t.dir, t.name, strlen(t.name), vn);
			mutex_unlock(&vfs_lock);
		}
		vnode_put(t.dir);
	}
	vnode_put(vn);
	return err;
}

long sys_link(const char *from, const char *to)
{
	return sys_linkat(AT_FDCWD, from, AT_FDCWD, to, 0);
}

long sys_symlinkat(const char *target, int dirfd, const char *path)
{
	if (!*target)
		return -ENOENT;
	if (strnlen(target, PATH_MAX) == PATH_MAX)
		return -ENAMETOOLONG;
	struct target t;
	int err = resolve_parent(dirfd, path, &t);
	if (err)
		return err;
	if (!t.name[0] || is_dots(t.name))
		err = -EEXIST;
	else if (!t.dir->ops->symlink)
		err = -EPERM;
	else {
		mutex_lock(&vfs_lock);
		err = t.dir->ops->symlink(t.dir, t.name, strlen(t.name), target);
		mutex_unlock(&vfs_lock);
	}
	vnode_put(t.dir);
	return err;
}

long sys_symlink(const char *target, const char *path)
{
	return sys_symlinkat(target, AT_FDCWD, path);
}

long sys_readlinkat(int dirfd, const char *path, char *buf, int size)
{
	if (size <= 0)
		return -EINVAL;
	struct vnode *base, *vn;
	int err = dirfd_base(dirfd, path, &base);
	if (err)
		return err;
	err = vfs_lookup(base, path, LOOKUP_EMPTY, &vn);
	vnode_put(base);
	if (err)
		return err;
	long n = S_ISLNK(vn->mode) && vn->ops->readlink ? vn->ops->readlink(vn, buf, (size_t)size) : -EINVAL;
	vnode_put(vn);
	return n;
}

long sys_readlink(const char *path, char *buf, int size)
{
	return sys_readlinkat(AT_FDCWD, path, buf, size);
}

long sys_faccessat(int dirfd, const char *path, int mode, int flags)
{
	if (mode & ~7)
		return -EINVAL;
	struct vnode *base, *vn;
	int err = dirfd_base(dirfd, path, &base);
	if (err)
		return err;
	err = vfs_lookup(base, path, (flags & AT_SYMLINK_NOFOLLOW) ? 0 : LOOKUP_FOLLOW, &vn);
	vnode_put(base);
	if (err)
		return err;
	/* The application is root: it may read and write anything, and execute
	 * what has an execute bit (as for root on Linux). */
	if ((mode & 1) && !S_ISDIR(vn->mode) && !(vn->mode & 0111))
		err = -EACCES;
	vnode_put(vn);
	return err;
}

long sys_access(const char *path, int mode)
{
	return sys_faccessat(AT_FDCWD, path, mode, 0);
}

long sys_chdir(const char *path)
{
	struct vnode *vn;
	int err = vfs_lookup(NULL, path, LOOKUP_FOLLOW, &vn);
	if (err)
		return err;
	err = vfs_chdir(vn);
	vnode_put(vn);
	return err;
}

long sys_fchdir(int fd)
{
	struct file *f = fd_get(fd);
	if (!f)
		return -EBADF;
	long err = f->vn ? vfs_chdir(f->vn) : -ENOTDIR;
	file_put(f);
	return err;
}

long sys_getcwd(char *buf, size_t size)
{
	struct vnode *cwd = vfs_cwd();
	int err = vfs_path_of(cwd, buf, size);
	vnode_put(cwd);
	return err ? err : (long)strlen(buf) + 1;
}
