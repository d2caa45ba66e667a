/*
 * virtio-net's receive path (see virtio_net.c for the device). RX_BUFFERS
 * buffers of BUFFER_SIZE bytes stay posted. The queue's interrupt turns
 * itself off and wakes the receive thread, which hands each frame to the
 * stack, posts the buffer again, and turns the interrupt back on only when
 * the ring is empty (virtqueue_enable_cb re-checks, so a frame that arrives
 * meanwhile is not stranded).
 *
 * With mergeable buffers a frame longer than a buffer fills several, the
 * first one's header saying how many. Without GUEST_TSO no frame may be that
 * long, and it is dropped whole; with it (the device hands over TCP segments
 * of up to 64 KiB that a sender on the host has not cut to the MTU yet, or
 * that the host's GRO coalesced), its pieces are copied one after the other
 * into rx_large and the frame goes on from there. Either way the other
 * pieces have no header and are never read as frames of their own: a sender
 * could place what looks like a frame at each buffer boundary of a big one.
 */
#include <kite/clock.h>
#include <kite/errno.h>
#include <kite/heap.h>
#include <kite/memlayout.h>
#include <kite/thread.h>
#include "rx_checksum.h"
#include "virtio_net.h"
#include <string.h>

#define RX_BUFFERS 128
#define BUFFER_SIZE 2048	/* a header and a 1514-byte frame fit */
#define MIN_FRAME 60		/* the shortest Ethernet frame (without its FCS) */

static int post_rx_buffer(struct virtio_net *n, uint8_t *buf)
{
	struct virtq_buf b = { .phys = virt_to_phys(buf), .len = BUFFER_SIZE };
	return virtqueue_add(n->rx, &b, 0, 1, buf);
}

void virtio_net_rx_interrupt(struct virtqueue *vq)
{
	struct virtio_net *n = vq->driver;
	virtqueue_disable_cb(vq);
	semaphore_up(&n->rx_ready);
}

static uint16_t header_field(const uint8_t *header, unsigned at)
{
	return (uint16_t)(header[at] | header[at + 1] << 8);
}

/*
 * One whole frame behind its header, len bytes in all, in a buffer with room
 * for MIN_FRAME. With GUEST_CSUM the header's flags say what the device did
 * with the frame's checksum, and rx_checksum decides (before the padding,
 * which is not part of the packet). A frame shorter than MIN_FRAME (QEMU's
 * socket backends pass on what they are given; a wire never carries one) is
 * padded with zeros: lwIP's ARP reads a whole ARP header without looking at
 * the frame's length, and would otherwise read what the buffer held before.
 */
static void deliver(struct virtio_net *n, uint8_t *buf, size_t len)
{
	uint8_t *frame = buf + n->header_size;
	size_t frame_len = len - n->header_size;
	if (n->nd.offloads & NETDEV_RX_CSUM) {
		struct rx_csum_hint hint = {
			.valid = buf[0] & VIRTIO_NET_HDR_F_DATA_VALID,
			.partial = buf[0] & VIRTIO_NET_HDR_F_NEEDS_CSUM,
			.start = header_field(buf, HEADER_CSUM_START),
			.offset = header_field(buf, HEADER_CSUM_OFFSET),
		};
		if (!rx_checksum(frame, frame_len, &hint, &n->nd.rx_csum))
			return; /* counted there */
	}
	if (frame_len < MIN_FRAME) {
		memset(frame + frame_len, 0, MIN_FRAME - frame_len);
		frame_len = MIN_FRAME;
	}
	n->nd.rx_frames++;
	n->nd.receive(&n->nd, frame, frame_len, n->nd.receive_arg);
}

/* A later piece of a frame that fills several buffers. */
static void receive_piece(struct virtio_net *n, const uint8_t *buf, uint32_t len)
{
	n->rx_pieces_left--;
	if (n->rx_dropping)
		return;
	if (len > BUFFER_SIZE || len > n->header_size + LARGE_FRAME - n->rx_large_len) {
		n->rx_dropping = true;
		n->nd.rx_dropped++;
		return;
	}
	memcpy(n->rx_large + n->rx_large_len, buf, len);
	n->rx_large_len += len;
	if (n->rx_pieces_left)
		return;
	n->rx_large_frames++;
	if (n->rx_large_len - n->header_size > n->rx_largest)
		n->rx_largest = n->rx_large_len - n->header_size;
	deliver(n, n->rx_large, n->rx_large_len);
}

static void receive_buffer(struct virtio_net *n, uint8_t *buf, uint32_t len)
{
	if (n->rx_pieces_left) {
		receive_piece(n, buf, len);
		return;
	}
	if (len <= n->header_size || len > BUFFER_SIZE) { /* the device's error: not even its header is read */
		n->nd.rx_dropped++;
		return;
	}
	unsigned pieces = virtio_has(n->vd, VIRTIO_NET_F_MRG_RXBUF) ? header_field(buf, HEADER_NUM_BUFFERS) : 1;
	if (pieces > 1) {
		n->rx_pieces_left = pieces - 1;
		n->rx_dropping = !n->rx_large || !n->nd.receive; /* without GUEST_TSO it cannot be that long */
		if (n->rx_dropping) {
			n->nd.rx_dropped++;
			return;
		}
		memcpy(n->rx_large, buf, len);
		n->rx_large_len = len;
		return;
	}
	if (!n->nd.receive || len - n->header_size > (n->rx_large ? LARGE_FRAME : MAX_FRAME)) {
		n->nd.rx_dropped++;
		return;
	}
	deliver(n, buf, len);
}

#define RX_QUIET_NS (200ULL * 1000 * 1000)

static void *rx_thread(void *arg)
{
	struct virtio_net *n = arg;
	for (;;) {
		/* Quiet for a while: the device may have run out of buffers and
		 * missed the notification of new ones, and would then wait for
		 * good. Under QEMU 7.2's TCG with two CPUs it did (a tap peer's
		 * retransmissions never arrived; avail_event was the used index
		 * with 128 buffers posted). */
		if (semaphore_down(&n->rx_ready, clock_monotonic_ns() + RX_QUIET_NS) == -ETIMEDOUT) {
			n->rx_renotified += virtqueue_renotify_if_missed(n->rx);
			continue;
		}
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

int virtio_net_rx_start(struct virtio_net *n)
{
	for (unsigned i = 0; i < RX_BUFFERS && i < n->rx->size; i++) {
		uint8_t *buf = kmalloc(BUFFER_SIZE);
		if (!buf || post_rx_buffer(n, buf)) {
			kfree(buf);
			break;
		}
	}
	struct thread_attr attr = { .name = "virtio-net-rx" };
	return thread_create(&attr, rx_thread, n) ? 0 : -ENOMEM;
}
