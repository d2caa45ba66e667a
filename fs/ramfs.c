/*
 * ramfs: a writable file system in memory. A directory keeps its entries in a
 * list, in the order they were made; once it has a few, it also indexes them
 * by name in a hash table that doubles as it fills, so that lookups in a
 * directory of 10,000 files cost what they cost in one of ten. Each entry gets the next number of its
 * directory's sequence when it is linked; a directory position is that
 * number (plus 2, after "." and ".."), so reading on after entries were
 * removed neither skips nor repeats any (rm -r unlinks what getdents returned
 * and reads on). readdir resumes from a cursor rather than walking the list;
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

/* Kept small: a boot's few hundred entries and nodes decide the smallest
 * memory Kite boots in (bench/minmem.sh). */
struct ramfs_entry {
	struct list node;		/* in the directory's list */
	struct ramfs_entry *hash_next;	/* the next in its hash bucket */
	struct vnode *vn;
	uint32_t seq;			/* its number in the directory's sequence */
	uint32_t len;
	char name[];
};

struct ramfs_node {
	struct vnode vn;		/* first: a vnode is its ramfs_node */
	struct ramfs_node *parent;	/* directories: for ".."; vfs_lock */
	union {				/* by the type in vn.mode */
		struct {		/* directories; vfs_lock */
			struct list entries;
			struct ramfs_entry **buckets;	/* by name hash, or NULL */
			struct list *cursor;	/* readdir: the entry it returned last, or NULL */
			uint32_t nr_buckets;	/* 0 or a power of two */
			uint32_t nr_entries;
			uint32_t next_seq;	/* the number the next entry gets */
		};
		struct {		/* regular files; vn.lock */
			uint8_t **pages;
			size_t nr_pages;
		};
		char *target;		/* symlinks */
	};
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
	if (S_ISDIR(mode))
		list_init(&n->entries);
	n->vn.nlink = S_ISDIR(mode) ? 2 : 1;
	return n;
}

/* FNV-1a, 32 bits. */
static uint32_t name_hash(const char *name, size_t len)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < len; i++)
		h = (h ^ (uint8_t)name[i]) * 16777619u;
	return h;
}

/* Directories with fewer entries are searched in their list: a table would
 * cost more memory than it saves time. */
#define HASH_FROM_ENTRIES 32

static struct ramfs_entry *find(struct vnode *dir, const char *name, size_t len)
{
	struct ramfs_node *d = R(dir);
	if (!d->nr_buckets) {
		list_for_each(pos, &d->entries) {
			struct ramfs_entry *e = list_entry(pos, struct ramfs_entry, node);
			if (e->len == len && !memcmp(e->name, name, len))
				return e;
		}
		return NULL;
	}
	uint32_t h = name_hash(name, len);
	for (struct ramfs_entry *e = d->buckets[h & (d->nr_buckets - 1)]; e; e = e->hash_next)
		if (e->len == len && !memcmp(e->name, name, len))
			return e;
	return NULL;
}

static void hash_insert(struct ramfs_entry **buckets, size_t nr_buckets, struct ramfs_entry *e)
{
	struct ramfs_entry **head = &buckets[name_hash(e->name, e->len) & (nr_buckets - 1)];
	e->hash_next = *head;
	*head = e;
}

/* Before an entry is added: makes the hash table (at HASH_FROM_ENTRIES
 * entries) or doubles it (when it has as many entries as buckets). When there
 * is no memory for it, the old table or the list serves: only slower. */
static void grow_buckets(struct ramfs_node *d)
{
	if (d->nr_entries + 1 < HASH_FROM_ENTRIES || d->nr_entries < d->nr_buckets)
		return;
	uint32_t n = d->nr_buckets ? d->nr_buckets * 2 : 2 * HASH_FROM_ENTRIES;
	struct ramfs_entry **buckets = kzalloc(n * sizeof(*buckets));
	if (!buckets)
		return;
	list_for_each(pos, &d->entries)
		hash_insert(buckets, n, list_entry(pos, struct ramfs_entry, node));
	kfree(d->buckets);
	d->buckets = buckets;
	d->nr_buckets = n;
}

