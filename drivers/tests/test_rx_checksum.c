/*
 * Host tests of drivers/rx_checksum.c (and the sums of tcp_checksum.c): what
 * becomes of received frames, checked against a checksum computed here byte
 * by byte (RFC 793 and 768, over the pseudo-header): right and wrong TCP and
 * UDP segments over IPv4 and IPv6, of odd and even lengths; partial checksums
 * as a device hands them, left alone at their field or finished elsewhere;
 * and the frames the stack must check itself, passed on untouched.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "../drivers/rx_checksum.h"
#include "../drivers/tcp_checksum.h"
#include "unit.h"

enum { ETH = 14, MAX = 1514 };

static uint32_t add_bytes(const uint8_t *p, size_t len, uint32_t sum)
{
	for (size_t i = 0; i < len; i++)
		sum += i % 2 ? p[i] : (uint32_t)p[i] << 8;
	return sum;
}

static uint16_t fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

struct frame {
	uint8_t b[MAX + 64];
	size_t len;		/* the whole frame */
	size_t l4;		/* where the segment starts */
	size_t l4_len;
	size_t check;		/* where its checksum field is */
	uint16_t pseudo;	/* the pseudo-header's sum, folded */
};

/* The segment's checksum, computed whole. */
static void set_checksum(struct frame *f)
{
	f->b[f->check] = f->b[f->check + 1] = 0;
	uint16_t c = (uint16_t)~fold(add_bytes(f->b + f->l4, f->l4_len, f->pseudo));
	if (f->check - f->l4 == 6 && c == 0)
		c = 0xffff; /* in UDP, zero would mean "no checksum" */
	f->b[f->check] = (uint8_t)(c >> 8);
	f->b[f->check + 1] = (uint8_t)c;
}

/* A frame with a TCP or UDP segment of `payload` bytes of data over IPv4 or
 * IPv6, its checksum right; pad extra bytes of Ethernet padding behind it. */
static void make(struct frame *f, int ipv6, uint8_t proto, size_t payload, unsigned seed, size_t pad)
{
	memset(f, 0, sizeof(*f));
	srand(seed);
	uint8_t *ip = f->b + ETH;
	size_t header = proto == 6 ? 20 : 8;
	f->l4_len = header + payload;
	uint8_t pseudo[40] = { 0 };
	size_t pseudo_len;
	if (!ipv6) {
		f->b[12] = 0x08;
		ip[0] = 0x45;
		size_t total = 20 + f->l4_len;
		ip[2] = (uint8_t)(total >> 8);
		ip[3] = (uint8_t)total;
		ip[6] = 0x40; /* DF: not a fragment */
		ip[8] = 64;
		ip[9] = proto;
		for (int i = 12; i < 20; i++)
			ip[i] = (uint8_t)rand();
		f->l4 = ETH + 20;
		memcpy(pseudo, ip + 12, 8);
		pseudo[9] = proto;
		pseudo[10] = (uint8_t)(f->l4_len >> 8);
		pseudo[11] = (uint8_t)f->l4_len;
		pseudo_len = 12;
	} else {
		f->b[12] = 0x86;
		f->b[13] = 0xdd;
		ip[0] = 0x60;
		ip[4] = (uint8_t)(f->l4_len >> 8);
		ip[5] = (uint8_t)f->l4_len;
		ip[6] = proto;
		ip[7] = 64;
		for (int i = 8; i < 40; i++)
			ip[i] = (uint8_t)rand();
		f->l4 = ETH + 40;
		memcpy(pseudo, ip + 8, 32);
		pseudo[34] = (uint8_t)(f->l4_len >> 8);
		pseudo[35] = (uint8_t)f->l4_len;
		pseudo[39] = proto;
		pseudo_len = 40;
	}
	uint8_t *l4 = f->b + f->l4;
	for (size_t i = 0; i < f->l4_len; i++)
		l4[i] = (uint8_t)rand();
	if (proto == 6) {
		l4[12] = 5 << 4;
		f->check = f->l4 + 16;
	} else {
		l4[4] = (uint8_t)(f->l4_len >> 8);
		l4[5] = (uint8_t)f->l4_len;
		f->check = f->l4 + 6;
	}
	f->len = f->l4 + f->l4_len;
	for (size_t i = 0; i < pad; i++)
		f->b[f->len + i] = (uint8_t)rand();
	f->len += pad;
	f->pseudo = fold(add_bytes(pseudo, pseudo_len, 0));
	set_checksum(f);
}

