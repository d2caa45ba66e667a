/*
 * Bad input for Kite's network, from the host: malformed Ethernet frames of
 * many kinds, then a SYN flood, sent to the guest's card; its answers watched.
 *
 *   inject [--seed N] [--rounds N] [--syns N] [--port N] [--trace] QEMU_TCP_PORT LOCAL_UDP_PORT
 *
 * Frames go in through a QEMU filter-redirector on the card's side of the
 * network (a socket chardev, server on 127.0.0.1:QEMU_TCP_PORT: each frame a
 * 4-byte big-endian length and the bytes), so that only the guest sees them:
 * QEMU's user network, on the same hub, crashes on some of them. The guest's
 * frames come back through a dgram netdev on that hub, one UDP datagram each,
 * to 127.0.0.1:LOCAL_UDP_PORT. tests/net-malformed-test.sh sets this up.
 *
 * Every kind of bad frame goes out --rounds times (default 4), made by a
 * fixed-seed PRNG, so that two runs send the same bytes. Between kinds, and
 * every SYNC_EVERY frames, it pings the guest from its own address
 * (10.0.2.99; it answers the guest's ARP and neighbor solicitations itself)
 * and waits for the answer: that paces the frames to what the guest can take,
 * and names the kind after which a guest stopped answering. It fails when the
 * guest answers what it must drop (a ping with a bad checksum, a ping hidden
 * inside an oversize frame, a SYN with a bad checksum, a truncated ARP
 * request), when a request on a connection that got garbage is not answered,
 * and when, after the flood, a SYN from it to --port (8080) is not answered,
 * or a connection and a request not, within AFTER_FLOOD_MS. It ends with a
 * summary of what it sent and saw; --trace adds a line for each TCP segment
 * the guest sends it.
 *
 * Exit status: 0 when the guest answered everything it had to and nothing it
 * must not; 1 otherwise; 2 for bad arguments.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* QEMU's user network: the guest, its gateway; and this program's own station. */
static const uint8_t guest_mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
static const uint8_t gateway_mac[6] = { 0x52, 0x55, 0x0a, 0x00, 0x02, 0x02 };
static const uint8_t own_mac[6] = { 0x02, 0x6b, 0x69, 0x74, 0x65, 0x01 };	/* locally administered */
static const uint8_t broadcast_mac[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static const uint8_t all_nodes_mac[6] = { 0x33, 0x33, 0x00, 0x00, 0x00, 0x01 };
#define IPV4(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))
static const uint32_t guest_ip = IPV4(10, 0, 2, 15);
static const uint32_t own_ip = IPV4(10, 0, 2, 99);
static const uint32_t arp_stranger_ip = IPV4(10, 0, 2, 97);	/* sends whole ARP requests before truncated ones */
/* Link-local addresses made from the MACs (EUI-64), as lwIP makes the guest's. */
static const uint8_t guest_ip6[16] = { 0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0x50, 0x54, 0x00, 0xff, 0xfe, 0x12, 0x34, 0x56 };
static const uint8_t own_ip6[16] = { 0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0x00, 0x6b, 0x69, 0xff, 0xfe, 0x74, 0x65, 0x01 };
static const uint8_t all_nodes_ip6[16] = { 0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };

#define ETH_ARP 0x0806
#define ETH_IPV4 0x0800
#define ETH_IPV6 0x86dd
#define PROTO_ICMP 1
#define PROTO_IGMP 2
#define PROTO_TCP 6
#define PROTO_UDP 17
#define PROTO_ICMP6 58
#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_PSH 0x08
#define TCP_ACK 0x10
#define TCP_URG 0x20

/* ICMP echo identifiers: which pings the guest should and should not answer. */
#define PING_PROBE 0x4b01	/* the pacing probe: must be answered */
#define PING_EITHER 0x4b02	/* odd but maybe valid (options, fragments): answered or not, either is fine */
#define PING_MUST_DROP 0x4b03	/* bad checksums, bad lengths: an answer is a bug */
#define PING_HIDDEN 0x4b04	/* inside an oversize frame: an answer means frame boundaries were lost */
/* TCP source ports of segments the guest must drop (bad checksums): a SYN-ACK to one is a bug. */
#define PORT_MUST_DROP_FIRST 61000
#define PORT_MUST_DROP_LAST 61999
#define SYNC_EVERY 64
#define SYNC_TIMEOUT_MS 10000
/* Well below the 20 s after which lwIP drops a half-open connection by itself. */
#define AFTER_FLOOD_MS 8000
#define FRAME_MAX 65000	/* below what QEMU's filter-redirector takes (69,632 bytes) */

static int to_guest, from_guest_socket;
static bool trace;
static uint16_t http_port = 8080;
static uint8_t frame[FRAME_MAX];

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* xorshift64*: small, and the same sequence everywhere for a seed. */
static uint64_t prng_state;
static uint64_t random64(void)
{
	prng_state ^= prng_state >> 12;
	prng_state ^= prng_state << 25;
	prng_state ^= prng_state >> 27;
	return prng_state * 0x2545f4914f6cdd1dULL;
}
static uint32_t below(uint32_t n)
{
	return (uint32_t)(random64() % n);
}
static void random_bytes(uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)random64();
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}
static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}
static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}
static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)get16(p) << 16 | get16(p + 2);
}

/* The Internet checksum: a ones'-complement sum of 16-bit words. */
static uint32_t sum_words(uint32_t sum, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		sum += get16(p + i);
	if (n & 1)
		sum += (uint32_t)p[n - 1] << 8;
	return sum;
}
static uint16_t fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* ---- What was sent, by kind, and what the guest did. ---- */

struct kind {
	const char *name;
	unsigned frames;
};
static struct kind kinds[128];
static unsigned kind_count, frames_total, since_sync, arp_requests_from_stranger;
static struct kind *current_kind;

static struct {
	unsigned frames, arp_requests, arp_requests_for_us, arp_replies, syn_acks, resets, icmp_errors;
	unsigned echo_replies, ipv6, other;
	unsigned answered_must_drop, answered_hidden, syn_acks_must_drop, arp_replies_to_stranger;
	unsigned probes;
} seen;

/* ---- Sending. ---- */

static void sync_guest(void);

static void write_all(const uint8_t *p, size_t len)
{
	while (len) {
		ssize_t n = write(to_guest, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			printf("inject: sending a frame: %s\n", n ? strerror(errno) : "QEMU closed the connection");
			exit(1);
		}
		p += n;
		len -= (size_t)n;
	}
}

static void send_raw(const uint8_t *f, size_t len)
{
	uint8_t length[4];
	put32(length, (uint32_t)len);
	write_all(length, 4);
	write_all(f, len);
}

static void send_frame(size_t len)
{
	send_raw(frame, len);
	current_kind->frames++;
	frames_total++;
	if (++since_sync >= SYNC_EVERY)
		sync_guest();
}

static void begin_kind(const char *name)
{
	current_kind = &kinds[kind_count++];
	current_kind->name = name;
}

/* ---- Frame builders: each writes at frame[] and returns a pointer past what it wrote. ---- */

static uint8_t *ethernet(const uint8_t *dst, const uint8_t *src, uint16_t type)
{
	memcpy(frame, dst, 6);
	memcpy(frame + 6, src, 6);
	put16(frame + 12, type);
	return frame + 14;
}

static void ipv4_checksum(uint8_t *ip)
{
	size_t header_len = (size_t)(ip[0] & 15) * 4;
	put16(ip + 10, 0);
	put16(ip + 10, fold(sum_words(0, ip, header_len)));
}

/* An IPv4 header of 20 bytes at p for payload_len bytes, checksummed. */
static uint8_t *ipv4(uint8_t *p, uint32_t src, uint32_t dst, uint8_t proto, size_t payload_len)
{
	p[0] = 0x45;
	p[1] = 0;
	put16(p + 2, (uint16_t)(20 + payload_len));
	put16(p + 4, (uint16_t)random64());
	put16(p + 6, 0);
	p[8] = 64;
	p[9] = proto;
	put32(p + 12, src);
	put32(p + 16, dst);
	ipv4_checksum(p);
	return p + 20;
}

/* The TCP, UDP, ICMP or IGMP checksum of len bytes at l4 (offset csum_at) inside IPv4. */
static void l4_checksum4(uint32_t src, uint32_t dst, uint8_t proto, uint8_t *l4, size_t len, size_t csum_at)
{
	put16(l4 + csum_at, 0);
	uint32_t sum = 0;
	if (proto == PROTO_TCP || proto == PROTO_UDP) /* (ICMP and IGMP have no pseudo-header) */
		sum = (src >> 16) + (src & 0xffff) + (dst >> 16) + (dst & 0xffff) + proto + (uint32_t)len;
	uint16_t c = fold(sum_words(sum, l4, len));
	if (proto == PROTO_UDP && c == 0)
		c = 0xffff;
	put16(l4 + csum_at, c);
}

static uint8_t *ipv6(uint8_t *p, const uint8_t *src, const uint8_t *dst, uint8_t next, size_t payload_len,
		     uint8_t hop_limit)
{
	put32(p, 0x60000000);
	put16(p + 4, (uint16_t)payload_len);
	p[6] = next;
	p[7] = hop_limit;
	memcpy(p + 8, src, 16);
	memcpy(p + 24, dst, 16);
	return p + 40;
}

