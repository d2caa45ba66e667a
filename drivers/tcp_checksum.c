/* Checksum offload for network drivers (see tcp_checksum.h). */
#include <kite/netdev.h>
#include <string.h>
#include "tcp_checksum.h"

_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "inet_sum reads little-endian words");

enum { ETH_HEADER = 14, IPV4_HEADER = 20, IPV6_HEADER = 40, TCP_HEADER = 20, UDP_HEADER = 8 };

/*
 * The one's-complement sum does not depend on byte order (RFC 1071, 2.B): the
 * sum of little-endian words is the byte-swapped sum of big-endian ones. So
 * the bytes are added as little-endian 32-bit words into 64 bits (no carry is
 * lost before 2^32 words), folded, and swapped once at the end. A lone last
 * byte is the low byte of a little-endian word, i.e. the high byte of a
 * big-endian one, as the checksum wants.
 */
uint32_t inet_sum(const uint8_t *p, size_t len, uint32_t sum)
{
	uint64_t acc = 0;
	size_t i = 0;
	for (; i + 4 <= len; i += 4) {
		uint32_t w;
		memcpy(&w, p + i, 4);
		acc += w;
	}
	if (i + 2 <= len) {
		uint16_t h;
		memcpy(&h, p + i, 2);
		acc += h;
		i += 2;
	}
	if (i < len)
		acc += p[i];
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	uint32_t swapped = (uint32_t)((acc & 0xff) << 8 | acc >> 8);
	sum += swapped;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum;
}

uint16_t inet_checksum(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/*
 * The packets whose TCP or UDP checksum can be checked from the packet alone:
 * not an IPv4 fragment (the checksum covers the whole datagram), and for IPv6
 * the segment right after the fixed header (an extension header may be a
 * fragment header, or a routing header that changes the pseudo-header's
 * destination). Only fixed fields are read, so that the driver and lwIP's
 * input hook, which asks again, always agree.
 */
bool netdev_rx_csum_covers(const uint8_t *ip, size_t len)
{
	if (len >= IPV4_HEADER && ip[0] >> 4 == 4)
		return (ip[9] == PROTO_TCP || ip[9] == PROTO_UDP) && !((ip[6] << 8 | ip[7]) & 0x3fff);
	if (len >= IPV6_HEADER && ip[0] >> 4 == 6)
		return ip[6] == PROTO_TCP || ip[6] == PROTO_UDP;
	return false;
}

int l4_segment_find(const uint8_t *f, size_t len, struct l4_segment *seg)
{
	if (len < ETH_HEADER)
		return 0;
	uint16_t type = (uint16_t)(f[12] << 8 | f[13]);
	const uint8_t *ip = f + ETH_HEADER;
	size_t ip_len = len - ETH_HEADER;
	if (!netdev_rx_csum_covers(ip, ip_len))
		return 0;
	unsigned version = ip[0] >> 4;
	size_t header, l4_len;
	if (type == 0x0800 && version == 4) {
		header = (size_t)(ip[0] & 0xf) * 4;
		size_t total = (size_t)(ip[2] << 8 | ip[3]);
		if (header < IPV4_HEADER || total < header || total > ip_len)
			return -1;
		l4_len = total - header;
		seg->proto = ip[9];
		/* source and destination address, then protocol and length */
		seg->pseudo = inet_sum(ip + 12, 8, seg->proto + (uint32_t)l4_len);
	} else if (type == 0x86dd && version == 6) {
		header = IPV6_HEADER;
		l4_len = (size_t)(ip[4] << 8 | ip[5]);
		if (header + l4_len > ip_len)
			return -1;
		seg->proto = ip[6];
		seg->pseudo = inet_sum(ip + 8, 32, seg->proto + (uint32_t)l4_len);
	} else {
		return 0; /* the Ethernet type and the IP version disagree: lwIP drops it */
	}
	bool tcp = seg->proto == PROTO_TCP;
	if (l4_len < (tcp ? TCP_HEADER : UDP_HEADER))
		return -1;
	seg->start = ETH_HEADER + header;
	seg->len = l4_len;
	seg->check_at = tcp ? 16 : 6;
	return 1;
}

bool tcp_checksum_partial(uint8_t *f, size_t len, uint16_t *start, uint16_t *offset)
{
	struct l4_segment seg;
	if (l4_segment_find(f, len, &seg) != 1 || seg.proto != PROTO_TCP)
		return false;
	f[seg.start + seg.check_at] = (uint8_t)(seg.pseudo >> 8); /* inet_sum folded it */
	f[seg.start + seg.check_at + 1] = (uint8_t)seg.pseudo;
	*start = (uint16_t)seg.start;
	*offset = seg.check_at;
	return true;
}
