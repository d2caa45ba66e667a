/*
 * TCP and UDP against a peer on another machine: tests/net/peer_server.c,
 * which tests/net-peer-test.sh starts on the host. On the host this program
 * reaches it at 127.0.0.1; in Kite, under QEMU's user network, at 10.0.2.2.
 * It prints nothing that depends on the address or the timing, so that its
 * output and exit status on Linux and in Kite can be compared:
 *
 *   netpeer ADDRESS SINK SOURCE ECHO UDP RESET CLOSED [MiB]
 *
 * (the ports in the order peer_server prints them; MiB, 100 by default, is
 * the size of each bulk transfer). One line per check:
 *   - MiB to the sink, verified by the hash it sends back;
 *   - MiB from the source, every byte checked, then EOF;
 *   - MiB through the echo both ways at once (a writer thread, and the
 *     main thread reading), every byte checked, then EOF after half-close;
 *   - UDP_DATAGRAMS datagrams through the UDP echo, each retried until its
 *     echo comes back (UDP may drop), every byte checked;
 *   - a non-blocking connect, poll, SO_ERROR and a round trip;
 *   - a connection the peer resets while this end waits for more: recv's
 *     error (once), send's after it, and no descriptor left behind;
 *   - a connection to a port where nobody listens, blocking and not.
 * A watchdog ends the program (status 3) if a check takes too long, rather
 * than let it hang.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define RESET_SEED 0x5eed0005
#define RESET_FIRST (256u << 10)
#define UDP_DATAGRAMS 300
#define UDP_TRIES 20
#define UDP_WAIT_MS 250
#define WATCHDOG_SECONDS 50
#define CHUNK 65536

static int failures;
static struct sockaddr_in peer;
static const char *volatile current_check = "start-up";

static void check(int ok, const char *what)
{
	if (!ok) {
		printf("FAILED: %s (%s)\n", what, strerror(errno));
		failures++;
	}
}

/* The errno names this program can meet, for its output. */
static const char *errno_name(int e)
{
	switch (e) {
	case 0: return "no error";
	case EAGAIN: return "EAGAIN";
	case ECONNRESET: return "ECONNRESET";
	case ECONNREFUSED: return "ECONNREFUSED";
	case ECONNABORTED: return "ECONNABORTED";
	case EINPROGRESS: return "EINPROGRESS";
	case EALREADY: return "EALREADY";
	case EISCONN: return "EISCONN";
	case ENOTCONN: return "ENOTCONN";
	case EPIPE: return "EPIPE";
	case ETIMEDOUT: return "ETIMEDOUT";
	case EHOSTUNREACH: return "EHOSTUNREACH";
	case ENETUNREACH: return "ENETUNREACH";
	default: return strerror(e);
	}
}

static void *watchdog(void *arg)
{
	(void)arg;
	struct timespec limit = { .tv_sec = WATCHDOG_SECONDS };
	while (nanosleep(&limit, &limit) && errno == EINTR)
		;
	printf("netpeer: %s still running after %d s\n", current_check, WATCHDOG_SECONDS);
	fflush(stdout);
	_exit(3);
}

static struct sockaddr_in peer_port(uint16_t port)
{
	struct sockaddr_in a = peer;
	a.sin_port = htons(port);
	return a;
}

/* A connected TCP socket, or -1 (errno set). */
static int connect_to(uint16_t port)
{
	int s = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = peer_port(port);
	if (s >= 0 && connect(s, (struct sockaddr *)&a, sizeof(a))) {
		int e = errno;
		close(s);
		errno = e;
		return -1;
	}
	return s;
}

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

/* --- the stream and the hash (as in tests/net/peer_server.c) --- */

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

/* Whether buf holds the stream's next n bytes (which it takes either way). */
static int stream_matches(struct stream *s, const unsigned char *buf, size_t n)
{
	int same = 1;
	while (n) {
		size_t piece = n;
		const unsigned char *expected = stream_next(s, &piece);
		same &= !memcmp(buf, expected, piece);
		buf += piece;
		n -= piece;
	}
	return same;
}

/* The first BYTES of stream s to fd; 0, or -1 (errno set). */
static int send_stream(int fd, struct stream *s, uint64_t bytes)
{
	while (bytes) {
		size_t n = bytes < CHUNK ? (size_t)bytes : CHUNK;
		const unsigned char *p = stream_next(s, &n);
		if (write_all(fd, p, n))
			return -1;
		bytes -= n;
	}
	return 0;
}

/* Reads fd to its end, checking it against stream s: the bytes read, and
 * *intact; *error is 0 at EOF, else recv's errno. */
