/*
 * ramfs: a writable file system in memory. Directories are lists of entries;
 * a file's data is an array of 4 KiB pages in which a missing page is a hole
 * that reads as zeros, so sparse files cost only what was written. Symlinks
 * keep their target. Names are compared byte for byte, as Linux does.
 *
 * Directory entries hold a reference to their vnode; a file stays alive while
 * it is linked or open.
 */
#include <kite/errno.h>
#include <kite/heap.h>
#include <kite/memlayout.h>
#include <kite/ramfs.h>
#include <string.h>

struct ramfs_entry {
	struct list node;
	struct vnode *vn;
	size_t len;
	char name[];
};

struct ramfs_node {
	struct vnode vn;		/* first: a vnode is its ramfs_node */
	struct ramfs_node *parent;	/* directories: for ".."; vfs_lock */
	struct list entries;		/* directories; vfs_lock */
	uint8_t **pages;		/* files: lock */
	size_t nr_pages;
	char *target;			/* symlinks */
};

static const struct vnode_ops ramfs_ops;
static uint64_t data_bytes; /* atomic */

static struct ramfs_node *R(struct vnode *vn)
{
	return (struct ramfs_node *)vn;
}

uint64_t ramfs_data_bytes(void)
{
	return __atomic_load_n(&data_bytes, __ATOMIC_RELAXED);
}

static struct ramfs_node *node_new(struct mount *m, uint32_t mode)
{
	struct ramfs_node *n = kzalloc(sizeof(*n));
	if (!n)
		return NULL;
	vnode_init(&n->vn, &ramfs_ops, m, mode);
	list_init(&n->entries);
	n->vn.nlink = S_ISDIR(mode) ? 2 : 1;
	return n;
}

static struct ramfs_entry *find(struct vnode *dir, const char *name, size_t len)
{
	list_for_each(pos, &R(dir)->entries) {
		struct ramfs_entry *e = list_entry(pos, struct ramfs_entry, node);
		if (e->len == len && !memcmp(e->name, name, len))
			return e;
	}
	return NULL;
}

static int add_entry(struct vnode *dir, const char *name, size_t len, struct vnode *vn)
{
	struct ramfs_entry *e = kmalloc(sizeof(*e) + len + 1);
	if (!e)
		return -ENOMEM;
	e->vn = vn; /* takes the caller's reference */
	e->len = len;
	memcpy(e->name, name, len);
	e->name[len] = '\0';
	list_push_back(&R(dir)->entries, &e->node);
	dir->mtime = dir->ctime = vfs_now();
	return 0;
}

static bool is_dot_or_dotdot(const char *name, size_t len)
{
	return (len == 1 && name[0] == '.') || (len == 2 && name[0] == '.' && name[1] == '.');
}

static int ramfs_lookup(struct vnode *dir, const char *name, size_t len, struct vnode **out)
{
	if (len == 2 && name[0] == '.' && name[1] == '.') {
		struct ramfs_node *parent = R(dir)->parent;
		*out = vnode_get(parent ? &parent->vn : dir);
		return 0;
	}
	struct ramfs_entry *e = find(dir, name, len);
	if (!e)
		return -ENOENT;
	*out = vnode_get(e->vn);
	return 0;
}

static int ramfs_create_node(struct vnode *dir, const char *name, size_t len, uint32_t mode, uint64_t rdev,
			struct vnode **out)
{
	if (is_dot_or_dotdot(name, len) || find(dir, name, len))
		return -EEXIST;
	struct ramfs_node *n = node_new(dir->mount, mode);
	if (!n)
		return -ENOMEM;
	n->vn.rdev = rdev;
	if (S_ISDIR(mode))
		n->parent = R(dir);
	int err = add_entry(dir, name, len, &n->vn);
	if (err) {
		vnode_put(&n->vn);
		return err;
	}
	if (S_ISDIR(mode))
		dir->nlink++;
	if (out)
		*out = vnode_get(&n->vn);
	return 0;
}

