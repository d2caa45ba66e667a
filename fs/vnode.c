/*
 * Vnodes' reference counts, the root, the current directory, mounts and
 * stat (see vfs.h).
 */
#include <kite/clock.h>
#include <kite/errno.h>
#include <kite/vfs.h>
#include <string.h>

struct mutex vfs_lock = MUTEX_INIT(vfs_lock);

static struct mount *root_mount;
static struct vnode *cwd; /* vfs_lock */

void vnode_init(struct vnode *vn, const struct vnode_ops *ops, struct mount *m, uint32_t mode)
{
	static uint64_t next_ino = 1;

	memset(vn, 0, sizeof(*vn));
	vn->ops = ops;
	vn->mount = m;
	vn->mode = mode;
	vn->refs = 1;
	vn->ino = __atomic_fetch_add(&next_ino, 1, __ATOMIC_RELAXED);
	vn->atime = vn->mtime = vn->ctime = vfs_now();
	mutex_init(&vn->lock);
}

struct vnode *vnode_get(struct vnode *vn)
{
	__atomic_add_fetch(&vn->refs, 1, __ATOMIC_RELAXED);
	return vn;
}

void vnode_put(struct vnode *vn)
{
	if (vn && __atomic_sub_fetch(&vn->refs, 1, __ATOMIC_ACQ_REL) == 0)
		vn->ops->release(vn);
}

struct vnode *vfs_root(void)
{
	return root_mount->root;
}

void vfs_set_root(struct mount *m)
{
	root_mount = m;
	mutex_lock(&vfs_lock);
	if (cwd)
		vnode_put(cwd);
	cwd = vnode_get(m->root);
	mutex_unlock(&vfs_lock);
}

struct vnode *vfs_cwd(void)
{
	mutex_lock(&vfs_lock);
	struct vnode *vn = vnode_get(cwd);
	mutex_unlock(&vfs_lock);
	return vn;
}

int vfs_chdir(struct vnode *dir)
{
	if (!S_ISDIR(dir->mode))
		return -ENOTDIR;
	mutex_lock(&vfs_lock);
	struct vnode *old = cwd;
	cwd = vnode_get(dir);
	mutex_unlock(&vfs_lock);
	vnode_put(old);
	return 0;
}

int vfs_mount(const char *path, struct mount *m)
{
	struct vnode *dir;
	int err = vfs_lookup(NULL, path, LOOKUP_FOLLOW, &dir);
	if (err)
		return err;
	if (!S_ISDIR(dir->mode)) {
		vnode_put(dir);
		return -ENOTDIR;
	}
	mutex_lock(&vfs_lock);
	if (dir->covered_by) {
		mutex_unlock(&vfs_lock);
		vnode_put(dir);
		return -EBUSY;
	}
	m->mountpoint = dir; /* keeps the reference */
	m->parent = dir->mount;
	dir->covered_by = m;
	mutex_unlock(&vfs_lock);
	return 0;
}

void vfs_unmount(struct mount *m)
{
	mutex_lock(&vfs_lock);
	struct vnode *mp = m->mountpoint;
	if (mp)
		mp->covered_by = NULL;
	m->mountpoint = NULL;
	m->parent = NULL;
	mutex_unlock(&vfs_lock);
	vnode_put(mp);
}

void vfs_stat(struct vnode *vn, struct kstat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_dev = vn->mount ? vn->mount->dev : 0;
	st->st_ino = vn->ino;
	st->st_nlink = vn->nlink;
	st->st_mode = vn->mode;
	st->st_uid = vn->uid;
	st->st_gid = vn->gid;
	st->st_rdev = vn->rdev;
	st->st_size = (int64_t)vn->size;
	st->st_blksize = 4096;
	st->st_blocks = (int64_t)((vn->size + 511) / 512);
	st->st_atim = vn->atime;
	st->st_mtim = vn->mtime;
	st->st_ctim = vn->ctime;
}

struct timespec64 vfs_now(void)
{
	uint64_t ns = clock_realtime_ns();
	return (struct timespec64){ .tv_sec = (int64_t)(ns / NSEC_PER_SEC), .tv_nsec = (int64_t)(ns % NSEC_PER_SEC) };
}
