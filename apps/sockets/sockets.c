/*
 * BSD sockets over the loopback interface, as a Linux program uses them: a
 * TCP echo of a large stream between two threads (every byte checked), a UDP
 * echo, non-blocking connect and accept with poll, a refused connection,
 * poll and select timeouts, half-close, socket names and options, epoll
 * (level- and edge-triggered, one-shot, closed descriptors leaving it) with
 * pipes, eventfd and sockets, AF_UNIX socket pairs, buffer sizes, and
 * writev, readv and sendfile on a connection. Its output
 * is the same on every run, so that Linux and Kite can be compared.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/select.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#define STREAM_BYTES (16u << 20)

static int failures;

static void check(int ok, const char *what)
{
	if (!ok) {
		printf("FAILED: %s (errno %s)\n", what, strerror(errno));
		failures++;
	}
}

static struct sockaddr_in loopback(uint16_t port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return a;
}

/* A listening TCP socket on 127.0.0.1 and a port the kernel chose. */
static int listener(uint16_t *port)
{
	int s = socket(AF_INET, SOCK_STREAM, 0);
	int one = 1;
	check(setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == 0, "SO_REUSEADDR");
	struct sockaddr_in a = loopback(0);
	check(bind(s, (struct sockaddr *)&a, sizeof(a)) == 0, "bind");
	check(listen(s, 16) == 0, "listen");
	socklen_t len = sizeof(a);
	check(getsockname(s, (struct sockaddr *)&a, &len) == 0 && a.sin_port != 0, "getsockname");
	*port = ntohs(a.sin_port);
	return s;
}

static uint32_t next_word(uint32_t *state)
{
	*state ^= *state << 13;
	*state ^= *state >> 17;
	*state ^= *state << 5;
	return *state;
}

/* --- TCP echo of a stream ---------------------------------------------- */

static void *echo_server(void *arg)
{
	int l = *(int *)arg;
	int c = accept(l, NULL, NULL);
	check(c >= 0, "accept");
	char buf[32768];
	ssize_t n;
	while ((n = read(c, buf, sizeof(buf))) > 0)
		for (ssize_t off = 0; off < n;) {
			ssize_t w = write(c, buf + off, (size_t)(n - off));
			if (w <= 0)
				break;
			off += w;
		}
	close(c);
	return NULL;
}

static void *stream_sender(void *arg)
{
	int s = *(int *)arg;
	uint32_t state = 12345;
	static uint32_t chunk[4096];
	for (uint32_t sent = 0; sent < STREAM_BYTES; sent += sizeof(chunk)) {
		for (size_t i = 0; i < 4096; i++)
			chunk[i] = next_word(&state);
		for (size_t off = 0; off < sizeof(chunk);) {
			ssize_t w = write(s, (char *)chunk + off, sizeof(chunk) - off);
			if (w <= 0) {
				check(0, "write to the echo server");
				return NULL;
			}
			off += (size_t)w;
		}
	}
	shutdown(s, SHUT_WR); /* half-close: the server sees EOF and closes */
	return NULL;
}

static void tcp_stream(void)
{
	uint16_t port;
	int l = listener(&port);
	pthread_t server, sender;
	pthread_create(&server, NULL, echo_server, &l);
	int s = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = loopback(port);
	check(connect(s, (struct sockaddr *)&a, sizeof(a)) == 0, "connect");
	int one = 1;
	check(setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) == 0, "TCP_NODELAY");
	int v = 0;
	socklen_t len = sizeof(v);
	check(getsockopt(s, IPPROTO_TCP, TCP_NODELAY, &v, &len) == 0 && v == 1, "getsockopt TCP_NODELAY");
	struct sockaddr_in peer;
	len = sizeof(peer);
	check(getpeername(s, (struct sockaddr *)&peer, &len) == 0 && peer.sin_port == htons(port), "getpeername");
	pthread_create(&sender, NULL, stream_sender, &s);
	uint32_t state = 12345, word = 0, received = 0;
	int bad = 0, have = 0;
	unsigned char buf[20000];
	ssize_t n;
	while ((n = read(s, buf, sizeof(buf))) > 0) {
		for (ssize_t i = 0; i < n; i++) {
			word |= (uint32_t)buf[i] << (8 * have);
			if (++have == 4) {
				bad |= word != next_word(&state);
				word = 0;
				have = 0;
			}
		}
		received += (uint32_t)n;
	}
	check(n == 0, "read until EOF");
	pthread_join(sender, NULL);
	pthread_join(server, NULL);
	close(s);
	close(l);
	printf("tcp: %u MiB echoed, %s, then EOF after half-close\n", received >> 20, bad ? "CORRUPTED" : "intact");
}

