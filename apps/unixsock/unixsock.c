/*
 * AF_UNIX sockets with names, as a Linux program uses them: a stream server
 * on a path with a client thread (1 MiB echoed, every byte checked), several
 * clients at once served through epoll, the errors of bind and connect,
 * the socket file (stat, open, unlink), abstract names and autobind, names
 * from getsockname, getpeername, accept and recvfrom, datagrams (boundaries,
 * senders' names, truncation, a full queue, connected ones, socketpair),
 * shutdown and EOF, non-blocking accept and connect, timeouts; and in
 * rights.c, descriptors and credentials passed in control messages.
 *
 * Its files are in a directory it makes under /tmp and removes; nothing it
 * prints depends on that directory's name, the process or the timing, so
 * that Linux and Kite can be compared.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include "unixsock.h"

#define ECHO_BYTES (1u << 20)
#define EPOLL_CLIENTS 8
#define CLIENT_BYTES 16384

int failures;
char dir[64];

void check(int ok, const char *what)
{
	if (!ok) {
		printf("FAILED: %s (errno %s)\n", what, strerror(errno));
		failures++;
	}
}

/* The result of a call as Linux's name for it: "0" (or any success), or the errno. */
const char *outcome(long r)
{
	if (r >= 0)
		return "ok";
	switch (errno) {
	case EADDRINUSE: return "EADDRINUSE";
	case ECONNREFUSED: return "ECONNREFUSED";
	case ENOENT: return "ENOENT";
	case EINVAL: return "EINVAL";
	case EAGAIN: return "EAGAIN";
	case EISCONN: return "EISCONN";
	case ENOTCONN: return "ENOTCONN";
	case EPROTOTYPE: return "EPROTOTYPE";
	case EPERM: return "EPERM";
	case EPIPE: return "EPIPE";
	case ENXIO: return "ENXIO";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	case EMSGSIZE: return "EMSGSIZE";
	case ECONNRESET: return "ECONNRESET";
	case EBADF: return "EBADF";
	case ESRCH: return "ESRCH";
	default: return strerror(errno);
	}
}

static uint32_t next_word(uint32_t *state)
{
	*state ^= *state << 13;
	*state ^= *state >> 17;
	*state ^= *state << 5;
	return *state;
}

/* A path in the test's directory, as a sockaddr_un, and its length as
 * getsockname gives it (with the NUL). */
socklen_t path_addr(struct sockaddr_un *a, const char *name)
{
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	snprintf(a->sun_path, sizeof(a->sun_path), "%s/%s", dir, name);
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(a->sun_path) + 1);
}

/* An abstract name, unique to this process (the namespace is the host's). */
static socklen_t abstract_addr(struct sockaddr_un *a, const char *name)
{
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	int n = snprintf(a->sun_path + 1, sizeof(a->sun_path) - 1, "kite-unixsock-%d-%s", (int)getpid(), name);
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + (size_t)n);
}

static int bound_socket(int type, const struct sockaddr_un *a, socklen_t len)
{
	int s = socket(AF_UNIX, type, 0);
	check(s >= 0, "socket");
	check(bind(s, (const struct sockaddr *)a, len) == 0, "bind");
	return s;
}

int listening_socket(const char *name, int backlog)
{
	struct sockaddr_un a;
	socklen_t len = path_addr(&a, name);
	int s = bound_socket(SOCK_STREAM, &a, len);
	check(listen(s, backlog) == 0, "listen");
	return s;
}

int connect_to(const char *name, int type)
{
	struct sockaddr_un a;
	socklen_t len = path_addr(&a, name);
	int s = socket(AF_UNIX, type, 0);
	check(connect(s, (struct sockaddr *)&a, len) == 0, "connect");
	return s;
}

/* What a name is: "unnamed", "<name>" for a path in the test's directory,
 * "@<name>" for one of our abstract names, "@<5 hex digits>" for an
 * autobound one, with "(len ok)" when the length is Linux's. */
static const char *describe(const struct sockaddr_un *a, socklen_t len)
{
	static char outs[4][160];
	static int turn;
	char *out = outs[turn++ % 4]; /* a few may be in one printf */
	size_t base = offsetof(struct sockaddr_un, sun_path);
	if (len == 0)
		return "nothing (length 0)";
	if (a->sun_family != AF_UNIX)
		return "not AF_UNIX";
	if (len == base)
		return "unnamed";
	if (a->sun_path[0]) {
		size_t dl = strlen(dir);
		int ours = !strncmp(a->sun_path, dir, dl) && a->sun_path[dl] == '/';
		snprintf(out, 160, "%s%s", ours ? "" : "?", ours ? a->sun_path + dl + 1 : a->sun_path);
		if (len == base + strlen(a->sun_path) + 1)
			strcat(out, " (len ok)");
		return out;
	}
	char prefix[48];
	int pl = snprintf(prefix, sizeof(prefix), "kite-unixsock-%d-", (int)getpid());
	size_t n = len - base - 1;
	if (n > (size_t)pl && !memcmp(a->sun_path + 1, prefix, (size_t)pl)) {
		snprintf(out, 160, "@%.*s (len ok)", (int)(n - (size_t)pl), a->sun_path + 1 + pl);
		return out;
	}
	int hex = n == 5;
	for (size_t i = 0; i < n && hex; i++)
		hex = strchr("0123456789abcdef", a->sun_path[1 + i]) != NULL;
	return hex ? "@<5 hex digits> (autobound)" : "@?";
}

