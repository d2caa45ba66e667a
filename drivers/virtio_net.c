/*
 * virtio-net (virtio 1.x, 5.1) on any virtio transport: one receive and one
 * transmit queue, the MAC and link status from the device, mergeable
 * receive buffers when offered, the event index when offered. This file has
 * the device and transmit; virtio_net_rx.c has receive.
 *
 * Transmit: each frame is copied behind a virtio-net header into a buffer of
 * its own; used buffers are reclaimed on the next transmit, so transmit
 * interrupts stay off.
 *
 * Offloads, where the device offers them (a tap backend) and
 * --net-no-offloads is not given: TCP checksums on transmit
 * (VIRTIO_NET_F_CSUM, tcp_checksum.h), received TCP and UDP checksums
 * (VIRTIO_NET_F_GUEST_CSUM, rx_checksum.h), and received TCP segments longer
 * than the MTU (VIRTIO_NET_F_GUEST_TSO4 and TSO6: the receive path puts them
 * together from several buffers, so only with mergeable buffers).
 */
#include <kite/clock.h>
#include <kite/cmdline.h>
#include <kite/errno.h>
#include <kite/format.h>
#include <kite/heap.h>
#include <kite/init.h>
#include <kite/memlayout.h>
#include <kite/pci.h>
#include <kite/printk.h>
#include "tcp_checksum.h"
#include "virtio_net.h"
#include <string.h>

#define VIRTIO_NET_S_LINK_UP 1
#define RX_QUEUE 0
#define TX_QUEUE 1

/* A device that has sat this long on frames it was told about is told again
 * if it seems to have missed it (virtqueue_renotify_if_missed). Under QEMU
 * 7.2's TCG with two CPUs the transmit queue once stopped for good with 49
 * frames in it, the device's avail_event showing it had last looked before
 * the first of them; lwIP's retransmissions bring the driver back here. */
#define TX_STUCK_NS (200ULL * 1000 * 1000)

static bool no_offloads;

static int set_no_offloads(const char *value)
{
	(void)value;
	no_offloads = true;
	return 0;
}
KOPT_FLAG("net-no-offloads", set_no_offloads, "compute every checksum in software, even where the device could");

static int transmit(struct netdev *nd, const void *frame, size_t len)
{
	struct virtio_net *n = nd->driver;
	if (len > MAX_FRAME)
		return -EMSGSIZE;
	mutex_lock(&n->tx_lock);
	uint8_t *done;
	uint64_t now = clock_monotonic_ns();
	bool progress = false;
	while ((done = virtqueue_get(n->tx, NULL))) {
		kfree(done);
		progress = true;
	}
	bool outstanding = n->tx->nr_free != n->tx->size;
	if (progress || !outstanding) {
		n->tx_progress_ns = now;
	} else if (now - n->tx_progress_ns > TX_STUCK_NS) {
		n->tx_progress_ns = now;
		n->tx_renotified += virtqueue_renotify_if_missed(n->tx);
	}
	uint8_t *buf = kmalloc(n->header_size + len);
	if (!buf) {
		mutex_unlock(&n->tx_lock);
		return -ENOMEM;
	}
	memset(buf, 0, n->header_size); /* flags 0, GSO none */
	memcpy(buf + n->header_size, frame, len);
	uint16_t csum_start, csum_offset;
	if ((nd->offloads & NETDEV_TX_TCP_CSUM) &&
	    tcp_checksum_partial(buf + n->header_size, len, &csum_start, &csum_offset)) {
		/* The device adds the rest from csum_start on (little-endian
		 * fields, as the CPU's). */
		buf[0] = VIRTIO_NET_HDR_F_NEEDS_CSUM;
		memcpy(buf + HEADER_CSUM_START, &csum_start, 2);
		memcpy(buf + HEADER_CSUM_OFFSET, &csum_offset, 2);
	}
	struct virtq_buf b = { .phys = virt_to_phys(buf), .len = (uint32_t)(n->header_size + len) };
	int err = virtqueue_add(n->tx, &b, 1, 0, buf);
	if (err) {
		nd->tx_busy++;
		kfree(buf);
	} else {
		nd->tx_frames++;
		virtqueue_kick(n->tx);
	}
	mutex_unlock(&n->tx_lock);
	return err;
}

static void print_queue(const char *name, struct virtqueue *vq)
{
	pr_report("  %s: avail %u (kicked at %u), used %u of %u read, %u descriptors free, device wants a kick at %u\n",
		name, vq->avail_idx, vq->kicked_at, *(volatile uint16_t *)(vq->used + 2), vq->last_used, vq->nr_free,
		*(volatile uint16_t *)(vq->used + 4 + 8 * vq->size));
}

static void print_state(struct netdev *nd)
{
	struct virtio_net *n = nd->driver;
	print_queue("rx", n->rx);
	print_queue("tx", n->tx);
	pr_report("  told again after missing a notification: rx %lu times, tx %lu\n", n->rx_renotified,
		  n->tx_renotified);
	if (n->rx_large)
		pr_report("  large frames received (GUEST_TSO): %lu, the longest %zu bytes\n", n->rx_large_frames,
			  n->rx_largest);
}

static bool link_up(struct netdev *nd)
{
	struct virtio_net *n = nd->driver;
	if (!virtio_has(n->vd, VIRTIO_NET_F_STATUS))
		return true;
	/* status follows the 6-byte MAC in the device configuration */
	uint16_t status = (uint16_t)(n->vd->ops->config_read8(n->vd, 6) | n->vd->ops->config_read8(n->vd, 7) << 8);
	return status & VIRTIO_NET_S_LINK_UP;
}

