/* Checksum offload for network drivers (see tcp_checksum.h). */
#include "tcp_checksum.h"

enum { ETH_HEADER = 14, PROTO_TCP = 6, TCP_HEADER = 20, TCP_CHECKSUM_AT = 16 };

/* The one's-complement sum of len bytes (len even), as big-endian words. */
static uint32_t sum_words(const uint8_t *p, size_t len, uint32_t sum)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	return sum;
}

bool tcp_checksum_partial(uint8_t *f, size_t len, uint16_t *start, uint16_t *offset)
{
	if (len < ETH_HEADER + 40)
		return false;
	uint16_t type = (uint16_t)(f[12] << 8 | f[13]);
	uint8_t *ip = f + ETH_HEADER;
	size_t ip_header, tcp_len;
	uint32_t sum;
	if (type == 0x0800 && ip[0] >> 4 == 4 && ip[9] == PROTO_TCP && !((ip[6] << 8 | ip[7]) & 0x3fff)) {
		ip_header = (size_t)(ip[0] & 0xf) * 4;
		size_t total = (size_t)(ip[2] << 8 | ip[3]);
		if (ip_header < 20 || total < ip_header + TCP_HEADER || ETH_HEADER + total > len)
			return false;
		tcp_len = total - ip_header;
		sum = sum_words(ip + 12, 8, PROTO_TCP + (uint32_t)tcp_len); /* addresses, protocol, length */
	} else if (type == 0x86dd && ip[0] >> 4 == 6 && ip[6] == PROTO_TCP) {
		ip_header = 40;
		tcp_len = (size_t)(ip[4] << 8 | ip[5]);
		if (tcp_len < TCP_HEADER || ETH_HEADER + ip_header + tcp_len > len)
			return false;
		sum = sum_words(ip + 8, 32, PROTO_TCP + (uint32_t)tcp_len);
	} else {
		return false;
	}
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	uint8_t *tcp = ip + ip_header;
	tcp[TCP_CHECKSUM_AT] = (uint8_t)(sum >> 8);
	tcp[TCP_CHECKSUM_AT + 1] = (uint8_t)sum;
	*start = (uint16_t)(ETH_HEADER + ip_header);
	*offset = TCP_CHECKSUM_AT;
	return true;
}
