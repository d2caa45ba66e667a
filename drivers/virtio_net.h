/*
 * virtio-net's own parts, shared by its two files: virtio_net.c (the device,
 * its features, transmit) and virtio_net_rx.c (receive). Not an interface:
 * the stack sees struct netdev (kite/netdev.h).
 */
#ifndef DRIVERS_VIRTIO_NET_H
#define DRIVERS_VIRTIO_NET_H
#include <kite/netdev.h>
#include <kite/sync.h>
#include <kite/virtio.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Feature bits (virtio 1.x, 5.1.3) and header flags (5.1.6). */
#define VIRTIO_NET_F_CSUM 0
#define VIRTIO_NET_F_GUEST_CSUM 1
#define VIRTIO_NET_F_MAC 5
#define VIRTIO_NET_F_GUEST_TSO4 7
#define VIRTIO_NET_F_GUEST_TSO6 8
#define VIRTIO_NET_F_MRG_RXBUF 15
#define VIRTIO_NET_F_STATUS 16
#define VIRTIO_NET_HDR_F_NEEDS_CSUM 1
#define VIRTIO_NET_HDR_F_DATA_VALID 2
/* Where the header's little-endian fields are. */
#define HEADER_CSUM_START 6
#define HEADER_CSUM_OFFSET 8
#define HEADER_NUM_BUFFERS 10	/* how many buffers a received frame fills (MRG_RXBUF) */

#define MAX_FRAME 1514		/* without GUEST_TSO: what the MTU of 1500 allows */
#define LARGE_FRAME 65535	/* with it: the most a pbuf holds (its length is 16 bits) */

struct virtio_net {
	struct netdev nd;
	struct virtio_device *vd;
	struct virtqueue *rx, *tx;
	size_t header_size;		/* 12, or 10 on a legacy device without MRG_RXBUF */
	struct semaphore rx_ready;
	struct mutex tx_lock;
	/* Under tx_lock: when the device last finished a frame, or was given
	 * one with none outstanding, and how often it had to be told again. */
	uint64_t tx_progress_ns;
	uint64_t tx_renotified;
	/* The receive thread's alone: */
	uint64_t rx_renotified;		/* times the device was told again of buffers */
	unsigned rx_pieces_left;	/* buffers still to come of a frame that fills several */
	bool rx_dropping;		/* and whether that frame is being dropped */
	uint8_t *rx_large;		/* GUEST_TSO: where such a frame is put together, header
					 * first (header_size + LARGE_FRAME bytes); else NULL */
	size_t rx_large_len;
	uint64_t rx_large_frames;	/* frames put together there, for the status key */
	size_t rx_largest;
};

/* Receive (virtio_net_rx.c): the queue's interrupt, and the buffers posted
 * and the receive thread started; 0 or -ENOMEM. */
void virtio_net_rx_interrupt(struct virtqueue *vq);
int virtio_net_rx_start(struct virtio_net *n);

#endif