static const struct rx_csum_hint no_hint;
static struct netdev_rx_csum_stats st;

/* One frame through rx_checksum with fresh counters. */
static bool run(struct frame *f, const struct rx_csum_hint *hint)
{
	memset(&st, 0, sizeof(st));
	return rx_checksum(f->b, f->len, hint, &st);
}

static uint64_t counted(void)
{
	return st.device_valid + st.partial + st.completed + st.verified + st.dropped;
}

TEST(inet_sum_matches_the_bytewise_sum_at_every_length_and_in_even_pieces)
{
	static uint8_t buf[600];
	srand(1);
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)rand();
	for (size_t len = 0; len < sizeof(buf); len++) {
		CHECK_EQ(inet_sum(buf, len, 0x1234), fold(add_bytes(buf, len, 0x1234)));
		size_t cut = (len / 3) & ~(size_t)1;
		CHECK_EQ(inet_sum(buf + cut, len - cut, inet_sum(buf, cut, 7)), fold(add_bytes(buf, len, 7)));
	}
	memset(buf, 0xff, sizeof(buf)); /* every carry at once */
	CHECK_EQ(inet_sum(buf, sizeof(buf), 0xffff), fold(add_bytes(buf, sizeof(buf), 0xffff)));
}

/* Every mix of IP version, protocol and length (odd ones included), with and
 * without Ethernet padding: right ones pass, verified in software; one byte
 * changed anywhere in the segment or the pseudo-header, dropped. */
TEST(segments_are_verified_in_software_and_wrong_ones_dropped)
{
	static struct frame f;
	static const uint8_t protos[] = { 6, 17 };
	for (int ipv6 = 0; ipv6 < 2; ipv6++)
		for (unsigned p = 0; p < 2; p++)
			for (size_t payload = 0; payload <= 1400; payload += payload < 20 ? 1 : 173) {
				unsigned seed = (unsigned)(payload * 4 + p * 2 + (unsigned)ipv6);
				make(&f, ipv6, protos[p], payload, seed, payload % 3 == 0 ? 5 : 0);
				CHECK(run(&f, &no_hint));
				CHECK_EQ(st.verified, 1);
				CHECK_EQ(counted(), 1);
				size_t at = f.l4 + (size_t)rand() % f.l4_len;
				f.b[at] ^= 0x10;
				CHECK(!run(&f, &no_hint));
				CHECK_EQ(st.dropped, 1);
				CHECK_EQ(counted(), 1);
				f.b[at] ^= 0x10;
				f.b[ETH + (ipv6 ? 8 : 12)] ^= 1; /* the source address: in the pseudo-header */
				CHECK(!run(&f, &no_hint));
				CHECK_EQ(st.dropped, 1);
			}
}

TEST(padding_behind_the_packet_is_not_summed)
{
	static struct frame f;
	make(&f, 0, 17, 3, 11, 60 - (ETH + 20 + 8 + 3)); /* a short UDP datagram in a minimum-size frame */
	f.b[f.len - 1] ^= 0xff;
	CHECK(run(&f, &no_hint));
	CHECK_EQ(st.verified, 1);
}

TEST(a_udp_datagram_without_checksum_passes_as_lwip_takes_it)
{
	static struct frame f;
	for (int ipv6 = 0; ipv6 < 2; ipv6++) {
		make(&f, ipv6, 17, 33, 5, 0);
		f.b[f.check] = f.b[f.check + 1] = 0;
		CHECK(run(&f, &no_hint));
		CHECK_EQ(st.verified, 1);
	}
}

TEST(headers_cut_short_are_dropped)
{
	static struct frame f;
	make(&f, 0, 6, 100, 3, 0);
	f.len--; /* shorter than the IP length */
	CHECK(!run(&f, &no_hint));
	CHECK_EQ(st.dropped, 1);
	make(&f, 0, 6, 0, 3, 0);
	f.b[ETH + 3] = 20 + 19; /* a TCP header of 19 bytes */
	CHECK(!run(&f, &no_hint));
	make(&f, 0, 17, 10, 3, 0);
	f.b[ETH] = 0x44; /* an IPv4 header of 16 bytes */
	CHECK(!run(&f, &no_hint));
	make(&f, 1, 17, 0, 3, 0);
	f.b[ETH + 5] = 7; /* a UDP header of 7 bytes */
	CHECK(!run(&f, &no_hint));
	make(&f, 1, 6, 50, 3, 0);
	f.b[ETH + 5]++; /* longer than the frame */
	CHECK(!run(&f, &no_hint));
	CHECK_EQ(st.dropped, 1);
}

