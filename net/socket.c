/*
 * BSD sockets as file descriptors, on lwIP's netconn API: TCP and UDP over
 * IPv4 and IPv6. Blocking calls block in lwIP; O_NONBLOCK (or MSG_DONTWAIT)
 * makes them return EAGAIN, and a non-blocking connect EINPROGRESS.
 *
 * Readiness for poll, select and epoll comes from lwIP's netconn events,
 * counted per socket as lwIP's own socket layer counts them: receive events
 * (data, a connection to accept, the peer's FIN), whether sending would
 * block, and errors. A connection accepted by lwIP has events before the
 * program accepts it: they wait in the connection table (conns) until then.
 *
 * A connected TCP socket has a net channel (channel.h) when channels are on:
 * segments for it wait there, and whoever waits on the socket (recv, send,
 * poll, epoll) drains them, running lwIP's input in its own thread. So TCP
 * calls never block inside lwIP: they try without blocking, and wait on the
 * socket's poll head, draining the channel each time they wake.
 */
#include <kite/clock.h>
#include <kite/errno.h>
#include <kite/file.h>
#include <kite/fs_calls.h>
#include <kite/heap.h>
#include <kite/net.h>
#include <kite/poll.h>
#include <kite/printk.h>
#include <kite/socket.h>
#include <kite/spinlock.h>
#include <kite/stat.h>
#include <kite/sys_signal.h>
#include <string.h>
#include "lwip/api.h"
#include "lwip/ip_addr.h"
#include "lwip/tcp.h"
#include "lwip/tcpip.h"
#include "channel.h"
#include "net.h"
#include "socket_buffers.h"
#include "unix.h"

#define AF_UNIX 1
#define AF_INET 2
#define AF_INET6 10
#define SOCK_STREAM 1
#define SOCK_DGRAM 2
#define SOCK_TYPE_MASK 0xf
#define SOCK_NONBLOCK 04000
#define SOCK_CLOEXEC 02000000
#define MSG_PEEK 0x2
#define MSG_TRUNC 0x20
#define MSG_DONTWAIT 0x40
#define MSG_NOSIGNAL 0x4000
#define SHUT_RD 0
#define SHUT_WR 1
#define SHUT_RDWR 2
#define SOL_SOCKET 1
#define SO_REUSEADDR 2
#define SO_TYPE 3
#define SO_ERROR 4
#define SO_BROADCAST 6
#define SO_SNDBUF 7
#define SO_RCVBUF 8
#define SO_KEEPALIVE 9
#define SO_LINGER 13
#define SO_REUSEPORT 15
#define SO_RCVTIMEO 20
#define SO_SNDTIMEO 21
#define SO_ACCEPTCONN 30
#define IPPROTO_IP 0
#define IPPROTO_TCP 6
#define IPPROTO_IPV6 41
#define TCP_NODELAY 1
#define IPV6_V6ONLY 26
#define FIONREAD 0x541b
#define FIONBIO 0x5421

struct socket {
	struct netconn *conn;
	struct poll_head poll;
	int domain, type;
	struct mutex lock;		/* one receiver at a time: the leftover below */
	struct pbuf *leftover;		/* TCP: what the last recv did not take */
	uint16_t leftover_offset;
	bool eof;			/* the peer closed (TCP) */
	bool listening;
	struct socket_buffers buffers;	/* SO_RCVBUF and SO_SNDBUF */
	int linger_on, linger_seconds;
	bool connect_in_progress;	/* a non-blocking connect said EINPROGRESS */
	int channel_state;		/* enum channel_state */
	struct channel *channel;	/* set once, when channel_state is CHANNEL_SETTLED */
};

/* Whether a socket has its net channel yet. A connection gets one once it is
 * established: an accepted one at once, a connected one when connect is done
 * (a non-blocking one at the first call that finds it done). Its buffer
 * sizes, which lwIP's handshake would not take, are applied then too. */
enum channel_state {
	CHANNEL_NOT_WANTED,	/* not a connection (yet) */
	CHANNEL_WANTED,		/* a connection, or one on its way */
	CHANNEL_OPENING,	/* a thread is opening it */
	CHANNEL_SETTLED,	/* s->channel is final (NULL: none) */
};

static void want_channel(struct socket *s)
{
	__atomic_store_n(&s->channel_state, CHANNEL_WANTED, __ATOMIC_RELEASE);
}

/* The socket's channel, opened first if it is wanted and the connection is
 * established; NULL if it has none. */
static struct channel *socket_channel(struct socket *s)
{
	int state = __atomic_load_n(&s->channel_state, __ATOMIC_ACQUIRE);
	if (state == CHANNEL_SETTLED)
		return s->channel;
	if (state != CHANNEL_WANTED ||
	    !__atomic_compare_exchange_n(&s->channel_state, &state, CHANNEL_OPENING, false, __ATOMIC_ACQUIRE,
					 __ATOMIC_RELAXED))
		return NULL;
	/* Looked at before trying: if it was still connecting then, try again
	 * later; if not, a connection without a channel now never gets one. */
	bool connecting = __atomic_load_n(&s->conn->state, __ATOMIC_ACQUIRE) == NETCONN_CONNECT;
	s->channel = channel_open(s->conn, &s->poll);
	/* Not connecting when looked at, or a channel: established. */
	socket_buffers_apply(s->conn, &s->buffers);
	__atomic_store_n(&s->channel_state, s->channel || !connecting ? CHANNEL_SETTLED : CHANNEL_WANTED,
			 __ATOMIC_RELEASE);
	return s->channel;
}