static void l4_checksum6(const uint8_t *src, const uint8_t *dst, uint8_t proto, uint8_t *l4, size_t len,
			 size_t csum_at)
{
	put16(l4 + csum_at, 0);
	uint32_t sum = sum_words(0, src, 16);
	sum = sum_words(sum, dst, 16);
	sum += (uint32_t)(len >> 16) + (uint32_t)(len & 0xffff) + proto;
	put16(l4 + csum_at, fold(sum_words(sum, l4, len)));
}

/* A whole ICMP echo request from this station to the guest; returns the frame length. */
static size_t ping_frame(uint16_t id, uint16_t seq, size_t data_len)
{
	uint8_t *ip = ethernet(guest_mac, own_mac, ETH_IPV4);
	uint8_t *icmp = ipv4(ip, own_ip, guest_ip, PROTO_ICMP, 8 + data_len);
	icmp[0] = 8;
	icmp[1] = 0;
	put16(icmp + 4, id);
	put16(icmp + 6, seq);
	for (size_t i = 0; i < data_len; i++)
		icmp[8 + i] = (uint8_t)i;
	l4_checksum4(own_ip, guest_ip, PROTO_ICMP, icmp, 8 + data_len, 2);
	return (size_t)(icmp + 8 + data_len - frame);
}

/* A TCP segment over IPv4, checksummed; options (a multiple of 4 bytes) and data may be NULL. */
static size_t tcp4_frame(const uint8_t *src_mac, uint32_t src, uint16_t sport, uint16_t dport, uint32_t seq,
			 uint32_t ack, uint8_t flags, uint16_t window, const uint8_t *options, size_t options_len,
			 const void *data, size_t data_len)
{
	uint8_t *ip = ethernet(guest_mac, src_mac, ETH_IPV4);
	size_t tcp_len = 20 + options_len + data_len;
	uint8_t *tcp = ipv4(ip, src, guest_ip, PROTO_TCP, tcp_len);
	put16(tcp, sport);
	put16(tcp + 2, dport);
	put32(tcp + 4, seq);
	put32(tcp + 8, ack);
	tcp[12] = (uint8_t)((20 + options_len) / 4 << 4);
	tcp[13] = flags;
	put16(tcp + 14, window);
	put16(tcp + 18, 0);
	if (options_len)
		memcpy(tcp + 20, options, options_len);
	if (data_len)
		memcpy(tcp + 20 + options_len, data, data_len);
	l4_checksum4(src, guest_ip, PROTO_TCP, tcp, tcp_len, 16);
	return (size_t)(tcp + tcp_len - frame);
}

static size_t udp4_frame(uint16_t sport, uint16_t dport, size_t data_len)
{
	uint8_t *ip = ethernet(guest_mac, own_mac, ETH_IPV4);
	uint8_t *udp = ipv4(ip, own_ip, guest_ip, PROTO_UDP, 8 + data_len);
	put16(udp, sport);
	put16(udp + 2, dport);
	put16(udp + 4, (uint16_t)(8 + data_len));
	random_bytes(udp + 8, data_len);
	l4_checksum4(own_ip, guest_ip, PROTO_UDP, udp, 8 + data_len, 6);
	return (size_t)(udp + 8 + data_len - frame);
}

static size_t icmp6_frame(const uint8_t *dst_mac, const uint8_t *dst, uint8_t type, uint8_t code,
			  const uint8_t *body, size_t body_len, uint8_t hop_limit)
{
	uint8_t *ip = ethernet(dst_mac, own_mac, ETH_IPV6);
	uint8_t *icmp = ipv6(ip, own_ip6, dst, PROTO_ICMP6, 4 + body_len, hop_limit);
	icmp[0] = type;
	icmp[1] = code;
	memcpy(icmp + 4, body, body_len);
	l4_checksum6(own_ip6, dst, PROTO_ICMP6, icmp, 4 + body_len, 2);
	return (size_t)(icmp + 4 + body_len - frame);
}

/* A TCP segment over IPv6 from this station's link-local address, checksummed. */
static size_t tcp6_frame(uint16_t sport, uint16_t dport, uint32_t seq, uint32_t ack, uint8_t flags, uint16_t window,
			 const uint8_t *options, size_t options_len, const void *data, size_t data_len)
{
	uint8_t *ip = ethernet(guest_mac, own_mac, ETH_IPV6);
	size_t tcp_len = 20 + options_len + data_len;
	uint8_t *tcp = ipv6(ip, own_ip6, guest_ip6, PROTO_TCP, tcp_len, 64);
	put16(tcp, sport);
	put16(tcp + 2, dport);
	put32(tcp + 4, seq);
	put32(tcp + 8, ack);
	tcp[12] = (uint8_t)((20 + options_len) / 4 << 4);
	tcp[13] = flags;
	put16(tcp + 14, window);
	put16(tcp + 18, 0);
	if (options_len)
		memcpy(tcp + 20, options, options_len);
	if (data_len)
		memcpy(tcp + 20 + options_len, data, data_len);
	l4_checksum6(own_ip6, guest_ip6, PROTO_TCP, tcp, tcp_len, 16);
	return (size_t)(tcp + tcp_len - frame);
}

/* ---- Receiving: what the guest sends; this station answers ARP, ND and stray SYN-ACKs. ---- */

static uint16_t probe_seq, probe_answered, ping6_seq, ping6_answered;
static uint16_t syn_probe_port, syn_probe_answered;	/* an IPv4 SYN of this station's, and its SYN-ACK */

/* This station's one TCP connection (connect_guest and the ones after it), over
 * IPv6: QEMU's user network, which sees the guest's frames too, would reset an
 * IPv4 one at once (it takes every guest TCP segment it has no socket for as
 * a stray, and answers with a reset); it is told to leave IPv6 alone. */
static struct {
	uint16_t port;
	uint32_t snd_nxt, rcv_nxt;
	bool established, reset;
	char answer[4096];
	size_t answer_len;
} conn;

static void send_arp_reply(const uint8_t *to_mac, uint32_t to_ip)
{
	uint8_t *arp = ethernet(to_mac, own_mac, ETH_ARP);
	put16(arp, 1);
	put16(arp + 2, ETH_IPV4);
	arp[4] = 6;
	arp[5] = 4;
	put16(arp + 6, 2);
	memcpy(arp + 8, own_mac, 6);
	put32(arp + 14, own_ip);
	memcpy(arp + 18, to_mac, 6);
	put32(arp + 24, to_ip);
	send_raw(frame, 14 + 28);
}

static void send_neighbor_advertisement(void)
{
	uint8_t body[4 + 16 + 8];
	put32(body, 0x60000000); /* solicited, override */
	memcpy(body + 4, own_ip6, 16);
	body[20] = 2; /* target link-layer address */
	body[21] = 1;
	memcpy(body + 22, own_mac, 6);
	send_raw(frame, icmp6_frame(guest_mac, guest_ip6, 136, 0, body, sizeof(body), 255));
}

static void send_conn_segment(uint32_t seq, uint32_t ack, uint8_t flags, uint16_t window, const uint8_t *options,
			      size_t options_len, const void *data, size_t data_len)
{
	send_raw(frame, tcp6_frame(conn.port, http_port, seq, ack, flags, window, options, options_len, data, data_len));
}

/* A TCP segment from the guest, to this station (to_us) or to anybody. */
static void from_guest_tcp(bool ipv6, bool to_us, const uint8_t *tcp, size_t tcp_len)
{
	uint16_t dport = get16(tcp + 2), sport = get16(tcp + 0);
	uint32_t seq = get32(tcp + 4), ack = get32(tcp + 8);
	uint8_t flags = tcp[13];
	size_t header_len = (size_t)(tcp[12] >> 4) * 4;
	if (trace && to_us)
		printf("inject: trace: IPv%c TCP to port %u: flags %02x seq %u ack %u window %u, %zu bytes of data\n",
		       ipv6 ? '6' : '4', dport, flags, seq, ack, get16(tcp + 14), tcp_len - header_len);
	if ((flags & (TCP_SYN | TCP_ACK)) == (TCP_SYN | TCP_ACK)) {
		seen.syn_acks++;
		if (to_us && dport >= PORT_MUST_DROP_FIRST && dport <= PORT_MUST_DROP_LAST)
			seen.syn_acks_must_drop++;
		if (to_us && !ipv6 && dport == syn_probe_port)
			syn_probe_answered = dport;
	}
	if (flags & TCP_RST)
		seen.resets++;
	if (!to_us)
		return;
	if (ipv6 && conn.port && dport == conn.port && sport == http_port) {
		if (flags & TCP_RST) {
			conn.reset = true;
			return;
		}
		if ((flags & TCP_SYN) && !conn.established) {
			conn.rcv_nxt = seq + 1;
			conn.established = true;
			return;
		}
		if (header_len > tcp_len)
			return;
		size_t data_len = tcp_len - header_len;
		if (data_len && seq == conn.rcv_nxt) {
			size_t room = sizeof(conn.answer) - 1 - conn.answer_len;
			size_t take = data_len < room ? data_len : room;
			memcpy(conn.answer + conn.answer_len, tcp + header_len, take);
			conn.answer_len += take;
			conn.answer[conn.answer_len] = '\0';
			conn.rcv_nxt += (uint32_t)data_len;
		}
		if (flags & TCP_FIN && seq + data_len == conn.rcv_nxt)
			conn.rcv_nxt++;
		if (data_len || (flags & TCP_FIN))
			send_conn_segment(conn.snd_nxt, conn.rcv_nxt, TCP_ACK, 65535, NULL, 0, NULL, 0);
		return;
	}
	/* A connection this station does not have: close it, as a host would. */
	if ((flags & (TCP_SYN | TCP_ACK)) == (TCP_SYN | TCP_ACK)) {
		if (ipv6)
			send_raw(frame, tcp6_frame(dport, sport, ack, 0, TCP_RST, 0, NULL, 0, NULL, 0));
		else
			send_raw(frame, tcp4_frame(own_mac, own_ip, dport, sport, ack, 0, TCP_RST, 0, NULL, 0, NULL, 0));
	}
}

