/*
 * /etc/resolv.conf for musl's resolver: the name server given by --dns, which
 * replaces the image's file, or else the one DHCP offers, written only when
 * the image brings no file of its own.
 */
#include <kite/cmdline.h>
#include <kite/errno.h>
#include <kite/format.h>
#include <kite/fs_calls.h>
#include <kite/printk.h>
#include <kite/vfs.h>
#include <string.h>
#include "lwip/dns.h"
#include "lwip/ip4_addr.h"
#include "net.h"

#define RESOLV_CONF "/etc/resolv.conf"

static ip4_addr_t dns_server;
static bool dns_given;

static int set_dns(const char *value)
{
	if (!ip4addr_aton(value, &dns_server))
		return -1;
	dns_given = true;
	return 0;
}
KOPT_VALUE("dns", set_dns, "ADDRESS",
	   "the DNS server, written to " RESOLV_CONF " (else DHCP's, when the image has no such file)");

static void write_resolv_conf(const ip4_addr_t *server, bool replace)
{
	char text[64], ip[16];
	ip4addr_ntoa_r(server, ip, sizeof(ip));
	int len = ksnprintf(text, sizeof(text), "nameserver %s\n", ip);
	long err = sys_mkdir("/etc", 0755);
	if (!err || err == -EEXIST)
		err = vfs_write_file(RESOLV_CONF, text, (size_t)len, replace);
	if (err && err != -EEXIST)
		pr_warn("kite: cannot write " RESOLV_CONF " (error %ld)\n", -err);
}

void resolv_conf_at_start(void)
{
	if (dns_given)
		write_resolv_conf(&dns_server, true);
}

void resolv_conf_after_dhcp(void)
{
	const ip_addr_t *offered = dns_getserver(0);
	if (dns_given || !offered || !IP_IS_V4(offered) || ip4_addr_isany(ip_2_ip4(offered)))
		return;
	write_resolv_conf(ip_2_ip4(offered), false);
}