/* A thread waiting on a socket: woken by every change of its events and by
 * segments arriving in its channel. */
struct socket_wait {
	struct poll_entry entry;
	struct semaphore woken;
};

static void socket_wait_wake(struct poll_entry *e, unsigned events)
{
	(void)events;
	struct socket_wait *w = e->owner;
	/* One pending wake-up is enough to look again. */
	if (__atomic_load_n(&w->woken.count, __ATOMIC_RELAXED) == 0)
		semaphore_up(&w->woken);
}

static void socket_wait_begin(struct socket *s, struct socket_wait *w)
{
	semaphore_init(&w->woken, 0);
	w->entry.wake = socket_wait_wake;
	w->entry.owner = w;
	poll_add(&s->poll, &w->entry);
}

static void socket_wait_end(struct socket_wait *w)
{
	poll_remove(&w->entry);
}

/* A safety net: a wait looks again after at most this long even without a
 * wake-up, so that a lost one costs a second, not the connection. Waits that
 * then found something are counted (socket_print_state): there should be
 * none. (The two-CPU stalls once suspected of being lost wake-ups were a
 * scheduler bug and a peer's window: docs/network.md.) */
#define WAIT_RECHECK_NS 1000000000ULL
static uint64_t rechecks_that_found_progress;

/* Sleeps until woken, the deadline, or the re-check; -ETIMEDOUT only at the
 * deadline. *rechecked says the re-check ended it. */
static int socket_wait_sleep(struct socket_wait *w, uint64_t deadline, bool *rechecked)
{
	uint64_t recheck = clock_monotonic_ns() + WAIT_RECHECK_NS;
	*rechecked = false;
	if (recheck >= deadline)
		return semaphore_down(&w->woken, deadline);
	if (semaphore_down(&w->woken, recheck) == -ETIMEDOUT)
		*rechecked = true;
	return 0;
}

static void count_found_after_recheck(bool rechecked)
{
	if (rechecked && !__atomic_fetch_add(&rechecks_that_found_progress, 1, __ATOMIC_RELAXED))
		pr_warn("kite: a socket wait missed its wake-up; its 1 s re-check caught it\n");
}

void socket_print_state(void)
{
	pr_report("sockets: %lu waits found data or room only at their 1 s re-check (lost wake-ups)\n",
		  __atomic_load_n(&rechecks_that_found_progress, __ATOMIC_RELAXED));
}

/* The deadline of a wait of timeout_ms (0: none). */
static uint64_t deadline_after(long timeout_ms)
{
	return timeout_ms > 0 ? clock_monotonic_ns() + (uint64_t)timeout_ms * 1000000 : DEADLINE_NONE;
}

/* --- lwIP's events, and the table of connections --- */

struct conn_state {
	struct netconn *conn;
	struct socket *sock;		/* NULL until a program accepts it */
	int rcvevent, errevent;
	bool sendevent;
	struct conn_state *next;
};

#define CONN_BUCKETS 1024
static struct conn_state *conns[CONN_BUCKETS];
static spinlock_t conns_lock = SPINLOCK_INIT;

static struct conn_state **conn_slot(struct netconn *conn)
{
	struct conn_state **s = &conns[((uintptr_t)conn >> 4) % CONN_BUCKETS];
	while (*s && (*s)->conn != conn)
		s = &(*s)->next;
	return s;
}

/* The state of conn, made if it has none (NULL when out of memory). */
static struct conn_state *conn_state(struct netconn *conn)
{
	struct conn_state **s = conn_slot(conn);
	if (!*s) {
		*s = kzalloc(sizeof(**s));
		if (*s)
			(*s)->conn = conn;
	}
	return *s;
}

static void netconn_event(struct netconn *conn, enum netconn_evt evt, u16_t len)
{
	(void)len;
	unsigned long flags;
	spin_lock_irqsave(&conns_lock, &flags);
	struct conn_state *cs = conn_state(conn);
	if (!cs) {
		spin_unlock_irqrestore(&conns_lock, flags);
		return;
	}
	unsigned events = 0;
	switch (evt) {
	case NETCONN_EVT_RCVPLUS: cs->rcvevent++; events = POLLIN; break;
	case NETCONN_EVT_RCVMINUS: cs->rcvevent--; break;
	case NETCONN_EVT_SENDPLUS: cs->sendevent = true; events = POLLOUT; break;
	case NETCONN_EVT_SENDMINUS: cs->sendevent = false; break;
	case NETCONN_EVT_ERROR: cs->errevent = 1; events = POLLERR; break;
	}
	struct socket *s = cs->sock;
	spin_unlock_irqrestore(&conns_lock, flags);
	if (s && events)
		poll_wake(&s->poll, events);
}

static void conn_forget(struct netconn *conn)
{
	unsigned long flags;
	spin_lock_irqsave(&conns_lock, &flags);
	struct conn_state **slot = conn_slot(conn), *cs = *slot;
	if (cs)
		*slot = cs->next;
	spin_unlock_irqrestore(&conns_lock, flags);
	kfree(cs);
}

static void conn_events(struct netconn *conn, int *rcv, bool *send, int *err)
{
	unsigned long flags;
	spin_lock_irqsave(&conns_lock, &flags);
	struct conn_state *cs = *conn_slot(conn);
	*rcv = cs ? cs->rcvevent : 0;
	*send = cs && cs->sendevent;
	*err = cs ? cs->errevent : 0;
	spin_unlock_irqrestore(&conns_lock, flags);
}

/* --- addresses --- */

struct sockaddr_in {
	uint16_t sin_family, sin_port;
	uint32_t sin_addr;
	uint8_t zero[8];
};