static void from_guest(const uint8_t *f, size_t len)
{
	seen.frames++;
	if (len < 14)
		return;
	uint16_t type = get16(f + 12);
	const uint8_t *p = f + 14;
	size_t plen = len - 14;
	if (type == ETH_ARP && plen >= 28) {
		if (get16(p + 6) == 1) {
			seen.arp_requests++;
			if (get32(p + 24) == own_ip) {
				seen.arp_requests_for_us++;
				send_arp_reply(p + 8, get32(p + 14));
			}
		} else {
			seen.arp_replies++;
			if (get32(p + 24) == arp_stranger_ip)
				seen.arp_replies_to_stranger++;
		}
		return;
	}
	if (type == ETH_IPV4 && plen >= 20) {
		size_t header_len = (size_t)(p[0] & 15) * 4;
		size_t total = get16(p + 2);
		if (header_len < 20 || total > plen || total < header_len)
			return;
		const uint8_t *l4 = p + header_len;
		size_t l4_len = total - header_len;
		bool first_fragment = (get16(p + 6) & 0x1fff) == 0;
		if (p[9] == PROTO_ICMP && first_fragment && l4_len >= 8) {
			if (l4[0] == 0) {
				uint16_t id = get16(l4 + 4);
				seen.echo_replies++;
				if (id == PING_PROBE && get16(l4 + 6) == probe_seq)
					probe_answered = probe_seq;
				else if (id == PING_MUST_DROP)
					seen.answered_must_drop++;
				else if (id == PING_HIDDEN)
					seen.answered_hidden++;
			} else if (l4[0] == 3 || l4[0] == 11 || l4[0] == 12) {
				seen.icmp_errors++;
			}
		} else if (p[9] == PROTO_TCP && first_fragment && l4_len >= 20) {
			from_guest_tcp(false, get32(p + 16) == own_ip, l4, l4_len);
		} else {
			seen.other++;
		}
		return;
	}
	if (type == ETH_IPV6 && plen >= 40) {
		seen.ipv6++;
		size_t payload_len = get16(p + 4);
		if (payload_len > plen - 40)
			return;
		if (p[6] == PROTO_TCP && payload_len >= 20) {
			from_guest_tcp(true, !memcmp(p + 24, own_ip6, 16), p + 40, payload_len);
			return;
		}
		const uint8_t *icmp = p + 40;
		if (p[6] != PROTO_ICMP6 || plen < 48)
			return;
		if (icmp[0] == 135 && plen >= 40 + 24 && !memcmp(icmp + 8, own_ip6, 16))
			send_neighbor_advertisement();
		else if (icmp[0] == 129 && get16(icmp + 4) == PING_PROBE && get16(icmp + 6) == ping6_seq)
			ping6_answered = ping6_seq;
		else if (icmp[0] == 129 && get16(icmp + 4) == PING_MUST_DROP)
			seen.answered_must_drop++;
		else if (icmp[0] == 1 || icmp[0] == 2 || icmp[0] == 3 || icmp[0] == 4)
			seen.icmp_errors++;
		return;
	}
	seen.other++;
}

/* Reads what arrives for up to timeout_ms (at least one poll), then returns. */
static void receive(int timeout_ms)
{
	struct pollfd pfd = { .fd = from_guest_socket, .events = POLLIN };
	if (poll(&pfd, 1, timeout_ms) <= 0)
		return;
	static uint8_t buf[70000];
	for (;;) {
		ssize_t n = recv(from_guest_socket, buf, sizeof(buf), MSG_DONTWAIT);
		if (n < 0)
			return;
		/* Only the guest's own frames: the hub also carries QEMU's user network. */
		if (n >= 14 && !memcmp(buf + 6, guest_mac, 6))
			from_guest(buf, (size_t)n);
	}
}

/* Waits until *answered == want, sending again every second; false after timeout_ms. */
static bool wait_answer(const uint16_t *answered, uint16_t want, size_t (*make)(void), unsigned timeout_ms)
{
	uint64_t end = now_ms() + timeout_ms, next_send = 0;
	while (*answered != want) {
		uint64_t t = now_ms();
		if (t >= end)
			return false;
		if (t >= next_send) {
			send_raw(frame, make());
			next_send = t + 1000;
		}
		receive((int)((next_send < end ? next_send : end) - t));
	}
	return true;
}

static size_t make_probe(void)
{
	return ping_frame(PING_PROBE, probe_seq, 16);
}

static size_t make_ping6(void)
{
	uint8_t body[4 + 16];
	put16(body, PING_PROBE);
	put16(body + 2, ping6_seq);
	memset(body + 4, 0x6b, 16);
	return icmp6_frame(guest_mac, guest_ip6, 128, 0, body, sizeof(body), 64);
}

static void report(void);
static int answers_to_dropped(void);

static void fail(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	printf("inject: FAIL: ");
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
	report();
	answers_to_dropped();
	exit(1);
}

/* The guest answers a ping once it has taken everything sent before it. */
static void sync_guest(void)
{
	since_sync = 0;
	probe_seq++;
	seen.probes++;
	if (!wait_answer(&probe_answered, probe_seq, make_probe, SYNC_TIMEOUT_MS))
		fail("the guest stopped answering pings after %s (frame %u of that kind, %u in all)",
		     current_kind ? current_kind->name : "nothing", current_kind ? current_kind->frames : 0,
		     frames_total);
}

static void end_kind(void)
{
	sync_guest();
}

static void ping6_guest(const char *when)
{
	ping6_seq++;
	if (!wait_answer(&ping6_answered, ping6_seq, make_ping6, SYNC_TIMEOUT_MS))
		fail("the guest does not answer IPv6 pings %s", when);
}

/* ---- This station's own TCP connections to the server. ---- */

static size_t make_syn(void)
{
	static const uint8_t mss[4] = { 2, 4, 0x05, 0xa0 };
	return tcp6_frame(conn.port, http_port, conn.snd_nxt - 1, 0, TCP_SYN, 65535, mss, 4, NULL, 0);
}

static bool connect_guest(unsigned timeout_ms)
{
	memset(&conn, 0, sizeof(conn));
	conn.port = (uint16_t)(60000 + below(1000));
	conn.snd_nxt = (uint32_t)random64() + 1;
	uint64_t end = now_ms() + timeout_ms, next_send = 0;
	while (!conn.established) {
		uint64_t t = now_ms();
		if (t >= end)
			return false;
		if (t >= next_send) {
			send_raw(frame, make_syn());
			next_send = t + 1000;
		}
		receive((int)((next_send < end ? next_send : end) - t));
	}
	send_conn_segment(conn.snd_nxt, conn.rcv_nxt, TCP_ACK, 65535, NULL, 0, NULL, 0);
	return true;
}

static void send_data(uint32_t seq, const void *data, size_t len, uint8_t flags)
{
	send_conn_segment(seq, conn.rcv_nxt, flags, 65535, NULL, 0, data, len);
}

/* Sends GET / on the connection and waits for the whole answer. */
static bool request_answered(unsigned timeout_ms)
{
	static const char request[] = "GET / HTTP/1.1\r\nHost: inject\r\n\r\n";
	static const char want[] = "HTTP/1.1 200 OK\r\n";
	static const char body[] = "Hello from httpserver\n";
	conn.answer_len = 0;
	conn.answer[0] = '\0';
	uint32_t seq = conn.snd_nxt;
	conn.snd_nxt += sizeof(request) - 1;
	uint64_t end = now_ms() + timeout_ms, next_send = 0;
	while (!strstr(conn.answer, body)) {
		uint64_t t = now_ms();
		if (t >= end || conn.reset)
			return false;
		if (t >= next_send) { /* and again each second, as a retransmission */
			send_data(seq, request, sizeof(request) - 1, TCP_ACK | TCP_PSH);
			next_send = t + 1000;
		}
		receive((int)((next_send < end ? next_send : end) - t));
	}
	return !strncmp(conn.answer, want, sizeof(want) - 1);
}

static void close_connection(void)
{
	send_conn_segment(conn.snd_nxt, 0, TCP_RST, 0, NULL, 0, NULL, 0);
	conn.port = 0;
}

static size_t make_syn_probe(void)
{
	static const uint8_t mss[4] = { 2, 4, 0x05, 0xb4 };
	return tcp4_frame(own_mac, own_ip, syn_probe_port, http_port, (uint32_t)random64(), 0, TCP_SYN, 65535, mss, 4,
			  NULL, 0);
}

/* An IPv4 SYN from this station must be answered with a SYN-ACK. */
static bool syn_answered(unsigned timeout_ms)
{
	syn_probe_port = (uint16_t)(60000 + below(1000));
	return wait_answer(&syn_probe_answered, syn_probe_port, make_syn_probe, timeout_ms);
}