static int ramfs_symlink(struct vnode *dir, const char *name, size_t len, const char *target)
{
	size_t tlen = strlen(target);
	if (is_dot_or_dotdot(name, len) || find(dir, name, len))
		return -EEXIST;
	struct ramfs_node *n = node_new(dir->mount, S_IFLNK | 0777);
	if (!n)
		return -ENOMEM;
	n->target = kmalloc(tlen + 1);
	if (!n->target) {
		vnode_put(&n->vn);
		return -ENOMEM;
	}
	memcpy(n->target, target, tlen + 1);
	n->vn.size = tlen;
	int err = add_entry(dir, name, len, &n->vn);
	if (err)
		vnode_put(&n->vn);
	return err;
}

static int ramfs_link(struct vnode *dir, const char *name, size_t len, struct vnode *target)
{
	if (S_ISDIR(target->mode))
		return -EPERM;
	if (target->mount != dir->mount)
		return -EXDEV;
	if (is_dot_or_dotdot(name, len) || find(dir, name, len))
		return -EEXIST;
	int err = add_entry(dir, name, len, vnode_get(target));
	if (err) {
		vnode_put(target);
		return err;
	}
	target->nlink++;
	target->ctime = vfs_now();
	return 0;
}

/* Drops the entry e from dir (vfs_lock held); the caller checked the rules. */
static void remove_entry(struct vnode *dir, struct ramfs_entry *e)
{
	struct vnode *vn = e->vn;

	list_remove(&e->node);
	kfree(e);
	if (S_ISDIR(vn->mode)) {
		vn->nlink = 0;
		dir->nlink--;
	} else {
		vn->nlink--;
	}
	vn->ctime = dir->mtime = dir->ctime = vfs_now();
	vnode_put(vn);
}

static int ramfs_unlink(struct vnode *dir, const char *name, size_t len, bool is_dir)
{
	if (len == 1 && name[0] == '.')
		return -EINVAL;
	if (len == 2 && name[0] == '.' && name[1] == '.')
		return -ENOTEMPTY;
	struct ramfs_entry *e = find(dir, name, len);
	if (!e)
		return -ENOENT;
	if (is_dir) {
		if (!S_ISDIR(e->vn->mode))
			return -ENOTDIR;
		if (!list_empty(&R(e->vn)->entries))
			return -ENOTEMPTY;
		if (e->vn->covered_by)
			return -EBUSY;
	} else if (S_ISDIR(e->vn->mode)) {
		return -EISDIR;
	}
	remove_entry(dir, e);
	return 0;
}

/* True when dir is `ancestor` or lies below it. */
static bool is_within(struct vnode *dir, struct vnode *ancestor)
{
	for (struct ramfs_node *n = R(dir); n; n = n->parent)
		if (&n->vn == ancestor)
			return true;
	return false;
}

static int ramfs_rename(struct vnode *from_dir, const char *from, size_t from_len, struct vnode *to_dir,
			const char *to, size_t to_len)
{
	if (is_dot_or_dotdot(from, from_len) || is_dot_or_dotdot(to, to_len))
		return -EINVAL;
	if (from_dir->mount != to_dir->mount)
		return -EXDEV;
	struct ramfs_entry *src = find(from_dir, from, from_len);
	if (!src)
		return -ENOENT;
	struct vnode *vn = src->vn;
	bool moving_dir = S_ISDIR(vn->mode);
	if (moving_dir && is_within(to_dir, vn))
		return -EINVAL; /* into itself */
	struct ramfs_entry *dst = find(to_dir, to, to_len);
	if (dst) {
		if (dst->vn == vn)
			return 0;
		if (moving_dir && !S_ISDIR(dst->vn->mode))
			return -ENOTDIR;
		if (!moving_dir && S_ISDIR(dst->vn->mode))
			return -EISDIR;
		if (S_ISDIR(dst->vn->mode) && !list_empty(&R(dst->vn)->entries))
			return -ENOTEMPTY;
	}
	struct ramfs_entry *moved = kmalloc(sizeof(*moved) + to_len + 1);
	if (!moved)
		return -ENOMEM;
	if (dst)
		remove_entry(to_dir, dst);
	moved->vn = vn;
	moved->len = to_len;
	memcpy(moved->name, to, to_len);
	moved->name[to_len] = '\0';
	list_remove(&src->node);
	kfree(src);
	list_push_back(&R(to_dir)->entries, &moved->node);
	if (moving_dir && from_dir != to_dir) {
		from_dir->nlink--;
		to_dir->nlink++;
		R(vn)->parent = R(to_dir);
	}
	from_dir->mtime = from_dir->ctime = to_dir->mtime = to_dir->ctime = vn->ctime = vfs_now();
	return 0;
}

