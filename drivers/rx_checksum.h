/*
 * Receive checksum offload for network drivers: what becomes of a received
 * frame given what the device says of its TCP or UDP checksum, on a device
 * with NETDEV_RX_CSUM (netdev.h). The sums themselves are tcp_checksum.h's.
 */
#ifndef DRIVERS_RX_CHECKSUM_H
#define DRIVERS_RX_CHECKSUM_H
#include <kite/netdev.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What the device says of one received frame (virtio-net's header flags). */
struct rx_csum_hint {
	bool valid;		/* it checked the checksum: DATA_VALID */
	bool partial;		/* NEEDS_CSUM: the checksum at offset from start
				 * holds only the pseudo-header's sum; the device
				 * checked every checksum before it */
	uint16_t start, offset;	/* for partial: from the frame's first byte */
};

/* Decides one frame before the driver passes it on, counting the outcome in
 * *st: true to pass it on (perhaps with a partial checksum finished), false
 * to drop it (a wrong checksum, headers cut short, or a partial checksum that
 * points outside the frame). */
bool rx_checksum(uint8_t *frame, size_t len, const struct rx_csum_hint *hint, struct netdev_rx_csum_stats *st);

/* Finishes a partial checksum as NEEDS_CSUM asks: the one's-complement sum
 * from start to the frame's end, complemented, stored at start + offset. False,
 * the frame unchanged, if that field is not inside the frame. */
bool checksum_complete(uint8_t *frame, size_t len, uint16_t start, uint16_t offset);

#endif