/* ---- The bad frames. ---- */

static void bad_ethernet(unsigned rounds)
{
	/* (Not 0 bytes: QEMU would hand the card an empty frame, which is QEMU's problem.) */
	begin_kind("ethernet: runt frames of 1 to 13 bytes");
	for (unsigned r = 0; r < rounds; r++)
		for (size_t len = 1; len < 14; len++) {
			random_bytes(frame, len);
			memcpy(frame, guest_mac, len < 6 ? len : 6);
			send_frame(len);
		}
	end_kind();

	begin_kind("ethernet: a header and 0 to 45 bytes (ARP, IPv4, IPv6)");
	static const uint16_t types[] = { ETH_ARP, ETH_IPV4, ETH_IPV6 };
	for (unsigned r = 0; r < rounds; r++)
		for (unsigned t = 0; t < 3; t++)
			for (size_t extra = 0; extra < 46; extra += 1 + r) {
				uint8_t *p = ethernet(guest_mac, own_mac, types[t]);
				random_bytes(p, extra);
				send_frame(14 + extra);
			}
	end_kind();

	begin_kind("ethernet: oversize frames (1515 bytes to 65000)");
	static const size_t sizes[] = { 1515, 1518, 1522, 1600, 2035, 2036, 2037, 2047, 2048, 2049, 3000, 4096, 9000,
					16384, 40000, 65000 };
	for (unsigned r = 0; r < rounds; r++)
		for (unsigned i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
			size_t len = sizes[i];
			uint8_t *ip = ethernet(guest_mac, own_mac, r & 1 ? ETH_IPV6 : ETH_IPV4);
			random_bytes(ip, len - 14);
			if (!(r & 1)) /* a plausible IPv4 header that claims the whole frame */
				ipv4(ip, own_ip, guest_ip, PROTO_UDP, len - 34 > 65515 ? 65515 : len - 34);
			send_frame(len);
		}
	end_kind();

	/* A receive buffer holds 2048 bytes; a bigger frame spans several, and a driver
	 * that loses count would take the rest for frames of their own. So at each
	 * 2048-byte boundary of these sits a ping that must never be answered. */
	begin_kind("ethernet: oversize frames with pings at 2 KiB boundaries");
	for (unsigned r = 0; r < rounds; r++)
		for (unsigned buffers = 2; buffers <= 5; buffers++) {
			size_t ping_len = ping_frame(PING_HIDDEN, (uint16_t)buffers, 40);
			uint8_t ping[128];
			memcpy(ping, frame, ping_len);
			size_t len = 2048 * (buffers - 1) + ping_len;
			uint8_t *p = ethernet(guest_mac, own_mac, ETH_IPV4);
			random_bytes(p, len - 14);
			/* (Buffer k > 0 starts at byte 2048k - 12 of the frame: the first one
			 * holds the 12-byte virtio-net header too. A driver that took it for
			 * a frame would skip 12 bytes and find the ping.) */
			for (size_t at = 2048; at + ping_len <= len; at += 2048)
				memcpy(frame + at, ping, ping_len);
			send_frame(len);
		}
	end_kind();

	begin_kind("ethernet: unknown and odd ethertypes, VLAN tags, 802.3 lengths");
	static const uint16_t odd_types[] = { 0x0000, 0x0001, 0x05dc, 0x05ff, 0x0600, 0x8100, 0x88a8, 0x8847, 0x8863,
					      0x8864, 0x88cc, 0x88e5, 0x9000, 0x86dc, 0x0801, 0x0805, 0xffff };
	for (unsigned r = 0; r < rounds; r++)
		for (unsigned i = 0; i < sizeof(odd_types) / sizeof(odd_types[0]); i++) {
			uint8_t *p = ethernet(r & 1 ? broadcast_mac : guest_mac, own_mac, odd_types[i]);
			size_t len = 14 + 46 + below(100);
			random_bytes(p, len - 14);
			if (odd_types[i] == 0x8100 || odd_types[i] == 0x88a8) { /* a tagged ping */
				size_t ping_len = ping_frame(PING_MUST_DROP, (uint16_t)i, 8);
				memmove(frame + 16, frame + 12, ping_len - 12);
				put16(frame + 12, odd_types[i]);
				put16(frame + 14, (uint16_t)(1 + r));
				len = ping_len + 4;
			}
			send_frame(len);
		}
	end_kind();
}

static uint8_t *arp_request(uint32_t sender_ip, uint32_t target_ip)
{
	uint8_t *arp = ethernet(broadcast_mac, own_mac, ETH_ARP);
	put16(arp, 1);
	put16(arp + 2, ETH_IPV4);
	arp[4] = 6;
	arp[5] = 4;
	put16(arp + 6, 1);
	memcpy(arp + 8, own_mac, 6);
	put32(arp + 14, sender_ip);
	memset(arp + 18, 0, 6);
	put32(arp + 24, target_ip);
	return arp;
}

/* A sender address that is neither the guest's, nor QEMU's, nor this station's. */
static uint32_t stray_ip(void)
{
	return IPV4(10, 0, 2, 100 + below(150));
}

static void bad_arp(unsigned rounds)
{
	/* Each truncated request follows a whole one from a stranger, which the
	 * guest answers: a guest that read a truncated request's missing bytes
	 * from the whole one before would answer the stranger again. */
	begin_kind("ARP: truncated (1 to 27 bytes), each after a whole request");
	for (unsigned r = 0; r < rounds; r++)
		for (size_t len = 1; len < 28; len++) {
			arp_request(arp_stranger_ip, guest_ip);
			send_frame(14 + 28);
			arp_requests_from_stranger++;
			arp_request(own_ip, guest_ip);
			send_frame(14 + len);
		}
	end_kind();

	begin_kind("ARP: bad hardware/protocol types and lengths, opcodes, addresses");
	for (unsigned r = 0; r < rounds; r++)
		for (unsigned variant = 0; variant < 14; variant++) {
			uint8_t *arp = arp_request(stray_ip(), guest_ip);
			switch (variant) {
			case 0: put16(arp, 6); break;		/* IEEE 802 hardware */
			case 1: put16(arp, 0xffff); break;
			case 2: put16(arp + 2, ETH_IPV6); break;
			case 3: arp[4] = 0; break;
			case 4: arp[4] = 255; break;
			case 5: arp[5] = 16; break;
			case 6: put16(arp + 6, 0); break;	/* opcodes: none, RARP, garbage */
			case 7: put16(arp + 6, 3); break;
			case 8: put16(arp + 6, 0xffff); break;
			case 9: put32(arp + 14, 0); break;	/* sender 0.0.0.0 (a probe) */
			case 10: put32(arp + 14, 0xffffffff); break;
			case 11: put32(arp + 14, IPV4(224, 0, 0, 1)); break;
			case 12: memcpy(arp + 8, broadcast_mac, 6); break;
			case 13: put16(arp + 6, 2); put32(arp + 24, stray_ip()); break; /* an unasked reply */
			}
			send_frame(14 + 28 + below(18));
		}
	end_kind();
}