/* --- UDP ------------------------------------------------------------------ */

static void udp_echo(void)
{
	int server = socket(AF_INET, SOCK_DGRAM, 0), client = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in a = loopback(0);
	check(bind(server, (struct sockaddr *)&a, sizeof(a)) == 0, "udp bind");
	socklen_t len = sizeof(a);
	getsockname(server, (struct sockaddr *)&a, &len);
	int echoed = 0;
	for (int i = 0; i < 50; i++) {
		char msg[64], back[64], got[64];
		int n = snprintf(msg, sizeof(msg), "datagram %d", i);
		check(sendto(client, msg, (size_t)n, 0, (struct sockaddr *)&a, sizeof(a)) == n, "sendto");
		struct sockaddr_in from;
		socklen_t fl = sizeof(from);
		ssize_t r = recvfrom(server, back, sizeof(back), 0, (struct sockaddr *)&from, &fl);
		check(r == n, "recvfrom");
		check(sendto(server, back, (size_t)r, 0, (struct sockaddr *)&from, fl) == r, "sendto back");
		ssize_t r2 = recv(client, got, sizeof(got), 0);
		echoed += r2 == n && !memcmp(got, msg, (size_t)n);
	}
	printf("udp: %d of 50 datagrams echoed\n", echoed);
	close(server);
	close(client);
}

/* --- non-blocking, poll, select, errors ------------------------------------ */

static void nonblocking(void)
{
	uint16_t port;
	int l = listener(&port);
	fcntl(l, F_SETFL, O_NONBLOCK);
	int r = accept(l, NULL, NULL);
	printf("accept with nothing pending: %s\n", r < 0 && errno == EAGAIN ? "EAGAIN" : "?");

	int s = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	struct sockaddr_in a = loopback(port);
	r = connect(s, (struct sockaddr *)&a, sizeof(a));
	int pending = r == 0 || errno == EINPROGRESS;
	struct pollfd p = { .fd = s, .events = POLLOUT };
	int ready = poll(&p, 1, 5000);
	int err = -1;
	socklen_t len = sizeof(err);
	getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &len);
	printf("non-blocking connect: %s, then writable %s, SO_ERROR %d\n", pending ? "in progress or done" : "failed",
	       ready == 1 && (p.revents & POLLOUT) ? "yes" : "no", err);
	/* Linux: after EINPROGRESS, the first connect that finds it done says 0,
	 * the next ones EISCONN (after an immediate 0, EISCONN at once). */
	int again = connect(s, (struct sockaddr *)&a, sizeof(a));
	int again_ok = r == 0 ? again < 0 && errno == EISCONN : again == 0;
	int third = connect(s, (struct sockaddr *)&a, sizeof(a));
	printf("connect again once done: %s, then %s\n", again_ok ? "as Linux" : "?",
	       third < 0 && errno == EISCONN ? "EISCONN" : "?");

	struct pollfd lp = { .fd = l, .events = POLLIN };
	printf("listener readable with a connection waiting: %s\n", poll(&lp, 1, 5000) == 1 ? "yes" : "no");
	int c = accept(l, NULL, NULL);
	check(c >= 0, "accept after poll");

	char buf[16];
	r = (int)recv(s, buf, sizeof(buf), 0);
	printf("recv with no data: %s\n", r < 0 && errno == EAGAIN ? "EAGAIN" : "?");
	struct pollfd rp = { .fd = s, .events = POLLIN };
	printf("poll for data, 50 ms: %d\n", poll(&rp, 1, 50));
	fd_set rs;
	FD_ZERO(&rs);
	FD_SET(s, &rs);
	struct timeval tv = { 0, 50000 };
	printf("select for data, 50 ms: %d\n", select(s + 1, &rs, NULL, NULL, &tv));
	write(c, "hello", 5);
	rp.revents = 0;
	int n = poll(&rp, 1, 5000);
	printf("poll after the peer wrote: %d, readable %s\n", n, (rp.revents & POLLIN) ? "yes" : "no");
	r = (int)recv(s, buf, sizeof(buf), MSG_PEEK);
	int r2 = (int)recv(s, buf, sizeof(buf), 0);
	printf("peeked %d bytes, then read %d: %.5s\n", r, r2, buf);
	close(c);
	rp.revents = 0;
	poll(&rp, 1, 5000);
	r = (int)recv(s, buf, sizeof(buf), 0);
	printf("after the peer closed: readable, recv gives %d\n", r);
	close(s);
	close(l);

	/* Nobody listens on the port of a socket just closed. */
	int t = socket(AF_INET, SOCK_STREAM, 0);
	r = connect(t, (struct sockaddr *)&a, sizeof(a));
	printf("connect to a closed port: %s\n", r < 0 && errno == ECONNREFUSED ? "ECONNREFUSED" : "?");
	close(t);

	r = socket(AF_INET, SOCK_RAW + 100, 0);
	printf("socket of an unknown type: %s\n", r < 0 && errno == EINVAL ? "EINVAL" : "?");
	char dummy[4];
	printf("recv on a pipe: %s\n", recv(0, dummy, sizeof(dummy), MSG_DONTWAIT) < 0 && errno == ENOTSOCK ? "ENOTSOCK" : "?");
}