struct sockaddr_in6 {
	uint16_t sin6_family, sin6_port;
	uint32_t sin6_flowinfo;
	uint32_t sin6_addr[4];
	uint32_t sin6_scope_id;
};

static int to_lwip_addr(const struct socket *s, const void *sa, uint32_t len, ip_addr_t *ip, uint16_t *port)
{
	if (!sa || len < 2)
		return -EINVAL;
	uint16_t family = *(const uint16_t *)sa;
	if (family == AF_INET && len >= sizeof(struct sockaddr_in)) {
		const struct sockaddr_in *in = sa;
		if (s->domain == AF_INET6) {
			/* An IPv4 address on an IPv6 socket, as ::ffff:a.b.c.d. */
			ip4_addr_t v4;
			ip4_addr_set_u32(&v4, in->sin_addr);
			ip4_2_ipv4_mapped_ipv6(ip_2_ip6(ip), &v4);
			IP_SET_TYPE(ip, IPADDR_TYPE_V6);
		} else {
			ip_addr_set_ip4_u32(ip, in->sin_addr);
		}
		*port = lwip_ntohs(in->sin_port);
		return 0;
	}
	if (family == AF_INET6 && len >= sizeof(struct sockaddr_in6) && s->domain == AF_INET6) {
		const struct sockaddr_in6 *in6 = sa;
		IP_ADDR6(ip, in6->sin6_addr[0], in6->sin6_addr[1], in6->sin6_addr[2], in6->sin6_addr[3]);
		ip6_addr_clear_zone(ip_2_ip6(ip));
		if (ip6_addr_isany(ip_2_ip6(ip))) {
			/* ::, as Linux's dual-stack sockets take it: IPv4 too. */
			ip_addr_copy(*ip, *IP_ANY_TYPE);
		} else if (ip6_addr_isipv4mappedipv6(ip_2_ip6(ip))) {
			/* ::ffff:a.b.c.d is an IPv4 peer. */
			ip4_addr_t v4;
			unmap_ipv4_mapped_ipv6(&v4, ip_2_ip6(ip));
			ip_addr_copy_from_ip4(*ip, v4);
		}
		*port = lwip_ntohs(in6->sin6_port);
		return 0;
	}
	return family == AF_INET || family == AF_INET6 ? -EINVAL : -EAFNOSUPPORT;
}

/* Fills a sockaddr (as much as fits in *len) and sets *len to its size. */
static void from_lwip_addr(const struct socket *s, const ip_addr_t *ip, uint16_t port, void *sa, uint32_t *len)
{
	union {
		struct sockaddr_in in;
		struct sockaddr_in6 in6;
	} out;
	memset(&out, 0, sizeof(out));
	uint32_t size;
	if (s->domain == AF_INET6) {
		out.in6.sin6_family = AF_INET6;
		out.in6.sin6_port = lwip_htons(port);
		if (IP_IS_V4(ip)) {
			ip6_addr_t mapped;
			ip4_2_ipv4_mapped_ipv6(&mapped, ip_2_ip4(ip));
			memcpy(out.in6.sin6_addr, mapped.addr, 16);
		} else {
			memcpy(out.in6.sin6_addr, ip_2_ip6(ip)->addr, 16);
		}
		size = sizeof(out.in6);
	} else {
		out.in.sin_family = AF_INET;
		out.in.sin_port = lwip_htons(port);
		out.in.sin_addr = ip4_addr_get_u32(ip_2_ip4(ip));
		size = sizeof(out.in);
	}
	if (sa && len)
		memcpy(sa, &out, *len < size ? *len : size);
	if (len)
		*len = size;
}

/* --- the file --- */

static long lwip_error(err_t err)
{
	return err == ERR_OK ? 0 : -err_to_errno(err);
}

/* The netconn's own non-blocking flag is shared by every thread using the
 * socket, so reads and writes say it per call (NETCONN_DONTBLOCK); only
 * connect and accept, which have no such flag, set it. */
static void set_blocking(struct socket *s, bool nonblocking)
{
	netconn_set_nonblocking(s->conn, nonblocking);
}

static bool nonblocking(struct file *f, int msg_flags)
{
	return (f->flags & O_NONBLOCK) || (msg_flags & MSG_DONTWAIT);
}

/* The connection's next piece of data in *p, waiting for it unless told not
 * to. ERR_WOULDBLOCK: none yet (or SO_RCVTIMEO passed), ERR_CLSD: the peer's
 * FIN. */
static err_t next_piece(struct socket *s, struct pbuf **p, bool dontwait)
{
	channel_drain(socket_channel(s));
	err_t err = netconn_recv_tcp_pbuf_flags(s->conn, p, NETCONN_DONTBLOCK);
	if (err != ERR_WOULDBLOCK || dontwait)
		return err;
	uint64_t deadline = deadline_after((long)netconn_get_recvtimeout(s->conn));
	struct socket_wait w;
	socket_wait_begin(s, &w);
	bool rechecked = false;
	for (;;) {
		/* Registered before looking again, so no wake-up is missed. */
		channel_drain(socket_channel(s));
		err = netconn_recv_tcp_pbuf_flags(s->conn, p, NETCONN_DONTBLOCK);
		if (err != ERR_WOULDBLOCK) {
			count_found_after_recheck(rechecked);
			break;
		}
		if (socket_wait_sleep(&w, deadline, &rechecked) == -ETIMEDOUT) {
			channel_drain(socket_channel(s));
			err = netconn_recv_tcp_pbuf_flags(s->conn, p, NETCONN_DONTBLOCK);
			break;
		}
	}
	socket_wait_end(&w);
	return err;
}

