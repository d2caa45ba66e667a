/*
 * Host tests of drivers/tcp_checksum.c: a frame made ready for checksum
 * offload, completed as a device does it, must carry the same TCP checksum
 * as one computed whole in software (RFC 793's, over the pseudo-header).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "../drivers/tcp_checksum.h"
#include "unit.h"

static uint16_t fold_complement(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static uint32_t add_bytes(const uint8_t *p, size_t len, uint32_t sum)
{
	for (size_t i = 0; i < len; i++)
		sum += i % 2 ? p[i] : (uint32_t)p[i] << 8;
	return sum;
}

/* The reference: the whole checksum in software, field zero meanwhile. */
static uint16_t software_checksum(const uint8_t *pseudo, size_t pseudo_len, uint8_t *tcp, size_t tcp_len)
{
	tcp[16] = tcp[17] = 0;
	return fold_complement(add_bytes(tcp, tcp_len, add_bytes(pseudo, pseudo_len, 0)));
}

/* What the device does with a NEEDS_CSUM frame. */
static void device_completes(uint8_t *frame, size_t len, uint16_t start, uint16_t offset)
{
	uint16_t c = fold_complement(add_bytes(frame + start, len - start, 0));
	frame[start + offset] = (uint8_t)(c >> 8);
	frame[start + offset + 1] = (uint8_t)c;
}

static size_t ipv4_frame(uint8_t *f, size_t payload, unsigned seed)
{
	memset(f, 0, 14 + 20 + 20);
	f[12] = 0x08;
	uint8_t *ip = f + 14;
	ip[0] = 0x45;
	size_t total = 20 + 20 + payload;
	ip[2] = (uint8_t)(total >> 8);
	ip[3] = (uint8_t)total;
	ip[8] = 64;
	ip[9] = 6;
	srand(seed);
	for (int i = 12; i < 20; i++)
		ip[i] = (uint8_t)rand();
	uint8_t *tcp = ip + 20;
	for (size_t i = 0; i < 20 + payload; i++)
		tcp[i] = (uint8_t)rand();
	tcp[12] = 5 << 4;
	return 14 + total;
}

TEST(ipv4_segments_of_every_size_get_the_software_checksum)
{
	static uint8_t f[14 + 1500], copy[sizeof(f)];
	for (size_t payload = 0; payload <= 1460; payload += payload < 64 ? 1 : 97) {
		size_t len = ipv4_frame(f, payload, (unsigned)payload);
		memcpy(copy, f, len);
		uint8_t pseudo[12];
		memcpy(pseudo, f + 14 + 12, 8);
		pseudo[8] = 0;
		pseudo[9] = 6;
		pseudo[10] = (uint8_t)((20 + payload) >> 8);
		pseudo[11] = (uint8_t)(20 + payload);
		uint16_t want = software_checksum(pseudo, sizeof(pseudo), copy + 34, 20 + payload);
		uint16_t start, offset;
		CHECK(tcp_checksum_partial(f, len, &start, &offset));
		CHECK_EQ(start, 34);
		CHECK_EQ(offset, 16);
		device_completes(f, len, start, offset);
		CHECK_EQ((unsigned)(f[34 + 16] << 8 | f[34 + 17]), (unsigned)want);
	}
}

TEST(ipv6_segments_get_the_software_checksum)
{
	static uint8_t f[14 + 1500], copy[sizeof(f)];
	for (size_t payload = 0; payload <= 1440; payload += 131) {
		memset(f, 0, sizeof(f));
		f[12] = 0x86;
		f[13] = 0xdd;
		uint8_t *ip = f + 14;
		ip[0] = 0x60;
		size_t tcp_len = 20 + payload;
		ip[4] = (uint8_t)(tcp_len >> 8);
		ip[5] = (uint8_t)tcp_len;
		ip[6] = 6;
		ip[7] = 64;
		srand((unsigned)payload + 7);
		for (int i = 8; i < 40; i++)
			ip[i] = (uint8_t)rand();
		for (size_t i = 0; i < tcp_len; i++)
			ip[40 + i] = (uint8_t)rand();
		size_t len = 14 + 40 + tcp_len;
		memcpy(copy, f, len);
		uint8_t pseudo[40] = { 0 };
		memcpy(pseudo, ip + 8, 32);
		pseudo[34] = (uint8_t)(tcp_len >> 8);
		pseudo[35] = (uint8_t)tcp_len;
		pseudo[39] = 6;
		uint16_t want = software_checksum(pseudo, sizeof(pseudo), copy + 54, tcp_len);
		uint16_t start, offset;
		CHECK(tcp_checksum_partial(f, len, &start, &offset));
		CHECK_EQ(start, 54);
		device_completes(f, len, start, offset);
		CHECK_EQ((unsigned)(f[54 + 16] << 8 | f[54 + 17]), (unsigned)want);
	}
}

TEST(other_frames_are_left_alone)
{
	static uint8_t f[200], before[200];
	uint16_t start, offset;
	size_t len = ipv4_frame(f, 100, 1);
	f[14 + 9] = 17; /* UDP */
	memcpy(before, f, len);
	CHECK(!tcp_checksum_partial(f, len, &start, &offset));
	CHECK(!memcmp(f, before, len));
	len = ipv4_frame(f, 100, 2);
	f[14 + 6] = 0x20; /* a fragment: more fragments follow */
	CHECK(!tcp_checksum_partial(f, len, &start, &offset));
	len = ipv4_frame(f, 100, 3);
	CHECK(!tcp_checksum_partial(f, len - 1, &start, &offset)); /* shorter than the IP length */
	f[12] = 0x08;
	f[13] = 0x06; /* ARP */
	CHECK(!tcp_checksum_partial(f, len, &start, &offset));
	CHECK(!tcp_checksum_partial(f, 20, &start, &offset));
}