static uint64_t receive_stream(int fd, struct stream *s, int *intact, int *error)
{
	static __thread unsigned char buf[CHUNK];
	uint64_t received = 0;
	ssize_t n;
	*intact = 1;
	while ((n = recv(fd, buf, sizeof(buf), 0)) > 0 || (n < 0 && errno == EINTR)) {
		if (n < 0)
			continue;
		*intact &= stream_matches(s, buf, (size_t)n);
		received += (uint64_t)n;
	}
	*error = n < 0 ? errno : 0;
	return received;
}

/* FNV-1a over 8-byte little-endian words; the streams here are whole words. */
static uint64_t hash_words(uint64_t h, const unsigned char *p, size_t n)
{
	for (; n >= 8; p += 8, n -= 8) {
		uint64_t w;
		memcpy(&w, p, 8);
		h = (h ^ w) * 0x100000001b3ull;
	}
	return h;
}

/* --- bulk transfers --- */

static void to_sink(uint16_t port, uint64_t bytes)
{
	current_check = "sink";
	int s = connect_to(port);
	if (s < 0) {
		printf("sink: connect: %s\n", errno_name(errno));
		failures++;
		return;
	}
	static struct stream st;
	stream_init(&st, 1);
	uint64_t hash = 0xcbf29ce484222325ull;
	int sent = 1;
	for (uint64_t left = bytes; left && sent;) {
		size_t n = left < CHUNK ? (size_t)left : CHUNK;
		const unsigned char *p = stream_next(&st, &n);
		hash = hash_words(hash, p, n);
		sent = !write_all(s, p, n);
		left -= n;
	}
	check(sent, "sending to the sink");
	check(shutdown(s, SHUT_WR) == 0, "shutdown of the sink connection");
	char answer[64] = "";
	size_t have = 0;
	ssize_t n;
	while (have < sizeof(answer) - 1 && (n = recv(s, answer + have, sizeof(answer) - 1 - have, 0)) > 0)
		have += (size_t)n;
	answer[have] = '\0';
	close(s);
	unsigned long long their_bytes = 0, their_hash = 0;
	int parsed = sscanf(answer, "%llu %llx", &their_bytes, &their_hash) == 2;
	int ok = parsed && their_bytes == bytes && their_hash == hash;
	printf("sink: %llu MiB sent, %s\n", (unsigned long long)(bytes >> 20),
	       ok ? "the peer's count and hash match" : parsed ? "the peer's count or hash DIFFERS" : "NO ANSWER");
	failures += !ok;
}

static void from_source(uint16_t port, uint64_t bytes)
{
	current_check = "source";
	int s = connect_to(port);
	if (s < 0) {
		printf("source: connect: %s\n", errno_name(errno));
		failures++;
		return;
	}
	char request[64];
	int len = snprintf(request, sizeof(request), "%llu %u\n", (unsigned long long)bytes, 2u);
	check(write_all(s, request, (size_t)len) == 0, "the source request");
	static struct stream st;
	stream_init(&st, 2);
	int intact, error;
	uint64_t received = receive_stream(s, &st, &intact, &error);
	close(s);
	int ok = received == bytes && intact && !error;
	printf("source: %llu MiB received, %s, then %s\n", (unsigned long long)(received >> 20),
	       intact ? "intact" : "CORRUPTED", error ? errno_name(error) : "EOF");
	failures += !ok;
}

struct echo_writer {
	int fd;
	uint64_t bytes;
	int error; /* 0, or write's errno */
};

static void *echo_write(void *arg)
{
	struct echo_writer *w = arg;
	static struct stream st;
	stream_init(&st, 3);
	w->error = send_stream(w->fd, &st, w->bytes) ? errno : 0;
	/* Half-close: the echo sees EOF, and closes once it has sent it all back. */
	if (shutdown(w->fd, SHUT_WR) && !w->error)
		w->error = errno;
	return NULL;
}

static void through_echo(uint16_t port, uint64_t bytes)
{
	current_check = "echo";
	int s = connect_to(port);
	if (s < 0) {
		printf("echo: connect: %s\n", errno_name(errno));
		failures++;
		return;
	}
	struct echo_writer w = { .fd = s, .bytes = bytes };
	pthread_t writer;
	check(pthread_create(&writer, NULL, echo_write, &w) == 0, "the writer thread");
	static struct stream st;
	stream_init(&st, 3);
	int intact, error;
	uint64_t received = receive_stream(s, &st, &intact, &error);
	pthread_join(writer, NULL);
	close(s);
	int ok = received == bytes && intact && !error && !w.error;
	printf("echo: %llu MiB sent %s, %llu MiB received at the same time, %s, then %s\n",
	       (unsigned long long)(bytes >> 20), w.error ? errno_name(w.error) : "whole",
	       (unsigned long long)(received >> 20), intact ? "intact" : "CORRUPTED", error ? errno_name(error) : "EOF");
	failures += !ok;
}