static long stream_recv(struct file *f, struct socket *s, void *buf, size_t len, int flags)
{
	size_t done = 0;
	mutex_lock(&s->lock);
	while (done < len) {
		if (!s->leftover) {
			if (s->eof)
				break;
			/* Only the first piece may wait; after it, what is there. */
			err_t err = next_piece(s, &s->leftover, done > 0 || nonblocking(f, flags));
			if (err != ERR_OK) {
				s->leftover = NULL;
				if (err == ERR_CLSD) {
					s->eof = true;
					break;
				}
				if (done)
					break;
				/* A reset is reported once; after it the connection
				 * reads as closed (EOF), as on Linux. */
				if (err == ERR_RST)
					s->eof = true;
				mutex_unlock(&s->lock);
				return err == ERR_WOULDBLOCK ? -EAGAIN : lwip_error(err);
			}
			s->leftover_offset = 0;
		}
		uint16_t avail = (uint16_t)(s->leftover->tot_len - s->leftover_offset);
		uint16_t n = (uint16_t)(len - done < avail ? len - done : avail);
		pbuf_copy_partial(s->leftover, (char *)buf + done, n, s->leftover_offset);
		done += n;
		if (flags & MSG_PEEK)
			break;
		s->leftover_offset = (uint16_t)(s->leftover_offset + n);
		if (s->leftover_offset == s->leftover->tot_len) {
			pbuf_free(s->leftover);
			s->leftover = NULL;
		}
	}
	mutex_unlock(&s->lock);
	return (long)done;
}

static long datagram_recv(struct file *f, struct socket *s, void *buf, size_t len, int flags, void *addr,
		     uint32_t *addrlen)
{
	struct netbuf *nb;
	err_t err = netconn_recv_udp_raw_netbuf_flags(s->conn, &nb, nonblocking(f, flags) ? NETCONN_DONTBLOCK : 0);
	if (err != ERR_OK)
		return err == ERR_WOULDBLOCK ? -EAGAIN : lwip_error(err);
	uint16_t total = netbuf_len(nb);
	uint16_t n = (uint16_t)(len < total ? len : total);
	netbuf_copy(nb, buf, n);
	if (addr)
		from_lwip_addr(s, netbuf_fromaddr(nb), netbuf_fromport(nb), addr, addrlen);
	netbuf_delete(nb);
	return (flags & MSG_TRUNC) ? total : n;
}

static long socket_recv(struct file *f, void *buf, size_t len, int flags, void *addr, uint32_t *addrlen)
{
	if (unix_is(f))
		return unix_recvfrom(f, buf, len, flags, addr, addrlen);
	struct socket *s = f->priv;
	if (s->type == SOCK_STREAM) {
		long n = stream_recv(f, s, buf, len, flags);
		if (n >= 0 && addr) {
			ip_addr_t ip;
			uint16_t port;
			if (netconn_peer(s->conn, &ip, &port) == ERR_OK)
				from_lwip_addr(s, &ip, port, addr, addrlen);
		}
		return n;
	}
	return datagram_recv(f, s, buf, len, flags, addr, addrlen);
}

/* Queues all of buf unless non-blocking (then what fits), waiting for room
 * as long as SO_SNDTIMEO allows. */
static long stream_send(struct file *f, struct socket *s, const void *buf, size_t len, int flags)
{
	bool dontwait = nonblocking(f, flags);
	size_t done = 0;
	struct socket_wait w;
	bool waiting = false;
	uint64_t deadline = DEADLINE_NONE;
	bool rechecked = false;
	err_t err;
	for (;;) {
		/* Acknowledgements in the channel make room. */
		channel_drain(socket_channel(s));
		size_t written = 0;
		err = netconn_write_partly(s->conn, (const char *)buf + done, len - done,
					   NETCONN_COPY | NETCONN_DONTBLOCK, &written);
		done += written;
		if (written)
			count_found_after_recheck(rechecked);
		if (done == len || (err != ERR_OK && err != ERR_WOULDBLOCK) || dontwait)
			break;
		if (!waiting) {
			/* Registered, then one more try before sleeping. */
			deadline = deadline_after(netconn_get_sendtimeout(s->conn));
			socket_wait_begin(s, &w);
			waiting = true;
		} else if (socket_wait_sleep(&w, deadline, &rechecked) == -ETIMEDOUT) {
			err = ERR_WOULDBLOCK;
			break;
		}
	}
	if (waiting)
		socket_wait_end(&w);
	if (done || err == ERR_OK)
		return (long)done;
	/* ERR_CONN: not connected, or no longer (a reset already reported by
	 * recv); Linux says EPIPE to both, with SIGPIPE unless MSG_NOSIGNAL. */
	if (err == ERR_CLSD || err == ERR_RST || err == ERR_CONN) {
		if (!(flags & MSG_NOSIGNAL))
			signal_raise_self(SIGPIPE);
		return -EPIPE;
	}
	return err == ERR_WOULDBLOCK ? -EAGAIN : lwip_error(err);
}

static long socket_send(struct file *f, const void *buf, size_t len, int flags, const void *addr, uint32_t addrlen)
{
	if (unix_is(f))
		return unix_sendto(f, buf, len, flags, addr, addrlen);
	struct socket *s = f->priv;
	if (s->type == SOCK_STREAM)
		return stream_send(f, s, buf, len, flags);
	if (len > 65507)
		return -EMSGSIZE;
	struct netbuf *nb = netbuf_new();
	if (!nb)
		return -ENOBUFS;
	err_t err = netbuf_ref(nb, buf, (u16_t)len);
	if (err == ERR_OK) {
		if (addr) {
			ip_addr_t ip;
			uint16_t port;
			long bad = to_lwip_addr(s, addr, addrlen, &ip, &port);
			if (bad) {
				netbuf_delete(nb);
				return bad;
			}
			err = netconn_sendto(s->conn, nb, &ip, port);
		} else {
			err = netconn_send(s->conn, nb);
		}
	}
	netbuf_delete(nb);
	return err == ERR_OK ? (long)len : err == ERR_CONN ? -EDESTADDRREQ : lwip_error(err);
}

