/*
 * The file system calls, with Linux's signatures and semantics: each returns
 * its result or -errno, ready for the system-call table. Pointers are the
 * caller's own (one address space).
 */
#ifndef KITE_FS_CALLS_H
#define KITE_FS_CALLS_H
#include <stddef.h>
#include <stdint.h>
#include <kite/stat.h>

struct iovec {
	void *iov_base;
	size_t iov_len;
};

#define SEEK_SET 0
#define SEEK_CUR 1
#define SEEK_END 2

#define F_DUPFD 0
#define F_GETFD 1
#define F_SETFD 2
#define F_GETFL 3
#define F_SETFL 4
#define F_GETLK 5
#define F_SETLK 6
#define F_SETLKW 7
#define F_DUPFD_CLOEXEC 1030
#define FD_CLOEXEC 1

long sys_openat(int dirfd, const char *path, int flags, unsigned mode);
long sys_open(const char *path, int flags, unsigned mode);
long sys_close(int fd);
long sys_read(int fd, void *buf, size_t len);
long sys_write(int fd, const void *buf, size_t len);
long sys_pread64(int fd, void *buf, size_t len, int64_t off);
long sys_pwrite64(int fd, const void *buf, size_t len, int64_t off);
long sys_readv(int fd, const struct iovec *iov, int iovcnt);
long sys_writev(int fd, const struct iovec *iov, int iovcnt);
long sys_lseek(int fd, int64_t off, int whence);
long sys_getdents64(int fd, void *buf, size_t len);
long sys_ftruncate(int fd, int64_t len);
long sys_truncate(const char *path, int64_t len);
long sys_fsync(int fd);
long sys_fadvise64(int fd, int64_t offset, int64_t len, int advice);
long sys_fdatasync(int fd);
long sys_dup(int fd);
long sys_dup2(int oldfd, int newfd);
long sys_dup3(int oldfd, int newfd, int flags);
long sys_fcntl(int fd, int cmd, unsigned long arg);
long sys_ioctl(int fd, unsigned long request, void *arg);
long sys_pipe2(int fds[2], int flags);
/* fs/sys_poll.c */
struct pollfd;
struct timeval64;
long sys_poll(struct pollfd *fds, unsigned long nfds, int timeout_ms);
long sys_ppoll(struct pollfd *fds, unsigned long nfds, const struct timespec64 *timeout, const void *sigmask,
	       size_t sigsetsize);
long sys_select(int nfds, unsigned long *readfds, unsigned long *writefds, unsigned long *exceptfds,
		struct timeval64 *timeout);
long sys_pselect6(int nfds, unsigned long *readfds, unsigned long *writefds, unsigned long *exceptfds,
		  const struct timespec64 *timeout, const void *sigmask);
/* fs/epoll.c, fs/eventfd.c */
struct epoll_event;
long sys_epoll_create(int size);
long sys_epoll_create1(int flags);
long sys_epoll_ctl(int epfd, int op, int fd, struct epoll_event *event);
long sys_epoll_wait(int epfd, struct epoll_event *events, int maxevents, int timeout_ms);
long sys_epoll_pwait(int epfd, struct epoll_event *events, int maxevents, int timeout_ms, const void *sigmask,
		     size_t sigsetsize);
long sys_eventfd2(unsigned initval, int flags);
long sys_eventfd(unsigned initval);
long sys_pipe(int fds[2]);

struct statx_timestamp {
	int64_t tv_sec;
	uint32_t tv_nsec;
	int32_t reserved;
};

/* Linux's struct statx, 256 bytes. */
struct statx {
	uint32_t stx_mask;
	uint32_t stx_blksize;
	uint64_t stx_attributes;
	uint32_t stx_nlink;
	uint32_t stx_uid;
	uint32_t stx_gid;
	uint16_t stx_mode;
	uint16_t spare0;
	uint64_t stx_ino;
	uint64_t stx_size;
	uint64_t stx_blocks;
	uint64_t stx_attributes_mask;
	struct statx_timestamp stx_atime, stx_btime, stx_ctime, stx_mtime;
	uint32_t stx_rdev_major, stx_rdev_minor;
	uint32_t stx_dev_major, stx_dev_minor;
	uint64_t stx_mnt_id;
	uint32_t stx_dio_mem_align, stx_dio_offset_align;
	uint64_t spare3[12];
};
_Static_assert(sizeof(struct statx) == 256, "struct statx is 256 bytes");

long sys_statx(int dirfd, const char *path, int flags, unsigned mask, struct statx *stx);
long sys_utimensat(int dirfd, const char *path, const struct timespec64 times[2], int flags);
long sys_fallocate(int fd, int mode, int64_t off, int64_t len);
long sys_sendfile(int out_fd, int in_fd, int64_t *offset, size_t count);
long sys_copy_file_range(int fd_in, int64_t *off_in, int fd_out, int64_t *off_out, size_t len, unsigned flags);

long sys_fstat(int fd, struct kstat *st);
long sys_newfstatat(int dirfd, const char *path, struct kstat *st, int flags);
long sys_stat(const char *path, struct kstat *st);
long sys_lstat(const char *path, struct kstat *st);
long sys_mkdirat(int dirfd, const char *path, unsigned mode);
long sys_mkdir(const char *path, unsigned mode);
long sys_unlinkat(int dirfd, const char *path, int flags);
long sys_unlink(const char *path);
long sys_rmdir(const char *path);
long sys_renameat2(int olddirfd, const char *from, int newdirfd, const char *to, unsigned flags);
long sys_rename(const char *from, const char *to);
long sys_linkat(int olddirfd, const char *from, int newdirfd, const char *to, int flags);
long sys_link(const char *from, const char *to);
long sys_symlinkat(const char *target, int dirfd, const char *path);
long sys_symlink(const char *target, const char *path);
long sys_readlinkat(int dirfd, const char *path, char *buf, int size);
long sys_readlink(const char *path, char *buf, int size);
long sys_faccessat(int dirfd, const char *path, int mode, int flags);
long sys_access(const char *path, int mode);
long sys_chdir(const char *path);
long sys_fchdir(int fd);
long sys_getcwd(char *buf, size_t size);
long sys_umask(unsigned mask);

#endif