/* --- epoll and eventfd --------------------------------------------------- */

static int ready(int ep)
{
	struct epoll_event ev[8];
	return epoll_wait(ep, ev, 8, 0);
}

static void epoll_semantics(void)
{
	int ep = epoll_create1(EPOLL_CLOEXEC);
	int level[2], edge[2];
	pipe(level);
	pipe(edge);
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = 1 };
	check(epoll_ctl(ep, EPOLL_CTL_ADD, level[0], &ev) == 0, "EPOLL_CTL_ADD");
	printf("epoll: adding it again: %s\n", epoll_ctl(ep, EPOLL_CTL_ADD, level[0], &ev) < 0 && errno == EEXIST ? "EEXIST" : "?");
	write(level[1], "x", 1);
	int first = ready(ep), second = ready(ep);
	char byte;
	read(level[0], &byte, 1);
	printf("level-triggered: %d, again %d, after reading %d\n", first, second, ready(ep));
	check(epoll_ctl(ep, EPOLL_CTL_DEL, level[0], NULL) == 0, "EPOLL_CTL_DEL");

	ev = (struct epoll_event){ .events = EPOLLIN | EPOLLET, .data.u64 = 2 };
	epoll_ctl(ep, EPOLL_CTL_ADD, edge[0], &ev);
	write(edge[1], "x", 1);
	first = ready(ep);
	second = ready(ep);
	write(edge[1], "y", 1);
	printf("edge-triggered: %d, again %d, after another write %d\n", first, second, ready(ep));
	epoll_ctl(ep, EPOLL_CTL_DEL, edge[0], NULL);

	int efd = eventfd(0, EFD_NONBLOCK);
	ev = (struct epoll_event){ .events = EPOLLIN | EPOLLONESHOT, .data.u64 = 3 };
	epoll_ctl(ep, EPOLL_CTL_ADD, efd, &ev);
	uint64_t add = 3, got = 0;
	write(efd, &add, sizeof(add));
	first = ready(ep);
	second = ready(ep);
	ev.events = EPOLLIN;
	epoll_ctl(ep, EPOLL_CTL_MOD, efd, &ev);
	int rearmed = ready(ep);
	read(efd, &got, sizeof(got));
	int empty = read(efd, &got, sizeof(got)) < 0 && errno == EAGAIN;
	printf("one-shot: %d, again %d, re-armed %d; eventfd read 3 then %s\n", first, second, rearmed,
	       empty ? "EAGAIN" : "?");
	write(efd, &add, sizeof(add));
	close(efd); /* a ready descriptor closed without EPOLL_CTL_DEL leaves the set */
	printf("after closing a ready eventfd: %d ready\n", ready(ep));

	/* A listener and a connection served through epoll. */
	uint16_t port;
	int l = listener(&port);
	ev = (struct epoll_event){ .events = EPOLLIN, .data.u64 = 10 };
	epoll_ctl(ep, EPOLL_CTL_ADD, l, &ev);
	int s = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = loopback(port);
	connect(s, (struct sockaddr *)&a, sizeof(a));
	struct epoll_event out[4];
	int n = epoll_wait(ep, out, 4, 5000);
	printf("listener reported: %d (data %llu)\n", n, n > 0 ? (unsigned long long)out[0].data.u64 : 0ULL);
	int c = accept4(l, NULL, NULL, SOCK_NONBLOCK);
	ev = (struct epoll_event){ .events = EPOLLIN | EPOLLRDHUP | EPOLLET, .data.u64 = 11 };
	epoll_ctl(ep, EPOLL_CTL_ADD, c, &ev);
	write(s, "ping", 4);
	n = epoll_wait(ep, out, 4, 5000);
	char buf[8] = { 0 };
	int r = (int)read(c, buf, sizeof(buf));
	printf("connection reported: %d (data %llu), read %d: %.4s\n", n, n > 0 ? (unsigned long long)out[0].data.u64 : 0ULL,
	       r, buf);
	close(s);
	n = epoll_wait(ep, out, 4, 5000);
	r = (int)read(c, buf, sizeof(buf));
	printf("peer closed: reported %d, read %d\n", n, r);
	close(c);
	close(l);
	close(level[0]);
	close(level[1]);
	close(edge[0]);
	close(edge[1]);
	printf("epoll_wait timeout, 30 ms: %d\n", epoll_wait(ep, out, 4, 30));
	close(ep);
}

