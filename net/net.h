/* The network stack's own parts (net/): not an interface for the rest of Kite,
 * which uses include/kite/net.h. */
#ifndef NET_NET_H
#define NET_NET_H
#include <kite/netdev.h>

struct netif;

/* An lwIP interface on the device, up, its link as the device says. */
struct netif *net_attach(struct netdev *nd);

/* lwIP's thread and core lock (lwip/sys_arch.c), for the status key. */
void lwip_print_state(void);

#endif
