/* AF_UNIX socket pairs (net/unix.c), for net/socket.c. */
#ifndef NET_UNIX_H
#define NET_UNIX_H
#include <stdbool.h>
#include <stddef.h>

struct file;

long unix_socketpair(int type, int sv[2]);
bool unix_is(const struct file *f);
long unix_recv(struct file *f, void *buf, size_t len, int flags);
long unix_send(struct file *f, const void *buf, size_t len, int flags);
long unix_shutdown(struct file *f, int how);

#endif