static ssize_t socket_read(struct file *f, void *buf, size_t len, uint64_t *pos)
{
	(void)pos;
	return socket_recv(f, buf, len, 0, NULL, NULL);
}

static ssize_t socket_write(struct file *f, const void *buf, size_t len, uint64_t *pos)
{
	(void)pos;
	return socket_send(f, buf, len, 0, NULL, 0);
}

static unsigned socket_poll(struct file *f, struct poll_entry *e)
{
	struct socket *s = f->priv;
	if (e)
		poll_add(&s->poll, e);
	/* What waits in the channel becomes events only once lwIP has it. */
	channel_drain(socket_channel(s));
	int rcv, err;
	bool send;
	conn_events(s->conn, &rcv, &send, &err);
	unsigned events = 0;
	if (rcv > 0 || s->leftover || s->eof)
		events |= POLLIN | POLLRDNORM;
	if (send && !s->listening)
		events |= POLLOUT | POLLWRNORM;
	if (err)
		events |= POLLERR;
	if (s->eof)
		events |= POLLRDHUP;
	return events;
}

static int socket_ioctl(struct file *f, unsigned long request, void *arg)
{
	struct socket *s = f->priv;
	switch (request) {
	case FIONBIO:
		if (*(int *)arg)
			f->flags |= O_NONBLOCK;
		else
			f->flags &= ~(unsigned)O_NONBLOCK;
		return 0;
	case FIONREAD: {
		channel_drain(socket_channel(s));
		int n = s->leftover ? s->leftover->tot_len - s->leftover_offset : 0;
		int pending = 0;
		SYS_ARCH_GET(s->conn->recv_avail, pending);
		*(int *)arg = n + pending;
		return 0;
	}
	}
	return -ENOTTY;
}

static void socket_release(struct file *f)
{
	struct socket *s = f->priv;
	if (s->leftover)
		pbuf_free(s->leftover);
	struct netconn *conn = s->conn;
	channel_close(s->channel);
	if (s->type == SOCK_STREAM && s->linger_on && s->linger_seconds == 0) {
		/* SO_LINGER {1, 0}: the connection ends with a reset, as on
		 * Linux, whether or not data is left to send. */
		LOCK_TCPIP_CORE();
		struct tcp_pcb *pcb = conn->pcb.tcp;
		if (pcb && pcb->state != LISTEN && pcb->state != CLOSED)
			tcp_abort(pcb);
		UNLOCK_TCPIP_CORE();
	}
	/* lwIP closes a blocking netconn in the background; a non-blocking one
	 * it may not be done with when it frees it. */
	netconn_set_nonblocking(conn, 0);
	netconn_delete(conn);
	conn_forget(conn);
	kfree(s);
}

static const struct file_ops socket_ops = {
	.read = socket_read,
	.write = socket_write,
	.poll = socket_poll,
	.ioctl = socket_ioctl,
	.release = socket_release,
	.fstat_type = S_IFSOCK,
};

/* The socket behind fd: referenced file, or NULL with *err set. An AF_UNIX
 * socket's file is one too: the calls hand it to net/unix.c. */
static struct file *socket_file(int fd, long *err)
{
	struct file *f = fd_get(fd);
	if (!f) {
		*err = -EBADF;
		return NULL;
	}
	if (f->ops != &socket_ops && !unix_is(f)) {
		*err = -ENOTSOCK;
		file_put(f);
		return NULL;
	}
	return f;
}

/* A file and descriptor for a new socket on conn; `listener` is the socket
 * that accepted it, if it did. */
static long socket_install(struct netconn *conn, int domain, int type, int flags, const struct socket *listener)
{
	struct socket *s = kzalloc(sizeof(*s));
	struct file *f = s ? file_new(&socket_ops, NULL, O_RDWR | (flags & SOCK_NONBLOCK ? O_NONBLOCK : 0)) : NULL;
	if (!f) {
		kfree(s);
		return -ENOMEM;
	}
	s->conn = conn;
	s->domain = domain;
	s->type = type;
	s->channel_state = listener ? CHANNEL_WANTED : CHANNEL_NOT_WANTED;
	if (listener) {
		/* As on Linux, a connection has its listener's buffer sizes. */
		s->buffers.rcvbuf = listener->buffers.rcvbuf;
		s->buffers.sndbuf = listener->buffers.sndbuf;
		socket_buffers_apply(conn, &s->buffers);
	}
	poll_head_init(&s->poll);
	mutex_init(&s->lock);
	unsigned long irq;
	spin_lock_irqsave(&conns_lock, &irq);
	struct conn_state *cs = conn_state(conn);
	if (cs)
		cs->sock = s;
	spin_unlock_irqrestore(&conns_lock, irq);
	f->priv = s;
	int fd = fd_install(f, 0, flags & SOCK_CLOEXEC);
	if (fd < 0) {
		file_put(f);
		return fd;
	}
	return fd;
}

