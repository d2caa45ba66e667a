/*
 * Network devices: what a driver (drivers/virtio_net.c) offers the network
 * stack. Frames are Ethernet frames without the FCS; received ones are 60 to
 * 1514 bytes long (a driver pads shorter ones with zeros, as on a wire), or
 * up to 65535 where the device hands over TCP segments longer than the MTU
 * (virtio-net's GUEST_TSO: one segment, its headers as for any other).
 */
#ifndef KITE_NETDEV_H
#define KITE_NETDEV_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The device completes the checksums of TCP segments: the stack leaves them
 * out, the driver does the rest (IPv4 and IPv6, not fragmented). */
#define NETDEV_TX_TCP_CSUM 1
/* The driver has made sure of the TCP or UDP checksum of every packet it
 * passes on that netdev_rx_csum_covers() accepts (the device's word, or its
 * own sum; it drops those that are wrong), so the stack need not check them.
 * The stack checks all others: fragments, whose checksum covers the whole
 * datagram, and IPv6 packets with extension headers. */
#define NETDEV_RX_CSUM 2

/* Whether an IP packet (from its first byte; len bytes readable) is one of
 * those NETDEV_RX_CSUM speaks of: IPv4 and not a fragment, or IPv6 with no
 * extension header, carrying TCP or UDP (drivers/tcp_checksum.c). */
bool netdev_rx_csum_covers(const uint8_t *ip, size_t len);

/* What became of received checksums on a NETDEV_RX_CSUM device. */
struct netdev_rx_csum_stats {
	uint64_t device_valid;	/* the device checked it */
	uint64_t partial;	/* a local sender left it partial, the device vouches for the rest */
	uint64_t completed;	/* partial, and finished here as the device asked */
	uint64_t verified;	/* summed in software: right */
	uint64_t dropped;	/* summed in software: wrong, or headers cut short */
};

struct netdev {
	char name[8];
	uint8_t mac[6];
	uint16_t mtu;
	bool (*link_up)(struct netdev *nd);
	/* Queues one frame; 0, or -ENOSPC (the ring is full: try later),
	 * -EMSGSIZE. The frame is copied: the caller may reuse it at once. */
	int (*transmit)(struct netdev *nd, const void *frame, size_t len);
	/* Set by the stack: called for each frame received, in the driver's
	 * receive thread; the frame is only valid during the call. */
	void (*receive)(struct netdev *nd, const void *frame, size_t len, void *arg);
	void *receive_arg;
	void *driver;
	/* What the device does for the stack (NETDEV_*). */
	unsigned offloads;
	uint64_t rx_frames, tx_frames, rx_dropped;
	uint64_t tx_busy;		/* transmits refused: the ring was full */
	struct netdev_rx_csum_stats rx_csum;
	/* Optional: the driver's own state, for netdev_list_print. */
	void (*print_state)(struct netdev *nd);
};

void netdev_register(struct netdev *nd);
/* Prints every device's counters (the console's status key). */
void netdev_list_print(void);

/* The index-th registered device, or NULL. */
struct netdev *netdev_get(unsigned index);

#endif