/* --- socketpair ------------------------------------------------------------ */

static void *pair_echo(void *arg)
{
	int fd = *(int *)arg;
	char buf[4096];
	ssize_t n;
	long total = 0;
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		write(fd, buf, (size_t)n);
		total += n;
	}
	return (void *)total;
}

static void socket_pair(void)
{
	int sv[2];
	check(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0, "socketpair");
	pthread_t t;
	pthread_create(&t, NULL, pair_echo, &sv[1]);
	uint32_t state = 777, check_state = 777, word;
	int intact = 1;
	for (int i = 0; i < 2000; i++) {
		word = next_word(&state);
		check(send(sv[0], &word, sizeof(word), 0) == sizeof(word), "send on a pair");
		uint32_t back;
		size_t got = 0;
		while (got < sizeof(back)) {
			ssize_t r = recv(sv[0], (char *)&back + got, sizeof(back) - got, 0);
			if (r <= 0)
				break;
			got += (size_t)r;
		}
		intact &= got == sizeof(back) && back == next_word(&check_state);
	}
	int type = 0;
	socklen_t len = sizeof(type);
	getsockopt(sv[0], SOL_SOCKET, SO_TYPE, &type, &len);
	shutdown(sv[0], SHUT_WR); /* the echo thread reads EOF and ends */
	void *total;
	pthread_join(t, &total);
	char c;
	printf("socketpair: 2000 round trips %s, SO_TYPE %s, the peer saw %ld bytes before EOF\n",
	       intact ? "intact" : "CORRUPTED", type == SOCK_STREAM ? "SOCK_STREAM" : "?", (long)total);
	printf("socketpair: reading the end whose peer shut down writing: %d (EOF)\n", (int)read(sv[1], &c, 1));
	int quiet[2];
	socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, quiet);
	/* Gathered and scattered: two pieces out, three in. */
	char a1[] = "scatter-", a2[] = "gather";
	struct iovec out[2] = { { a1, 8 }, { a2, 6 } };
	struct msghdr m = { .msg_iov = out, .msg_iovlen = 2 };
	ssize_t sent = sendmsg(quiet[0], &m, 0);
	char b1[5] = "", b2[5] = "", b3[8] = "";
	struct iovec in[3] = { { b1, 4 }, { b2, 4 }, { b3, 8 } };
	struct msghdr rm = { .msg_iov = in, .msg_iovlen = 3 };
	ssize_t got = recvmsg(quiet[1], &rm, 0);
	printf("socketpair: sendmsg %zd bytes, recvmsg %zd: %.4s|%.4s|%.6s\n", sent, got, b1, b2, b3);
	printf("socketpair: non-blocking read with nothing sent: %s\n",
	       read(quiet[0], &c, 1) < 0 && errno == EAGAIN ? "EAGAIN" : "?");
	close(quiet[0]);
	close(quiet[1]);
	close(sv[1]);
	struct pollfd p = { .fd = sv[0], .events = POLLIN };
	int n = poll(&p, 1, 1000);
	printf("socketpair: after the peer closed, poll %d, read %d\n", n, (int)read(sv[0], &c, 1));
	close(sv[0]);
	int r = socketpair(AF_INET, SOCK_STREAM, 0, sv);
	printf("socketpair(AF_INET): %s\n", r < 0 && errno == EOPNOTSUPP ? "EOPNOTSUPP" : "?");
}

