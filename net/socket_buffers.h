/*
 * SO_RCVBUF and SO_SNDBUF on lwIP's sockets (socket.c). lwIP sizes a TCP
 * connection's window and send buffer at build time (TCP_WND, TCP_SND_BUF);
 * a smaller size is had by withholding the difference from the connection.
 */
#ifndef NET_SOCKET_BUFFERS_H
#define NET_SOCKET_BUFFERS_H
#include <stdbool.h>
#include <stdint.h>

struct netconn;

struct socket_buffers {
	int rcvbuf, sndbuf;		/* as getsockopt reports them; 0: never set */
	uint32_t rcv_withheld;		/* of the connection's receive window */
	uint32_t snd_withheld;		/* of the connection's send buffer */
};

/* The size Linux gives SO_RCVBUF (receive) or SO_SNDBUF set to value, as
 * getsockopt then reports it: capped at rmem_max/wmem_max's default, doubled
 * (the other half is its bookkeeping), floored. AF_UNIX sockets use it too. */
int socket_buffer_size(int value, bool receive);

/* A new UDP socket's receive limit: Linux's default size. */
void socket_buffers_init(struct netconn *conn);

/* Records a setsockopt of SO_RCVBUF (receive) or SO_SNDBUF as Linux does
 * (the value doubled, within Linux's floor and ceiling), and applies it. */
void socket_buffers_set(struct netconn *conn, struct socket_buffers *b, bool receive, int value);

/* Applies the recorded sizes: a UDP socket's receive queue at once; a TCP
 * connection's window and send buffer once it is established (until then
 * lwIP's handshake needs its own values), so socket.c calls it again then. */
void socket_buffers_apply(struct netconn *conn, struct socket_buffers *b);

/* What getsockopt reports: the recorded size, or lwIP's own. */
int socket_buffers_get(const struct netconn *conn, const struct socket_buffers *b, bool receive);

#endif
