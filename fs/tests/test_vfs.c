/* Host tests of path lookup (fs/namei.c) and ramfs (fs/ramfs.c). */
#include <kite/errno.h>
#include <kite/ramfs.h>
#include <kite/vfs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "unit.h"

static struct mount *root, *extra;

/* A fresh ramfs as the root for each test; the previous one is freed (ASan
 * checks that nothing leaks). */
static void setup(void)
{
	struct mount *old = root;
	root = ramfs_create();
	vfs_set_root(root);
	if (extra) {
		ramfs_destroy(extra);
		extra = NULL;
	}
	if (old)
		ramfs_destroy(old);
}

__attribute__((destructor)) static void teardown(void)
{
	setup();
	vfs_set_root(ramfs_create()); /* drops the last root's cwd reference */
	ramfs_destroy(root);
}

static struct vnode *R(void)
{
	return vfs_root();
}

static int mk(const char *path, uint32_t mode)
{
	struct vnode *parent;
	char last[NAME_MAX + 1];
	bool slash;
	int err = vfs_lookup_parent(NULL, path, &parent, last, &slash);
	if (err)
		return err;
	mutex_lock(&vfs_lock);
	err = parent->ops->create(parent, last, strlen(last), mode, 0, NULL);
	mutex_unlock(&vfs_lock);
	vnode_put(parent);
	return err;
}

static int ln_s(const char *target, const char *path)
{
	struct vnode *parent;
	char last[NAME_MAX + 1];
	bool slash;
	int err = vfs_lookup_parent(NULL, path, &parent, last, &slash);
	if (err)
		return err;
	mutex_lock(&vfs_lock);
	err = parent->ops->symlink(parent, last, strlen(last), target);
	mutex_unlock(&vfs_lock);
	vnode_put(parent);
	return err;
}

static int look(const char *path, unsigned flags, struct vnode **out)
{
	struct vnode *unused;
	int err = vfs_lookup(NULL, path, flags, out ? out : &unused);
	if (!err && !out)
		vnode_put(unused);
	return err;
}

TEST(lookup_dots_slashes_and_errors)
{
	setup();
	CHECK_EQ(mk("/a", S_IFDIR | 0755), 0);
	CHECK_EQ(mk("/a/b", S_IFDIR | 0755), 0);
	CHECK_EQ(mk("/a/b/f", S_IFREG | 0644), 0);
	struct vnode *f, *f2, *b;
	CHECK_EQ(look("/a/b/f", 0, &f), 0);
	CHECK_EQ(look("a//b/./f", 0, &f2), 0);
	CHECK(f == f2);
	vnode_put(f2);
	CHECK_EQ(look("/a/b/../b/f", 0, &f2), 0);
	CHECK(f == f2);
	vnode_put(f2);
	CHECK_EQ(look("/../../a/b/f", 0, &f2), 0); /* ".." stops at the root */
	CHECK(f == f2);
	vnode_put(f2);
	CHECK_EQ(look("/a/b/", 0, &b), 0);
	CHECK(S_ISDIR(b->mode));
	vnode_put(b);
	CHECK_EQ(look("/a/b/f/", 0, NULL), -ENOTDIR); /* trailing slash on a file */
	CHECK_EQ(look("/a/b/f/x", 0, NULL), -ENOTDIR);
	CHECK_EQ(look("/a/missing/f", 0, NULL), -ENOENT);
	CHECK_EQ(look("", 0, NULL), -ENOENT);
	CHECK_EQ(look("", LOOKUP_EMPTY, NULL), 0);
	struct vnode *r;
	CHECK_EQ(look("///", 0, &r), 0);
	CHECK(r == R());
	vnode_put(r);
	vnode_put(f);
}

TEST(name_and_path_length_limits)
{
	setup();
	char name[NAME_MAX + 2];
	memset(name, 'n', NAME_MAX);
	name[NAME_MAX] = '\0';
	char path[NAME_MAX + 3] = "/";
	strcat(path, name);
	CHECK_EQ(mk(path, S_IFREG | 0644), 0); /* exactly NAME_MAX: fine */
	CHECK_EQ(look(path, 0, NULL), 0);
	strcat(path, "x");
	CHECK_EQ(look(path, 0, NULL), -ENAMETOOLONG);
	static char longpath[PATH_MAX + 10];
	memset(longpath, 'a', sizeof(longpath) - 1);
	for (size_t i = 1; i < sizeof(longpath) - 1; i += 2)
		longpath[i] = '/';
	CHECK_EQ(look(longpath, 0, NULL), -ENAMETOOLONG);
}

