/*
 * lwIP's hooks into Kite (LWIP_HOOK_FILENAME in lwipopts.h), included by
 * lwIP's sources: net/lwip/hooks.c has them, except the checksum switch,
 * which is the interface's (net/netif.c).
 */
#ifndef KITE_LWIP_HOOKS_H
#define KITE_LWIP_HOOKS_H
#include "lwip/tcp.h"

struct tcp_hdr;

/* Every TCP segment that found its PCB (a listener, too), before lwIP acts on it. */
err_t kite_tcp_segment_arrived(struct tcp_pcb *pcb, const struct tcp_hdr *header);
#define LWIP_HOOK_TCP_INPACKET_PCB(pcb, header, optlen, opt1len, opt2, p) kite_tcp_segment_arrived(pcb, header)

/* Every TCP segment lwIP sends, once its header is filled in and before its
 * checksum: it adds no options (returns opts as it came). */
u32_t *kite_tcp_segment_leaving(struct pbuf *p, struct tcp_hdr *header, const struct tcp_pcb *pcb, u32_t *opts);
#define LWIP_HOOK_TCP_OUT_ADD_TCPOPTS(p, header, pcb, opts) kite_tcp_segment_leaving(p, header, pcb, opts)

struct netif;
struct pbuf;

/* Every IPv4 and IPv6 packet received, first thing: whether lwIP checks its
 * TCP or UDP checksum (NETDEV_RX_CSUM). Returns 0: the packet goes on. */
int kite_ip_input_checksums(struct pbuf *p, struct netif *inp);
#define LWIP_HOOK_IP4_INPUT(p, inp) kite_ip_input_checksums(p, inp)
#define LWIP_HOOK_IP6_INPUT(p, inp) kite_ip_input_checksums(p, inp)

#endif
