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
	if (nd->offloads & NETDEV_TX_TCP_CSUM)
		NETIF_SET_CHECKSUM_CTRL(netif, NETIF_CHECKSUM_ENABLE_ALL & ~NETIF_CHECKSUM_GEN_TCP);
	return ERR_OK;
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
