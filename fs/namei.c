/*
 * Path lookup (see vfs.h), with Linux's rules: "." and "..", ".." stops at the
 * root and crosses back over mount points, symlinks are followed in the middle
 * of a path always and at its end on request (at most SYMLOOP_MAX in all:
 * ELOOP), a trailing slash requires a directory, components longer than
 * NAME_MAX and paths of PATH_MAX or more are ENAMETOOLONG, and a non-directory
 * in the middle is ENOTDIR. The walk runs under vfs_lock.
 */
#include <kite/errno.h>
#include <kite/heap.h>
#include <kite/vfs.h>
#include <string.h>

/* One step from directory `dir` into entry (name, len), over mounts. */
static int step(struct vnode *dir, const char *name, size_t len, struct vnode **out)
{
	if (!S_ISDIR(dir->mode))
		return -ENOTDIR;
	if (len == 1 && name[0] == '.') {
		*out = vnode_get(dir);
		return 0;
	}
	if (len == 2 && name[0] == '.' && name[1] == '.') {
		if (dir == vfs_root()) {
			*out = vnode_get(dir);
			return 0;
		}
		/* At the root of a mounted file system, ".." is taken from the
		 * directory it covers. */
		while (dir->mount && dir == dir->mount->root && dir->mount->mountpoint)
			dir = dir->mount->mountpoint;
	}
	if (!dir->ops->lookup)
		return -ENOTDIR;
	int err = dir->ops->lookup(dir, name, len, out);
	if (err)
		return err;
	while ((*out)->covered_by) {
		struct vnode *root = vnode_get((*out)->covered_by->root);
		vnode_put(*out);
		*out = root;
	}
	return 0;
}

struct walk {
	unsigned flags;
	int links;		/* symlinks followed so far */
	struct vnode **parent;	/* parent mode when non-NULL */
	char *last;
	bool *trailing_slash;
};

static int walk(struct vnode *base, const char *path, struct walk *w, struct vnode **out);

/* Replaces *vn (a symlink, in directory dir) by what it points to. */
static int follow(struct vnode *dir, struct vnode **vn, struct walk *w)
{
	if (++w->links > SYMLOOP_MAX)
		return -ELOOP;
	char *target = kmalloc(PATH_MAX);
	if (!target)
		return -ENOMEM;
	ssize_t n = (*vn)->ops->readlink ? (*vn)->ops->readlink(*vn, target, PATH_MAX - 1) : -EINVAL;
	if (n < 0) {
		kfree(target);
		return (int)n;
	}
	target[n] = '\0';
	struct walk inner = { .flags = LOOKUP_FOLLOW, .links = w->links };
	struct vnode *resolved;
	int err = walk(dir, target, &inner, &resolved);
	w->links = inner.links;
	kfree(target);
	if (err)
		return err;
	vnode_put(*vn);
	*vn = resolved;
	return 0;
}

static int walk(struct vnode *base, const char *path, struct walk *w, struct vnode **out)
{
	if (strnlen(path, PATH_MAX) == PATH_MAX)
		return -ENAMETOOLONG;
	if (!*path) {
		if (!(w->flags & LOOKUP_EMPTY) || w->parent)
			return -ENOENT;
		*out = vnode_get(base);
		return 0;
	}
	struct vnode *dir = vnode_get(*path == '/' ? vfs_root() : base);
	const char *p = path;
	while (*p == '/')
		p++;
	if (!*p) {
		/* "/" (or "///"): the root itself. */
		if (w->parent) {
			*w->parent = dir;
			w->last[0] = '\0';
			*w->trailing_slash = true;
		} else {
			*out = dir;
		}
		return 0;
	}
	for (;;) {
		const char *end = strchr(p, '/');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		const char *rest = p + len;
		while (*rest == '/')
			rest++;
		bool is_last = !*rest;
		bool trailing = is_last && p[len] == '/';
		int err = 0;

		if (len > NAME_MAX) {
			err = -ENAMETOOLONG;
			goto out_put_dir;
		}
		if (is_last && w->parent) {
			if (!S_ISDIR(dir->mode)) {
				err = -ENOTDIR;
				goto out_put_dir;
			}
			memcpy(w->last, p, len);
			w->last[len] = '\0';
			*w->trailing_slash = trailing;
			*w->parent = dir;
			return 0;
		}
		struct vnode *next;
		err = step(dir, p, len, &next);
		if (err)
			goto out_put_dir;
		if (S_ISLNK(next->mode) && (!is_last || (w->flags & LOOKUP_FOLLOW) || trailing)) {
			err = follow(dir, &next, w);
			if (err) {
				vnode_put(next);
				goto out_put_dir;
			}
		}
		vnode_put(dir);
		if (!is_last) {
			if (!S_ISDIR(next->mode)) {
				vnode_put(next);
				return -ENOTDIR;
			}
			dir = next;
			p = rest;
			continue;
		}
		if (trailing && !S_ISDIR(next->mode)) {
			vnode_put(next);
			return -ENOTDIR;
		}
		*out = next;
		return 0;
out_put_dir:
		vnode_put(dir);
		return err;
	}
}

