/*
 * SO_RCVBUF and SO_SNDBUF (see socket_buffers.h).
 *
 * Linux doubles the value a program sets (the other half is its bookkeeping),
 * caps it at the rmem_max/wmem_max sysctls and floors it; getsockopt reports
 * the result. Kite reports the same numbers, so programs that print them see
 * what they see on Linux, and makes the sizes take effect:
 *
 * - TCP: a connection's free send buffer (pcb->snd_buf) and receive window
 *   (pcb->rcv_wnd) start at lwIP's build-time sizes, and lwIP only ever adds
 *   back what it took. Taking `withheld` bytes off once leaves the connection
 *   that much smaller for good; giving them back undoes it. Two floors keep
 *   lwIP's own thresholds working: a send buffer below twice its low-water
 *   mark (TCP_SNDLOWAT) would never become writable again, and a window
 *   below its update threshold would never be re-announced.
 * - UDP: lwIP's per-connection receive limit (LWIP_SO_RCVBUF), counted in
 *   payload bytes, where Linux counts its buffers' full size.
 */
#include "lwip/api.h"
#include "lwip/priv/tcp_priv.h"
#include "lwip/tcp.h"
#include "lwip/tcpip.h"
#include "socket_buffers.h"

/* Linux's defaults for net.core.rmem_max and wmem_max, and its floors
 * (SOCK_MIN_RCVBUF, SOCK_MIN_SNDBUF). */
#define LINUX_BUFFER_MAX 212992u
#define LINUX_MIN_RCVBUF 2304
#define LINUX_MIN_SNDBUF 4608
#define LINUX_UDP_DEFAULT 212992	/* net.core.rmem_default and wmem_default */

#define TCP_MIN_SEND_BUFFER (2 * TCP_SNDLOWAT)
#define TCP_MIN_WINDOW (4 * TCP_WND_UPDATE_THRESHOLD)

int socket_buffer_size(int value, bool receive)
{
	/* Linux takes the value as unsigned: a negative one is the cap. */
	unsigned v = (unsigned)value < LINUX_BUFFER_MAX ? (unsigned)value : LINUX_BUFFER_MAX;
	int floor = receive ? LINUX_MIN_RCVBUF : LINUX_MIN_SNDBUF;
	return (int)(2 * v) < floor ? floor : (int)(2 * v);
}

void socket_buffers_set(struct netconn *conn, struct socket_buffers *b, bool receive, int value)
{
	int size = socket_buffer_size(value, receive);
	if (receive)
		b->rcvbuf = size;
	else
		b->sndbuf = size;
	socket_buffers_apply(conn, b);
}

static uint32_t clamp(uint32_t size, uint32_t floor, uint32_t ceiling)
{
	return size < floor ? floor : size > ceiling ? ceiling : size;
}

static void apply_tcp(struct tcp_pcb *pcb, struct socket_buffers *b)
{
	/* Before ESTABLISHED lwIP's handshake sets and checks the window
	 * itself; in TIME_WAIT nothing flows any more. */
	if (!pcb || pcb->state < ESTABLISHED || pcb->state == TIME_WAIT)
		return;
	if (b->sndbuf) {
		uint32_t want = TCP_SND_BUF - clamp((uint32_t)b->sndbuf, TCP_MIN_SEND_BUFFER, TCP_SND_BUF);
		if (want > b->snd_withheld) {
			/* Only what is free now; the rest stays in use. */
			uint32_t take = want - b->snd_withheld < pcb->snd_buf ? want - b->snd_withheld : pcb->snd_buf;
			pcb->snd_buf -= take;
			b->snd_withheld += take;
		} else {
			pcb->snd_buf += b->snd_withheld - want;
			b->snd_withheld = want;
		}
	}
	if (b->rcvbuf) {
		uint32_t want = TCP_WND - clamp((uint32_t)b->rcvbuf, TCP_MIN_WINDOW, TCP_WND);
		if (want > b->rcv_withheld) {
			/* A smaller window: lwIP never moves back the right edge
			 * it announced, it announces less as data comes. */
			uint32_t take = want - b->rcv_withheld < pcb->rcv_wnd ? want - b->rcv_withheld : pcb->rcv_wnd;
			pcb->rcv_wnd -= take;
			b->rcv_withheld += take;
		} else {
			/* Given back as if read: tcp_recved announces it. */
			uint32_t give = b->rcv_withheld - want;
			b->rcv_withheld = want;
			for (; give; give -= give > 0xffff ? 0xffff : give)
				tcp_recved(pcb, (u16_t)(give > 0xffff ? 0xffff : give));
		}
	}
}

void socket_buffers_apply(struct netconn *conn, struct socket_buffers *b)
{
	LOCK_TCPIP_CORE();
	if (NETCONNTYPE_GROUP(netconn_type(conn)) == NETCONN_TCP)
		apply_tcp(conn->pcb.tcp, b);
	else if (b->rcvbuf)
		netconn_set_recvbufsize(conn, b->rcvbuf);
	UNLOCK_TCPIP_CORE();
}

void socket_buffers_init(struct netconn *conn)
{
	if (NETCONNTYPE_GROUP(netconn_type(conn)) != NETCONN_TCP)
		netconn_set_recvbufsize(conn, LINUX_UDP_DEFAULT);
}

int socket_buffers_get(const struct netconn *conn, const struct socket_buffers *b, bool receive)
{
	bool tcp = NETCONNTYPE_GROUP(netconn_type(conn)) == NETCONN_TCP;
	if (receive)
		return b->rcvbuf ? b->rcvbuf : tcp ? TCP_WND : netconn_get_recvbufsize(conn);
	/* A UDP datagram is sent at once: Linux's default is as true as any. */
	return b->sndbuf ? b->sndbuf : tcp ? TCP_SND_BUF : LINUX_UDP_DEFAULT;
}