static const char *sockname(int s)
{
	struct sockaddr_un a;
	socklen_t len = sizeof(a);
	if (getsockname(s, (struct sockaddr *)&a, &len) < 0)
		return outcome(-1);
	return describe(&a, len);
}

static const char *peername(int s)
{
	struct sockaddr_un a;
	socklen_t len = sizeof(a);
	if (getpeername(s, (struct sockaddr *)&a, &len) < 0)
		return outcome(-1);
	return describe(&a, len);
}

static const char *events(short revents)
{
	static char outs[4][64];
	static int turn;
	char *out = outs[turn++ % 4];
	out[0] = 0;
	if (revents & POLLIN)
		strcat(out, "IN ");
	if (revents & POLLOUT)
		strcat(out, "OUT ");
	if (revents & POLLHUP)
		strcat(out, "HUP ");
	if (revents & POLLRDHUP)
		strcat(out, "RDHUP ");
	if (revents & POLLERR)
		strcat(out, "ERR ");
	size_t n = strlen(out);
	if (n)
		out[n - 1] = 0;
	else
		strcpy(out, "none");
	return out;
}

static short poll_now(int fd, short wanted)
{
	struct pollfd p = { .fd = fd, .events = wanted | POLLRDHUP };
	return poll(&p, 1, 0) == 1 ? p.revents : 0;
}

/* --- a stream server on a path, 1 MiB echoed ------------------------------ */

static void *echo_connection(void *arg)
{
	int c = (int)(intptr_t)arg;
	char buf[8192];
	ssize_t n;
	while ((n = read(c, buf, sizeof(buf))) > 0)
		for (ssize_t off = 0; off < n;) {
			ssize_t w = write(c, buf + off, (size_t)(n - off));
			if (w <= 0) {
				check(0, "echo write");
				return NULL;
			}
			off += w;
		}
	close(c);
	return NULL;
}

static void *stream_writer(void *arg)
{
	int s = *(int *)arg;
	uint32_t state = 2024;
	static uint32_t chunk[2048];
	for (uint32_t sent = 0; sent < ECHO_BYTES; sent += sizeof(chunk)) {
		for (size_t i = 0; i < 2048; i++)
			chunk[i] = next_word(&state);
		for (size_t off = 0; off < sizeof(chunk);) {
			ssize_t w = send(s, (char *)chunk + off, sizeof(chunk) - off, MSG_NOSIGNAL);
			if (w <= 0) {
				check(0, "stream write");
				return NULL;
			}
			off += (size_t)w;
		}
	}
	shutdown(s, SHUT_WR);
	return NULL;
}

struct accept_result {
	int listener, fd;
	struct sockaddr_un from;
	socklen_t len;
};

static void *accept_one(void *arg)
{
	struct accept_result *r = arg;
	r->len = sizeof(r->from);
	r->fd = accept(r->listener, (struct sockaddr *)&r->from, &r->len);
	return NULL;
}

static void named_stream(void)
{
	int l = listening_socket("stream.sock", 8);
	printf("listener: name %s, peer %s\n", sockname(l), peername(l));
	int v = 0;
	socklen_t vl = sizeof(v);
	getsockopt(l, SOL_SOCKET, SO_ACCEPTCONN, &v, &vl);
	printf("listener: SO_ACCEPTCONN %d, readable with nothing waiting: %s\n", v, events(poll_now(l, POLLIN)));

	struct accept_result ar = { .listener = l };
	pthread_t acceptor;
	pthread_create(&acceptor, NULL, accept_one, &ar);
	int s = connect_to("stream.sock", SOCK_STREAM);
	pthread_join(acceptor, NULL);
	check(ar.fd >= 0, "accept");
	printf("client: name %s, peer %s\n", sockname(s), peername(s));
	printf("accepted: from %s, name %s, peer %s\n", describe(&ar.from, ar.len), sockname(ar.fd),
	       peername(ar.fd));
	getsockopt(ar.fd, SOL_SOCKET, SO_TYPE, &v, &vl);
	printf("accepted: SO_TYPE %s\n", v == SOCK_STREAM ? "SOCK_STREAM" : "?");

	pthread_t server, writer;
	pthread_create(&server, NULL, echo_connection, (void *)(intptr_t)ar.fd);
	pthread_create(&writer, NULL, stream_writer, &s);
	uint32_t state = 2024, word = 0, received = 0;
	int bad = 0, have = 0;
	unsigned char buf[10000];
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
	pthread_join(writer, NULL);
	pthread_join(server, NULL);
	printf("stream: %u bytes echoed through %s, %s, then EOF\n", received, "stream.sock",
	       bad ? "CORRUPTED" : "intact");
	close(s);
	close(l);
}