long sys_socket(int domain, int type, int protocol)
{
	int kind = type & SOCK_TYPE_MASK, flags = type & ~SOCK_TYPE_MASK;
	if (flags & ~(SOCK_NONBLOCK | SOCK_CLOEXEC))
		return -EINVAL;
	if (domain == AF_UNIX)
		return unix_socket(type, protocol);
	if (domain != AF_INET && domain != AF_INET6)
		return -EAFNOSUPPORT;
	net_start();
	enum netconn_type t;
	if (kind == SOCK_STREAM && (!protocol || protocol == IPPROTO_TCP))
		t = domain == AF_INET6 ? NETCONN_TCP_IPV6 : NETCONN_TCP;
	else if (kind == SOCK_DGRAM && (!protocol || protocol == 17))
		t = domain == AF_INET6 ? NETCONN_UDP_IPV6 : NETCONN_UDP;
	else
		return kind == SOCK_STREAM || kind == SOCK_DGRAM ? -EPROTONOSUPPORT : -EINVAL;
	struct netconn *conn = netconn_new_with_callback(t, netconn_event);
	if (!conn)
		return -ENOBUFS;
	/* FIXME: a connection lwIP accepted and dropped before any program
	 * accepted it leaves its entry behind; a new one at the same address
	 * starts clean here, but an accepted one would inherit its counts. */
	conn_forget(conn);
	socket_buffers_init(conn);
	long fd = socket_install(conn, domain, kind, flags, NULL);
	if (fd < 0) {
		netconn_delete(conn);
		conn_forget(conn);
	}
	return fd;
}

long sys_bind(int fd, const void *addr, uint32_t len)
{
	long err;
	struct file *f = socket_file(fd, &err);
	if (!f)
		return err;
	if (unix_is(f)) {
		err = unix_bind(f, addr, len);
		file_put(f);
		return err;
	}
	struct socket *s = f->priv;
	ip_addr_t ip;
	uint16_t port;
	err = to_lwip_addr(s, addr, len, &ip, &port);
	if (!err)
		err = lwip_error(netconn_bind(s->conn, &ip, port));
	file_put(f);
	return err;
}

long sys_listen(int fd, int backlog)
{
	long err;
	struct file *f = socket_file(fd, &err);
	if (!f)
		return err;
	if (unix_is(f)) {
		err = unix_listen(f, backlog);
		file_put(f);
		return err;
	}
	struct socket *s = f->priv;
	if (s->type != SOCK_STREAM) {
		file_put(f);
		return -EOPNOTSUPP;
	}
	err = lwip_error(netconn_listen_with_backlog(s->conn, (u8_t)(backlog < 1 ? 1 : backlog > 255 ? 255 : backlog)));
	if (!err)
		s->listening = true;
	file_put(f);
	return err;
}

long sys_accept4(int fd, void *addr, uint32_t *len, int flags)
{
	long err;
	if (flags & ~(SOCK_NONBLOCK | SOCK_CLOEXEC))
		return -EINVAL;
	struct file *f = socket_file(fd, &err);
	if (!f)
		return err;
	if (unix_is(f)) {
		err = unix_accept(f, addr, len, flags);
		file_put(f);
		return err;
	}
	struct socket *s = f->priv;
	struct netconn *conn;
	set_blocking(s, f->flags & O_NONBLOCK);
	err_t e = netconn_accept(s->conn, &conn);
	if (e != ERR_OK) {
		file_put(f);
		return e == ERR_WOULDBLOCK ? -EAGAIN : lwip_error(e);
	}
	long newfd = socket_install(conn, s->domain, SOCK_STREAM, flags, s);
	if (newfd < 0) {
		netconn_delete(conn);
		conn_forget(conn);
		file_put(f);
		return newfd;
	}
	if (addr && len) {
		ip_addr_t ip;
		uint16_t port;
		if (netconn_peer(conn, &ip, &port) == ERR_OK)
			from_lwip_addr(s, &ip, port, addr, len);
	}
	file_put(f);
	return newfd;
}

long sys_accept(int fd, void *addr, uint32_t *len)
{
	return sys_accept4(fd, addr, len, 0);
}

long sys_connect(int fd, const void *addr, uint32_t len)
{
	long err;
	struct file *f = socket_file(fd, &err);
	if (!f)
		return err;
	if (unix_is(f)) {
		err = unix_connect(f, addr, len);
		file_put(f);
		return err;
	}
	struct socket *s = f->priv;
	ip_addr_t ip;
	uint16_t port;
	err = to_lwip_addr(s, addr, len, &ip, &port);
	if (!err) {
		set_blocking(s, f->flags & O_NONBLOCK);
		err_t e = netconn_connect(s->conn, &ip, port);
		if (s->type == SOCK_STREAM && (e == ERR_OK || e == ERR_INPROGRESS))
			want_channel(s);
		/* Linux: the first connect to find done what EINPROGRESS began
		 * says 0; only the ones after it EISCONN. */
		if (e == ERR_ISCONN && s->connect_in_progress)
			e = ERR_OK;
		s->connect_in_progress = e == ERR_INPROGRESS || e == ERR_ALREADY;
		err = e == ERR_INPROGRESS ? -EINPROGRESS : e == ERR_ALREADY ? -EALREADY :
		      e == ERR_ISCONN ? -EISCONN : e == ERR_RST || e == ERR_ABRT ? -ECONNREFUSED : lwip_error(e);
	}
	file_put(f);
	return err;
}

long sys_socketpair(int domain, int type, int protocol, int sv[2])
{
	if (domain != AF_UNIX)
		return domain == AF_INET || domain == AF_INET6 ? -EOPNOTSUPP : -EAFNOSUPPORT;
	if (protocol)
		return -EPROTONOSUPPORT;
	return unix_socketpair(type, sv);
}