TEST(the_device_word_is_taken_when_it_checked)
{
	static struct frame f;
	make(&f, 1, 6, 999, 8, 0);
	f.b[f.l4 + 40] ^= 1;
	struct rx_csum_hint valid = { .valid = true };
	CHECK(run(&f, &valid));
	CHECK_EQ(st.device_valid, 1);
	CHECK_EQ(counted(), 1);
}

/* As a device hands a segment a local sender left partial: the pseudo-header's
 * sum in the field, start and offset pointing at it. It passes as it is. */
TEST(a_partial_checksum_at_the_segment_field_passes_untouched)
{
	static struct frame f, before;
	for (int ipv6 = 0; ipv6 < 2; ipv6++)
		for (int udp = 0; udp < 2; udp++) {
			make(&f, ipv6, udp ? 17 : 6, 501, 9, 0);
			f.b[f.check] = (uint8_t)(f.pseudo >> 8);
			f.b[f.check + 1] = (uint8_t)f.pseudo;
			before = f;
			struct rx_csum_hint h = { .partial = true, .start = (uint16_t)f.l4,
						  .offset = (uint16_t)(f.check - f.l4) };
			CHECK(run(&f, &h));
			CHECK_EQ(st.partial, 1);
			CHECK_EQ(counted(), 1);
			CHECK(!memcmp(f.b, before.b, f.len));
		}
}

/* checksum_complete finishes such a segment to the checksum computed whole,
 * at every length, odd ones included. */
TEST(completing_a_partial_checksum_gives_the_software_checksum)
{
	static struct frame f;
	for (int ipv6 = 0; ipv6 < 2; ipv6++)
		for (size_t payload = 0; payload <= 1400; payload += payload < 10 ? 1 : 139) {
			make(&f, ipv6, 6, payload, (unsigned)payload, 0);
			unsigned want = f.b[f.check] << 8 | f.b[f.check + 1];
			f.b[f.check] = (uint8_t)(f.pseudo >> 8);
			f.b[f.check + 1] = (uint8_t)f.pseudo;
			CHECK(checksum_complete(f.b, f.len, (uint16_t)f.l4, 16));
			CHECK_EQ(f.b[f.check] << 8 | f.b[f.check + 1], want);
		}
}

/* A partial checksum anywhere but the segment's own field is finished as
 * asked: an ICMP message's, and an inner one in a UDP datagram's data, as a tunnel
 * sends it: the outer checksum counts the inner one finished (Linux's local
 * checksum offload), so after completing, the datagram is verified too. */
TEST(a_partial_checksum_elsewhere_is_completed)
{
	static struct frame f;
	make(&f, 0, 1, 200, 4, 0); /* IPv4 carrying ICMP (laid out as UDP, which does not matter) */
	uint16_t start = (uint16_t)f.l4, offset = 2;
	f.b[start + offset] = f.b[start + offset + 1] = 0; /* ICMP has no pseudo-header to start from */
	uint16_t want = (uint16_t)~fold(add_bytes(f.b + start, f.len - start, 0));
	struct rx_csum_hint h = { .partial = true, .start = start, .offset = offset };
	CHECK(run(&f, &h));
	CHECK_EQ(st.completed, 1);
	CHECK_EQ(counted(), 1);
	CHECK_EQ(f.b[start + offset] << 8 | f.b[start + offset + 1], want);
	CHECK_EQ(fold(add_bytes(f.b + start, f.len - start, 0)), 0xffff); /* now whole */

	for (int outer_wrong = 0; outer_wrong < 2; outer_wrong++) {
		make(&f, 1, 17, 301, 6, 0);
		h = (struct rx_csum_hint){ .partial = true, .start = (uint16_t)(f.l4 + 8), .offset = 10 };
		uint8_t *inner = f.b + h.start + h.offset;
		uint8_t partial[2] = { inner[0], inner[1] };
		uint16_t c = (uint16_t)~fold(add_bytes(f.b + h.start, f.len - h.start, 0));
		inner[0] = (uint8_t)(c >> 8);
		inner[1] = (uint8_t)c;
		set_checksum(&f); /* the outer checksum over the finished inner one */
		memcpy(inner, partial, 2);
		if (outer_wrong)
			f.b[f.check] ^= 4;
		CHECK_EQ(run(&f, &h), !outer_wrong);
		CHECK_EQ(inner[0] << 8 | inner[1], c);
		CHECK_EQ(st.completed, 1);
		CHECK_EQ(outer_wrong ? st.dropped : st.verified, 1);
		CHECK_EQ(counted(), 2);
	}
}

