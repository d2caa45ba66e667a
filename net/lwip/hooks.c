/*
 * Kite's additions to how lwIP takes what arrives from the network and what
 * it sends, through lwIP's hooks (lwip_hooks.h) and one link-time wrapper,
 * so that lwIP's own sources stay as Debian ships them. Each one closes a way
 * a peer could hang or shut the stack (tests/net/inject.c sends the ones a
 * sender can provoke).
 */
#include "lwip/nd6.h"
#include "lwip/priv/tcp_priv.h"
#include "lwip/prot/ip6.h"
#include "lwip/prot/tcp.h"
#include "lwip_hooks.h"

/*
 * A SYN for a listener whose backlog is full. lwIP counts the connections
 * still in SYN_RCVD against the backlog and drops every further SYN until
 * one of them completes or times out (20 s): a flood of SYNs from addresses
 * that never answer (spoofed ones) kept the listener shut for 20 s after the
 * flood ended. Instead the listener's longest-idle half-open connection makes
 * room for the new one, if it has been idle for HALF_OPEN_IDLE_MS: a real
 * client answers a SYN-ACK within a round trip, so one that is still
 * completing its handshake is not cut off (its ACK would meet a reset), and
 * the listener opens again within HALF_OPEN_IDLE_MS of a flood's end.
 * (Connections established but not yet accepted also count against the
 * backlog; those are left alone: that part of the backlog is the program's.)
 */
#define HALF_OPEN_IDLE_MS 1000

static void make_room_for_syn(struct tcp_pcb_listen *listener)
{
	struct tcp_pcb *oldest = NULL;
	u32_t oldest_idle = HALF_OPEN_IDLE_MS / TCP_SLOW_INTERVAL;
	for (struct tcp_pcb *pcb = tcp_active_pcbs; pcb; pcb = pcb->next) {
		u32_t idle = (u32_t)(tcp_ticks - pcb->tmr);
		/* (>=: newer connections come first in the list) */
		if (pcb->state == SYN_RCVD && pcb->listener == listener && (pcb->flags & TF_BACKLOGPEND) &&
		    idle >= oldest_idle) {
			oldest = pcb;
			oldest_idle = idle;
		}
	}
	if (oldest)
		tcp_abandon(oldest, 0); /* no reset: under a flood it would go to a forged address */
}

err_t kite_tcp_segment_arrived(struct tcp_pcb *pcb, const struct tcp_hdr *header)
{
	if (pcb->state == LISTEN && (TCPH_FLAGS(header) & (TCP_SYN | TCP_ACK | TCP_RST)) == TCP_SYN) {
		struct tcp_pcb_listen *listener = (struct tcp_pcb_listen *)pcb;
		if (listener->accepts_pending >= listener->backlog)
			make_room_for_syn(listener);
	}
	return ERR_OK;
}

/*
 * The sequence number of a segment without data (an ACK, a window update, a
 * keepalive). lwIP gives an ACK SND.NXT. A peer that shrank its window (took
 * part of a segment, then announced a window of 0; QEMU's user network does)
 * finds SND.NXT beyond the window's right edge and drops the ACK unread
 * (RFC 793's acceptability test): it never learns that our own window
 * opened. If its own data then waits on our window, and ours on its, both
 * sides wait for good, each dropping the other's ACKs. Seen with
 * apps/netpeer's echo through QEMU's user network.
 *
 * As Linux does (tcp_acceptable_seq), such an ACK carries the window's right
 * edge instead, SND.UNA + SND.WND, which the peer accepts. A keepalive, which
 * must carry an old number to be answered, gets SND.UNA - 1 (as on Linux).
 */
u32_t *kite_tcp_segment_leaving(struct pbuf *p, struct tcp_hdr *header, const struct tcp_pcb *pcb, u32_t *opts)
{
	bool has_data = p->tot_len > TCPH_HDRLEN_BYTES(header);
	if (!pcb || has_data || (TCPH_FLAGS(header) & (TCP_SYN | TCP_FIN | TCP_RST)))
		return opts;
	u32_t right_edge = pcb->lastack + pcb->snd_wnd;
	u32_t seq = lwip_ntohl(header->seqno);
	if (TCP_SEQ_GT(seq, right_edge)) {
		bool keepalive = seq == pcb->snd_nxt - 1;
		header->seqno = lwip_htonl(keepalive ? pcb->lastack - 1 : right_edge);
	}
	return opts;
}

/*
 * The path MTU lwIP uses towards an IPv6 destination, never below the IPv6
 * minimum of 1280 (RFC 8201). lwIP takes the MTU of an ICMPv6 Packet Too Big
 * as it comes; with one of 48 to 55 bytes its fragmentation (ip6_frag) has no
 * room for data in a fragment and loops forever, sending empty fragments, so
 * one forged message and a ping hung the stack. Every reader of the path MTU
 * (ip6.c, ip6_frag.c, tcp.c) calls this instead of lwIP's function: the
 * kernel is linked with --wrap=nd6_get_destination_mtu (Makefile). 0 means
 * no limit (an interface without an MTU) and stays 0.
 */
u16_t __real_nd6_get_destination_mtu(const ip6_addr_t *ip6addr, struct netif *netif);
u16_t __wrap_nd6_get_destination_mtu(const ip6_addr_t *ip6addr, struct netif *netif);

u16_t __wrap_nd6_get_destination_mtu(const ip6_addr_t *ip6addr, struct netif *netif)
{
	u16_t mtu = __real_nd6_get_destination_mtu(ip6addr, netif);
	return mtu && mtu < IP6_MIN_MTU_LENGTH ? IP6_MIN_MTU_LENGTH : mtu;
}