TEST(symlinks_follow_loop_and_nofollow)
{
	setup();
	CHECK_EQ(mk("/d", S_IFDIR | 0755), 0);
	CHECK_EQ(mk("/d/file", S_IFREG | 0644), 0);
	CHECK_EQ(ln_s("d/file", "/rel"), 0);
	CHECK_EQ(ln_s("/d", "/abs"), 0);
	CHECK_EQ(ln_s("../d/file", "/d/up"), 0);
	CHECK_EQ(ln_s("loop2", "/loop1"), 0);
	CHECK_EQ(ln_s("loop1", "/loop2"), 0);
	CHECK_EQ(ln_s("nowhere", "/dangling"), 0);
	struct vnode *file, *v;
	CHECK_EQ(look("/d/file", 0, &file), 0);
	CHECK_EQ(look("/rel", LOOKUP_FOLLOW, &v), 0);
	CHECK(v == file);
	vnode_put(v);
	CHECK_EQ(look("/rel", 0, &v), 0); /* not followed at the end */
	CHECK(S_ISLNK(v->mode));
	vnode_put(v);
	CHECK_EQ(look("/abs/file", 0, &v), 0); /* always followed in the middle */
	CHECK(v == file);
	vnode_put(v);
	CHECK_EQ(look("/abs/up", LOOKUP_FOLLOW, &v), 0);
	CHECK(v == file);
	vnode_put(v);
	CHECK_EQ(look("/abs/", 0, &v), 0); /* a trailing slash follows */
	CHECK(S_ISDIR(v->mode));
	vnode_put(v);
	CHECK_EQ(look("/loop1", LOOKUP_FOLLOW, NULL), -ELOOP);
	CHECK_EQ(look("/loop1/x", 0, NULL), -ELOOP);
	CHECK_EQ(look("/dangling", LOOKUP_FOLLOW, NULL), -ENOENT);
	CHECK_EQ(look("/dangling", 0, NULL), 0);
	/* A chain of 40 links resolves; 41 is ELOOP. */
	char from[32], to[32];
	CHECK_EQ(ln_s("/d/file", "/c0"), 0);
	for (int i = 1; i <= 40; i++) {
		snprintf(from, sizeof(from), "/c%d", i - 1);
		snprintf(to, sizeof(to), "/c%d", i);
		CHECK_EQ(ln_s(from, to), 0);
	}
	CHECK_EQ(look("/c39", LOOKUP_FOLLOW, &v), 0);
	CHECK(v == file);
	vnode_put(v);
	CHECK_EQ(look("/c40", LOOKUP_FOLLOW, NULL), -ELOOP);
	vnode_put(file);
}

TEST(mounts_are_crossed_both_ways)
{
	setup();
	CHECK_EQ(mk("/mnt", S_IFDIR | 0755), 0);
	CHECK_EQ(mk("/mnt/hidden", S_IFREG | 0644), 0);
	struct mount *m = extra = ramfs_create();
	CHECK_EQ(vfs_mount("/mnt", m), 0);
	CHECK_EQ(look("/mnt/hidden", 0, NULL), -ENOENT); /* covered */
	CHECK_EQ(mk("/mnt/inside", S_IFDIR | 0755), 0);
	struct vnode *v, *dir;
	CHECK_EQ(look("/mnt/inside/..", 0, &v), 0);
	CHECK(v == m->root);
	vnode_put(v);
	CHECK_EQ(look("/mnt/..", 0, &v), 0);
	CHECK(v == R());
	vnode_put(v);
	char buf[64];
	CHECK_EQ(look("/mnt/inside", 0, &dir), 0);
	CHECK_EQ(vfs_path_of(dir, buf, sizeof(buf)), 0);
	CHECK_STR(buf, "/mnt/inside");
	CHECK_EQ(vfs_path_of(dir, buf, 5), -ERANGE);
	vnode_put(dir);
	CHECK_EQ(vfs_path_of(R(), buf, sizeof(buf)), 0);
	CHECK_STR(buf, "/");
}