TEST(a_partial_checksum_outside_the_frame_is_dropped)
{
	static struct frame f, before;
	make(&f, 0, 6, 10, 2, 0);
	before = f;
	struct rx_csum_hint h = { .partial = true, .start = (uint16_t)(f.len - 1), .offset = 0 };
	CHECK(!run(&f, &h));
	CHECK_EQ(st.dropped, 1);
	h.start = 0xffff;
	h.offset = 0xffff;
	CHECK(!run(&f, &h));
	CHECK(!memcmp(f.b, before.b, f.len));
}

/* Through rx_checksum with no word from the device: passed on, unchanged,
 * nothing counted. */
static bool passes_untouched(struct frame *f)
{
	static struct frame before;
	before = *f;
	return run(f, &no_hint) && counted() == 0 && !memcmp(f->b, before.b, f->len);
}

/* Fragments, IPv6 extension headers, other protocols and other frames: not
 * the driver's to check (lwIP does), so they pass untouched, uncounted, even
 * with a wrong checksum. */
TEST(frames_the_stack_checks_pass_untouched)
{
	static struct frame f;
	make(&f, 0, 17, 100, 1, 0);
	f.b[f.l4 + 20] ^= 1;
	f.b[ETH + 6] = 0x20; /* more fragments */
	CHECK(passes_untouched(&f));
	f.b[ETH + 6] = 0;
	f.b[ETH + 7] = 1; /* a later fragment */
	CHECK(passes_untouched(&f));
	f.b[ETH + 7] = 0;
	f.b[ETH + 9] = 1; /* ICMP */
	CHECK(passes_untouched(&f));
	make(&f, 1, 6, 100, 1, 0);
	f.b[f.l4 + 30] ^= 1;
	f.b[ETH + 6] = 0; /* a hop-by-hop header first */
	CHECK(passes_untouched(&f));
	make(&f, 0, 6, 100, 1, 0);
	f.b[f.l4 + 30] ^= 1;
	f.b[13] = 0x06; /* ARP */
	CHECK(passes_untouched(&f));
	f.b[12] = 0x81; /* a VLAN tag */
	f.b[13] = 0x00;
	CHECK(passes_untouched(&f));
	f.b[12] = 0x86; /* IPv4 behind the IPv6 type: lwIP drops it */
	f.b[13] = 0xdd;
	CHECK(passes_untouched(&f));
	f.len = 10; /* not even an Ethernet header */
	CHECK(passes_untouched(&f));
}

TEST(covers_reads_only_the_fixed_fields)
{
	uint8_t ip[40] = { 0x45 };
	ip[9] = 6;
	CHECK(netdev_rx_csum_covers(ip, 20));
	CHECK(!netdev_rx_csum_covers(ip, 19));
	ip[9] = 17;
	CHECK(netdev_rx_csum_covers(ip, 20));
	ip[6] = 0x40; /* don't fragment */
	CHECK(netdev_rx_csum_covers(ip, 20));
	ip[6] = 0x20; /* more fragments */
	CHECK(!netdev_rx_csum_covers(ip, 20));
	ip[6] = 0;
	ip[7] = 1;
	CHECK(!netdev_rx_csum_covers(ip, 20));
	ip[7] = 0;
	ip[9] = 1; /* ICMP */
	CHECK(!netdev_rx_csum_covers(ip, 20));
	memset(ip, 0, sizeof(ip));
	ip[0] = 0x60;
	ip[6] = 6;
	CHECK(netdev_rx_csum_covers(ip, 40));
	CHECK(!netdev_rx_csum_covers(ip, 39));
	ip[6] = 44; /* a fragment header */
	CHECK(!netdev_rx_csum_covers(ip, 40));
	ip[6] = 58; /* ICMPv6 */
	CHECK(!netdev_rx_csum_covers(ip, 40));
	ip[0] = 0x50;
	CHECK(!netdev_rx_csum_covers(ip, 40));
}