/* SO_LINGER {1, 0}: closing sends a reset; the peer's recv says
 * ECONNRESET, once, then EOF. */
static void linger_reset(void)
{
	uint16_t port;
	int l = listener(&port);
	int c = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = loopback(port);
	check(connect(c, (struct sockaddr *)&a, sizeof(a)) == 0, "connect");
	int s = accept(l, NULL, NULL);
	check(s >= 0, "accept");
	check(write(c, "ping", 4) == 4, "write");
	char buf[8];
	check(read(s, buf, sizeof(buf)) == 4, "read");
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	check(setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)) == 0, "SO_LINGER");
	close(s);
	struct pollfd p = { .fd = c, .events = POLLIN };
	poll(&p, 1, 5000);
	ssize_t r1 = recv(c, buf, sizeof(buf), 0);
	int e1 = errno;
	ssize_t r2 = recv(c, buf, sizeof(buf), 0);
	printf("linger 0: the peer's recv gave %s, then %s\n",
	       r1 < 0 && e1 == ECONNRESET ? "ECONNRESET" : r1 == 0 ? "EOF" : "data or another error",
	       r2 == 0 ? "EOF" : "something else");
	close(c);
	close(l);
}

static volatile sig_atomic_t sigpipes;

static void on_sigpipe(int sig)
{
	(void)sig;
	sigpipes++;
}

static const char *error_name(ssize_t r, int e)
{
	return r >= 0 ? "no error" : e == EPIPE ? "EPIPE" : "another error";
}

/* Writing to a pipe or a socket pair whose other end is gone: EPIPE, and
 * SIGPIPE unless MSG_NOSIGNAL or the signal is ignored. */
static void sigpipe(void)
{
	signal(SIGPIPE, on_sigpipe);
	int p[2];
	check(pipe(p) == 0, "pipe");
	close(p[0]);
	ssize_t r = write(p[1], "x", 1);
	printf("sigpipe: a pipe without a reader: write %s, %d SIGPIPE\n", error_name(r, errno), (int)sigpipes);
	close(p[1]);
	int sv[2];
	check(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0, "socketpair");
	close(sv[1]);
	r = send(sv[0], "x", 1, MSG_NOSIGNAL);
	printf("sigpipe: a socket pair, send with MSG_NOSIGNAL: %s, %d SIGPIPE in all\n", error_name(r, errno),
	       (int)sigpipes);
	r = write(sv[0], "x", 1);
	printf("sigpipe: a socket pair, write: %s, %d SIGPIPE in all\n", error_name(r, errno), (int)sigpipes);
	signal(SIGPIPE, SIG_IGN);
	r = send(sv[0], "x", 1, 0);
	printf("sigpipe: ignored, send: %s, %d SIGPIPE in all\n", error_name(r, errno), (int)sigpipes);
	close(sv[0]);
	signal(SIGPIPE, SIG_DFL);
}

