/*
 * virtio-net (virtio 1.x, 5.1) on any virtio transport: one receive and one
 * transmit queue, the MAC and link status from the device, mergeable
 * receive buffers when offered, the event index when offered.
 *
 * Receive: RX_BUFFERS buffers of BUFFER_SIZE bytes stay posted. The queue's
 * interrupt turns itself off and wakes the receive thread, which hands each
 * frame to the stack, posts the buffer again, and turns the interrupt back on
 * only when the ring is empty (virtqueue_enable_cb re-checks, so a frame that
 * arrives meanwhile is not stranded). Frames longer than MAX_FRAME are
 * dropped whole, frames shorter than MIN_FRAME padded with zeros. Transmit: each frame is copied behind a
 * virtio-net header into a buffer of its own; used buffers are reclaimed on
 * the next transmit, so transmit interrupts stay off.
 *
 * Checksum offloads, where the device offers them (a tap backend) and
 * --net-no-offloads is not given: TCP checksums on transmit
 * (VIRTIO_NET_F_CSUM, tcp_checksum.h) and received TCP and UDP checksums
 * (VIRTIO_NET_F_GUEST_CSUM, rx_checksum.h).
 */
#include <kite/clock.h>
#include <kite/cmdline.h>
#include <kite/errno.h>
#include <kite/format.h>
#include <kite/heap.h>
#include <kite/init.h>
#include <kite/memlayout.h>
#include <kite/netdev.h>
#include <kite/pci.h>
#include <kite/printk.h>
#include <kite/sync.h>
#include <kite/thread.h>
#include <kite/virtio.h>
#include "rx_checksum.h"
#include "tcp_checksum.h"
#include <string.h>

#define VIRTIO_NET_F_CSUM 0
#define VIRTIO_NET_F_GUEST_CSUM 1
#define VIRTIO_NET_HDR_F_NEEDS_CSUM 1
#define VIRTIO_NET_HDR_F_DATA_VALID 2
#define VIRTIO_NET_F_MAC 5
#define VIRTIO_NET_F_MRG_RXBUF 15
#define VIRTIO_NET_F_STATUS 16
#define VIRTIO_NET_S_LINK_UP 1
#define RX_QUEUE 0
#define TX_QUEUE 1
#define RX_BUFFERS 128
#define BUFFER_SIZE 2048	/* a header and a 1514-byte frame fit */
#define MAX_FRAME 1514
#define MIN_FRAME 60		/* the shortest Ethernet frame (without its FCS) */
#define HEADER_NUM_BUFFERS 10	/* where the header says how many buffers a frame fills */
#define HEADER_CSUM_START 6	/* and where a partial checksum starts and is put */
#define HEADER_CSUM_OFFSET 8

struct virtio_net {
	struct netdev nd;
	struct virtio_device *vd;
	struct virtqueue *rx, *tx;
	size_t header_size;		/* 12, or 10 on a legacy device without MRG_RXBUF */
	unsigned rx_pieces_to_drop;	/* buffers still to come of a frame that filled several */
	struct semaphore rx_ready;
	struct mutex tx_lock;
	/* Under tx_lock: when the device last finished a frame, or was given
	 * one with none outstanding, and how often it had to be told again. */
	uint64_t tx_progress_ns;
	uint64_t tx_renotified;
};

/* A device that has sat this long on frames it was told about is told again.
 * Under QEMU 7.2's TCG with two CPUs the transmit queue once stopped for good
 * with 49 frames in it, the device's avail_event showing it had last looked
 * before the first of them; a notification costs nothing when not needed,
 * and lwIP's retransmissions bring the driver back here. */
#define TX_STUCK_NS (200ULL * 1000 * 1000)

static int post_rx_buffer(struct virtio_net *n, uint8_t *buf)
{
	struct virtq_buf b = { .phys = virt_to_phys(buf), .len = BUFFER_SIZE };
	return virtqueue_add(n->rx, &b, 0, 1, buf);
}

static void rx_interrupt(struct virtqueue *vq)
{
	struct virtio_net *n = vq->driver;
	virtqueue_disable_cb(vq);
	semaphore_up(&n->rx_ready);
}

/*
 * One used receive buffer. With mergeable buffers a frame longer than a
 * buffer fills several, the first one's header saying how many; a frame that
 * long was never negotiated (no GSO), so it is dropped whole. Its other pieces
 * have no header and must not be read as frames of their own: a sender could
 * place what looks like a frame at each buffer boundary of a big one.
 * A frame shorter than MIN_FRAME (QEMU's socket backends pass on what they
 * are given; a wire never carries one) is padded with zeros: lwIP's ARP reads
 * a whole ARP header without looking at the frame's length, and would
 * otherwise read what the buffer held before. With GUEST_CSUM the header's
 * flags say what the device did with the frame's checksum, and rx_checksum
 * decides (before the padding, which is not part of the packet).
 */
