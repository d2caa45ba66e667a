/*
 * An lwIP network interface on a Kite network device (struct netdev): frames
 * the device receives go to their connection's net channel (channel.h) or to
 * lwIP's input (tcpip_input queues them for the tcpip thread); lwIP's output
 * is copied into the device's transmit ring.
 */
#include <kite/errno.h>
#include <kite/heap.h>
#include <kite/netdev.h>
#include <kite/printk.h>
#include <string.h>
#include "lwip/etharp.h"
#include "lwip/ethip6.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "lwip/tcpip.h"
#include "lwip_hooks.h"
#include "channel.h"
#include "net.h"

#define MAX_FRAME 1514

static err_t linkoutput(struct netif *netif, struct pbuf *p)
{
	struct netdev *nd = netif->state;
	uint8_t frame[MAX_FRAME];
	if (p->tot_len > sizeof(frame))
		return ERR_BUF;
	pbuf_copy_partial(p, frame, p->tot_len, 0);
	int err = nd->transmit(nd, frame, p->tot_len);
	if (err == -ENOSPC)
		return ERR_MEM; /* TCP retransmits; ARP and UDP are lossy anyway */
	return err ? ERR_IF : ERR_OK;
}

static void receive(struct netdev *nd, const void *frame, size_t len, void *arg)
{
	struct netif *netif = arg;
	(void)nd;
	struct pbuf *p = pbuf_alloc(PBUF_RAW, (u16_t)len, PBUF_POOL);
	if (!p) {
		nd->rx_dropped++;
		return;
	}
	pbuf_take(p, frame, (u16_t)len);
	if (channel_deliver(netif, frame, len, p))
		return;
	if (netif->input(p, netif) != ERR_OK) {
		nd->rx_dropped++; /* lwIP's input queue was full */
		pbuf_free(p);
	}
}

static err_t netif_setup(struct netif *netif)
{
	struct netdev *nd = netif->state;
	netif->name[0] = 'e';
	netif->name[1] = 't';
	netif->hwaddr_len = 6;
	memcpy(netif->hwaddr, nd->mac, 6);
	netif->mtu = nd->mtu;
	netif->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET | NETIF_FLAG_IGMP |
		       NETIF_FLAG_MLD6;
	netif->output = etharp_output;
	netif->output_ip6 = ethip6_output;
	netif->linkoutput = linkoutput;
	u16_t checksums = NETIF_CHECKSUM_ENABLE_ALL;
	if (nd->offloads & NETDEV_TX_TCP_CSUM)
		checksums &= (u16_t)~NETIF_CHECKSUM_GEN_TCP;
	if (nd->offloads & NETDEV_RX_CSUM)
		checksums &= (u16_t)~(NETIF_CHECKSUM_CHECK_TCP | NETIF_CHECKSUM_CHECK_UDP);
	NETIF_SET_CHECKSUM_CTRL(netif, checksums);
	return ERR_OK;
}

/*
 * lwIP's checks of received TCP and UDP checksums are switched per interface,
 * but on a NETDEV_RX_CSUM device the driver has checked only the packets
 * netdev_rx_csum_covers() accepts. lwIP's IPv4 and IPv6 input hooks call this
 * for every packet before anything else reads it, with the core lock held,
 * and the rest of that packet's input (reassembly included: a datagram
 * completed by this fragment is processed in the same call) runs before the
 * next packet's hook. So the switch is set here for this one packet: off when
 * the driver has checked it, on otherwise (fragments, and so the datagrams
 * they complete; IPv6 extension headers). Packets lwIP loops back to the
 * interface's own address come this way too, and count as checked: they
 * never left memory (and with transmit offload their TCP checksum is not
 * there at all). Never eats the packet.
 */
int kite_ip_input_checksums(struct pbuf *p, struct netif *inp)
{
	if (inp->linkoutput != linkoutput || !(((struct netdev *)inp->state)->offloads & NETDEV_RX_CSUM))
		return 0;
	const u16_t lwip_checks = NETIF_CHECKSUM_CHECK_TCP | NETIF_CHECKSUM_CHECK_UDP;
	if (netdev_rx_csum_covers(p->payload, p->len))
		inp->chksum_flags &= (u16_t)~lwip_checks;
	else
		inp->chksum_flags |= lwip_checks;
	return 0;
}

struct netif *net_attach(struct netdev *nd)
{
	struct netif *netif = kzalloc(sizeof(*netif));
	if (!netif)
		return NULL;
	LOCK_TCPIP_CORE();
	struct netif *added = netif_add(netif, NULL, NULL, NULL, nd, netif_setup, tcpip_input);
	if (added) {
		netif_create_ip6_linklocal_address(netif, 1);
		netif_set_up(netif);
		if (nd->link_up(nd))
			netif_set_link_up(netif);
	}
	UNLOCK_TCPIP_CORE();
	if (!added) {
		kfree(netif);
		return NULL;
	}
	nd->receive_arg = netif;
	nd->receive = receive;
	return netif;
}