/* --- several clients at once, served through epoll ------------------------ */

static void *epoll_client(void *arg)
{
	int id = (int)(intptr_t)arg;
	int s = connect_to("epoll.sock", SOCK_STREAM);
	char out[CLIENT_BYTES], back[CLIENT_BYTES];
	for (int i = 0; i < CLIENT_BYTES; i++)
		out[i] = (char)(id * 31 + i * 7);
	int ok = send(s, out, sizeof(out), 0) == (ssize_t)sizeof(out);
	shutdown(s, SHUT_WR);
	size_t got = 0;
	ssize_t n;
	while (got < sizeof(back) && (n = recv(s, back + got, sizeof(back) - got, 0)) > 0)
		got += (size_t)n;
	ok &= got == sizeof(back) && !memcmp(out, back, sizeof(out)) && recv(s, back, 1, 0) == 0;
	close(s);
	return (void *)(intptr_t)ok;
}

static void epoll_server(void)
{
	int l = listening_socket("epoll.sock", EPOLL_CLIENTS);
	fcntl(l, F_SETFL, O_NONBLOCK);
	int ep = epoll_create1(EPOLL_CLOEXEC);
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = l };
	check(epoll_ctl(ep, EPOLL_CTL_ADD, l, &ev) == 0, "epoll_ctl listener");
	pthread_t clients[EPOLL_CLIENTS];
	for (int i = 0; i < EPOLL_CLIENTS; i++)
		pthread_create(&clients[i], NULL, epoll_client, (void *)(intptr_t)i);
	int accepted = 0, finished = 0, leftovers = 0;
	while (finished < EPOLL_CLIENTS) {
		struct epoll_event out[8];
		int n = epoll_wait(ep, out, 8, 10000);
		if (n <= 0) {
			check(0, "epoll_wait timed out");
			break;
		}
		for (int i = 0; i < n; i++) {
			int fd = out[i].data.fd;
			if (fd == l) {
				int c;
				while ((c = accept4(l, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
					struct epoll_event cev = { .events = EPOLLIN, .data.fd = c };
					check(epoll_ctl(ep, EPOLL_CTL_ADD, c, &cev) == 0, "epoll_ctl connection");
					accepted++;
				}
				check(errno == EAGAIN, "accept4 until EAGAIN");
				continue;
			}
			/* Reads what is there and sends it back; EOF ends it. */
			char buf[4096];
			ssize_t r = read(fd, buf, sizeof(buf));
			if (r > 0) {
				ssize_t w = write(fd, buf, (size_t)r);
				if (w != r) {
					/* The ring holds 64 KiB and a client sends 16: never. */
					check(0, "echo through epoll wrote less");
					leftovers++;
				}
			} else if (r == 0) {
				epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL);
				close(fd);
				finished++;
			} else if (errno != EAGAIN) {
				check(0, "read through epoll");
			}
		}
	}
	int intact = 0;
	for (int i = 0; i < EPOLL_CLIENTS; i++) {
		void *ok;
		pthread_join(clients[i], &ok);
		intact += (int)(intptr_t)ok;
	}
	printf("epoll: %d clients accepted and served at once, %d echoes intact, %d short writes\n", accepted,
	       intact, leftovers);
	close(ep);
	close(l);
}

/* --- the listener's readiness, non-blocking accept and connect ------------- */

static void *connect_blocking(void *arg)
{
	return (void *)(intptr_t)connect_to((const char *)arg, SOCK_STREAM);
}

static void *send_in_two(void *arg)
{
	int s = *(int *)arg;
	send(s, "first-", 6, 0);
	usleep(50000);
	send(s, "second", 6, 0);
	return NULL;
}