/* --- UDP --- */

/* Datagram i: its number, then bytes of the stream i, 4 + (i * 97) % 1469
 * bytes in all (up to 1472: one Ethernet frame). */
static size_t make_datagram(unsigned i, unsigned char *buf)
{
	size_t len = 4 + (i * 97u) % 1469u;
	memcpy(buf, &i, 4);
	struct stream *st = malloc(sizeof(*st));
	stream_init(st, 1000 + i);
	size_t n = len - 4;
	memcpy(buf + 4, stream_next(st, &n), n);
	free(st);
	return len;
}

static void udp_echo(uint16_t port)
{
	current_check = "udp";
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in a = peer_port(port);
	check(s >= 0, "a UDP socket");
	int echoed = 0, corrupted = 0;
	for (unsigned i = 0; i < UDP_DATAGRAMS; i++) {
		unsigned char out[1472], in[2048];
		size_t len = make_datagram(i, out);
		int done = 0;
		for (int try = 0; try < UDP_TRIES && !done; try++) {
			if (sendto(s, out, len, 0, (struct sockaddr *)&a, sizeof(a)) != (ssize_t)len)
				continue;
			struct pollfd p = { .fd = s, .events = POLLIN };
			/* Echoes of earlier tries may still come: those are skipped. */
			while (!done && poll(&p, 1, UDP_WAIT_MS) == 1) {
				struct sockaddr_in from;
				socklen_t fl = sizeof(from);
				ssize_t n = recvfrom(s, in, sizeof(in), MSG_DONTWAIT, (struct sockaddr *)&from, &fl);
				unsigned number;
				if (n < 4 || from.sin_addr.s_addr != a.sin_addr.s_addr || from.sin_port != a.sin_port)
					continue;
				memcpy(&number, in, 4);
				if (number != i)
					continue;
				done = 1;
				corrupted += (size_t)n != len || memcmp(in, out, len);
			}
		}
		echoed += done;
	}
	close(s);
	printf("udp: %d of %d datagrams echoed, %d corrupted\n", echoed, UDP_DATAGRAMS, corrupted);
	failures += echoed != UDP_DATAGRAMS || corrupted;
}

/* --- connecting --- */

static void nonblocking_connect(uint16_t port)
{
	current_check = "non-blocking connect";
	int s = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	struct sockaddr_in a = peer_port(port);
	int r = connect(s, (struct sockaddr *)&a, sizeof(a));
	int connect_error = r ? errno : 0;
	struct pollfd p = { .fd = s, .events = POLLOUT };
	int writable = poll(&p, 1, 10000) == 1 && (p.revents & POLLOUT);
	int err = -1;
	socklen_t len = sizeof(err);
	getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &len);
	/* A round trip through the echo, still non-blocking. */
	int sent = send(s, "ping", 4, 0) == 4;
	char back[4];
	size_t have = 0;
	p.events = POLLIN;
	while (have < 4 && poll(&p, 1, 10000) == 1) {
		ssize_t n = recv(s, back + have, 4 - have, 0);
		if (n <= 0 && !(n < 0 && errno == EAGAIN))
			break;
		have += n > 0 ? (size_t)n : 0;
	}
	int trip = sent && have == 4 && !memcmp(back, "ping", 4);
	close(s);
	printf("non-blocking connect: %s, then %s, SO_ERROR %s, %s\n", errno_name(connect_error),
	       writable ? "writable" : "NOT WRITABLE", err < 0 ? "?" : errno_name(err),
	       trip ? "a round trip" : "NO ROUND TRIP");
	failures += connect_error != EINPROGRESS || !writable || err != 0 || !trip;
}

/* The program's open descriptors, as /proc/self/fd lists them (less the
 * one that reads it). */
static int count_descriptors(void)
{
	DIR *d = opendir("/proc/self/fd");
	if (!d)
		return -1;
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n - 1;
}