/* When a directory has used up its numbers (4 billion entries made in it):
 * numbers them again from 0. A reader in the middle of it may then see some
 * entries twice or miss some, as POSIX allows for a changing directory. */
static void renumber(struct ramfs_node *d)
{
	d->next_seq = 0;
	list_for_each(pos, &d->entries)
		list_entry(pos, struct ramfs_entry, node)->seq = d->next_seq++;
	d->cursor = NULL;
}

/* Puts e (its name filled in) into dir's list and hash table. */
static void link_entry(struct vnode *dir, struct ramfs_entry *e)
{
	struct ramfs_node *d = R(dir);
	grow_buckets(d);
	if (d->nr_buckets)
		hash_insert(d->buckets, d->nr_buckets, e);
	d->nr_entries++;
	if (d->next_seq == UINT32_MAX)
		renumber(d);
	e->seq = d->next_seq++; /* the list stays in sequence order */
	list_push_back(&d->entries, &e->node);
}

/* Takes e out of dir's list and hash table (it is not freed). */
static void unlink_entry(struct vnode *dir, struct ramfs_entry *e)
{
	struct ramfs_node *d = R(dir);
	if (d->nr_buckets) {
		uint32_t h = name_hash(e->name, e->len);
		struct ramfs_entry **link = &d->buckets[h & (d->nr_buckets - 1)];
		while (*link != e)
			link = &(*link)->hash_next;
		*link = e->hash_next;
	}
	d->nr_entries--;
	/* readdir's cursor must not point at a freed entry: the one before
	 * it has a lower number, so it serves as well. */
	if (d->cursor == &e->node)
		d->cursor = e->node.prev == &d->entries ? NULL : e->node.prev;
	list_remove(&e->node);
}

static struct ramfs_entry *entry_new(const char *name, size_t len, struct vnode *vn)
{
	struct ramfs_entry *e = kmalloc(sizeof(*e) + len + 1);
	if (!e)
		return NULL;
	e->vn = vn;
	e->len = (uint32_t)len; /* at most NAME_MAX */
	memcpy(e->name, name, len);
	e->name[len] = '\0';
	return e;
}

static int add_entry(struct vnode *dir, const char *name, size_t len, struct vnode *vn)
{
	struct ramfs_entry *e = entry_new(name, len, vn); /* takes the caller's reference */
	if (!e)
		return -ENOMEM;
	link_entry(dir, e);
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

	unlink_entry(dir, e);
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
	struct ramfs_entry *moved = entry_new(to, to_len, vn);
	if (!moved)
		return -ENOMEM;
	if (dst)
		remove_entry(to_dir, dst);
	unlink_entry(from_dir, src);
	kfree(src);
	link_entry(to_dir, moved);
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
		out->next = index + 1;
		struct ramfs_node *parent = R(dir)->parent;
		out->ino = index == 0 || !parent ? dir->ino : parent->vn.ino;
		out->type = DT_DIR;
		strcpy(out->name, index == 0 ? "." : "..");
		return 1;
	}
	/* The first entry numbered index - 2 or later. A directory read from
	 * start to end asks for each in turn: start from the cursor when it is
	 * not past the wanted one. */
	struct ramfs_node *d = R(dir);
	uint64_t want = index - 2;
	struct list *pos = d->entries.next;
	if (d->cursor && list_entry(d->cursor, struct ramfs_entry, node)->seq <= want)
		pos = d->cursor;
	while (pos != &d->entries && list_entry(pos, struct ramfs_entry, node)->seq < want)
		pos = pos->next;
	if (pos == &d->entries)
		return 0;
	d->cursor = pos;
	struct ramfs_entry *e = list_entry(pos, struct ramfs_entry, node);
	out->next = (uint64_t)e->seq + 3;
	out->ino = e->vn->ino;
	out->type = dt_of(e->vn->mode);
	memcpy(out->name, e->name, e->len + 1);
	return 1;
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

	if (S_ISREG(vn->mode)) {
		free_pages_from(n, 0);
		kfree(n->pages);
	}
	else if (S_ISDIR(vn->mode))
		kfree(n->buckets);
	else if (S_ISLNK(vn->mode))
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
		unlink_entry(dir, e);
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
