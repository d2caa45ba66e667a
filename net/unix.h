/* AF_UNIX sockets (net/unix*.c), for net/socket.c: the calls it hands over
 * when the file is an AF_UNIX socket, with the system calls' results. */
#ifndef NET_UNIX_H
#define NET_UNIX_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct file;
struct msghdr;

long unix_socket(int type, int protocol);
long unix_socketpair(int type, int sv[2]);
bool unix_is(const struct file *f);
bool unix_is_datagram(const struct file *f);
long unix_bind(struct file *f, const void *addr, uint32_t len);
long unix_listen(struct file *f, int backlog);
long unix_accept(struct file *f, void *addr, uint32_t *len, int flags);
long unix_connect(struct file *f, const void *addr, uint32_t len);
/* getsockname, or with `peer` getpeername. */
long unix_getname(struct file *f, void *addr, uint32_t *len, bool peer);
long unix_sendto(struct file *f, const void *buf, size_t len, int flags, const void *addr, uint32_t addrlen);
long unix_recvfrom(struct file *f, void *buf, size_t len, int flags, void *addr, uint32_t *addrlen);
long unix_shutdown(struct file *f, int how);
/* sendmsg and recvmsg, with their control data (SCM_RIGHTS, SCM_CREDENTIALS). */
long unix_sendmsg(struct file *f, const struct msghdr *msg, int flags);
long unix_recvmsg(struct file *f, struct msghdr *msg, int flags);
long unix_setsockopt(struct file *f, int level, int name, const void *value, uint32_t len);
long unix_getsockopt(struct file *f, int level, int name, void *value, uint32_t *len);

#endif