static struct vnode *file_at(const char *path)
{
	struct vnode *v = NULL;
	if (look(path, LOOKUP_FOLLOW, &v))
		return NULL;
	return v;
}

TEST(ramfs_files_sparse_truncate_and_data)
{
	setup();
	CHECK_EQ(mk("/f", S_IFREG | 0644), 0);
	struct vnode *f = file_at("/f");
	CHECK(f);
	CHECK_EQ(f->ops->write(f, "hello", 5, 0), 5);
	char buf[64];
	CHECK_EQ(f->ops->read(f, buf, sizeof(buf), 0), 5);
	CHECK(!memcmp(buf, "hello", 5));
	CHECK_EQ(f->ops->read(f, buf, sizeof(buf), 5), 0); /* at the end */
	/* A write far away leaves a hole that reads as zeros and costs nothing. */
	uint64_t before = ramfs_data_bytes();
	CHECK_EQ(f->ops->write(f, "X", 1, 10 * 1024 * 1024), 1);
	CHECK_EQ(f->size, 10 * 1024 * 1024 + 1);
	CHECK_EQ(ramfs_data_bytes() - before, 4096);
	memset(buf, 1, sizeof(buf));
	CHECK_EQ(f->ops->read(f, buf, 16, 5 * 1024 * 1024), 16);
	for (int i = 0; i < 16; i++)
		CHECK(buf[i] == 0);
	/* Truncate down, then up: the cut part reads as zeros. */
	CHECK_EQ(f->ops->truncate(f, 3), 0);
	CHECK_EQ(f->ops->truncate(f, 100), 0);
	CHECK_EQ(f->ops->read(f, buf, 8, 0), 8);
	CHECK(!memcmp(buf, "hel\0\0\0\0\0", 8));
	/* Page-crossing writes and reads keep every byte. */
	static char big[3 * 4096 + 123], back[sizeof(big)];
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (char)(i * 7 + 3);
	CHECK_EQ(f->ops->write(f, big, sizeof(big), 4000), (ssize_t)sizeof(big));
	CHECK_EQ(f->ops->read(f, back, sizeof(back), 4000), (ssize_t)sizeof(back));
	CHECK(!memcmp(big, back, sizeof(big)));
	vnode_put(f);
}

static int entries(const char *path, char names[][32], int max)
{
	struct vnode *d = file_at(path);
	struct dir_entry e;
	int n = 0;
	for (uint64_t i = 0; n < max; i = e.next) {
		e.next = i + 1;
		if (d->ops->readdir(d, i, &e) != 1)
			break;
		strcpy(names[n++], e.name);
	}
	vnode_put(d);
	return n;
}

TEST(ramfs_directories_links_unlink_rename)
{
	setup();
	struct vnode *dir = R();
	CHECK_EQ(mk("/d", S_IFDIR | 0755), 0);
	CHECK_EQ(mk("/d", S_IFDIR | 0755), -EEXIST);
	CHECK_EQ(mk("/d/f", S_IFREG | 0644), 0);
	CHECK_EQ(dir->nlink, 3);
	char names[8][32];
	CHECK_EQ(entries("/d", names, 8), 3);
	CHECK_STR(names[0], ".");
	CHECK_STR(names[1], "..");
	CHECK_STR(names[2], "f");
	struct vnode *f = file_at("/d/f"), *d = file_at("/d");
	mutex_lock(&vfs_lock);
	CHECK_EQ(dir->ops->link(dir, "hard", 4, f), 0);
	CHECK_EQ(f->nlink, 2);
	CHECK_EQ(dir->ops->link(dir, "dlink", 5, d), -EPERM);
	CHECK_EQ(dir->ops->unlink(dir, "d", 1, true), -ENOTEMPTY);
	CHECK_EQ(dir->ops->unlink(dir, "d", 1, false), -EISDIR);
	CHECK_EQ(dir->ops->unlink(dir, "hard", 4, true), -ENOTDIR);
	CHECK_EQ(dir->ops->unlink(dir, "nope", 4, false), -ENOENT);
	CHECK_EQ(dir->ops->unlink(dir, "hard", 4, false), 0);
	CHECK_EQ(f->nlink, 1);
	/* Rename: into a subdirectory, over a file, a directory into itself. */
	CHECK_EQ(dir->ops->create(dir, "g", 1, S_IFREG | 0644, 0, NULL), 0);
	CHECK_EQ(dir->ops->rename(dir, "g", 1, d, "f", 1), 0); /* replaces d/f */
	CHECK_EQ(f->nlink, 0);
	CHECK_EQ(dir->ops->rename(dir, "d", 1, d, "sub", 3), -EINVAL);
	CHECK_EQ(dir->ops->create(dir, "e", 1, S_IFDIR | 0755, 0, NULL), 0);
	CHECK_EQ(dir->ops->rename(dir, "e", 1, d, "f", 1), -ENOTDIR);
	CHECK_EQ(dir->ops->rename(dir, "e", 1, d, "e2", 2), 0);
	CHECK_EQ(d->nlink, 3);
	CHECK_EQ(dir->nlink, 3);
	mutex_unlock(&vfs_lock);
	struct vnode *moved = file_at("/d/e2/..");
	CHECK(moved == d);
	vnode_put(moved);
	vnode_put(f); /* unlinked and closed: freed (ASan would see a leak or a use) */
	vnode_put(d);
}

