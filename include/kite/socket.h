/* Sockets: the system calls (net/socket.c), with Linux's signatures and
 * -errno results. Addresses are Linux's sockaddr_in and sockaddr_in6. */
#ifndef KITE_SOCKET_H
#define KITE_SOCKET_H
#include <stddef.h>
#include <stdint.h>

struct iovec; /* kite/fs_calls.h */

/* Linux's struct msghdr (x86-64). */
struct msghdr {
	void *name;
	uint32_t namelen;
	struct iovec *iov;
	size_t iovlen;
	void *control;
	size_t controllen;
	int flags;
};

long sys_socket(int domain, int type, int protocol);
long sys_socketpair(int domain, int type, int protocol, int sv[2]);
long sys_bind(int fd, const void *addr, uint32_t len);
long sys_listen(int fd, int backlog);
long sys_accept(int fd, void *addr, uint32_t *len);
long sys_accept4(int fd, void *addr, uint32_t *len, int flags);
long sys_connect(int fd, const void *addr, uint32_t len);
long sys_sendto(int fd, const void *buf, size_t len, int flags, const void *addr, uint32_t addrlen);
long sys_recvfrom(int fd, void *buf, size_t len, int flags, void *addr, uint32_t *addrlen);
long sys_sendmsg(int fd, const struct msghdr *msg, int flags);
long sys_recvmsg(int fd, struct msghdr *msg, int flags);
long sys_shutdown(int fd, int how);
long sys_getsockname(int fd, void *addr, uint32_t *len);
long sys_getpeername(int fd, void *addr, uint32_t *len);
long sys_setsockopt(int fd, int level, int name, const void *value, uint32_t len);
long sys_getsockopt(int fd, int level, int name, void *value, uint32_t *len);

#endif