/* --- buffer sizes ------------------------------------------------------- */

/* Linux doubles what is asked, within a floor and a ceiling; the ceiling
 * is a sysctl (net.core.wmem_max, rmem_max) that differs between machines,
 * so only whether it applied is printed. */
static void print_sizes(const char *kind, int type)
{
	static const int asked[] = { 10000, 1, 1 << 30, -1 };
	for (unsigned i = 0; i < sizeof(asked) / sizeof(asked[0]); i++) {
		int s = socket(AF_INET, type, 0);
		int snd = asked[i], rcv = asked[i];
		check(setsockopt(s, SOL_SOCKET, SO_SNDBUF, &snd, sizeof(snd)) == 0, "SO_SNDBUF");
		check(setsockopt(s, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv)) == 0, "SO_RCVBUF");
		socklen_t len = sizeof(snd);
		check(getsockopt(s, SOL_SOCKET, SO_SNDBUF, &snd, &len) == 0, "get SO_SNDBUF");
		check(getsockopt(s, SOL_SOCKET, SO_RCVBUF, &rcv, &len) == 0, "get SO_RCVBUF");
		if (asked[i] == 1 || asked[i] == 10000)
			printf("buffers: %s, %d asked: SO_SNDBUF %d, SO_RCVBUF %d\n", kind, asked[i], snd, rcv);
		else
			printf("buffers: %s, %d asked: %s\n", kind, asked[i],
			       snd > 4608 && rcv > 2304 && snd < (1 << 30) && rcv < (1 << 30) ? "capped" : "NOT capped");
		close(s);
	}
}

/* Small buffers take effect: a non-blocking sender to a peer that does not
 * read fills its send buffer and the peer's window, and then gets EAGAIN;
 * once the peer reads it all, the sender can write again. */
static void small_buffers(void)
{
	uint16_t port;
	int l = listener(&port);
	int rcv = 16384, snd = 32768;
	check(setsockopt(l, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv)) == 0, "SO_RCVBUF");
	int c = socket(AF_INET, SOCK_STREAM, 0);
	check(setsockopt(c, SOL_SOCKET, SO_SNDBUF, &snd, sizeof(snd)) == 0, "SO_SNDBUF");
	struct sockaddr_in a = loopback(port);
	check(connect(c, (struct sockaddr *)&a, sizeof(a)) == 0, "connect");
	int s = accept(l, NULL, NULL);
	check(s >= 0, "accept");
	check(fcntl(c, F_SETFL, O_NONBLOCK) == 0, "O_NONBLOCK");
	static char chunk[4096];
	size_t queued = 0;
	int quiet_rounds = 0;
	/* The window fills as segments cross: go on until writes fail for a
	 * while, not at the first EAGAIN. */
	while (quiet_rounds < 20 && queued < (64u << 20)) {
		ssize_t n = send(c, chunk, sizeof(chunk), 0);
		if (n > 0) {
			queued += (size_t)n;
			quiet_rounds = 0;
		} else {
			check(errno == EAGAIN, "send: EAGAIN");
			quiet_rounds++;
			usleep(10000);
		}
	}
	printf("buffers: with SO_SNDBUF 32768 and the peer's SO_RCVBUF 16384, a sender fills %s\n",
	       queued < (512u << 10) ? "less than 512 KiB" : "512 KiB or more");
	size_t got = 0;
	char buf[8192];
	while (got < queued) {
		ssize_t n = recv(s, buf, sizeof(buf), 0);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	struct pollfd p = { .fd = c, .events = POLLOUT };
	int writable = poll(&p, 1, 5000) == 1 && (p.revents & POLLOUT);
	printf("buffers: the peer read %s, and the sender is %s\n", got == queued ? "it all" : "less",
	       writable ? "writable again" : "not writable");
	close(c);
	close(s);
	close(l);
}