/* A directory of 10,000 entries: every name is found (through the hash table,
 * resized many times), readdir returns each entry once, and reading on while
 * the returned entries are unlinked, as rm -r does, still meets every one. */
TEST(ramfs_big_directory_lookup_readdir_and_removal)
{
	setup();
	enum { N = 10000, BATCH = 100 };
	CHECK_EQ(mk("/big", S_IFDIR | 0755), 0);
	char path[64];
	for (int i = 0; i < N; i++) {
		snprintf(path, sizeof(path), "/big/file%d", i);
		CHECK_EQ(mk(path, S_IFREG | 0644), 0);
	}
	CHECK_EQ(mk("/big/file1234", S_IFREG | 0644), -EEXIST);
	for (int i = 0; i < N; i += 7) {
		snprintf(path, sizeof(path), "/big/file%d", i);
		CHECK_EQ(look(path, 0, NULL), 0);
	}
	CHECK_EQ(look("/big/file10000", 0, NULL), -ENOENT);

	static unsigned char seen[N];
	struct vnode *d = file_at("/big");
	struct dir_entry e;
	/* Read BATCH entries, unlink them, read on from where reading stopped. */
	uint64_t pos = 2;
	int total = 0;
	for (;;) {
		char batch[BATCH][NAME_MAX + 1];
		int n = 0;
		mutex_lock(&vfs_lock);
		while (n < BATCH) {
			e.next = pos + 1;
			if (d->ops->readdir(d, pos, &e) != 1)
				break;
			pos = e.next;
			strcpy(batch[n++], e.name);
		}
		for (int i = 0; i < n; i++) {
			int idx = atoi(batch[i] + 4);
			CHECK(idx >= 0 && idx < N);
			CHECK_EQ(seen[idx], 0);
			seen[idx] = 1;
			CHECK_EQ(d->ops->unlink(d, batch[i], strlen(batch[i]), false), 0);
		}
		mutex_unlock(&vfs_lock);
		total += n;
		if (n < BATCH)
			break;
	}
	CHECK_EQ(total, N);
	char names[4][32];
	CHECK_EQ(entries("/big", names, 4), 2); /* only . and .. */
	/* A rename within the directory moves the name to the end: met once. */
	mutex_lock(&vfs_lock);
	CHECK_EQ(d->ops->create(d, "a", 1, S_IFREG | 0644, 0, NULL), 0);
	CHECK_EQ(d->ops->create(d, "b", 1, S_IFREG | 0644, 0, NULL), 0);
	CHECK_EQ(d->ops->rename(d, "a", 1, d, "c", 1), 0);
	CHECK_EQ(d->ops->lookup(d, "a", 1, &(struct vnode *){ NULL }), -ENOENT);
	mutex_unlock(&vfs_lock);
	CHECK_EQ(entries("/big", names, 4), 4);
	CHECK_STR(names[2], "b");
	CHECK_STR(names[3], "c");
	vnode_put(d);
}