static uint8_t dt_of(uint32_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG: return DT_REG;
	case S_IFDIR: return DT_DIR;
	case S_IFLNK: return DT_LNK;
	case S_IFCHR: return DT_CHR;
	case S_IFBLK: return DT_BLK;
	case S_IFIFO: return DT_FIFO;
	case S_IFSOCK: return DT_SOCK;
	}
	return DT_UNKNOWN;
}

static int ramfs_readdir(struct vnode *dir, uint64_t index, struct dir_entry *out)
{
	if (index < 2) {
		struct ramfs_node *parent = R(dir)->parent;
		out->ino = index == 0 || !parent ? dir->ino : parent->vn.ino;
		out->type = DT_DIR;
		strcpy(out->name, index == 0 ? "." : "..");
		return 1;
	}
	uint64_t i = 2;
	list_for_each(pos, &R(dir)->entries) {
		if (i++ != index)
			continue;
		struct ramfs_entry *e = list_entry(pos, struct ramfs_entry, node);
		out->ino = e->vn->ino;
		out->type = dt_of(e->vn->mode);
		memcpy(out->name, e->name, e->len + 1);
		return 1;
	}
	return 0;
}

static ssize_t ramfs_readlink(struct vnode *vn, char *buf, size_t len)
{
	size_t n = vn->size < len ? vn->size : len;
	memcpy(buf, R(vn)->target, n);
	return (ssize_t)n;
}

static ssize_t ramfs_read(struct vnode *vn, void *buf, size_t len, uint64_t off)
{
	struct ramfs_node *n = R(vn);

	mutex_lock(&vn->lock);
	if (off >= vn->size) {
		mutex_unlock(&vn->lock);
		return 0;
	}
	if (len > vn->size - off)
		len = vn->size - off;
	for (size_t done = 0; done < len;) {
		uint64_t pos = off + done;
		size_t page = pos >> PAGE_SHIFT, in_page = pos & (PAGE_SIZE - 1);
		size_t chunk = MIN(len - done, PAGE_SIZE - in_page);
		if (page < n->nr_pages && n->pages[page])
			memcpy((char *)buf + done, n->pages[page] + in_page, chunk);
		else
			memset((char *)buf + done, 0, chunk); /* a hole */
		done += chunk;
	}
	mutex_unlock(&vn->lock);
	return (ssize_t)len;
}

/* Makes the page array hold at least `pages` entries; lock held. */
static int grow(struct ramfs_node *n, size_t pages)
{
	if (pages <= n->nr_pages)
		return 0;
	size_t want = n->nr_pages ? n->nr_pages : 4;
	while (want < pages)
		want *= 2;
	uint8_t **p = krealloc(n->pages, want * sizeof(*p));
	if (!p)
		return -ENOMEM;
	memset(p + n->nr_pages, 0, (want - n->nr_pages) * sizeof(*p));
	n->pages = p;
	n->nr_pages = want;
	return 0;
}