static void bad_ipv4(unsigned rounds)
{
	begin_kind("IPv4: truncated header (1 to 19 bytes)");
	for (unsigned r = 0; r < rounds; r++)
		for (size_t len = 1; len < 20; len++) {
			ping_frame(PING_MUST_DROP, 0, 8);
			send_frame(14 + len);
		}
	end_kind();

	begin_kind("IPv4: versions other than 4");
	for (unsigned r = 0; r < rounds; r++)
		for (unsigned version = 0; version < 16; version++) {
			if (version == 4)
				continue;
			size_t len = ping_frame(PING_MUST_DROP, 1, 8);
			frame[14] = (uint8_t)(version << 4 | 5);
			ipv4_checksum(frame + 14);
			send_frame(len);
		}
	end_kind();

	begin_kind("IPv4: header length below 5 words, and beyond the frame or the total length");
	for (unsigned r = 0; r < rounds; r++)
		for (unsigned ihl = 0; ihl < 16; ihl++) {
			if (ihl == 5)
				continue;
			size_t len = ping_frame(PING_MUST_DROP, 2, ihl > 5 ? r * 4 : 8);
			frame[14] = (uint8_t)(0x40 | ihl);
			put16(frame + 24, 0);
			put16(frame + 24, fold(sum_words(0, frame + 14, ihl >= 5 ? ihl * 4 : 20)));
			send_frame(len);
		}
	end_kind();

	begin_kind("IPv4: options (random, and with bad lengths)");
	for (unsigned r = 0; r < rounds; r++)
		for (unsigned words = 1; words <= 10; words++) {
			uint8_t *ip = ethernet(guest_mac, own_mac, ETH_IPV4);
			size_t header_len = 20 + 4 * words;
			uint8_t *icmp = ip + header_len;
			ipv4(ip, own_ip, guest_ip, PROTO_ICMP, 16);
			ip[0] = (uint8_t)(0x40 | (header_len / 4));
			put16(ip + 2, (uint16_t)(header_len + 16));
			random_bytes(ip + 20, header_len - 20);
			if (r & 1) { /* option types that claim lengths of 0, 1 and beyond the header */
				ip[20] = (uint8_t)(0x80 | below(32));
				ip[21] = (uint8_t)(words & 1 ? 0 : 1 + below(255));
			}
			icmp[0] = 8;
			icmp[1] = 0;
			put16(icmp + 4, PING_EITHER); /* lwIP may answer pings with options: not a bug */
			put16(icmp + 6, (uint16_t)words);
			memset(icmp + 8, 0, 8);
			l4_checksum4(own_ip, guest_ip, PROTO_ICMP, icmp, 16, 2);
			ipv4_checksum(ip);
			send_frame(14 + header_len + 16);
		}
	end_kind();

	begin_kind("IPv4: total length beyond the frame, below the header, zero");
	for (unsigned r = 0; r < rounds; r++)
		for (unsigned variant = 0; variant < 8; variant++) {
			size_t len = ping_frame(PING_MUST_DROP, 3, 32);
			static const uint16_t totals[] = { 0, 1, 19, 20, 27, 61, 1500, 65535 };
			put16(frame + 16, totals[variant]);
			ipv4_checksum(frame + 14);
			send_frame(variant < 5 || r & 1 ? len : len - 8);
		}
	end_kind();

	begin_kind("IPv4: bad header checksums");
	for (unsigned r = 0; r < rounds; r++)
		for (unsigned i = 0; i < 16; i++) {
			size_t len = ping_frame(PING_MUST_DROP, 4, 8 + i);
			frame[24] ^= (uint8_t)(1 + below(255));
			send_frame(len);
		}
	end_kind();

	begin_kind("IPv4: odd source and destination addresses");
	static const uint32_t odd_addresses[] = { 0, 0xffffffff, IPV4(10, 0, 2, 255), IPV4(127, 0, 0, 1),
						  IPV4(224, 0, 0, 1), IPV4(239, 255, 255, 250), IPV4(10, 0, 2, 15),
						  IPV4(240, 0, 0, 1), IPV4(10, 0, 2, 200) };
	for (unsigned r = 0; r < rounds; r++)
		for (unsigned i = 0; i < sizeof(odd_addresses) / sizeof(odd_addresses[0]); i++) {
			size_t len = ping_frame(PING_EITHER, 5, 8);
			put32(frame + 14 + (r & 1 ? 16 : 12), odd_addresses[i]);
			ipv4_checksum(frame + 14);
			l4_checksum4(get32(frame + 26), get32(frame + 30), PROTO_ICMP, frame + 34, len - 34, 2);
			send_frame(len);
		}
	end_kind();

	begin_kind("IPv4: protocols other than ICMP, TCP and UDP, random payloads");
	static const uint8_t protocols[] = { 0, PROTO_IGMP, 4, 41, 47, 50, 51, 89, 132, 253, 255 };
	for (unsigned r = 0; r < rounds; r++)
		for (unsigned i = 0; i < sizeof(protocols); i++) {
			uint8_t *ip = ethernet(guest_mac, own_mac, ETH_IPV4);
			size_t payload = below(64);
			random_bytes(ipv4(ip, own_ip, guest_ip, protocols[i], payload), payload);
			send_frame(34 + payload);
		}
	end_kind();
}

/* One IPv4 fragment of datagram id: bytes [offset, offset+len) of the ICMP message at payload. */
static size_t fragment4(uint16_t id, const uint8_t *payload, size_t offset, size_t len, bool more)
{
	uint8_t *ip = ethernet(guest_mac, own_mac, ETH_IPV4);
	ipv4(ip, own_ip, guest_ip, PROTO_ICMP, len);
	put16(ip + 4, id);
	put16(ip + 6, (uint16_t)((more ? 0x2000 : 0) | ((offset / 8) & 0x1fff)));
	ipv4_checksum(ip);
	memcpy(ip + 20, payload + offset, len);
	return 34 + len;
}

static void bad_fragments(unsigned rounds)
{
	static uint8_t message[65536 + 1480];
	size_t message_len = 3008;
	/* An echo request of message_len bytes. */
	memset(message, 0, sizeof(message));
	message[0] = 8;
	put16(message + 4, PING_EITHER);
	for (size_t i = 8; i < message_len; i++)
		message[i] = (uint8_t)i;

	begin_kind("IPv4 fragments: a valid ping in pieces, in reverse order");
	for (unsigned r = 0; r < rounds; r++) {
		put16(message + 6, (uint16_t)r);
		l4_checksum4(own_ip, guest_ip, PROTO_ICMP, message, message_len, 2);
		uint16_t id = (uint16_t)(0x1000 + r);
		for (size_t off = 2400; off + 1 > 0; off -= 800) {
			size_t len = message_len - off < 800 ? message_len - off : 800;
			send_frame(fragment4(id, message, off, len, off + len < message_len));
			if (off == 0)
				break;
		}
	}
	end_kind();

	begin_kind("IPv4 fragments: overlapping and duplicated pieces");
	for (unsigned r = 0; r < rounds * 4; r++) {
		uint16_t id = (uint16_t)(0x2000 + r);
		static const size_t starts[] = { 0, 800, 400, 1600, 1200, 2400, 0, 2000 };
		for (unsigned i = 0; i < 8; i++) {
			size_t off = (starts[(i + r) % 8] + 8 * below(8)) & ~(size_t)7;
			size_t len = off + 800 <= message_len ? 800 : message_len - off;
			random_bytes(message + off, r & 1 ? len : 0); /* different bytes in overlaps */
			send_frame(fragment4(id, message, off, len, off + len < message_len));
		}
	}
	end_kind();

	begin_kind("IPv4 fragments: offsets past 65535 (ping of death), odd lengths, lone last pieces");
	for (unsigned r = 0; r < rounds * 4; r++) {
		uint16_t id = (uint16_t)(0x3000 + r);
		send_frame(fragment4(id, message, 0, 1480, true));
		send_frame(fragment4(id, message, 65528 - 8 * (r % 4), 1480, false)); /* ends past 65535 */
		send_frame(fragment4(id, message, 1480, 1 + below(1000), true)); /* not a multiple of 8, more to come */
		send_frame(fragment4((uint16_t)(id + 0x100), message, 8 * (1 + below(8000)), 100, false));
		send_frame(fragment4((uint16_t)(id + 0x200), message, 0, 0, true)); /* empty */
	}
	end_kind();

	begin_kind("IPv4 fragments: tiny first pieces of TCP SYNs, never completed datagrams");
	for (unsigned r = 0; r < rounds * 8; r++) {
		tcp4_frame(own_mac, own_ip, (uint16_t)(PORT_MUST_DROP_FIRST + r), http_port, (uint32_t)random64(), 0,
			   TCP_SYN, 1024, NULL, 0, NULL, 0);
		put16(frame + 18, (uint16_t)(0x4000 + r));
		put16(frame + 20, 0x2000); /* more fragments: the rest never comes */
		put16(frame + 16, 20 + 8);
		ipv4_checksum(frame + 14);
		send_frame(14 + 20 + 8);
	}
	end_kind();
}

/* A SYN from this station with the given options bytes (any length up to 40). */
static size_t syn_with_options(uint16_t sport, const uint8_t *options, size_t options_len)
{
	uint8_t padded[40];
	size_t padded_len = (options_len + 3) & ~(size_t)3;
	memset(padded, 0, sizeof(padded));
	memcpy(padded, options, options_len);
	return tcp4_frame(own_mac, own_ip, sport, http_port, (uint32_t)random64(), 0, TCP_SYN, 8192, padded, padded_len,
			  NULL, 0);
}