static void receive_buffer(struct virtio_net *n, uint8_t *buf, uint32_t len)
{
	if (n->rx_pieces_to_drop) {
		n->rx_pieces_to_drop--;
		return;
	}
	if (len <= n->header_size || !n->nd.receive) {
		n->nd.rx_dropped++;
		return;
	}
	if (virtio_has(n->vd, VIRTIO_NET_F_MRG_RXBUF)) {
		unsigned pieces = buf[HEADER_NUM_BUFFERS] | buf[HEADER_NUM_BUFFERS + 1] << 8;
		if (pieces > 1) {
			n->rx_pieces_to_drop = pieces - 1;
			n->nd.rx_dropped++;
			return;
		}
	}
	size_t frame_len = len - n->header_size;
	if (frame_len > MAX_FRAME) {
		n->nd.rx_dropped++;
		return;
	}
	if (n->nd.offloads & NETDEV_RX_CSUM) {
		struct rx_csum_hint hint = {
			.valid = buf[0] & VIRTIO_NET_HDR_F_DATA_VALID,
			.partial = buf[0] & VIRTIO_NET_HDR_F_NEEDS_CSUM,
			.start = (uint16_t)(buf[HEADER_CSUM_START] | buf[HEADER_CSUM_START + 1] << 8),
			.offset = (uint16_t)(buf[HEADER_CSUM_OFFSET] | buf[HEADER_CSUM_OFFSET + 1] << 8),
		};
		if (!rx_checksum(buf + n->header_size, frame_len, &hint, &n->nd.rx_csum))
			return; /* counted there */
	}
	if (frame_len < MIN_FRAME) {
		memset(buf + len, 0, MIN_FRAME - frame_len);
		frame_len = MIN_FRAME;
	}
	n->nd.rx_frames++;
	n->nd.receive(&n->nd, buf + n->header_size, frame_len, n->nd.receive_arg);
}

static void *rx_thread(void *arg)
{
	struct virtio_net *n = arg;
	for (;;) {
		semaphore_down(&n->rx_ready, DEADLINE_NONE);
		do {
			uint8_t *buf;
			uint32_t len;
			unsigned posted = 0;
			while ((buf = virtqueue_get(n->rx, &len))) {
				receive_buffer(n, buf, len);
				if (post_rx_buffer(n, buf) == 0)
					posted++;
				else
					kfree(buf);
			}
			if (posted)
				virtqueue_kick(n->rx);
		} while (!virtqueue_enable_cb(n->rx));
	}
	return NULL;
}

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
		n->tx_renotified++;
		n->tx_progress_ns = now;
		virtqueue_notify(n->tx);
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
		memcpy(buf + 6, &csum_start, 2);
		memcpy(buf + 8, &csum_offset, 2);
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
	pr_report("  tx: told again %lu times after sitting on frames\n", n->tx_renotified);
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
	uint64_t wanted = 1ULL << VIRTIO_NET_F_MAC | 1ULL << VIRTIO_NET_F_STATUS | 1ULL << VIRTIO_NET_F_MRG_RXBUF |
			  1ULL << VIRTIO_F_RING_EVENT_IDX | 1ULL << VIRTIO_NET_F_CSUM;
	/* Unlike CSUM, which only allows partial checksums on transmit, this one
	 * lets the device send them: not negotiated at all without offloads. */
	if (!no_offloads)
		wanted |= 1ULL << VIRTIO_NET_F_GUEST_CSUM;
	if (virtio_negotiate(n->vd, wanted)) {
		pr_warn("kite: %s: the device refused the features\n", n->nd.name);
		return -EIO;
	}
	n->header_size = (!n->vd->legacy || virtio_has(n->vd, VIRTIO_NET_F_MRG_RXBUF)) ? 12 : 10;
	semaphore_init(&n->rx_ready, 0);
	mutex_init(&n->tx_lock);
	n->rx = virtqueue_create(n->vd, RX_QUEUE, rx_interrupt, n);
	n->tx = virtqueue_create(n->vd, TX_QUEUE, NULL, n);
	if (!n->rx || !n->tx) {
		pr_warn("kite: %s: cannot set up its queues\n", n->nd.name);
		return -EIO;
	}
	virtqueue_disable_cb(n->tx);
	for (unsigned i = 0; i < RX_BUFFERS && i < n->rx->size; i++) {
		uint8_t *buf = kmalloc(BUFFER_SIZE);
		if (!buf || post_rx_buffer(n, buf)) {
			kfree(buf);
			break;
		}
	}
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
	struct thread_attr attr = { .name = "virtio-net-rx" };
	if (!thread_create(&attr, rx_thread, n))
		return -ENOMEM;
	virtio_driver_ok(n->vd);
	virtqueue_kick(n->rx);
	netdev_register(&n->nd);
	pr_info("kite: %s: virtio-net%s, MAC %02x:%02x:%02x:%02x:%02x:%02x, link %s%s%s%s%s\n", n->nd.name,
		n->vd->legacy ? " (legacy)" : "", n->nd.mac[0], n->nd.mac[1], n->nd.mac[2], n->nd.mac[3], n->nd.mac[4],
		n->nd.mac[5], link_up(&n->nd) ? "up" : "down",
		virtio_has(n->vd, VIRTIO_F_RING_EVENT_IDX) ? ", event index" : "",
		virtio_has(n->vd, VIRTIO_NET_F_MRG_RXBUF) ? ", mergeable buffers" : "",
		(n->nd.offloads & NETDEV_TX_TCP_CSUM) ? ", TCP checksum offload" : "",
		(n->nd.offloads & NETDEV_RX_CSUM) ? ", receive checksum offload" : "");
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
