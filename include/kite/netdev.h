/*
 * Network devices: what a driver (drivers/virtio_net.c) offers the network
 * stack. Frames are Ethernet frames without the FCS; received ones are 60 to
 * 1514 bytes long (a driver pads shorter ones with zeros, as on a wire).
 */
#ifndef KITE_NETDEV_H
#define KITE_NETDEV_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The device completes the checksums of TCP segments: the stack leaves them
 * out, the driver does the rest (IPv4 and IPv6, not fragmented). */
#define NETDEV_TX_TCP_CSUM 1

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
	/* Optional: the driver's own state, for netdev_list_print. */
	void (*print_state)(struct netdev *nd);
};

void netdev_register(struct netdev *nd);
/* Prints every device's counters (the console's status key). */
void netdev_list_print(void);

/* The index-th registered device, or NULL. */
struct netdev *netdev_get(unsigned index);

#endif
