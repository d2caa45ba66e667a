/*
 * The host's side of tests/net-peer-test.sh: services on 127.0.0.1 for
 * apps/netpeer (QEMU's user network shows them to the guest as 10.0.2.2).
 * It prints its ports on one line, in the order netpeer takes them:
 *
 *   SINK SOURCE ECHO UDP RESET CLOSED
 *
 *   sink    reads to EOF, then answers "BYTES HASH\n" (the hash below, in hex)
 *           and closes;
 *   source  reads a request "BYTES SEED\n", sends BYTES of the stream
 *           SEED (below), and closes;
 *   echo    sends back what it reads; at EOF, closes;
 *   udp     sends each datagram back to where it came from;
 *   reset   sends RESET_FIRST bytes of the stream RESET_SEED, waits for one
 *           byte, and closes with SO_LINGER {1, 0}: a reset, while the other
 *           end waits for more;
 *   closed  a TCP port bound but not listening: a connection is refused.
 *
 * The stream and the hash must be apps/netpeer's. Every TCP connection is
 * served by a thread of its own; the server runs until killed. An argument,
 * an IPv4 address, serves there instead of 127.0.0.1 (a tap interface's, for
 * a guest on it: docs/network.md).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define RESET_SEED 0x5eed0005
#define RESET_FIRST (256u << 10)

/* --- the stream and the hash (as in apps/netpeer/netpeer.c) --- */

#define STREAM_BLOCK_WORDS 8192

/* xorshift64: 8-byte words, little-endian, a block at a time. */
struct stream {
	uint64_t state;
	uint64_t words[STREAM_BLOCK_WORDS];
	size_t used; /* bytes of the block already taken */
};

static void stream_init(struct stream *s, uint64_t seed)
{
	s->state = seed ? seed : 1;
	s->used = sizeof(s->words);
}

/* The stream's next bytes: *n of them, or fewer at the end of a block. */
static const unsigned char *stream_next(struct stream *s, size_t *n)
{
	if (s->used == sizeof(s->words)) {
		for (size_t i = 0; i < STREAM_BLOCK_WORDS; i++) {
			s->state ^= s->state << 13;
			s->state ^= s->state >> 7;
			s->state ^= s->state << 17;
			s->words[i] = s->state;
		}
		s->used = 0;
	}
	size_t left = sizeof(s->words) - s->used;
	if (*n > left)
		*n = left;
	const unsigned char *p = (const unsigned char *)s->words + s->used;
	s->used += *n;
	return p;
}

/* FNV-1a over 8-byte little-endian words (a last partial word padded with
 * zeros), and the byte count. */
struct hash {
	uint64_t value, bytes;
	unsigned char partial[8];
};

static void hash_init(struct hash *h)
{
	memset(h, 0, sizeof(*h));
	h->value = 0xcbf29ce484222325ull;
}

static void hash_word(struct hash *h, const unsigned char *p)
{
	uint64_t w;
	memcpy(&w, p, 8);
	h->value = (h->value ^ w) * 0x100000001b3ull;
}

static void hash_add(struct hash *h, const unsigned char *p, size_t n)
{
	size_t have = h->bytes % 8;
	h->bytes += n;
	if (have) {
		size_t take = 8 - have < n ? 8 - have : n;
		memcpy(h->partial + have, p, take);
		p += take;
		n -= take;
		if (have + take < 8)
			return;
		hash_word(h, h->partial);
	}
	for (; n >= 8; p += 8, n -= 8)
		hash_word(h, p);
	memcpy(h->partial, p, n);
}

static uint64_t hash_end(struct hash *h)
{
	size_t have = h->bytes % 8;
	if (have) {
		memset(h->partial + have, 0, 8 - have);
		hash_word(h, h->partial);
	}
	return h->value;
}

/* --- the services --- */

enum service { SINK, SOURCE, ECHO, UDP, RESET, CLOSED, SERVICES };

struct connection {
	enum service service;
	int fd;
};