static struct vnode *base_or_cwd(struct vnode *base, bool *put)
{
	*put = !base;
	return base ? base : vfs_cwd();
}

int vfs_lookup(struct vnode *base, const char *path, unsigned flags, struct vnode **out)
{
	bool put;
	struct vnode *b = base_or_cwd(base, &put);
	struct walk w = { .flags = flags };

	mutex_lock(&vfs_lock);
	int err = walk(b, path, &w, out);
	mutex_unlock(&vfs_lock);
	if (put)
		vnode_put(b);
	return err;
}

int vfs_lookup_parent(struct vnode *base, const char *path, struct vnode **parent, char *last,
		      bool *trailing_slash)
{
	bool put;
	struct vnode *b = base_or_cwd(base, &put);
	struct walk w = { .parent = parent, .last = last, .trailing_slash = trailing_slash };
	struct vnode *unused;

	mutex_lock(&vfs_lock);
	int err = walk(b, path, &w, &unused);
	mutex_unlock(&vfs_lock);
	if (put)
		vnode_put(b);
	return err;
}

/* Finds the name under which `dir`'s parent lists it. vfs_lock held. */
static int name_in_parent(struct vnode *parent, struct vnode *dir, char *name)
{
	struct dir_entry e;

	for (uint64_t i = 0; parent->ops->readdir; i = e.next) {
		e.next = i + 1;
		if (parent->ops->readdir(parent, i, &e) != 1)
			break;
		if (!strcmp(e.name, ".") || !strcmp(e.name, ".."))
			continue;
		struct vnode *vn;
		if (step(parent, e.name, strlen(e.name), &vn))
			continue;
		bool found = vn == dir;
		vnode_put(vn);
		if (found) {
			strcpy(name, e.name);
			return 0;
		}
	}
	return -ENOENT;
}

int vfs_path_of(struct vnode *dir, char *buf, size_t size)
{
	char *tmp = kmalloc(PATH_MAX);
	char *name = kmalloc(NAME_MAX + 1);
	int err = 0;

	if (!tmp || !name) {
		err = -ENOMEM;
		goto out_free;
	}
	/* Built right to left in tmp. */
	size_t pos = PATH_MAX - 1;
	tmp[pos] = '\0';
	mutex_lock(&vfs_lock);
	struct vnode *cur = vnode_get(dir);
	while (cur != vfs_root()) {
		struct vnode *parent = NULL;
		err = step(cur, "..", 2, &parent);
		/* step() maps a mount point to the mounted root, so a mount root is
		 * found in its parent's listing under the mount point's name. */
		if (!err)
			err = name_in_parent(parent, cur, name);
		if (!err && strlen(name) + 1 > pos)
			err = -ENAMETOOLONG;
		if (err) {
			vnode_put(cur);
			if (parent)
				vnode_put(parent);
			cur = NULL;
			break;
		}
		size_t len = strlen(name);
		pos -= len;
		memcpy(tmp + pos, name, len);
		tmp[--pos] = '/';
		vnode_put(cur);
		cur = parent;
	}
	if (cur)
		vnode_put(cur);
	mutex_unlock(&vfs_lock);
	if (!err) {
		if (pos == PATH_MAX - 1)
			tmp[--pos] = '/';
		size_t len = PATH_MAX - 1 - pos;
		if (len + 1 > size)
			err = -ERANGE;
		else
			memcpy(buf, tmp + pos, len + 1);
	}
out_free:
	kfree(tmp);
	kfree(name);
	return err;
}