static void bad_tcp(unsigned rounds)
{
	begin_kind("TCP: bad checksums (SYNs to the server)");
	for (unsigned r = 0; r < rounds * 8; r++) {
		size_t len = tcp4_frame(own_mac, own_ip, (uint16_t)(PORT_MUST_DROP_FIRST + 100 + r), http_port,
					(uint32_t)random64(), 0, TCP_SYN, 8192, NULL, 0, NULL, 0);
		frame[34 + 16 + below(2)] ^= (uint8_t)(1 + below(255));
		send_frame(len);
	}
	end_kind();

	begin_kind("TCP: truncated headers (1 to 19 bytes)");
	for (unsigned r = 0; r < rounds; r++)
		for (size_t tcp_len = 1; tcp_len < 20; tcp_len++) {
			tcp4_frame(own_mac, own_ip, (uint16_t)(PORT_MUST_DROP_FIRST + 200), http_port, 1, 0, TCP_SYN,
				   8192, NULL, 0, NULL, 0);
			put16(frame + 16, (uint16_t)(20 + tcp_len));
			ipv4_checksum(frame + 14);
			if (tcp_len >= 18) /* (shorter ones have no room for a checksum) */
				l4_checksum4(own_ip, guest_ip, PROTO_TCP, frame + 34, tcp_len, 16);
			send_frame(34 + tcp_len);
		}
	end_kind();

	begin_kind("TCP: data offsets below 5 and beyond the segment");
	for (unsigned r = 0; r < rounds; r++)
		for (unsigned offset = 0; offset < 16; offset++) {
			size_t data_len = r * 4;
			uint8_t data[16] = { 0 };
			size_t len = tcp4_frame(own_mac, own_ip, (uint16_t)(50000 + offset), http_port, (uint32_t)random64(),
						0, r & 1 ? TCP_SYN : TCP_ACK | TCP_PSH, 8192, NULL, 0, data, data_len);
			frame[34 + 12] = (uint8_t)(offset << 4);
			l4_checksum4(own_ip, guest_ip, PROTO_TCP, frame + 34, len - 34, 16);
			send_frame(len);
		}
	end_kind();

	begin_kind("TCP: SYNs with malformed options");
	static const uint8_t option_sets[][12] = {
		{ 2, 0 },			/* MSS of length 0: an endless loop for a careless parser */
		{ 2, 1 },
		{ 2, 3, 0 },
		{ 2, 4, 0, 0 },			/* MSS 0 */
		{ 2, 4, 0, 1 },			/* MSS 1 */
		{ 2, 40 },			/* beyond the header */
		{ 3, 3, 255 },			/* window scale 255 */
		{ 3, 2 },
		{ 3, 0 },
		{ 4, 0 },			/* SACK permitted, length 0 */
		{ 4, 9 },
		{ 5, 2 },			/* SACK blocks in a SYN */
		{ 8, 10, 1, 2, 3, 4, 5, 6, 7, 8 },
		{ 8, 250 },
		{ 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1 },
		{ 0, 2, 4, 5, 180 },		/* the end of the list, then more */
		{ 254, 0 },
		{ 254, 1 },
		{ 19, 18 },			/* MD5 signature, truncated */
		{ 30, 0 },			/* multipath */
		{ 34, 255 },			/* fast open cookie */
	};
	for (unsigned r = 0; r < rounds; r++)
		for (unsigned i = 0; i < sizeof(option_sets) / sizeof(option_sets[0]); i++)
			send_frame(syn_with_options((uint16_t)(51000 + i), option_sets[i], 4 + 4 * (r % 3)));
	for (unsigned r = 0; r < rounds * 16; r++) { /* random options */
		uint8_t options[40];
		random_bytes(options, sizeof(options));
		send_frame(syn_with_options((uint16_t)(51100 + r), options, 4 * (1 + below(10))));
	}
	end_kind();

	begin_kind("TCP: every combination of flags to the server's port and to a closed one");
	for (unsigned r = 0; r < rounds; r++)
		for (unsigned flags = 0; flags < 256; flags++) {
			uint8_t data[8] = "garbage";
			uint16_t dport = flags & 1 ? 9 : http_port;
			tcp4_frame(own_mac, own_ip, (uint16_t)(52000 + flags), dport, (uint32_t)random64(), (uint32_t)random64(),
				   (uint8_t)flags, (uint16_t)random64(), NULL, 0, data, r & 1 ? sizeof(data) : 0);
			send_frame(r & 1 ? 34 + 20 + 8 : 34 + 20);
		}
	end_kind();
}

static void bad_established(unsigned rounds)
{
	begin_kind("TCP over IPv6: garbage on an established connection, then a request on it");
	for (unsigned r = 0; r < rounds; r++) {
		if (!connect_guest(SYNC_TIMEOUT_MS))
			fail("the server does not accept a connection from this station");
		uint32_t una = conn.snd_nxt;
		uint8_t junk[1400];
		random_bytes(junk, sizeof(junk));
		send_data(una + 0x80000000u, junk, 100, TCP_ACK);		/* far outside the window */
		send_data(una + 700000, junk, 1000, TCP_ACK);		/* beyond the window */
		send_data(una + 5000, junk, 1400, TCP_ACK);		/* out of order, kept */
		send_data(una + 4000, junk, 1400, TCP_ACK);		/* overlaps the one above */
		send_data(una + 4500, junk, 0, TCP_ACK | TCP_URG);	/* urgent pointer (0) */
		send_conn_segment(una + 9000, conn.rcv_nxt + 1000000, TCP_ACK, 0, NULL, 0, junk, 10); /* acks what was never sent */
		send_conn_segment(una - 5, conn.rcv_nxt, TCP_RST, 0, NULL, 0, NULL, 0);	/* a reset outside the window */
		send_conn_segment(una + 100, conn.rcv_nxt, TCP_SYN, 1000, NULL, 0, NULL, 0);	/* a SYN inside the window */
		send_conn_segment(una + 3000, conn.rcv_nxt, TCP_ACK | TCP_FIN, 0, NULL, 0, junk, 10); /* a FIN in the future */
		static const uint8_t sack[12] = { 1, 1, 5, 10, 0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff };
		send_conn_segment(una, conn.rcv_nxt, TCP_ACK, 100, sack, 12, NULL, 0);	/* SACK blocks nobody asked for */
		current_kind->frames += 10;
		frames_total += 10;
		if (!request_answered(SYNC_TIMEOUT_MS))
			fail("no answer to a request after garbage on its connection (%zu bytes came: %.40s)",
			     conn.answer_len, conn.answer);
		close_connection();
	}
	end_kind();
}

static void bad_udp_icmp(unsigned rounds)
{
	begin_kind("UDP: bad lengths and checksums, closed ports, bogus DHCP");
	for (unsigned r = 0; r < rounds; r++)
		for (unsigned variant = 0; variant < 10; variant++) {
			/* 0-5 to a closed port; 6-9 to lwIP's DHCP client (port 68) */
			size_t data_len = variant == 7 || variant == 9 ? 240 + below(100) : 1 + below(200);
			size_t len = udp4_frame(variant == 9 ? 67 : 40000, variant < 6 ? 7 : 68, data_len);
			uint8_t *udp = frame + 34;
			switch (variant) {
			case 0: put16(udp + 4, 0); break;
			case 1: put16(udp + 4, 7); break;
			case 2: put16(udp + 4, (uint16_t)(8 + data_len + 1)); break;
			case 3: put16(udp + 4, 65535); break;
			case 6: break;	/* random bytes */
			case 7:		/* BOOTP replies with the magic cookie and random options (and xid) */
			case 9: udp[8] = 2; udp[9] = 1; udp[10] = 6; put32(udp + 8 + 236, 0x63825363); break;
			case 8: len = 34 + 8 + 3; put16(udp + 4, 11); break; /* truncated */
			}
			if (variant != 4 && variant != 5) /* lengths wrong but checksummed as they are */
				l4_checksum4(own_ip, guest_ip, PROTO_UDP, udp, len - 34, 6);
			if (variant == 4)
				udp[6] ^= 0x55;	/* a bad checksum */
			if (variant == 5)
				put16(udp + 6, 0);	/* no checksum: valid */
			send_frame(len);
		}
	end_kind();

	begin_kind("ICMP: truncated, bad checksums, every type and code");
	for (unsigned r = 0; r < rounds; r++) {
		for (size_t icmp_len = 1; icmp_len < 8; icmp_len++) {
			uint8_t *ip = ethernet(guest_mac, own_mac, ETH_IPV4);
			uint8_t *icmp = ipv4(ip, own_ip, guest_ip, PROTO_ICMP, icmp_len);
			memset(icmp, 0, icmp_len);
			icmp[0] = 8;
			send_frame(34 + icmp_len);
		}
		for (unsigned i = 0; i < 8; i++) {
			size_t len = ping_frame(PING_MUST_DROP, 6, 8 * i);
			frame[34 + 2] ^= (uint8_t)(1 + below(255));
			send_frame(len);
		}
		for (unsigned type = 0; type < 256; type++) {
			if (type == 8)
				continue;
			uint8_t *ip = ethernet(guest_mac, own_mac, ETH_IPV4);
			size_t body = 8 + below(56);
			uint8_t *icmp = ipv4(ip, own_ip, guest_ip, PROTO_ICMP, body);
			random_bytes(icmp, body);
			icmp[0] = (uint8_t)type;
			if ((type == 3 || type == 11 || type == 12) && body >= 28) /* quotes a bogus IPv4 header */
				icmp[8] = (uint8_t)(0x40 | below(16));
			l4_checksum4(own_ip, guest_ip, PROTO_ICMP, icmp, body, 2);
			send_frame(34 + body);
		}
	}
	end_kind();
}

static uint8_t *ipv6_to_guest(uint8_t next, size_t payload_len, uint8_t hop_limit)
{
	uint8_t *ip = ethernet(guest_mac, own_mac, ETH_IPV6);
	return ipv6(ip, own_ip6, guest_ip6, next, payload_len, hop_limit);
}

/* An echo request behind a chain of count extension headers of the given
 * types, 8 bytes each; returns the frame length. */
static size_t ipv6_chain(const uint8_t *types, unsigned count, uint8_t hop_limit)
{
	uint8_t *p = ipv6_to_guest(types[0], 0, hop_limit);
	uint8_t *start = p;
	for (unsigned i = 0; i < count; i++) {
		uint8_t next = i + 1 < count ? types[i + 1] : PROTO_ICMP6;
		p[0] = next;
		p[1] = 0;
		memset(p + 2, 0, 6);
		if (types[i] == 44) { /* a fragment header: offset 0, no more */
			put32(p + 4, (uint32_t)random64());
		} else if (types[i] == 43) { /* routing: random type, segments left */
			p[2] = (uint8_t)below(5);
			p[3] = (uint8_t)below(3);
		} else {
			p[2] = 1; /* PadN over the rest */
			p[3] = 4;
		}
		p += 8;
	}
	p[0] = 128;
	p[1] = 0;
	put16(p + 4, PING_EITHER);
	put16(p + 6, (uint16_t)count);
	memset(p + 8, 0x5a, 8);
	l4_checksum6(own_ip6, guest_ip6, PROTO_ICMP6, p, 16, 2);
	put16(frame + 18, (uint16_t)(p + 16 - start));
	return (size_t)(p + 16 - frame);
}

