/*
 * Open files and the descriptor table. A `struct file` is an open instance:
 * position, status flags, and the operations that serve it: vnode_file_ops for
 * files and directories, a device's or a pipe's own otherwise. One process,
 * one descriptor table: the lowest free number is handed out, up to FD_LIMIT.
 */
#ifndef KITE_FILE_H
#define KITE_FILE_H
#include <stdint.h>
#include <sys/types.h>
#include <kite/sync.h>
#include <kite/vfs.h>

struct poll_entry;

#define FD_LIMIT 1024	/* RLIMIT_NOFILE */

struct file;

struct file_ops {
	ssize_t (*read)(struct file *f, void *buf, size_t len, uint64_t *pos);
	ssize_t (*write)(struct file *f, const void *buf, size_t len, uint64_t *pos);
	int (*ioctl)(struct file *f, unsigned long request, void *arg);	/* optional */
	/* Optional (without it a file is always readable and writable): the
	 * POLL* events now; with e, first hangs e on the file's poll head. */
	unsigned (*poll)(struct file *f, struct poll_entry *e);
	void (*release)(struct file *f);					/* optional */
	bool seekable;
	/* What fstat says of a file without a vnode: S_IFSOCK for sockets; 0
	 * is a pipe's S_IFIFO. */
	uint32_t fstat_type;
};

struct file {
	const struct file_ops *ops;
	struct vnode *vn;	/* NULL for pipes */
	unsigned flags;		/* access mode and status flags (O_APPEND, O_NONBLOCK) */
	uint64_t pos;		/* pos_lock */
	uint64_t dir_index;	/* getdents: the next entry; pos_lock */
	struct mutex pos_lock;
	int refs;		/* atomic: descriptors (dup) pointing here */
	void *priv;		/* the pipe, or the device's data */
	char *path;		/* the absolute name it was opened by (for /proc), or NULL */
	struct list epoll_items;	/* the epoll items watching it (fs/epoll.c) */
};

extern const struct file_ops vnode_file_ops;

struct file *file_new(const struct file_ops *ops, struct vnode *vn, unsigned flags);
void file_put(struct file *f);
/* fs/epoll.c: the last reference to f is gone; out of every epoll with it. */
void epoll_file_closed(struct file *f);

/* A descriptor for f (taking the caller's reference): lowest free >= min; -EMFILE. */
int fd_install(struct file *f, int min, bool cloexec);
/* The file behind fd, referenced; NULL for a bad descriptor. */
struct file *fd_get(int fd);

/* Devices: character devices are found by their device number. */
struct device {
	const char *name;	/* under /dev */
	uint32_t major, minor;
	uint32_t mode;		/* permissions */
	const struct file_ops *ops;
};
#define DEV(major, minor) (((uint64_t)(major) << 8) | (minor))
void device_register(const struct device *dev);
const struct device *device_find(uint64_t rdev);

/* Boot: the root (a ramfs), /dev, /tmp, and descriptors 0-2 on the console. */
void fs_init(void);

#endif