/*
 * The features, and the buffer GUEST_TSO needs. GUEST_CSUM, unlike CSUM
 * (which only allows partial checksums on transmit), lets the device send
 * partial ones: without offloads it is not negotiated at all. GUEST_TSO4 and
 * TSO6 need GUEST_CSUM (the spec's rule: the device leaves such segments'
 * checksums partial) and, in this driver, mergeable buffers (a 64 KiB frame
 * in 2 KiB buffers); where the device offers TSO without them, or the buffer
 * is not to be had, the features are negotiated again without TSO (the
 * negotiation starts with a reset, so it may be repeated before the queues
 * exist). 0, or -EIO.
 */
static int negotiate(struct virtio_net *n)
{
	const uint64_t tso = 1ULL << VIRTIO_NET_F_GUEST_TSO4 | 1ULL << VIRTIO_NET_F_GUEST_TSO6;
	uint64_t wanted = 1ULL << VIRTIO_NET_F_MAC | 1ULL << VIRTIO_NET_F_STATUS | 1ULL << VIRTIO_NET_F_MRG_RXBUF |
			  1ULL << VIRTIO_F_RING_EVENT_IDX | 1ULL << VIRTIO_NET_F_CSUM;
	if (!no_offloads)
		wanted |= 1ULL << VIRTIO_NET_F_GUEST_CSUM | tso;
	int err = virtio_negotiate(n->vd, wanted);
	if (!err && (n->vd->features & tso)) {
		if (virtio_has(n->vd, VIRTIO_NET_F_GUEST_CSUM) && virtio_has(n->vd, VIRTIO_NET_F_MRG_RXBUF))
			n->rx_large = kmalloc(12 + LARGE_FRAME); /* the header is 12 bytes with MRG_RXBUF */
		if (!n->rx_large)
			err = virtio_negotiate(n->vd, wanted & ~tso);
	}
	if (err)
		pr_warn("kite: %s: the device refused the features\n", n->nd.name);
	return err;
}

static int probe(struct pci_device *pci, unsigned index)
{
	struct virtio_net *n = kzalloc(sizeof(*n));
	if (!n)
		return -ENOMEM;
	ksnprintf(n->nd.name, sizeof(n->nd.name), "eth%u", index);
	n->vd = virtio_pci_probe(pci, n->nd.name);
	if (!n->vd) {
		kfree(n);
		return -ENODEV;
	}
	if (negotiate(n))
		return -EIO;
	n->header_size = (!n->vd->legacy || virtio_has(n->vd, VIRTIO_NET_F_MRG_RXBUF)) ? 12 : 10;
	semaphore_init(&n->rx_ready, 0);
	mutex_init(&n->tx_lock);
	n->rx = virtqueue_create(n->vd, RX_QUEUE, virtio_net_rx_interrupt, n);
	n->tx = virtqueue_create(n->vd, TX_QUEUE, NULL, n);
	if (!n->rx || !n->tx) {
		pr_warn("kite: %s: cannot set up its queues\n", n->nd.name);
		return -EIO;
	}
	virtqueue_disable_cb(n->tx);
	if (virtio_has(n->vd, VIRTIO_NET_F_MAC))
		for (unsigned i = 0; i < 6; i++)
			n->nd.mac[i] = n->vd->ops->config_read8(n->vd, i);
	n->nd.mtu = 1500;
	if (virtio_has(n->vd, VIRTIO_NET_F_CSUM) && !no_offloads)
		n->nd.offloads |= NETDEV_TX_TCP_CSUM;
	if (virtio_has(n->vd, VIRTIO_NET_F_GUEST_CSUM))
		n->nd.offloads |= NETDEV_RX_CSUM;
	n->nd.transmit = transmit;
	n->nd.link_up = link_up;
	n->nd.print_state = print_state;
	n->nd.driver = n;
	if (virtio_net_rx_start(n))
		return -ENOMEM;
	virtio_driver_ok(n->vd);
	virtqueue_kick(n->rx);
	netdev_register(&n->nd);
	pr_info("kite: %s: virtio-net%s, MAC %02x:%02x:%02x:%02x:%02x:%02x, link %s%s%s%s%s%s\n", n->nd.name,
		n->vd->legacy ? " (legacy)" : "", n->nd.mac[0], n->nd.mac[1], n->nd.mac[2], n->nd.mac[3], n->nd.mac[4],
		n->nd.mac[5], link_up(&n->nd) ? "up" : "down",
		virtio_has(n->vd, VIRTIO_F_RING_EVENT_IDX) ? ", event index" : "",
		virtio_has(n->vd, VIRTIO_NET_F_MRG_RXBUF) ? ", mergeable buffers" : "",
		(n->nd.offloads & NETDEV_TX_TCP_CSUM) ? ", TCP checksum offload" : "",
		(n->nd.offloads & NETDEV_RX_CSUM) ? ", receive checksum offload" : "",
		n->rx_large ? ", large receive (TSO)" : "");
	return 0;
}

/* The network cards: transitional (0x1000) and modern (0x1041) virtio-net. */
static int virtio_net_init(void)
{
	unsigned found = 0;
	for (unsigned i = 0; i < pci_count(); i++) {
		struct pci_device *d = pci_device(i);
		if (d->vendor == 0x1af4 && (d->device == 0x1000 || d->device == 0x1041) && probe(d, found) == 0)
			found++;
	}
	return 0;
}
INITCALL(device, virtio_net_init);
