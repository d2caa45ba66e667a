/* The network stack's own parts (net/): not an interface for the rest of Kite,
 * which uses include/kite/net.h. */
#ifndef NET_NET_H
#define NET_NET_H
#include <kite/netdev.h>
#include "lwip/sys.h"

struct netif;

/* An lwIP interface on the device, up, its link as the device says. */
struct netif *net_attach(struct netdev *nd);

/* /etc/resolv.conf (resolv.c): from --dns at the start, or from DHCP's
 * offer once the first interface has an address. */
void resolv_conf_at_start(void);
void resolv_conf_after_dhcp(void);

/* Socket counters (socket.c), for the status key. */
void socket_print_state(void);

/* lwIP's thread and core lock (lwip/sys_arch.c), for the status key. */
void lwip_print_state(void);
/* How many messages wait in an lwIP mailbox (lwip/sys_arch.c). */
unsigned lwip_mbox_waiting(sys_mbox_t *mbox);

/* Each TCP connection's sequence numbers, windows and timers (tcp_report.c),
 * for the status key. */
void tcp_print_pcbs(void);

#endif
