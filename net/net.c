/*
 * The network's start-up: lwIP's tcpip thread, the loopback interface, an
 * interface on each network device, and the first one's IPv4 address, from
 * the command line (--ip=ADDRESS/PREFIX --gw=GATEWAY) or else from DHCP.
 * IPv6 link-local addresses and SLAAC come on their own. With a network
 * device it all starts at boot (so that DHCP runs meanwhile); without one,
 * at the first socket() (for the loopback interface), and costs nothing
 * before.
 */
#include <kite/clock.h>
#include <kite/cmdline.h>
#include <kite/errno.h>
#include <kite/init.h>
#include <kite/net.h>
#include <kite/netdev.h>
#include <kite/printk.h>
#include <kite/sync.h>
#include <string.h>
#include "lwip/dhcp.h"
#include "lwip/init.h"
#include "lwip/ip_addr.h"
#include "lwip/netif.h"
#include "lwip/tcpip.h"
#include "channel.h"
#include "net.h"

static ip4_addr_t static_ip, static_mask, static_gw;
static bool have_static_ip;
static struct netif *first_netif;
static struct semaphore addressed;
static struct semaphore tcpip_ready;

/* "A.B.C.D" into *out; 0, or -EINVAL. */
static int parse_ip4(const char *s, size_t len, ip4_addr_t *out)
{
	char buf[16];
	if (len >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, len);
	buf[len] = '\0';
	return ip4addr_aton(buf, out) ? 0 : -EINVAL;
}

static int set_ip(const char *value)
{
	const char *slash = strchr(value, '/');
	if (!slash || parse_ip4(value, (size_t)(slash - value), &static_ip))
		return -EINVAL;
	unsigned prefix = 0;
	const char *p = slash + 1;
	if (!*p)
		return -EINVAL;
	for (; *p; p++) {
		if (*p < '0' || *p > '9' || (prefix = prefix * 10 + (unsigned)(*p - '0')) > 32)
			return -EINVAL;
	}
	ip4_addr_set_u32(&static_mask, prefix ? lwip_htonl(0xffffffffu << (32 - prefix)) : 0);
	have_static_ip = true;
	return 0;
}
KOPT_VALUE("ip", set_ip, "ADDRESS/PREFIX", "the first network interface's IPv4 address, e.g. 10.0.2.15/24 (else DHCP)");

static int set_gw(const char *value)
{
	return parse_ip4(value, strlen(value), &static_gw);
}
KOPT_VALUE("gw", set_gw, "ADDRESS", "the default gateway, with --ip");

static void status_changed(struct netif *netif)
{
	if (netif == first_netif && !ip4_addr_isany_val(*netif_ip4_addr(netif))) {
		char ip[16];
		ip4addr_ntoa_r(netif_ip4_addr(netif), ip, sizeof(ip));
		pr_info("kite: %s: %s\n", ((struct netdev *)netif->state)->name, ip);
		resolv_conf_after_dhcp();
		semaphore_up(&addressed);
	}
}

static void tcpip_started(void *arg)
{
	(void)arg;
	semaphore_up(&tcpip_ready);
}

static struct mutex start_lock = MUTEX_INIT(start_lock);
static bool started;

void net_start(void)
{
	mutex_lock(&start_lock);
	if (started) {
		mutex_unlock(&start_lock);
		return;
	}
	resolv_conf_at_start();
	semaphore_init(&addressed, 0);
	semaphore_init(&tcpip_ready, 0);
	tcpip_init(tcpip_started, NULL);
	semaphore_down(&tcpip_ready, DEADLINE_NONE);
	struct netdev *nd;
	for (unsigned i = 0; (nd = netdev_get(i)); i++) {
		struct netif *netif = net_attach(nd);
		if (!netif) {
			pr_warn("kite: %s: cannot attach it to the network stack\n", nd->name);
			continue;
		}
		if (first_netif)
			continue;
		first_netif = netif;
		LOCK_TCPIP_CORE();
		netif_set_default(netif);
		netif_set_status_callback(netif, status_changed);
		if (have_static_ip)
			netif_set_addr(netif, &static_ip, &static_mask, &static_gw);
		else
			dhcp_start(netif);
		UNLOCK_TCPIP_CORE();
	}
	__atomic_store_n(&started, true, __ATOMIC_RELEASE);
	mutex_unlock(&start_lock);
}

/* --dhcp-wait=SECONDS: how long the boot waits for DHCP's address before the
 * program starts. A Linux program expects the network configured when it
 * starts; one that connected at once met EHOSTUNREACH when DHCP was slow (a
 * loaded host under TCG). */
static unsigned dhcp_wait_s = 10;

static int set_dhcp_wait(const char *value)
{
	unsigned n = 0;
	if (!*value)
		return -EINVAL;
	for (; *value; value++) {
		if (*value < '0' || *value > '9' || (n = n * 10 + (unsigned)(*value - '0')) > 3600)
			return -EINVAL;
	}
	dhcp_wait_s = n;
	return 0;
}
KOPT_VALUE("dhcp-wait", set_dhcp_wait, "SECONDS",
	   "how long the boot waits for an address from DHCP before starting the program (default 10, 0: not at all)");

static int net_init(void)
{
	if (!netdev_get(0))
		return 0;
	net_start();
	if (have_static_ip || !first_netif || !dhcp_wait_s)
		return 0;
	if (!net_wait_for_address(clock_monotonic_ns() + dhcp_wait_s * 1000000000ULL))
		pr_warn("kite: no address from DHCP in %u s; the program starts without one (--ip=ADDRESS/PREFIX sets "
			"one)\n", dhcp_wait_s);
	return 0;
}
INITCALL(late, net_init);

uint32_t net_wait_for_address(uint64_t deadline_ns)
{
	if (!first_netif)
		return 0;
	if (ip4_addr_isany_val(*netif_ip4_addr(first_netif))) {
		if (semaphore_down(&addressed, deadline_ns))
			return 0;
		semaphore_up(&addressed); /* for the next to ask */
	}
	return ip4_addr_get_u32(netif_ip4_addr(first_netif));
}

void net_print_state(void)
{
	lwip_print_state();
	tcp_print_pcbs();
	channel_print_stats();
	socket_print_state();
}
