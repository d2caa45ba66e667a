/*
 * Receive checksum offload (see rx_checksum.h). lwIP checks checksums per
 * interface, not per packet, so on a NETDEV_RX_CSUM interface it leaves TCP
 * and UDP to the driver for the packets netdev_rx_csum_covers() accepts, and
 * every such frame passes through here:
 *
 * - DATA_VALID: the device checked it; nothing to do.
 * - NEEDS_CSUM at the segment's own checksum field: the virtio spec (5.1.6.4)
 *   has the device check the packet's checksums up to that one, and the
 *   field holds the pseudo-header's sum because a sender on this host left
 *   it for the hardware to finish. Nothing on Kite's path reads the field
 *   (lwIP's check is off, it forwards nothing, there are no raw sockets), so
 *   the frame goes on as it is, unsummed: the work saved is the point.
 * - NEEDS_CSUM anywhere else (another protocol, an encapsulated one):
 *   finished here as the spec describes, since the stack may check that
 *   field; then the segment's own checksum is verified as below.
 * - neither: summed in software and dropped if wrong.
 *
 * Frames the rule does not cover (fragments, IPv6 extension headers, ARP,
 * ICMP) go on untouched for lwIP to check (net/lwip/hooks.c turns its checks
 * back on for them).
 */
#include "rx_checksum.h"
#include "tcp_checksum.h"

bool checksum_complete(uint8_t *f, size_t len, uint16_t start, uint16_t offset)
{
	if ((size_t)start + offset + 2 > len)
		return false;
	uint16_t c = inet_checksum(inet_sum(f + start, len - start, 0));
	f[start + offset] = (uint8_t)(c >> 8);
	f[start + offset + 1] = (uint8_t)c;
	return true;
}

/* A UDP checksum of zero means the sender computed none; lwIP takes that
 * over IPv6 as well (RFC 8200 forbids it there), and so does this, so that
 * the offload changes nothing lwIP would accept. */
static bool segment_sum_right(const uint8_t *f, const struct l4_segment *seg)
{
	const uint8_t *l4 = f + seg->start;
	if (seg->proto == PROTO_UDP && !l4[seg->check_at] && !l4[seg->check_at + 1])
		return true;
	return inet_checksum(inet_sum(l4, seg->len, seg->pseudo)) == 0;
}

bool rx_checksum(uint8_t *f, size_t len, const struct rx_csum_hint *hint, struct netdev_rx_csum_stats *st)
{
	struct l4_segment seg;
	int found = l4_segment_find(f, len, &seg);
	if (hint->partial) {
		if (found == 1 && hint->start == seg.start && hint->offset == seg.check_at) {
			st->partial++;
			return true;
		}
		if (!checksum_complete(f, len, hint->start, hint->offset)) {
			st->dropped++;
			return false;
		}
		st->completed++;
	} else if (hint->valid) {
		st->device_valid++;
		return true;
	}
	if (found == 0)
		return true;
	if (found < 0 || !segment_sum_right(f, &seg)) {
		st->dropped++;
		return false;
	}
	st->verified++;
	return true;
}