static int write_all(int fd, const void *buf, size_t len)
{
	for (size_t off = 0; off < len;) {
		ssize_t w = write(fd, (const char *)buf + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		off += (size_t)w;
	}
	return 0;
}

/* The first BYTES of stream s to fd; 0, or -1 when the other end is gone. */
static int send_stream(int fd, struct stream *s, uint64_t bytes)
{
	while (bytes) {
		size_t n = bytes < 65536 ? (size_t)bytes : 65536;
		const unsigned char *p = stream_next(s, &n);
		if (write_all(fd, p, n))
			return -1;
		bytes -= n;
	}
	return 0;
}

static void serve_sink(int fd)
{
	static __thread unsigned char buf[65536];
	struct hash h;
	hash_init(&h);
	ssize_t n;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		hash_add(&h, buf, (size_t)n);
	char answer[64];
	int len = snprintf(answer, sizeof(answer), "%llu %016llx\n", (unsigned long long)h.bytes,
			   (unsigned long long)hash_end(&h));
	write_all(fd, answer, (size_t)len);
}

static void serve_source(int fd)
{
	char request[64];
	size_t have = 0;
	while (have < sizeof(request) - 1 && !memchr(request, '\n', have)) {
		ssize_t n = read(fd, request + have, sizeof(request) - 1 - have);
		if (n <= 0)
			return;
		have += (size_t)n;
	}
	request[have] = '\0';
	unsigned long long bytes, seed;
	if (sscanf(request, "%llu %llu", &bytes, &seed) != 2) {
		fprintf(stderr, "peer_server: a bad source request\n");
		return;
	}
	static __thread struct stream s;
	stream_init(&s, seed);
	send_stream(fd, &s, bytes);
}

static void serve_echo(int fd)
{
	static __thread char buf[65536];
	ssize_t n;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		if (write_all(fd, buf, (size_t)n))
			return;
}

static void serve_reset(int fd)
{
	static __thread struct stream s;
	stream_init(&s, RESET_SEED);
	char go;
	if (send_stream(fd, &s, RESET_FIRST) || read(fd, &go, 1) != 1)
		return;
	/* Nothing more is sent before the reset: under QEMU's user network, a
	 * reset that finds data still unread by QEMU (libslirp 4.7) reaches
	 * the guest as a FIN, so the guest would see EOF where Linux sees
	 * ECONNRESET. The other end is waiting for more when it comes. */
	struct linger abort_on_close = { .l_onoff = 1, .l_linger = 0 };
	setsockopt(fd, SOL_SOCKET, SO_LINGER, &abort_on_close, sizeof(abort_on_close));
}

static void *serve(void *arg)
{
	struct connection c = *(struct connection *)arg;
	free(arg);
	switch (c.service) {
	case SINK: serve_sink(c.fd); break;
	case SOURCE: serve_source(c.fd); break;
	case ECHO: serve_echo(c.fd); break;
	case RESET: serve_reset(c.fd); break;
	default: break;
	}
	close(c.fd);
	return NULL;
}

static void echo_datagram(int fd)
{
	static char buf[65536];
	struct sockaddr_in from;
	socklen_t len = sizeof(from);
	ssize_t n = recvfrom(fd, buf, sizeof(buf), MSG_DONTWAIT, (struct sockaddr *)&from, &len);
	if (n >= 0)
		sendto(fd, buf, (size_t)n, 0, (struct sockaddr *)&from, len);
}

static struct in_addr address; /* where the services are */

static int bound_socket(int type, uint16_t *port)
{
	int s = socket(AF_INET, type, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr = address };
	socklen_t len = sizeof(a);
	if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof(a)) || getsockname(s, (struct sockaddr *)&a, &len)) {
		perror("peer_server");
		exit(1);
	}
	*port = ntohs(a.sin_port);
	return s;
}

int main(int argc, char **argv)
{
	address.s_addr = htonl(INADDR_LOOPBACK);
	if (argc > 2 || (argc == 2 && inet_pton(AF_INET, argv[1], &address) != 1)) {
		fprintf(stderr, "usage: peer_server [IPv4 ADDRESS]\n");
		return 2;
	}
	struct pollfd listeners[SERVICES];
	uint16_t ports[SERVICES];
	for (int i = 0; i < SERVICES; i++) {
		listeners[i] = (struct pollfd){ .fd = bound_socket(i == UDP ? SOCK_DGRAM : SOCK_STREAM, &ports[i]),
						.events = POLLIN };
		if (i != UDP && i != CLOSED && listen(listeners[i].fd, 64)) {
			perror("peer_server: listen");
			return 1;
		}
	}
	/* The closed port stays bound, so that no other program takes it, but
	 * is not polled: nothing ever arrives there. */
	listeners[CLOSED].fd = -1;
	printf("%u %u %u %u %u %u\n", ports[SINK], ports[SOURCE], ports[ECHO], ports[UDP], ports[RESET], ports[CLOSED]);
	fflush(stdout);
	for (;;) {
		if (poll(listeners, SERVICES, -1) < 0)
			continue;
		for (int i = 0; i < SERVICES; i++) {
			if (!(listeners[i].revents & POLLIN))
				continue;
			if (i == UDP) {
				echo_datagram(listeners[i].fd);
				continue;
			}
			int fd = accept(listeners[i].fd, NULL, NULL);
			struct connection *c = fd >= 0 ? malloc(sizeof(*c)) : NULL;
			pthread_t t;
			if (!c) {
				if (fd >= 0)
					close(fd);
				continue;
			}
			*c = (struct connection){ .service = (enum service)i, .fd = fd };
			if (pthread_create(&t, NULL, serve, c)) {
				close(fd);
				free(c);
				continue;
			}
			pthread_detach(t);
		}
	}
}
