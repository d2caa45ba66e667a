/*
 * Checksum offload for network drivers: the Internet checksum (RFC 1071),
 * where a TCP or UDP segment sits in an Ethernet frame, and a TCP segment
 * made ready for a device that completes its checksum (as Linux's
 * CHECKSUM_PARTIAL). The receive side's policy is rx_checksum.h.
 */
#ifndef DRIVERS_TCP_CHECKSUM_H
#define DRIVERS_TCP_CHECKSUM_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { PROTO_TCP = 6, PROTO_UDP = 17 };

/* sum plus the one's-complement sum of len bytes taken as big-endian 16-bit
 * words (an odd last byte is the high half of a word of its own), folded to
 * 16 bits. Summing a message in pieces gives the same result as long as every
 * piece but the last has an even length. */
uint32_t inet_sum(const uint8_t *p, size_t len, uint32_t sum);

/* The checksum field's value for a sum (folded, complemented). */
uint16_t inet_checksum(uint32_t sum);

/* Where a whole TCP or UDP segment is in a frame. */
struct l4_segment {
	size_t start;		/* its first byte, from the frame's */
	size_t len;		/* header and data, as the IP header says */
	uint8_t proto;		/* PROTO_TCP or PROTO_UDP */
	uint16_t check_at;	/* its checksum field, from start */
	uint32_t pseudo;	/* the pseudo-header's sum (inet_sum) */
};

/* Looks for a TCP or UDP segment in an Ethernet frame (no VLAN tag): 1 and
 * *seg when the frame is one netdev_rx_csum_covers() accepts and its lengths
 * hold together; -1 when it is one of those but its headers are cut short or
 * contradict the frame's length (the stack would drop it as well); 0 for any
 * other frame (not IP, another protocol, a fragment, an IPv6 extension
 * header). */
int l4_segment_find(const uint8_t *frame, size_t len, struct l4_segment *seg);

/* If the frame holds a whole TCP segment over IPv4 or IPv6 (no fragment, no
 * IPv6 extension header), puts its pseudo-header's sum in the TCP checksum
 * field and returns true with where the device starts summing (*start, from
 * the frame's first byte) and where it puts the result (*offset, from
 * *start). The device sums from *start to the end, complements, and stores
 * the result there. Anything else: false, the frame unchanged. */
bool tcp_checksum_partial(uint8_t *frame, size_t len, uint16_t *start, uint16_t *offset);

#endif
