/*
 * The virtual file system: vnodes (files, directories, links, devices) with
 * reference counts, file systems that implement their operations, mounts, and
 * path lookup with Linux's rules. The file-descriptor layer (file.h) sits on top.
 *
 * Locking: vfs_lock (a mutex) protects the name space: every directory's
 * entries, link counts, the mount table and the current directory. File data
 * is protected by each vnode's own `lock`. Lookups take vfs_lock for the walk.
 */
#ifndef KITE_VFS_H
#define KITE_VFS_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <kite/stat.h>
#include <kite/sync.h>

struct vnode;
struct mount;

struct dir_entry {
	uint64_t next;	/* the position of the entry after this one */
	uint64_t ino;
	uint8_t type;	/* DT_* */
	char name[NAME_MAX + 1];
};

/* What a file system implements; every pointer is optional unless marked.
 * Name arguments are NOT NUL-terminated: (name, len). Functions that return a
 * vnode return it referenced. Directory operations run under vfs_lock. */
struct vnode_ops {
	int (*lookup)(struct vnode *dir, const char *name, size_t len, struct vnode **out);
	/* Regular files, directories, devices, fifos, by the type in mode. */
	int (*create)(struct vnode *dir, const char *name, size_t len, uint32_t mode, uint64_t rdev,
		      struct vnode **out);
	int (*symlink)(struct vnode *dir, const char *name, size_t len, const char *target);
	int (*link)(struct vnode *dir, const char *name, size_t len, struct vnode *target);
	/* Removes an entry: `is_dir` says rmdir (the entry must be an empty directory). */
	int (*unlink)(struct vnode *dir, const char *name, size_t len, bool is_dir);
	int (*rename)(struct vnode *from_dir, const char *from, size_t from_len, struct vnode *to_dir,
		      const char *to, size_t to_len);
	/* The first entry at position `index` or later (".", ".." first); 1 if
	 * there is one, 0 at the end. out->next arrives as index + 1: a file
	 * system whose positions are not plain indexes sets it. */
	int (*readdir)(struct vnode *dir, uint64_t index, struct dir_entry *out);
	ssize_t (*readlink)(struct vnode *vn, char *buf, size_t len);
	ssize_t (*read)(struct vnode *vn, void *buf, size_t len, uint64_t off);
	ssize_t (*write)(struct vnode *vn, const void *buf, size_t len, uint64_t off);
	int (*truncate)(struct vnode *vn, uint64_t size);
	void (*release)(struct vnode *vn);	/* required: the last reference went */
};

struct vnode {
	const struct vnode_ops *ops;
	struct mount *mount;		/* the file system instance it belongs to */
	struct mount *covered_by;	/* a mount whose root hides this directory; vfs_lock */
	uint64_t ino;
	uint32_t mode;			/* type and permissions */
	uint32_t nlink, uid, gid;	/* vfs_lock */
	uint64_t size;			/* lock */
	uint64_t rdev;
	struct timespec64 atime, mtime, ctime; /* lock */
	int refs;			/* atomic */
	struct mutex lock;		/* the contents */
	void *fs_data;
};

struct mount {
	struct vnode *root;		/* the file system's root */
	struct vnode *mountpoint;	/* what it covers, NULL for / */
	struct mount *parent;
	const char *fstype;
	uint64_t dev;
};

extern struct mutex vfs_lock;

void vnode_init(struct vnode *vn, const struct vnode_ops *ops, struct mount *m, uint32_t mode);
struct vnode *vnode_get(struct vnode *vn);
void vnode_put(struct vnode *vn);

/* The root and the current directory (one process: one of each). */
struct vnode *vfs_root(void);
struct vnode *vfs_cwd(void);		/* referenced */
void vfs_set_root(struct mount *m);
int vfs_chdir(struct vnode *dir);

/* Mounts m (its root is m->root) on the directory at `path`. */
int vfs_mount(const char *path, struct mount *m);
/* Takes m off its mount point (nothing checks that it is unused). */
void vfs_unmount(struct mount *m);

/*
 * Path lookup from `base` (NULL: the current directory; absolute paths start
 * at the root). With parent != NULL the last component is not looked up: the
 * containing directory goes to *parent (referenced) and the name to `last`
 * (NAME_MAX + 1 bytes; "" for "/"), and *trailing_slash says whether the path
 * ended in '/'. Otherwise the vnode goes to *out (referenced).
 * Errors: ENOENT, ENOTDIR, ENAMETOOLONG, ELOOP.
 */
#define LOOKUP_FOLLOW 1		/* follow a symlink in the last component */
#define LOOKUP_EMPTY 2		/* "" means base itself */
int vfs_lookup(struct vnode *base, const char *path, unsigned flags, struct vnode **out);
int vfs_lookup_parent(struct vnode *base, const char *path, struct vnode **parent, char *last,
		      bool *trailing_slash);

/* The kernel's own small files (/etc/resolv.conf from the network's
 * settings): creates path with data, or replaces it when `replace` (else
 * -EEXIST). No descriptor is used, so a running program's descriptor numbers
 * are not disturbed. */
int vfs_write_file(const char *path, const void *data, size_t len, bool replace);

/* Fills a struct stat. */
void vfs_stat(struct vnode *vn, struct kstat *st);

/* The current time for timestamps (the real-time clock). */
struct timespec64 vfs_now(void);

/* Writes the absolute path of directory `dir` into buf. -ERANGE when too small. */
int vfs_path_of(struct vnode *dir, char *buf, size_t size);

#endif