static void reset_by_peer(uint16_t port)
{
	current_check = "reset";
	int before = count_descriptors();
	int s = connect_to(port);
	if (s < 0) {
		printf("reset: connect: %s\n", errno_name(errno));
		failures++;
		return;
	}
	static struct stream st;
	stream_init(&st, RESET_SEED);
	static unsigned char buf[CHUNK];
	int intact = 1;
	size_t have = 0;
	while (have < RESET_FIRST) {
		size_t want = RESET_FIRST - have < sizeof(buf) ? RESET_FIRST - have : sizeof(buf);
		ssize_t n = recv(s, buf, want, 0);
		if (n <= 0)
			break;
		intact &= stream_matches(&st, buf, (size_t)n);
		have += (size_t)n;
	}
	/* The peer resets the connection while this end waits for more. */
	check(send(s, "g", 1, 0) == 1, "the reset service's go-ahead");
	ssize_t n = recv(s, buf, sizeof(buf), 0);
	int reset_error = n < 0 ? errno : 0;
	/* The error is reported once; then the connection is simply closed. */
	n = recv(s, buf, sizeof(buf), 0);
	int second_error = n < 0 ? errno : 0;
	ssize_t second = n;
	n = send(s, "x", 1, MSG_NOSIGNAL);
	int send_error = n < 0 ? errno : 0;
	close(s);
	int after = count_descriptors();
	int next = socket(AF_INET, SOCK_STREAM, 0);
	close(next);
	printf("reset: %u KiB %s, then recv gave %s, recv again %s%s, send %s; "
	       "descriptors after close: %s, the next socket %s\n",
	       (unsigned)(have >> 10), intact ? "intact" : "CORRUPTED", reset_error ? errno_name(reset_error) : "data or EOF",
	       second_error ? errno_name(second_error) : "", second_error ? "" : second ? "data" : "EOF",
	       send_error ? errno_name(send_error) : "sent", after == before ? "as before" : "DIFFERENT",
	       next == s ? "took the same number" : "DID NOT TAKE THE SAME NUMBER");
	failures += have != RESET_FIRST || !intact || reset_error != ECONNRESET || second_error || second ||
		    send_error != EPIPE || after != before || next != s;
}

static void refused(uint16_t port)
{
	current_check = "refused";
	int s = connect_to(port);
	int blocking_error = s < 0 ? errno : 0;
	if (s >= 0)
		close(s);
	s = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	struct sockaddr_in a = peer_port(port);
	int r = connect(s, (struct sockaddr *)&a, sizeof(a));
	int connect_error = r ? errno : 0;
	struct pollfd p = { .fd = s, .events = POLLOUT };
	int ready = poll(&p, 1, 10000);
	int err = -1;
	socklen_t len = sizeof(err);
	getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &len);
	close(s);
	printf("closed port: connect gave %s; non-blocking: %s, then %s, SO_ERROR %s\n", errno_name(blocking_error),
	       errno_name(connect_error), ready == 1 && (p.revents & POLLERR) ? "POLLERR" : "NO POLLERR",
	       err < 0 ? "?" : errno_name(err));
	failures += blocking_error != ECONNREFUSED || connect_error != EINPROGRESS || ready != 1 ||
		    !(p.revents & POLLERR) || err != ECONNREFUSED;
}

static int port_arg(const char *s)
{
	char *end;
	long v = strtol(s, &end, 10);
	return *end || v <= 0 || v > 65535 ? -1 : (int)v;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	enum { SINK, SOURCE, ECHO, UDP, RESET, CLOSED, PORTS };
	int ports[PORTS];
	int bad = argc != 2 + PORTS && argc != 3 + PORTS;
	for (int i = 0; !bad && i < PORTS; i++)
		bad = (ports[i] = port_arg(argv[2 + i])) < 0;
	long mib = argc == 3 + PORTS ? strtol(argv[2 + PORTS], NULL, 10) : 100;
	peer.sin_family = AF_INET;
	if (bad || mib <= 0 || inet_pton(AF_INET, argv[1], &peer.sin_addr) != 1) {
		fprintf(stderr, "usage: netpeer ADDRESS SINK SOURCE ECHO UDP RESET CLOSED [MiB]\n");
		return 2;
	}
	pthread_t dog;
	pthread_create(&dog, NULL, watchdog, NULL);
	pthread_detach(dog);
	uint64_t bytes = (uint64_t)mib << 20;
	to_sink((uint16_t)ports[SINK], bytes);
	from_source((uint16_t)ports[SOURCE], bytes);
	through_echo((uint16_t)ports[ECHO], bytes);
	udp_echo((uint16_t)ports[UDP]);
	nonblocking_connect((uint16_t)ports[ECHO]);
	reset_by_peer((uint16_t)ports[RESET]);
	refused((uint16_t)ports[CLOSED]);
	printf("%s\n", failures ? "some checks FAILED" : "all checks passed");
	return failures ? 1 : 0;
}