static void nonblocking(void)
{
	int l = listening_socket("nb.sock", 1);
	fcntl(l, F_SETFL, O_NONBLOCK);
	int r = accept(l, NULL, NULL);
	printf("accept with nothing waiting: %s\n", outcome(r));
	struct sockaddr_un a;
	socklen_t len = path_addr(&a, "nb.sock");
	int c[3];
	for (int i = 0; i < 3; i++)
		c[i] = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
	int r0 = connect(c[0], (struct sockaddr *)&a, len);
	printf("non-blocking connect: %s, then writable: %s\n", outcome(r0), events(poll_now(c[0], POLLOUT)));
	struct pollfd lp = { .fd = l, .events = POLLIN };
	r = poll(&lp, 1, 0);
	printf("listener with a connection waiting: poll %d, %s\n", r, events(lp.revents));
	const char *r1 = outcome(connect(c[1], (struct sockaddr *)&a, len));
	printf("backlog 1: the second connect %s, ", r1);
	printf("the third %s\n", outcome(connect(c[2], (struct sockaddr *)&a, len)));
	/* Connected before accept: data sent now waits for the accepted end. */
	check(send(c[0], "early", 5, 0) == 5, "send before accept");
	int s = accept(l, NULL, NULL);
	char buf[8] = "";
	r = (int)read(s, buf, sizeof(buf));
	printf("accepted after the client wrote: read %d bytes: %.5s\n", r, buf);
	printf("room again: the third connect %s; ", outcome(connect(c[2], (struct sockaddr *)&a, len)));
	int s2 = accept(l, NULL, NULL);
	printf("accepted %s, ", s2 >= 0 ? "ok" : outcome(-1));
	int s3 = accept(l, NULL, NULL);
	printf("then %s\n", s3 >= 0 ? "ok" : outcome(-1));
	printf("accept with nothing waiting again: %s\n", outcome(accept(l, NULL, NULL)));
	printf("connect again when connected: %s\n", outcome(connect(c[0], (struct sockaddr *)&a, len)));
	/* A listener closed with a connection still waiting: the client reads EOF. */
	int c3 = socket(AF_UNIX, SOCK_STREAM, 0);
	check(connect(c3, (struct sockaddr *)&a, len) == 0, "connect before the listener closes");
	close(l);
	short before = poll_now(c3, POLLIN);
	printf("listener closed with a connection waiting: poll %s; ", events(before));
	printf("the client reads %s, ", outcome(read(c3, buf, 1)));
	printf("then %d\n", (int)read(c3, buf, 1));
	printf("connect after the listener closed: %s\n", outcome(connect(c[1], (struct sockaddr *)&a, len)));
	close(c3);
	for (int i = 0; i < 3; i++)
		close(c[i]);
	close(s);
	close(s2);
	close(s3);
	/* A blocking connect to a full backlog waits for an accept. */
	l = listening_socket("full.sock", 0);
	int f0 = connect_to("full.sock", SOCK_STREAM);
	pthread_t waiting;
	pthread_create(&waiting, NULL, connect_blocking, "full.sock");
	usleep(50000);
	int a0 = accept(l, NULL, NULL);
	void *f1;
	pthread_join(waiting, &f1);
	int a1 = accept(l, NULL, NULL);
	printf("backlog 0: a blocking connect waits for an accept: %s, accepted %s\n",
	       (int)(intptr_t)f1 >= 0 ? "connected" : "?", a0 >= 0 && a1 >= 0 ? "both" : "?");
	/* MSG_WAITALL waits for all of it. */
	pthread_t two;
	pthread_create(&two, NULL, send_in_two, &f0);
	char all[13] = "";
	printf("recv with MSG_WAITALL: %d bytes, %s\n", (int)recv(a0, all, 12, MSG_WAITALL), all);
	pthread_join(two, NULL);
	close(f0);
	close((int)(intptr_t)f1);
	close(a0);
	close(a1);
	close(l);
	/* The listener's own SO_RCVTIMEO bounds accept; a connection's its recv. */
	l = listening_socket("timeo.sock", 4);
	struct timeval tv = { 0, 50000 };
	check(setsockopt(l, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == 0, "SO_RCVTIMEO");
	printf("accept with SO_RCVTIMEO 50 ms: %s\n", outcome(accept(l, NULL, NULL)));
	int t = connect_to("timeo.sock", SOCK_STREAM);
	check(setsockopt(t, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == 0, "SO_RCVTIMEO");
	printf("recv with SO_RCVTIMEO 50 ms: %s\n", outcome(recv(t, buf, 1, 0)));
	close(t);
	close(l);
}

/* --- errors, the socket file, unlink ---------------------------------------- */

static void errors_and_files(void)
{
	struct sockaddr_un a;
	socklen_t len = path_addr(&a, "file.sock");
	int s = bound_socket(SOCK_STREAM, &a, len);
	struct stat st;
	check(stat(a.sun_path, &st) == 0, "stat");
	printf("stat: %s, permissions %o\n", S_ISSOCK(st.st_mode) ? "S_IFSOCK" : "?", st.st_mode & 0777);
	printf("open the socket file: %s\n", outcome(open(a.sun_path, O_RDWR)));
	check(fstat(s, &st) == 0, "fstat");
	printf("fstat of the socket: %s, permissions %o\n", S_ISSOCK(st.st_mode) ? "S_IFSOCK" : "?", st.st_mode & 0777);
	int t = socket(AF_UNIX, SOCK_STREAM, 0);
	printf("bind to a name in use: %s\n", outcome(bind(t, (struct sockaddr *)&a, len)));
	printf("connect to a bound socket that does not listen: %s\n", outcome(connect(t, (struct sockaddr *)&a, len)));
	struct sockaddr_un other;
	socklen_t olen = path_addr(&other, "other.sock");
	printf("bind a bound socket again: %s\n", outcome(bind(s, (struct sockaddr *)&other, olen)));
	printf("listen on an unbound socket: %s\n", outcome(listen(t, 1)));
	printf("accept on a socket that does not listen: %s\n", outcome(accept(s, NULL, NULL)));
	printf("getpeername unconnected: %s\n", peername(t));
	printf("read on an unconnected stream: %s, ", outcome(read(t, &st, 1)));
	printf("write: %s\n", outcome(send(t, "x", 1, MSG_NOSIGNAL)));
	close(s);
	printf("after close, the file stays: %s\n", stat(a.sun_path, &st) == 0 && S_ISSOCK(st.st_mode) ? "yes" : "no");
	printf("connect to it: %s; ", outcome(connect(t, (struct sockaddr *)&a, len)));
	printf("bind to it: %s\n", outcome(bind(t, (struct sockaddr *)&a, len)));
	check(unlink(a.sun_path) == 0, "unlink");
	printf("after unlink: connect %s\n", outcome(connect(t, (struct sockaddr *)&a, len)));
	printf("bind to the name again: %s\n", outcome(bind(t, (struct sockaddr *)&a, len)));
	close(t);
	/* A listener whose name is unlinked keeps its connections. */
	int l = listening_socket("gone.sock", 4);
	int c = connect_to("gone.sock", SOCK_STREAM);
	struct sockaddr_un g;
	socklen_t glen = path_addr(&g, "gone.sock");
	check(unlink(g.sun_path) == 0, "unlink a listener's name");
	int d = socket(AF_UNIX, SOCK_STREAM, 0);
	printf("listener's name unlinked: a new connect %s; ", outcome(connect(d, (struct sockaddr *)&g, glen)));
	int s2 = accept(l, NULL, NULL);
	printf("the waiting one is accepted: %s, getsockname still %s\n", s2 >= 0 ? "yes" : "no", sockname(l));
	close(s2);
	close(c);
	close(d);
	close(l);

	char regular[96];
	snprintf(regular, sizeof(regular), "%s/regular", dir);
	close(open(regular, O_CREAT | O_WRONLY, 0644));
	struct sockaddr_un r;
	socklen_t rlen = path_addr(&r, "regular");
	t = socket(AF_UNIX, SOCK_STREAM, 0);
	printf("connect to a regular file: %s\n", outcome(connect(t, (struct sockaddr *)&r, rlen)));
	unlink(regular);
	socklen_t nlen = path_addr(&r, "missing.sock");
	printf("connect to no such file: %s\n", outcome(connect(t, (struct sockaddr *)&r, nlen)));
	path_addr(&r, "no-dir/x.sock");
	printf("bind in no such directory: %s\n",
	       outcome(bind(t, (struct sockaddr *)&r, (socklen_t)(offsetof(struct sockaddr_un, sun_path) +
							      strlen(r.sun_path) + 1))));
	close(t);
	unlink(a.sun_path);
	t = socket(AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un da;
	socklen_t dlen = path_addr(&da, "dg.sock");
	int dg = bound_socket(SOCK_DGRAM, &da, dlen);
	printf("connect a stream to a datagram socket: %s\n", outcome(connect(t, (struct sockaddr *)&da, dlen)));
	close(dg);
	unlink(da.sun_path);
	struct sockaddr_un bad = { .sun_family = AF_INET };
	printf("bind with the wrong family: %s\n", outcome(bind(t, (struct sockaddr *)&bad, sizeof(bad))));
	close(t);
	/* Linux takes SOCK_RAW for SOCK_DGRAM. */
	int raw = socket(AF_UNIX, SOCK_RAW, 0);
	int type = 0;
	socklen_t tl = sizeof(type);
	getsockopt(raw, SOL_SOCKET, SO_TYPE, &type, &tl);
	printf("socket(AF_UNIX, SOCK_RAW): %s, SO_TYPE %s\n", outcome(raw), type == SOCK_DGRAM ? "SOCK_DGRAM" : "?");
	close(raw);
}

/* --- abstract names -------------------------------------------------------- */

static void abstract_names(void)
{
	struct sockaddr_un a;
	socklen_t len = abstract_addr(&a, "server");
	int l = bound_socket(SOCK_STREAM, &a, len);
	check(listen(l, 4) == 0, "listen abstract");
	printf("abstract listener: name %s\n", sockname(l));
	int t = socket(AF_UNIX, SOCK_STREAM, 0);
	printf("bind to an abstract name in use: %s\n", outcome(bind(t, (struct sockaddr *)&a, len)));
	int c = socket(AF_UNIX, SOCK_STREAM, 0);
	check(connect(c, (struct sockaddr *)&a, len) == 0, "connect abstract");
	int s = accept(l, NULL, NULL);
	send(c, "ping", 4, 0);
	char buf[8] = "";
	recv(s, buf, sizeof(buf), 0);
	printf("abstract connection: peer %s, got %.4s\n", peername(c), buf);
	close(s);
	close(c);
	close(l);
	printf("after close, connect: %s; ", outcome(connect(t, (struct sockaddr *)&a, len)));
	printf("bind: %s\n", outcome(bind(t, (struct sockaddr *)&a, len)));
	close(t);
	struct sockaddr_un longer;
	socklen_t llen = abstract_addr(&longer, "server");
	longer.sun_path[llen - offsetof(struct sockaddr_un, sun_path)] = 'x';
	c = socket(AF_UNIX, SOCK_STREAM, 0);
	printf("an abstract name with one more byte is another: %s\n",
	       outcome(connect(c, (struct sockaddr *)&longer, llen + 1)));
	close(c);
	/* bind with just the family: a name is made up. */
	int au = socket(AF_UNIX, SOCK_DGRAM, 0);
	struct sockaddr_un fam = { .sun_family = AF_UNIX };
	check(bind(au, (struct sockaddr *)&fam, offsetof(struct sockaddr_un, sun_path)) == 0, "autobind");
	printf("autobind: %s\n", sockname(au));
	struct sockaddr_un mine;
	socklen_t mlen = sizeof(mine);
	getsockname(au, (struct sockaddr *)&mine, &mlen);
	int sender = socket(AF_UNIX, SOCK_DGRAM, 0);
	sendto(sender, "to-auto", 7, 0, (struct sockaddr *)&mine, mlen);
	printf("a datagram to the autobound name: %d bytes\n", (int)recv(au, buf, sizeof(buf), MSG_DONTWAIT));
	close(sender);
	close(au);
}

/* --- datagrams -------------------------------------------------------------- */

static void *receive_later(void *arg)
{
	int s = *(int *)arg;
	char buf[16];
	usleep(50000);
	check(recv(s, buf, sizeof(buf), 0) == 4, "a receive in another thread");
	return NULL;
}

static void datagrams(void)
{
	struct sockaddr_un sa, aa;
	socklen_t slen = path_addr(&sa, "dgram.sock"), alen = path_addr(&aa, "a.sock");
	int server = bound_socket(SOCK_DGRAM, &sa, slen);
	int a = bound_socket(SOCK_DGRAM, &aa, alen);
	int b = socket(AF_UNIX, SOCK_DGRAM, 0);
	int v = 0;
	socklen_t vl = sizeof(v);
	getsockopt(server, SOL_SOCKET, SO_TYPE, &v, &vl);
	printf("datagram socket: SO_TYPE %s, name %s, peer %s\n", v == SOCK_DGRAM ? "SOCK_DGRAM" : "?",
	       sockname(server), peername(server));
	printf("send without an address or a peer: %s\n", outcome(send(b, "x", 1, 0)));
	const char *msgs[] = { "one", "two-two", "three-three-three", "" };
	for (int i = 0; i < 4; i++)
		check(sendto(i % 2 ? b : a, msgs[i], strlen(msgs[i]), 0, (struct sockaddr *)&sa, slen) ==
			      (ssize_t)strlen(msgs[i]),
		      "sendto");
	int avail = -1;
	ioctl(server, FIONREAD, &avail);
	printf("4 datagrams queued: readable %s, FIONREAD %d (the first)\n", events(poll_now(server, POLLIN)), avail);
	for (int i = 0; i < 4; i++) {
		char buf[64] = "";
		struct sockaddr_un from;
		socklen_t flen = sizeof(from);
		ssize_t n = recvfrom(server, buf, sizeof(buf), 0, (struct sockaddr *)&from, &flen);
		printf("  recvfrom: %d bytes \"%s\" from %s\n", (int)n, buf, describe(&from, flen));
	}
	printf("nothing left: %s\n", outcome(recv(server, &v, 1, MSG_DONTWAIT)));
	/* Truncation and peeking keep the boundaries. */
	sendto(a, "0123456789", 10, 0, (struct sockaddr *)&sa, slen);
	sendto(a, "abc", 3, 0, (struct sockaddr *)&sa, slen);
	char small[4] = "";
	ssize_t p = recv(server, small, sizeof(small), MSG_PEEK);
	ssize_t t = recv(server, small, sizeof(small), MSG_TRUNC);
	char rest[16] = "";
	ssize_t n = recv(server, rest, sizeof(rest), 0);
	printf("peek 4 of 10: %d, read with MSG_TRUNC: %d (%.4s), the next: %d (%s)\n", (int)p, (int)t, small, (int)n,
	       rest);
	/* recvmsg and sendmsg: one datagram, gathered. */
	struct iovec out[2] = { { "gath", 4 }, { "ered", 4 } };
	struct msghdr m = { .msg_name = &sa, .msg_namelen = slen, .msg_iov = out, .msg_iovlen = 2 };
	printf("sendmsg: %d\n", (int)sendmsg(a, &m, 0));
	char in[16] = "";
	struct sockaddr_un from;
	struct iovec iv = { in, sizeof(in) };
	struct msghdr rm = { .msg_name = &from, .msg_namelen = sizeof(from), .msg_iov = &iv, .msg_iovlen = 1 };
	n = recvmsg(server, &rm, 0);
	printf("recvmsg: %d bytes \"%s\" from %s\n", (int)n, in, describe(&from, rm.msg_namelen));

	/* Connected: send without an address; others are refused. */
	check(connect(a, (struct sockaddr *)&sa, slen) == 0, "connect a datagram socket");
	printf("connected datagram socket: peer %s\n", peername(a));
	send(a, "conn", 4, 0);
	socklen_t flen = sizeof(from);
	n = recvfrom(server, in, sizeof(in), 0, (struct sockaddr *)&from, &flen);
	printf("  the server got %d bytes from %s\n", (int)n, describe(&from, flen));
	printf("another socket sends to the connected one: %s\n",
	       outcome(sendto(b, "x", 1, 0, (struct sockaddr *)&aa, alen)));
	printf("the server sends to it: %s\n", outcome(sendto(server, "reply", 5, 0, (struct sockaddr *)&aa, alen)));
	flen = sizeof(from);
	n = recvfrom(a, in, sizeof(in), 0, (struct sockaddr *)&from, &flen);
	printf("  it got %d bytes from %s\n", (int)n, describe(&from, flen));
	int s2 = socket(AF_UNIX, SOCK_DGRAM, 0);
	printf("connect to the connected one: %s\n", outcome(connect(s2, (struct sockaddr *)&aa, alen)));
	close(s2);

	/* A full queue: 11 datagrams fit (net.unix.max_dgram_qlen is 10). */
	int sent = 0;
	while (sent < 100 && send(a, "fill", 4, MSG_DONTWAIT) == 4)
		sent++;
	printf("a full queue: %d datagrams sent, then %s; ", sent, outcome(-1));
	printf("writable: %s\n", events(poll_now(a, POLLOUT)));
	pthread_t reader;
	pthread_create(&reader, NULL, receive_later, &server);
	struct pollfd pw = { .fd = a, .events = POLLOUT };
	int r = poll(&pw, 1, 5000);
	printf("one received by another thread: poll %d, %s\n", r, events(pw.revents));
	pthread_join(reader, NULL);
	while (recv(server, in, sizeof(in), MSG_DONTWAIT) > 0)
		;

	/* Disconnected by AF_UNSPEC. */
	struct sockaddr unspec = { .sa_family = AF_UNSPEC };
	printf("connect to AF_UNSPEC: %s, ", outcome(connect(a, &unspec, sizeof(unspec))));
	printf("peer now %s\n", peername(a));
	char path[sizeof(sa.sun_path)];
	strcpy(path, sa.sun_path);
	close(server);
	printf("sendto a closed datagram socket's file: %s\n",
	       outcome(sendto(a, "x", 1, 0, (struct sockaddr *)&sa, slen)));
	unlink(path);
	printf("sendto no such file: %s\n", outcome(sendto(a, "x", 1, 0, (struct sockaddr *)&sa, slen)));
	int st = listening_socket("s.sock", 1);
	struct sockaddr_un stream_addr;
	socklen_t stlen = path_addr(&stream_addr, "s.sock");
	printf("sendto a stream socket: %s\n", outcome(sendto(a, "x", 1, 0, (struct sockaddr *)&stream_addr, stlen)));
	close(st);
	char big[300000];
	memset(big, 'b', sizeof(big));
	printf("a datagram bigger than the buffer: %s\n",
	       outcome(sendto(b, big, sizeof(big), 0, (struct sockaddr *)&aa, alen)));
	close(a);
	close(b);
}

static void datagram_pair(void)
{
	int sv[2];
	check(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) == 0, "socketpair(SOCK_DGRAM)");
	for (int i = 1; i <= 3; i++) {
		char msg[8];
		memset(msg, 'a' + i, sizeof(msg));
		send(sv[0], msg, (size_t)i * 2, 0);
	}
	printf("datagram pair: names %s and %s, peer %s\n", sockname(sv[0]), sockname(sv[1]), peername(sv[0]));
	for (int i = 0; i < 3; i++) {
		char buf[16] = "";
		struct sockaddr_un from;
		socklen_t flen = sizeof(from);
		ssize_t n = recvfrom(sv[1], buf, sizeof(buf), 0, (struct sockaddr *)&from, &flen);
		printf("  %d bytes \"%s\" from %s\n", (int)n, buf, describe(&from, flen));
	}
	write(sv[1], "back", 4);
	char buf[8] = "";
	printf("the other way: %d bytes, %.4s\n", (int)read(sv[0], buf, sizeof(buf)), buf);
	/* More than 10 datagrams fit between the two of a pair. */
	int sent = 0;
	while (sent < 50 && send(sv[0], "x", 1, MSG_DONTWAIT) == 1)
		sent++;
	printf("50 datagrams to the peer without reading: %d sent\n", sent);
	close(sv[1]);
	const char *first = outcome(send(sv[0], "x", 1, 0));
	printf("the peer closed: send %s, then %s\n", first, outcome(send(sv[0], "x", 1, 0)));
	close(sv[0]);
}

/* --- shutdown and EOF -------------------------------------------------------- */

static volatile sig_atomic_t sigpipes;

static void on_sigpipe(int sig)
{
	(void)sig;
	sigpipes++;
}

/* A stream's EPIPE raises SIGPIPE (unless MSG_NOSIGNAL); a datagram's does not. */
static void sigpipe(void)
{
	signal(SIGPIPE, on_sigpipe);
	int l = listening_socket("pipe.sock", 1);
	int c = connect_to("pipe.sock", SOCK_STREAM);
	close(accept(l, NULL, NULL));
	close(l);
	long r = send(c, "x", 1, MSG_NOSIGNAL);
	printf("sigpipe: a connection whose peer closed, MSG_NOSIGNAL: %s, %d SIGPIPE; ", outcome(r), (int)sigpipes);
	r = write(c, "x", 1);
	printf("write: %s, %d SIGPIPE\n", outcome(r), (int)sigpipes);
	close(c);
	int sv[2];
	socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
	shutdown(sv[0], SHUT_WR);
	r = send(sv[0], "x", 1, 0);
	printf("sigpipe: a datagram socket shut for writing: %s, %d SIGPIPE in all\n", outcome(r), (int)sigpipes);
	close(sv[0]);
	close(sv[1]);
	signal(SIGPIPE, SIG_IGN);
}

static void shutdown_and_eof(void)
{
	int c2, s2;
	int l = listening_socket("shut.sock", 4);
	int c = connect_to("shut.sock", SOCK_STREAM);
	int s = accept(l, NULL, NULL);
	/* An epoll item added before a socket connects still hears of it. */
	int late = socket(AF_UNIX, SOCK_STREAM, 0);
	int ep = epoll_create1(0);
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = late };
	epoll_ctl(ep, EPOLL_CTL_ADD, late, &ev);
	struct sockaddr_un a;
	socklen_t len = path_addr(&a, "shut.sock");
	check(connect(late, (struct sockaddr *)&a, len) == 0, "connect after epoll_ctl");
	int late_s = accept(l, NULL, NULL);
	struct epoll_event got;
	int before = epoll_wait(ep, &got, 1, 0);
	send(late_s, "hi", 2, 0);
	int after = epoll_wait(ep, &got, 1, 2000);
	printf("epoll item added before connect: %d events before the peer writes, %d after (%s)\n", before, after,
	       got.events & EPOLLIN ? "EPOLLIN" : "?");
	close(ep);
	close(late);
	close(late_s);

	send(c, "last words", 10, 0);
	shutdown(c, SHUT_WR);
	char buf[32] = "", eofbuf[1];
	ssize_t n = read(s, buf, sizeof(buf));
	ssize_t then = read(s, eofbuf, 1);
	printf("SHUT_WR: the peer reads %d bytes (%s), then %d; ", (int)n, buf, (int)then);
	printf("poll %s\n", events(poll_now(s, POLLIN)));
	printf("the one that shut down: write %s; ", outcome(send(c, "x", 1, MSG_NOSIGNAL)));
	printf("poll %s\n", events(poll_now(c, POLLIN | POLLOUT)));
	send(s, "reply", 5, 0);
	memset(buf, 0, sizeof(buf));
	n = read(c, buf, sizeof(buf));
	printf("it still reads: %d bytes (%s)\n", (int)n, buf);
	int avail = -1;
	send(s, "1234567", 7, 0);
	ioctl(c, FIONREAD, &avail);
	printf("FIONREAD: %d\n", avail);
	close(s);
	n = read(c, buf, sizeof(buf));
	ssize_t eof = read(c, buf, sizeof(buf));
	printf("the peer closed: read %d, then %d; poll %s\n", (int)n, (int)eof, events(poll_now(c, POLLIN | POLLOUT)));
	printf("write to a closed peer: %s\n", outcome(send(c, "x", 1, MSG_NOSIGNAL)));
	close(c);

	/* SHUT_RD: the reader sees EOF; the peer's writes fail. */
	c = connect_to("shut.sock", SOCK_STREAM);
	s = accept(l, NULL, NULL);
	shutdown(s, SHUT_RD);
	printf("SHUT_RD: read %d; ", (int)read(s, buf, 1));
	printf("the peer writes: %s\n", outcome(send(c, "x", 1, MSG_NOSIGNAL)));
	/* Closing with unread data resets the peer (once). */
	send(s, "unread", 6, 0);
	c2 = connect_to("shut.sock", SOCK_STREAM);
	s2 = accept(l, NULL, NULL);
	send(c2, "never read", 10, 0);
	close(s2);
	short unread_ev = poll_now(c2, POLLIN);
	printf("the peer closed with data unread: poll %s; ", events(unread_ev));
	printf("read %s, ", outcome(read(c2, buf, sizeof(buf))));
	printf("then %d\n", (int)read(c2, buf, sizeof(buf)));
	close(c2);
	printf("shutdown with a bad how: %s\n", outcome(shutdown(s, 7)));
	close(s);
	close(c);
	close(l);
}

static void cleanup(void)
{
	const char *names[] = { "stream.sock", "epoll.sock", "nb.sock", "full.sock", "timeo.sock", "file.sock",
				"a.sock", "s.sock", "shut.sock", "pipe.sock", "rights.sock", "rdgram.sock", "data.txt" };
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char path[128];
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		unlink(path);
	}
	check(rmdir(dir) == 0, "rmdir: every file was removed");
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);
	strcpy(dir, "/tmp/unixsock.XXXXXX");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 2;
	}
	named_stream();
	epoll_server();
	nonblocking();
	errors_and_files();
	abstract_names();
	datagrams();
	datagram_pair();
	shutdown_and_eof();
	sigpipe();
	passing_rights();
	cleanup();
	printf("%s\n", failures ? "some checks FAILED" : "all checks passed");
	return failures ? 1 : 0;
}
