/*
 * Net channels (Van Jacobson): the receive path hands each TCP segment of a
 * connection that a program owns to that connection's channel, a lock-free
 * ring with one producer (the device's receive thread) and one consumer at a
 * time (whoever holds lwIP's core lock), and wakes the socket's waiters. The
 * thread that waits on the socket then runs lwIP's input for those segments
 * itself, so the data reaches it without a trip through lwIP's thread.
 * docs/network.md describes the design and its locking.
 */
#ifndef NET_CHANNEL_H
#define NET_CHANNEL_H
#include <stdbool.h>
#include <stddef.h>

struct channel;
struct netconn;
struct netif;
struct pbuf;
struct poll_head;

/* Whether channels are in use (--net-channels=on, the default). */
bool channel_enabled(void);

/* A channel for conn's TCP connection, whose segments will wake `waiters`;
 * NULL if channels are off, the connection is not established, or memory is
 * short (the connection then takes the ordinary path: nothing is lost). */
struct channel *channel_open(struct netconn *conn, struct poll_head *waiters);
/* Ends the channel: segments still in it go through lwIP's input first. */
void channel_close(struct channel *c);

/* Runs lwIP's input for the segments waiting in the channel (taking the core
 * lock if there are any). Cheap when there are none. */
void channel_drain(struct channel *c);

/* The receive path: takes the frame (and the pbuf p holding it) if it is a TCP
 * segment for a connection with a channel and someone waits on it; false
 * means the caller gives p to lwIP's ordinary input. */
bool channel_deliver(struct netif *netif, const void *frame, size_t len, struct pbuf *p);

/* The counters, for the console's status key. */
void channel_print_stats(void);

#endif