static void buffer_sizes(void)
{
	print_sizes("TCP", SOCK_STREAM);
	print_sizes("UDP", SOCK_DGRAM);
	small_buffers();
}

/* --- vectored I/O and sendfile on a TCP connection ---------------------- */

#define FILE_BYTES (1u << 20)

static uint32_t fnv1a(uint32_t h, const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

struct file_sender {
	int sock;
	const char *path;
	const unsigned char *head;
	size_t head_len;
};

/* writev of a header in three pieces, then the file by sendfile. */
static void *send_file(void *arg)
{
	struct file_sender *fs = arg;
	struct iovec iov[3] = {
		{ (void *)fs->head, 1 },
		{ (void *)(fs->head + 1), 2 },
		{ (void *)(fs->head + 3), fs->head_len - 3 },
	};
	check(writev(fs->sock, iov, 3) == (ssize_t)fs->head_len, "writev");
	int fd = open(fs->path, O_RDONLY);
	check(fd >= 0, "open");
	off_t off = 0;
	size_t sent = 0;
	while (sent < FILE_BYTES) {
		ssize_t n = sendfile(fs->sock, fd, &off, FILE_BYTES - sent);
		if (n <= 0) {
			check(0, "sendfile");
			break;
		}
		sent += (size_t)n;
	}
	check(off == (off_t)FILE_BYTES, "sendfile's offset");
	close(fd);
	shutdown(fs->sock, SHUT_WR);
	return NULL;
}

static void vectors_and_sendfile(void)
{
	char path[] = "/tmp/sockets-sendfile-XXXXXX";
	int fd = mkstemp(path);
	check(fd >= 0, "mkstemp");
	static unsigned char data[FILE_BYTES];
	uint32_t state = 7;
	for (size_t i = 0; i < FILE_BYTES; i++)
		data[i] = (unsigned char)next_word(&state);
	check(write(fd, data, FILE_BYTES) == (ssize_t)FILE_BYTES, "write the file");
	close(fd);
	static const unsigned char head[] = "HEADER: vectored\n";
	uint16_t port;
	int l = listener(&port);
	int c = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = loopback(port);
	check(connect(c, (struct sockaddr *)&a, sizeof(a)) == 0, "connect");
	int s = accept(l, NULL, NULL);
	check(s >= 0, "accept");
	struct file_sender fs = { .sock = c, .path = path, .head = head, .head_len = sizeof(head) - 1 };
	pthread_t sender;
	check(pthread_create(&sender, NULL, send_file, &fs) == 0, "pthread_create");
	/* readv into three odd-sized pieces until EOF. */
	uint32_t h = 2166136261u;
	size_t total = 0;
	static unsigned char a1[7], a2[1000], a3[4093];
	for (;;) {
		struct iovec iov[3] = { { a1, sizeof(a1) }, { a2, sizeof(a2) }, { a3, sizeof(a3) } };
		ssize_t n = readv(s, iov, 3);
		if (n <= 0) {
			check(n == 0, "readv");
			break;
		}
		size_t left = (size_t)n;
		for (int i = 0; i < 3 && left; i++) {
			size_t part = left < iov[i].iov_len ? left : iov[i].iov_len;
			h = fnv1a(h, iov[i].iov_base, part);
			left -= part;
		}
		total += (size_t)n;
	}
	pthread_join(sender, NULL);
	uint32_t want = fnv1a(fnv1a(2166136261u, head, sizeof(head) - 1), data, FILE_BYTES);
	printf("vectors: writev, sendfile of 1 MiB and readv: %zu bytes, %s\n", total,
	       h == want ? "every byte right" : "CORRUPTED");
	failures += h != want;
	unlink(path);
	close(s);
	close(c);
	close(l);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	tcp_stream();
	udp_echo();
	nonblocking();
	epoll_semantics();
	socket_pair();
	sigpipe();
	linger_reset();
	buffer_sizes();
	vectors_and_sendfile();
	printf("%s\n", failures ? "some checks FAILED" : "all checks passed");
	return failures ? 1 : 0;
}