static ssize_t ramfs_write(struct vnode *vn, const void *buf, size_t len, uint64_t off)
{
	struct ramfs_node *n = R(vn);
	ssize_t result;

	if (off + len < off)
		return -EFBIG;
	mutex_lock(&vn->lock);
	if (grow(n, (off + len + PAGE_SIZE - 1) >> PAGE_SHIFT)) {
		result = -ENOSPC;
		goto out_unlock;
	}
	size_t done = 0;
	while (done < len) {
		uint64_t pos = off + done;
		size_t page = pos >> PAGE_SHIFT, in_page = pos & (PAGE_SIZE - 1);
		size_t chunk = MIN(len - done, PAGE_SIZE - in_page);
		if (!n->pages[page]) {
			n->pages[page] = kzalloc(PAGE_SIZE);
			if (!n->pages[page])
				break;
			__atomic_add_fetch(&data_bytes, PAGE_SIZE, __ATOMIC_RELAXED);
		}
		memcpy(n->pages[page] + in_page, (const char *)buf + done, chunk);
		done += chunk;
	}
	if (off + done > vn->size)
		vn->size = off + done;
	if (done)
		vn->mtime = vn->ctime = vfs_now();
	result = done ? (ssize_t)done : -ENOSPC;
out_unlock:
	mutex_unlock(&vn->lock);
	return result;
}

static void free_pages_from(struct ramfs_node *n, size_t first)
{
	for (size_t i = first; i < n->nr_pages; i++) {
		if (n->pages[i]) {
			kfree(n->pages[i]);
			n->pages[i] = NULL;
			__atomic_sub_fetch(&data_bytes, PAGE_SIZE, __ATOMIC_RELAXED);
		}
	}
}

static int ramfs_truncate(struct vnode *vn, uint64_t size)
{
	struct ramfs_node *n = R(vn);

	mutex_lock(&vn->lock);
	if (size < vn->size) {
		size_t keep = (size + PAGE_SIZE - 1) >> PAGE_SHIFT;
		free_pages_from(n, keep);
		/* The kept tail of the last page must read as zeros if the file
		 * grows again. */
		size_t in_page = size & (PAGE_SIZE - 1);
		if (in_page && keep - 1 < n->nr_pages && n->pages[keep - 1])
			memset(n->pages[keep - 1] + in_page, 0, PAGE_SIZE - in_page);
	}
	vn->size = size;
	vn->mtime = vn->ctime = vfs_now();
	mutex_unlock(&vn->lock);
	return 0;
}

static void ramfs_release(struct vnode *vn)
{
	struct ramfs_node *n = R(vn);

	free_pages_from(n, 0);
	kfree(n->pages);
	kfree(n->target);
	kfree(n);
}

static const struct vnode_ops ramfs_ops = {
	.lookup = ramfs_lookup,
	.create = ramfs_create_node,
	.symlink = ramfs_symlink,
	.link = ramfs_link,
	.unlink = ramfs_unlink,
	.rename = ramfs_rename,
	.readdir = ramfs_readdir,
	.readlink = ramfs_readlink,
	.read = ramfs_read,
	.write = ramfs_write,
	.truncate = ramfs_truncate,
	.release = ramfs_release,
};

struct mount *ramfs_create(void)
{
	static uint64_t next_dev = 1;
	struct mount *m = kzalloc(sizeof(*m));
	if (!m)
		return NULL;
	struct ramfs_node *root = node_new(m, S_IFDIR | 0755);
	if (!root) {
		kfree(m);
		return NULL;
	}
	m->root = &root->vn;
	m->fstype = "ramfs";
	m->dev = __atomic_fetch_add(&next_dev, 1, __ATOMIC_RELAXED);
	return m;
}

/* Drops every entry below dir, depth first (nothing may be open in it). */
static void drop_tree(struct vnode *dir)
{
	list_for_each_safe(pos, tmp, &R(dir)->entries) {
		struct ramfs_entry *e = list_entry(pos, struct ramfs_entry, node);
		if (S_ISDIR(e->vn->mode))
			drop_tree(e->vn);
		list_remove(&e->node);
		vnode_put(e->vn);
		kfree(e);
	}
}

void ramfs_destroy(struct mount *m)
{
	if (m->mountpoint)
		vfs_unmount(m);
	mutex_lock(&vfs_lock);
	drop_tree(m->root);
	mutex_unlock(&vfs_lock);
	vnode_put(m->root);
	kfree(m);
}