long sys_sendto(int fd, const void *buf, size_t len, int flags, const void *addr, uint32_t addrlen)
{
	long err;
	struct file *f = socket_file(fd, &err);
	if (!f)
		return err;
	err = socket_send(f, buf, len, flags, addr, addrlen);
	file_put(f);
	return err;
}

long sys_recvfrom(int fd, void *buf, size_t len, int flags, void *addr, uint32_t *addrlen)
{
	long err;
	struct file *f = socket_file(fd, &err);
	if (!f)
		return err;
	err = socket_recv(f, buf, len, flags, addr, addrlen);
	file_put(f);
	return err;
}

/* A stream's sendmsg or recvmsg: piece by piece, stopping at the first
 * short one; what was moved, or the first piece's error. The receive waits
 * only for the first piece (and fills the sender's name there). */
static long stream_pieces(struct file *f, struct msghdr *msg, int flags, bool send)
{
	long total = 0;
	for (size_t i = 0; i < msg->iovlen; i++) {
		struct iovec *v = &msg->iov[i];
		long n = send ? socket_send(f, v->iov_base, v->iov_len, flags, NULL, 0) :
				socket_recv(f, v->iov_base, v->iov_len, total ? flags | MSG_DONTWAIT : flags,
					    i == 0 ? msg->name : NULL, i == 0 && msg->name ? &msg->namelen : NULL);
		if (n < 0)
			return total ? total : n;
		total += n;
		if ((size_t)n < v->iov_len)
			break;
	}
	return total;
}

long sys_sendmsg(int fd, const struct msghdr *msg, int flags)
{
	long err;
	struct file *f = socket_file(fd, &err);
	if (!f)
		return err;
	if (unix_is(f)) {
		err = unix_sendmsg(f, msg, flags);
		file_put(f);
		return err;
	}
	bool datagram = ((struct socket *)f->priv)->type == SOCK_DGRAM;
	long total = 0;
	if (datagram) {
		/* One datagram: the pieces gathered first. */
		size_t len = 0;
		for (size_t i = 0; i < msg->iovlen; i++)
			len += msg->iov[i].iov_len;
		char *buf = kmalloc(len ? len : 1);
		if (!buf) {
			file_put(f);
			return -ENOMEM;
		}
		for (size_t i = 0, at = 0; i < msg->iovlen; at += msg->iov[i].iov_len, i++)
			memcpy(buf + at, msg->iov[i].iov_base, msg->iov[i].iov_len);
		total = socket_send(f, buf, len, flags, msg->name, msg->namelen);
		kfree(buf);
	} else {
		total = stream_pieces(f, (struct msghdr *)msg, flags, true);
	}
	file_put(f);
	return total;
}

long sys_recvmsg(int fd, struct msghdr *msg, int flags)
{
	long err;
	struct file *f = socket_file(fd, &err);
	if (!f)
		return err;
	if (unix_is(f)) {
		err = unix_recvmsg(f, msg, flags);
		file_put(f);
		return err;
	}
	bool datagram = ((struct socket *)f->priv)->type == SOCK_DGRAM;
	long total = 0;
	msg->flags = 0;
	msg->controllen = 0;
	if (datagram || msg->iovlen <= 1) {
		/* One receive into the first piece (a datagram is not split). */
		size_t len = msg->iovlen ? msg->iov[0].iov_len : 0;
		total = socket_recv(f, msg->iovlen ? msg->iov[0].iov_base : NULL, len, flags, msg->name,
				    msg->name ? &msg->namelen : NULL);
	} else {
		total = stream_pieces(f, msg, flags, false);
	}
	file_put(f);
	return total;
}

long sys_shutdown(int fd, int how)
{
	long err;
	struct file *f = socket_file(fd, &err);
	if (!f)
		return err;
	if (unix_is(f)) {
		err = unix_shutdown(f, how);
		file_put(f);
		return err;
	}
	struct socket *s = f->priv;
	if (how < SHUT_RD || how > SHUT_RDWR)
		err = -EINVAL;
	else if (s->type != SOCK_STREAM)
		err = -EOPNOTSUPP;
	else
		err = lwip_error(netconn_shutdown(s->conn, how != SHUT_WR, how != SHUT_RD));
	if (err == -ENOTCONN || err == -ECONNRESET)
		err = -ENOTCONN;
	file_put(f);
	return err;
}

static long get_name(int fd, void *addr, uint32_t *len, bool local)
{
	long err;
	struct file *f = socket_file(fd, &err);
	if (!f)
		return err;
	if (unix_is(f)) {
		err = unix_getname(f, addr, len, !local);
		file_put(f);
		return err;
	}
	struct socket *s = f->priv;
	ip_addr_t ip;
	uint16_t port;
	err = lwip_error(netconn_getaddr(s->conn, &ip, &port, local));
	if (!err)
		from_lwip_addr(s, &ip, port, addr, len);
	file_put(f);
	return err;
}

long sys_getsockname(int fd, void *addr, uint32_t *len)
{
	return get_name(fd, addr, len, true);
}

long sys_getpeername(int fd, void *addr, uint32_t *len)
{
	return get_name(fd, addr, len, false);
}

/* Sets or clears a SOF_* option of the connection's protocol block. */
static long pcb_option(struct socket *s, u8_t option, bool on)
{
	LOCK_TCPIP_CORE();
	struct ip_pcb *pcb = (struct ip_pcb *)s->conn->pcb.ip;
	if (pcb) {
		if (on)
			ip_set_option(pcb, option);
		else
			ip_reset_option(pcb, option);
	}
	UNLOCK_TCPIP_CORE();
	return pcb ? 0 : -EINVAL;
}

