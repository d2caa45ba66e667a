/*
 * --selftest=net: the first network device against QEMU's user-mode network
 * (slirp, whose gateway is 10.0.2.2 and which answers ARP for it). One ARP
 * request must get the gateway's answer; then BURST requests, sent in runs
 * faster than the answers come, must all be answered: more frames than the
 * receive ring holds, so the buffers must be posted again and no interrupt
 * lost, whatever the notification features (event index or not, legacy or
 * modern device).
 */
#include <kite/clock.h>
#include <kite/netdev.h>
#include <kite/panic.h>
#include <kite/printk.h>
#include <kite/sched.h>
#include <kite/sync.h>
#include <string.h>

#define BURST 600
#define ETHERTYPE_ARP 0x0806

static const uint8_t our_ip[4] = { 10, 0, 2, 15 }, gateway_ip[4] = { 10, 0, 2, 2 };
static uint8_t gateway_mac[6];
static unsigned replies;
static struct semaphore replied;

static void receive(struct netdev *nd, const void *frame, size_t len, void *arg)
{
	(void)nd;
	(void)arg;
	const uint8_t *f = frame;
	if (len < 42 || f[12] != ETHERTYPE_ARP >> 8 || f[13] != (ETHERTYPE_ARP & 0xff))
		return;
	const uint8_t *arp = f + 14;
	if (arp[7] != 2 || memcmp(arp + 14, gateway_ip, 4) || memcmp(arp + 24, our_ip, 4))
		return; /* not a reply from the gateway to us */
	memcpy(gateway_mac, arp + 8, 6);
	__atomic_add_fetch(&replies, 1, __ATOMIC_SEQ_CST);
	semaphore_up(&replied);
}

static void send_arp_request(struct netdev *nd)
{
	uint8_t f[60] = { 0 }; /* the minimum frame, zero-padded */
	memset(f, 0xff, 6);
	memcpy(f + 6, nd->mac, 6);
	f[12] = ETHERTYPE_ARP >> 8;
	f[13] = ETHERTYPE_ARP & 0xff;
	uint8_t *arp = f + 14;
	arp[1] = 1;		/* Ethernet */
	arp[2] = 0x08;		/* IPv4 */
	arp[4] = 6;
	arp[5] = 4;
	arp[7] = 1;		/* request */
	memcpy(arp + 8, nd->mac, 6);
	memcpy(arp + 14, our_ip, 4);
	memcpy(arp + 24, gateway_ip, 4);
	for (int tries = 0; nd->transmit(nd, f, sizeof(f)) != 0; tries++) {
		if (tries > 1000)
			panic("selftest: net: the transmit ring stays full");
		thread_sleep_until(clock_monotonic_ns() + 1000 * 1000);
	}
}

void selftest_net(void)
{
	struct netdev *nd = netdev_get(0);
	if (!nd)
		panic("selftest: net: no network device (QEMU needs -device virtio-net-pci)");
	semaphore_init(&replied, 0);
	nd->receive = receive;
	if (!nd->link_up(nd))
		panic("selftest: net: %s: link down", nd->name);

	send_arp_request(nd);
	if (semaphore_down(&replied, clock_monotonic_ns() + 5000ULL * 1000 * 1000))
		panic("selftest: net: no ARP reply from 10.0.2.2 within 5 s");
	pr_info("selftest: net: %s: 10.0.2.2 is at %02x:%02x:%02x:%02x:%02x:%02x\n", nd->name, gateway_mac[0],
		gateway_mac[1], gateway_mac[2], gateway_mac[3], gateway_mac[4], gateway_mac[5]);

	unsigned before = __atomic_load_n(&replies, __ATOMIC_SEQ_CST);
	uint64_t start = clock_monotonic_ns();
	for (unsigned i = 0; i < BURST; i++)
		send_arp_request(nd);
	uint64_t deadline = start + 20000ULL * 1000 * 1000;
	while (__atomic_load_n(&replies, __ATOMIC_SEQ_CST) - before < BURST && clock_monotonic_ns() < deadline)
		semaphore_down(&replied, deadline);
	unsigned got = __atomic_load_n(&replies, __ATOMIC_SEQ_CST) - before;
	if (got != BURST)
		panic("selftest: net: %u of %u ARP replies came back (rx %lu, dropped %lu)", got, BURST,
		      nd->rx_frames, nd->rx_dropped);
	pr_info("selftest: net: %u requests, %u replies in %lu ms: ok\n", BURST, got,
		(clock_monotonic_ns() - start) / 1000000);
	nd->receive = NULL;
}