static void bad_ipv6(unsigned rounds)
{
	ping6_guest("before the IPv6 frames");

	begin_kind("IPv6: truncated header (1 to 39 bytes), versions other than 6");
	for (unsigned r = 0; r < rounds; r++) {
		for (size_t len = 1; len < 40; len++) {
			make_ping6();
			send_frame(14 + len);
		}
		for (unsigned version = 0; version < 16; version++) {
			size_t len = make_ping6();
			if (version == 6)
				continue;
			frame[14] = (uint8_t)(version << 4);
			send_frame(len);
		}
	}
	end_kind();

	begin_kind("IPv6: payload length beyond the frame, short, zero");
	for (unsigned r = 0; r < rounds; r++) {
		static const uint16_t lengths[] = { 0, 1, 7, 8, 19, 21, 100, 1500, 65535 };
		for (unsigned i = 0; i < sizeof(lengths) / sizeof(lengths[0]); i++) {
			uint8_t body[4 + 16];
			put16(body, PING_MUST_DROP);
			put16(body + 2, (uint16_t)i);
			memset(body + 4, 0, 16);
			size_t len = icmp6_frame(guest_mac, guest_ip6, 128, 0, body, sizeof(body), 64);
			put16(frame + 18, lengths[i]);
			send_frame(len);
		}
	}
	end_kind();

	begin_kind("IPv6: extension header chains (long, out of order, unknown, bad lengths)");
	for (unsigned r = 0; r < rounds; r++) {
		static const struct {
			uint8_t types[8];
			unsigned count;
		} chains[] = {
			{ { 0 }, 1 }, { { 60 }, 1 }, { { 0, 0 }, 2 }, { { 60, 0 }, 2 }, { { 43 }, 1 }, { { 43, 43 }, 2 },
			{ { 44 }, 1 }, { { 44, 44 }, 2 }, { { 0, 60, 43, 44, 60 }, 5 }, { { 60, 60, 60, 60, 60, 60, 60, 60 }, 8 },
			{ { 44, 0 }, 2 }, { { 51 }, 1 }, { { 50 }, 1 }, { { 59 }, 1 }, { { 253 }, 1 }, { { 135 }, 1 },
			{ { 139 }, 1 },
		};
		for (unsigned i = 0; i < sizeof(chains) / sizeof(chains[0]); i++)
			send_frame(ipv6_chain(chains[i].types, chains[i].count, 64));
		uint8_t long_chain[40];
		memset(long_chain, 60, sizeof(long_chain));
		send_frame(ipv6_chain(long_chain, 30 + r, 64));
		/* header lengths that run past the packet, and options with odd actions */
		for (unsigned i = 0; i < 12; i++) {
			static const uint8_t first[] = { 0, 60, 43, 44 };
			size_t len = ipv6_chain(&first[i % 4], 1, 64);
			uint8_t *ext = frame + 54;
			if (i < 4)
				ext[1] = (uint8_t)(1 + below(255)); /* length beyond the end */
			else if (i < 8)
				ext[2] = (uint8_t)(0x40 * (1 + below(3)) | below(32)), ext[3] = 4; /* skip/discard/ICMP */
			else
				ext[2] = 0xc2, ext[3] = 4; /* jumbo payload option, short */
			send_frame(len);
		}
	}
	end_kind();

	begin_kind("IPv6 fragments: overlapping, past 65535, nested, atomic");
	for (unsigned r = 0; r < rounds * 4; r++) {
		uint32_t id = (uint32_t)random64();
		for (unsigned i = 0; i < 5; i++) {
			uint8_t *frag = ipv6_to_guest(44, 8 + 512, 64);
			frag[0] = PROTO_ICMP6;
			frag[1] = 0;
			size_t offset = i == 4 ? 65528 - 8 * below(4) : (size_t)below(4) * 256;
			put16(frag + 2, (uint16_t)(offset | (i < 4 || r & 1)));
			put32(frag + 4, id);
			random_bytes(frag + 8, 512);
			if (offset == 0) { /* the first piece starts an echo request */
				frag[8] = 128;
				frag[9] = 0;
				put16(frag + 12, PING_EITHER);
				if (r & 2)
					frag[0] = 44; /* a fragment inside a fragment */
			}
			send_frame(14 + 40 + 8 + 512);
		}
	}
	end_kind();

	begin_kind("ICMPv6: truncated, bad checksums, every type");
	for (unsigned r = 0; r < rounds; r++) {
		for (size_t len = 1; len < 4; len++) {
			uint8_t *icmp = ipv6_to_guest(PROTO_ICMP6, len, 64);
			memset(icmp, 0, len);
			icmp[0] = 128;
			send_frame(54 + len);
		}
		for (unsigned i = 0; i < 4; i++) {
			uint8_t body[4 + 16];
			put16(body, PING_MUST_DROP);
			put16(body + 2, (uint16_t)i);
			size_t len = icmp6_frame(guest_mac, guest_ip6, 128, 0, body, sizeof(body), 64);
			frame[54 + 2] ^= (uint8_t)(1 + i);
			send_frame(len);
		}
		for (unsigned type = 0; type < 256; type++) {
			if (type == 128 || type == 133 || type == 134 || type == 135 || type == 136 || type == 137)
				continue;
			uint8_t body[64];
			random_bytes(body, sizeof(body));
			if (type == 2) /* packet too big: an MTU the guest must not take for this station */
				put32(body, (uint32_t)below(1280));
			send_frame(icmp6_frame(guest_mac, guest_ip6, (uint8_t)type, (uint8_t)below(4), body,
					       below(sizeof(body)), (uint8_t)(r & 1 ? 255 : 64)));
		}
	}
	end_kind();

	begin_kind("ICMPv6: neighbor discovery with bad options (length 0, past the end, odd prefixes and MTUs)");
	for (unsigned r = 0; r < rounds; r++)
		for (unsigned variant = 0; variant < 24; variant++) {
			static const uint8_t nd_types[] = { 133, 134, 135, 136, 137 };
			uint8_t type = nd_types[variant % 5];
			uint8_t body[200];
			size_t body_len;
			memset(body, 0, sizeof(body));
			if (type == 134) { /* router advertisement: hop limit, flags, lifetime, reachable, retrans */
				body[0] = 64;
				put16(body + 2, (uint16_t)below(2));
				body_len = 12;
			} else if (type == 137) { /* redirect: target, destination */
				memcpy(body + 4, own_ip6, 16);
				memcpy(body + 20, own_ip6, 16);
				body_len = 36;
			} else if (type == 133) {
				body_len = 4;
			} else { /* solicitation or advertisement of the guest's address, or of a stranger's */
				memcpy(body + 4, variant & 8 ? own_ip6 : guest_ip6, 16);
				if (type == 136)
					memcpy(body + 4, own_ip6, 16); /* never claim the guest's own address */
				body_len = 20;
			}
			uint8_t *opt = body + body_len;
			switch (variant / 5) {
			case 0: opt[0] = 1; opt[1] = 0; body_len += 8; break;		/* length 0 */
			case 1: opt[0] = 1; opt[1] = 9; body_len += 8; break;		/* past the end */
			case 2: opt[0] = 3; opt[1] = 4; opt[2] = (uint8_t)below(256); /* a prefix */
				opt[3] = 0xc0; put32(opt + 4, 0xffffffff); put32(opt + 8, 0xffffffff);
				opt[16] = 0x20; opt[17] = 0x01; opt[18] = 0x0d; opt[19] = 0xb8;
				body_len += 32; break;
			case 3: opt[0] = 5; opt[1] = 1; put32(opt + 4, (uint32_t)below(1280)); body_len += 8; break; /* MTU */
			default: random_bytes(opt, 64); body_len += 8 * below(9); break;
			}
			uint8_t hop_limit = variant & 1 ? 64 : 255;
			send_frame(icmp6_frame(variant & 2 ? all_nodes_mac : guest_mac, variant & 2 ? all_nodes_ip6 : guest_ip6,
					       type, 0, body, body_len, hop_limit));
		}
	end_kind();

	/* The guest keeps a path MTU per destination: a "packet too big" with a tiny
	 * MTU for this station, then a ping whose answer is bigger than that MTU. */
	begin_kind("ICMPv6: packet too big with MTUs below 1280 for this station, then big pings");
	for (unsigned r = 0; r < rounds; r++) {
		static const uint32_t mtus[] = { 0, 1, 8, 40, 48, 52, 55, 56, 60, 100, 1279 };
		for (unsigned i = 0; i < sizeof(mtus) / sizeof(mtus[0]); i++) {
			uint8_t body[4 + 40 + 8];
			put32(body, mtus[i]);
			ipv6(body + 4, guest_ip6, own_ip6, PROTO_ICMP6, 8 + 100, 64); /* the packet that was "too big" */
			memset(body + 44, 0, 8);
			send_frame(icmp6_frame(guest_mac, guest_ip6, 2, 0, body, sizeof(body), 255));
			uint8_t ping[4 + 200];
			put16(ping, PING_EITHER);
			put16(ping + 2, (uint16_t)i);
			memset(ping + 4, 0x33, 200);
			send_frame(icmp6_frame(guest_mac, guest_ip6, 128, 0, ping, sizeof(ping), 64));
		}
	}
	end_kind();

	ping6_guest("after the IPv6 frames");
}