long sys_setsockopt(int fd, int level, int name, const void *value, uint32_t len)
{
	long err;
	struct file *f = socket_file(fd, &err);
	if (!f)
		return err;
	if (unix_is(f)) {
		err = unix_setsockopt(f, level, name, value, len);
		file_put(f);
		return err;
	}
	struct socket *s = f->priv;
	int v = value && len >= sizeof(int) ? *(const int *)value : 0;
	err = 0;
	if (!value || len < sizeof(int)) {
		err = -EINVAL;
	} else if (level == SOL_SOCKET) {
		switch (name) {
		case SO_REUSEADDR:
		case SO_REUSEPORT: /* lwIP has no port sharing: taken as SO_REUSEADDR */
			err = pcb_option(s, SOF_REUSEADDR, v);
			break;
		case SO_KEEPALIVE: err = pcb_option(s, SOF_KEEPALIVE, v); break;
		case SO_BROADCAST: err = pcb_option(s, SOF_BROADCAST, v); break;
		case SO_RCVBUF:
		case SO_SNDBUF: socket_buffers_set(s->conn, &s->buffers, name == SO_RCVBUF, v); break;
		case SO_LINGER:
			if (len < 2 * sizeof(int)) {
				err = -EINVAL;
			} else {
				s->linger_on = v;
				s->linger_seconds = ((const int *)value)[1];
				/* lwIP lingers in a blocking close while data is
				 * unsent; a time of 0 is an abortive close, done
				 * at close (socket_release). */
				int t = s->linger_seconds;
				s->conn->linger = (s16_t)(!v ? -1 : t < 0 ? 0 : t > 32767 ? 32767 : t);
			}
			break;
		case SO_RCVTIMEO:
		case SO_SNDTIMEO: {
			if (len < 16) {
				err = -EINVAL;
				break;
			}
			const int64_t *tv = value;
			int ms = (int)(tv[0] * 1000 + tv[1] / 1000);
			if (name == SO_RCVTIMEO)
				netconn_set_recvtimeout(s->conn, ms);
			else
				netconn_set_sendtimeout(s->conn, ms);
			break;
		}
		default: err = -ENOPROTOOPT;
		}
	} else if (level == IPPROTO_TCP && name == TCP_NODELAY && s->type == SOCK_STREAM) {
		LOCK_TCPIP_CORE();
		if (s->conn->pcb.tcp) {
			if (v)
				tcp_nagle_disable(s->conn->pcb.tcp);
			else
				tcp_nagle_enable(s->conn->pcb.tcp);
		}
		UNLOCK_TCPIP_CORE();
	} else if (level == IPPROTO_IPV6 && name == IPV6_V6ONLY) {
		/* accepted: dual-stack sockets take IPv4 either way */
	} else if (level == IPPROTO_IP || level == IPPROTO_TCP || level == IPPROTO_IPV6) {
		err = -ENOPROTOOPT;
	} else {
		err = -ENOPROTOOPT;
	}
	file_put(f);
	return err;
}

long sys_getsockopt(int fd, int level, int name, void *value, uint32_t *len)
{
	long err;
	struct file *f = socket_file(fd, &err);
	if (!f)
		return err;
	if (unix_is(f)) {
		err = unix_getsockopt(f, level, name, value, len);
		file_put(f);
		return err;
	}
	struct socket *s = f->priv;
	int v = 0;
	err = 0;
	if (!value || !len || *len < sizeof(int)) {
		err = -EINVAL;
	} else if (level == SOL_SOCKET) {
		switch (name) {
		case SO_TYPE: v = s->type; break;
		case SO_ACCEPTCONN: v = s->listening; break;
		case SO_ERROR: {
			unsigned long irq;
			spin_lock_irqsave(&conns_lock, &irq);
			struct conn_state *cs = *conn_slot(s->conn);
			if (cs)
				cs->errevent = 0;
			spin_unlock_irqrestore(&conns_lock, irq);
			err_t e = netconn_err(s->conn);
			v = e == ERR_OK || e == ERR_INPROGRESS ? 0 : e == ERR_RST || e == ERR_ABRT ? ECONNREFUSED :
			    err_to_errno(e);
			break;
		}
		case SO_REUSEADDR:
		case SO_REUSEPORT: v = s->conn->pcb.ip && ip_get_option(s->conn->pcb.ip, SOF_REUSEADDR) ? 1 : 0; break;
		case SO_KEEPALIVE: v = s->conn->pcb.ip && ip_get_option(s->conn->pcb.ip, SOF_KEEPALIVE) ? 1 : 0; break;
		case SO_RCVBUF:
		case SO_SNDBUF: v = socket_buffers_get(s->conn, &s->buffers, name == SO_RCVBUF); break;
		case SO_LINGER:
			if (*len >= 2 * sizeof(int)) {
				((int *)value)[0] = s->linger_on;
				((int *)value)[1] = s->linger_seconds;
				*len = 2 * sizeof(int);
				file_put(f);
				return 0;
			}
			err = -EINVAL;
			break;
		default: err = -ENOPROTOOPT;
		}
	} else if (level == IPPROTO_TCP && name == TCP_NODELAY && s->type == SOCK_STREAM) {
		v = s->conn->pcb.tcp && tcp_nagle_disabled(s->conn->pcb.tcp) ? 1 : 0;
	} else {
		err = -ENOPROTOOPT;
	}
	if (!err) {
		*(int *)value = v;
		*len = sizeof(int);
	}
	file_put(f);
	return err;
}