static void random_frames(unsigned rounds)
{
	begin_kind("random bytes: whole frames");
	for (unsigned i = 0; i < rounds * 200; i++) {
		size_t len = 1 + below(1514);
		random_bytes(frame, len);
		memcpy(frame, i & 1 ? broadcast_mac : guest_mac, len < 6 ? len : 6);
		send_frame(len);
	}
	end_kind();

	begin_kind("random bytes: behind valid IPv4 and IPv6 headers, checksummed");
	for (unsigned i = 0; i < rounds * 400; i++) {
		size_t payload = below(1400);
		static const uint8_t protocols[] = { PROTO_ICMP, PROTO_TCP, PROTO_UDP, PROTO_IGMP, PROTO_ICMP6, 0, 43, 44, 60 };
		uint8_t proto = protocols[below(sizeof(protocols))];
		uint8_t *l4;
		if (i & 1) {
			l4 = ipv6_to_guest(proto, payload, (uint8_t)(i & 2 ? 255 : 64));
		} else {
			uint8_t *ip = ethernet(guest_mac, own_mac, ETH_IPV4);
			l4 = ipv4(ip, own_ip, guest_ip, proto, payload);
		}
		random_bytes(l4, payload);
		if (proto == PROTO_TCP && payload >= 20) {
			put16(l4, (uint16_t)(1024 + below(40000))); /* not where SYN-ACKs mean a bug */
			put16(l4 + 2, i & 4 ? http_port : (uint16_t)below(65536));
			l4[12] = (uint8_t)((5 + below(11)) << 4);
		}
		size_t csum_at = proto == PROTO_TCP ? 16 : proto == PROTO_UDP ? 6 : 2;
		bool checksummed = proto == PROTO_TCP || proto == PROTO_UDP || (i & 1 ? proto == PROTO_ICMP6 :
									    proto == PROTO_ICMP || proto == PROTO_IGMP);
		if (checksummed && payload >= csum_at + 2) {
			if (i & 1)
				l4_checksum6(own_ip6, guest_ip6, proto, l4, payload, csum_at);
			else
				l4_checksum4(own_ip, guest_ip, proto, l4, payload, csum_at);
		}
		send_frame((size_t)(l4 + payload - frame));
	}
	end_kind();
}

/* Spoofed sources: half on the guest's own subnet (nobody answers the guest's
 * ARP for them), half beyond the gateway. */
static void syn_flood(unsigned syns)
{
	begin_kind("SYN flood: SYNs with correct checksums from spoofed addresses and ports");
	static const uint8_t options[8] = { 2, 4, 0x05, 0xb4, 1, 3, 3, 7 };
	for (unsigned i = 0; i < syns; i++) {
		uint32_t src;
		uint8_t src_mac[6];
		if (i & 1) {
			src = IPV4(10, 0, 2, 16 + below(239));
			if (src == own_ip)
				src++;
			memcpy(src_mac, own_mac, 6);
			src_mac[5] = (uint8_t)(src & 0xff);
		} else {
			do
				src = (uint32_t)random64();
			while ((src >> 24) == 0 || (src >> 24) == 10 || (src >> 24) == 127 || (src >> 24) >= 224);
			memcpy(src_mac, gateway_mac, 6);
		}
		send_frame(tcp4_frame(src_mac, src, (uint16_t)(1024 + below(64000)), http_port, (uint32_t)random64(), 0,
				      TCP_SYN, (uint16_t)(1024 + below(64000)), options, i & 2 ? 8 : 4, NULL, 0));
	}
	end_kind();
}

static void report(void)
{
	printf("inject: sent %u bad frames of %u kinds, %u pacing pings:\n", frames_total, kind_count, seen.probes);
	for (unsigned i = 0; i < kind_count; i++)
		if (kinds[i].frames)
			printf("  %6u  %s\n", kinds[i].frames, kinds[i].name);
	printf("inject: the guest sent %u frames: %u ARP requests (%u for this station), %u ARP replies, %u echo replies, "
	       "%u SYN-ACKs, %u resets, %u ICMP errors, %u IPv6, %u other\n",
	       seen.frames, seen.arp_requests, seen.arp_requests_for_us, seen.arp_replies, seen.echo_replies,
	       seen.syn_acks, seen.resets, seen.icmp_errors, seen.ipv6, seen.other);
}

/* Answers to frames the guest must drop; 0 when there were none. */
static int answers_to_dropped(void)
{
	unsigned extra_arp = seen.arp_replies_to_stranger > arp_requests_from_stranger ?
				     seen.arp_replies_to_stranger - arp_requests_from_stranger : 0;
	if (seen.answered_must_drop)
		printf("inject: FAIL: %u answers to pings with bad checksums or lengths\n", seen.answered_must_drop);
	if (seen.answered_hidden)
		printf("inject: FAIL: %u answers to pings hidden at buffer boundaries of oversize frames\n",
		       seen.answered_hidden);
	if (seen.syn_acks_must_drop)
		printf("inject: FAIL: %u SYN-ACKs to SYNs with bad checksums or incomplete\n", seen.syn_acks_must_drop);
	if (extra_arp)
		printf("inject: FAIL: %u answers to truncated ARP requests (read with an earlier request's bytes)\n",
		       extra_arp);
	return seen.answered_must_drop || seen.answered_hidden || seen.syn_acks_must_drop || extra_arp;
}

static int parse_number(const char *s, long min, long max)
{
	char *end;
	long v = strtol(s, &end, 10);
	if (!*s || *end || v < min || v > max) {
		fprintf(stderr, "inject: bad number '%s'\n", s);
		exit(2);
	}
	return (int)v;
}

int main(int argc, char **argv)
{
	unsigned seed = 1, rounds = 4, syns = 3000;
	int arg = 1;
	for (; arg + 1 < argc && !strncmp(argv[arg], "--", 2); arg += 2) {
		if (!strcmp(argv[arg], "--trace")) {
			trace = true;
			arg--;
		} else if (!strcmp(argv[arg], "--seed"))
			seed = (unsigned)parse_number(argv[arg + 1], 0, 1000000);
		else if (!strcmp(argv[arg], "--rounds"))
			rounds = (unsigned)parse_number(argv[arg + 1], 1, 100);
		else if (!strcmp(argv[arg], "--syns"))
			syns = (unsigned)parse_number(argv[arg + 1], 0, 1000000);
		else if (!strcmp(argv[arg], "--port"))
			http_port = (uint16_t)parse_number(argv[arg + 1], 1, 65535);
		else
			break;
	}
	if (argc - arg != 2) {
		fprintf(stderr, "usage: inject [--seed N] [--rounds N] [--syns N] [--port N] [--trace] QEMU_TCP_PORT LOCAL_UDP_PORT\n");
		return 2;
	}
	prng_state = 0x6b697465ULL * 2654435761ULL + seed; /* never 0 */
	signal(SIGPIPE, SIG_IGN); /* a QEMU that went away: write's error says so */
	struct sockaddr_in qemu = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK),
				    .sin_port = htons((uint16_t)parse_number(argv[arg], 1, 65535)) };
	struct sockaddr_in local = qemu;
	local.sin_port = htons((uint16_t)parse_number(argv[arg + 1], 1, 65535));
	to_guest = socket(AF_INET, SOCK_STREAM, 0);
	if (connect(to_guest, (struct sockaddr *)&qemu, sizeof(qemu))) {
		printf("inject: cannot connect to QEMU's chardev at 127.0.0.1:%s: %s\n", argv[arg], strerror(errno));
		return 1;
	}
	from_guest_socket = socket(AF_INET, SOCK_DGRAM, 0);
	int big = 4 << 20;
	setsockopt(from_guest_socket, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
	if (bind(from_guest_socket, (struct sockaddr *)&local, sizeof(local))) {
		printf("inject: cannot listen on 127.0.0.1:%s: %s\n", argv[arg + 1], strerror(errno));
		return 1;
	}
	uint64_t start = now_ms();
	printf("inject: seed %u, %u rounds, %u SYNs to port %u\n", seed, rounds, syns, http_port);
	fflush(stdout);

	/* First the path itself: the guest must answer this station at all. */
	begin_kind("(the first ping)");
	sync_guest();

	bad_ethernet(rounds);
	bad_arp(rounds);
	bad_ipv4(rounds);
	bad_fragments(rounds);
	bad_tcp(rounds);
	bad_established(rounds);
	bad_udp_icmp(rounds);
	bad_ipv6(rounds);
	random_frames(rounds);
	syn_flood(syns);

	/* After the flood new connections must be accepted, and answered, promptly. */
	begin_kind("(a SYN, a connection and a request after everything)");
	if (!syn_answered(AFTER_FLOOD_MS))
		fail("the server does not answer an IPv4 SYN within %u s after the SYN flood", AFTER_FLOOD_MS / 1000);
	if (!connect_guest(AFTER_FLOOD_MS))
		fail("the server does not accept an IPv6 connection within %u s after the SYN flood", AFTER_FLOOD_MS / 1000);
	if (!request_answered(AFTER_FLOOD_MS))
		fail("the server does not answer a request within %u s after the SYN flood", AFTER_FLOOD_MS / 1000);
	close_connection();
	end_kind();

	report();
	if (answers_to_dropped())
		return 1;
	printf("inject: the guest answered throughout (%.1f s)\n", (double)(now_ms() - start) / 1000);
	return 0;
}
