/*
 * Control messages on AF_UNIX sockets: open files passed by SCM_RIGHTS
 * (through socketpairs, named streams and datagrams), where a stream's
 * reads stop for them, what happens to those that do not fit or are never
 * read, SCM_CREDENTIALS with SO_PASSCRED, and two Linux behaviours near
 * them: MSG_TRUNC on datagrams, and reading after shutdown(SHUT_RD).
 *
 * Reads of what should be queued do not wait, so that a wrong answer is a
 * difference in the output rather than a hang.
 *
 * A file that should have been closed is caught by reading the pipe it is
 * an end of: a pipe whose last write end is gone reads EOF, one that still
 * has a writer somewhere says EAGAIN. Descriptor numbers and pids differ
 * between Linux and Kite and are never printed; the count of open
 * descriptors (/proc/self/fd) is compared with itself only.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include "unixsock.h"

#define MAX_FDS 16

/* One received message: its data, its descriptors, and what recvmsg said. */
struct got {
	long n;
	char data[64];
	int fds[MAX_FDS], nfds;
	int creds;		/* SCM_CREDENTIALS messages */
	struct ucred cred;
	int flags;
	size_t controllen;
};

static int open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	if (!d)
		return -1;
	int n = 0;
	while (readdir(d))
		n++;
	closedir(d);
	return n - 3; /* ".", ".." and the directory's own descriptor */
}

/* sendmsg with data and, unless n is 0, one SCM_RIGHTS message of n fds. */
static long send_fds(int s, const void *data, size_t len, const int *fds, int n)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * 256)];
		struct cmsghdr align;
	} c;
	struct iovec iv = { (void *)data, len };
	struct msghdr m = { .msg_iov = &iv, .msg_iovlen = 1 };
	if (n) {
		m.msg_control = c.buf;
		m.msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)n);
		struct cmsghdr *h = CMSG_FIRSTHDR(&m);
		h->cmsg_level = SOL_SOCKET;
		h->cmsg_type = SCM_RIGHTS;
		h->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)n);
		memcpy(CMSG_DATA(h), fds, sizeof(int) * (size_t)n);
	}
	return sendmsg(s, &m, MSG_NOSIGNAL);
}

/* recvmsg into g with a control buffer of `room` bytes (0: none at all). */
static long recv_fds(int s, size_t len, size_t room, int flags, struct got *g)
{
	union {
		char buf[512];
		struct cmsghdr align;
	} c;
	memset(g, 0, sizeof(*g));
	struct iovec iv = { g->data, len < sizeof(g->data) ? len : sizeof(g->data) - 1 };
	struct msghdr m = { .msg_iov = &iv, .msg_iovlen = 1, .msg_control = room ? c.buf : NULL, .msg_controllen = room };
	g->n = recvmsg(s, &m, flags);
	if (g->n < 0)
		return g->n;
	g->flags = m.msg_flags;
	g->controllen = m.msg_controllen;
	for (struct cmsghdr *h = CMSG_FIRSTHDR(&m); h; h = CMSG_NXTHDR(&m, h)) {
		if (h->cmsg_level == SOL_SOCKET && h->cmsg_type == SCM_RIGHTS) {
			size_t k = (h->cmsg_len - CMSG_LEN(0)) / sizeof(int);
			for (size_t i = 0; i < k && g->nfds < MAX_FDS; i++)
				memcpy(&g->fds[g->nfds++], CMSG_DATA(h) + i * sizeof(int), sizeof(int));
		} else if (h->cmsg_level == SOL_SOCKET && h->cmsg_type == SCM_CREDENTIALS) {
			g->creds++;
			memset(&g->cred, 0, sizeof(g->cred));
			memcpy(&g->cred, CMSG_DATA(h), h->cmsg_len - CMSG_LEN(0) < sizeof(g->cred) ?
							      h->cmsg_len - CMSG_LEN(0) : sizeof(g->cred));
		}
	}
	return g->n;
}

static void close_got(struct got *g)
{
	for (int i = 0; i < g->nfds; i++)
		close(g->fds[i]);
	g->nfds = 0;
}

/* What recvmsg said, without descriptor numbers. */
static const char *said(const struct got *g)
{
	static char out[2][160];
	static int turn;
	char *o = out[turn++ % 2];
	if (g->n < 0) {
		snprintf(o, sizeof(out[0]), "%s", outcome(-1));
		return o;
	}
	snprintf(o, sizeof(out[0]), "%ld bytes \"%.*s\", %d fds, controllen %zu, flags%s%s%s%s", g->n,
		 (int)(g->n < 0 ? 0 : g->n > 63 ? 63 : g->n), g->data, g->nfds, g->controllen,
		 g->flags & MSG_CTRUNC ? " MSG_CTRUNC" : "", g->flags & MSG_TRUNC ? " MSG_TRUNC" : "",
		 g->flags & MSG_CMSG_CLOEXEC ? " MSG_CMSG_CLOEXEC" : "",
		 g->flags & ~(MSG_CTRUNC | MSG_TRUNC | MSG_CMSG_CLOEXEC) ? " other" : "");
	return o;
}

/* A pipe's read end, non-blocking, and what it reads: the data, "EOF" (no
 * writer is left anywhere, even in flight) or "EAGAIN" (one still is). */
static const char *drain(int fd)
{
	static char out[2][64];
	static int turn;
	char *o = out[turn++ % 2];
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	char buf[48];
	long n = read(fd, buf, sizeof(buf) - 1);
	if (n > 0)
		snprintf(o, 64, "\"%.*s\"", (int)n, buf);
	else
		snprintf(o, 64, "%s", n == 0 ? "EOF" : outcome(n));
	return o;
}

/* A file in the test's directory with known contents, opened for reading. */
static int data_file(void)
{
	char path[128];
	snprintf(path, sizeof(path), "%s/data.txt", dir);
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	check(write(fd, "0123456789", 10) == 10, "write the data file");
	lseek(fd, 4, SEEK_SET);
	return fd;
}

/* A pipe's read end and a regular file through a connected pair: the
 * sender closes its descriptors at once; the receiver's are the same open
 * files (the file's offset is shared). */
static void pass_two(const char *what, int tx, int rx)
{
	int p[2];
	check(pipe(p) == 0, "pipe");
	int fds[2] = { p[0], data_file() };
	long sent = send_fds(tx, "two", 3, fds, 2);
	close(p[0]);
	close(fds[1]);
	check(write(p[1], "through the pipe", 16) == 16, "write to the pipe");
	struct got g;
	recv_fds(rx, 64, 256, 0, &g);
	printf("%s: sendmsg %s, recvmsg %s\n", what, outcome(sent), said(&g));
	if (g.nfds == 2) {
		char buf[16] = "";
		printf("  the pipe reads %s; the file reads \"%.*s\" from where the sender left it; close-on-exec %d\n",
		       drain(g.fds[0]), (int)read(g.fds[1], buf, sizeof(buf)), buf, fcntl(g.fds[0], F_GETFD));
	}
	close_got(&g);
	close(p[1]);
}

static void pairs_and_names(void)
{
	int sv[2];
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	pass_two("stream socketpair", sv[0], sv[1]);
	close(sv[0]);
	close(sv[1]);
	socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
	pass_two("datagram socketpair", sv[1], sv[0]);
	close(sv[0]);
	close(sv[1]);

	int l = listening_socket("rights.sock", 1);
	int c = connect_to("rights.sock", SOCK_STREAM);
	int s = accept(l, NULL, NULL);
	pass_two("named stream", c, s);
	close(c);
	close(s);
	close(l);
	char path[128];
	snprintf(path, sizeof(path), "%s/rights.sock", dir);
	unlink(path);

	struct sockaddr_un a;
	socklen_t alen = path_addr(&a, "rdgram.sock");
	int r = socket(AF_UNIX, SOCK_DGRAM, 0);
	check(bind(r, (struct sockaddr *)&a, alen) == 0, "bind rdgram.sock");
	int t = socket(AF_UNIX, SOCK_DGRAM, 0);
	check(connect(t, (struct sockaddr *)&a, alen) == 0, "connect to rdgram.sock");
	pass_two("named datagram socket", t, r);
	close(t);
	close(r);

	/* A socket passed, then used by the receiver. */
	int inner[2];
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	socketpair(AF_UNIX, SOCK_STREAM, 0, inner);
	send_fds(sv[0], "s", 1, &inner[0], 1);
	close(inner[0]);
	struct got g;
	recv_fds(sv[1], 64, 64, 0, &g);
	char buf[16] = "";
	if (g.nfds == 1)
		send(g.fds[0], "hello", 5, 0);
	long n = recv(inner[1], buf, sizeof(buf), MSG_DONTWAIT);
	printf("a socket passed: %s; written through it, its peer reads %ld \"%s\"\n", said(&g), n, buf);
	close_got(&g);
	close(inner[1]);
	close(sv[0]);
	close(sv[1]);
}

/* Where a stream's reads stop: after bytes sent with rights, never past. */
static void stream_boundaries(void)
{
	int sv[2], p[2];
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	pipe(p);
	send(sv[0], "aaa", 3, 0);
	send_fds(sv[0], "bbb", 3, &p[0], 1);
	send_fds(sv[0], "ccc", 3, &p[0], 1);
	send(sv[0], "ddd", 3, 0);
	send_fds(sv[0], "eee", 3, &p[0], 1);
	struct got g;
	recv_fds(sv[1], 64, 64, 0, &g);
	printf("stream: aaa, bbb+fd, ccc+fd, ddd, eee+fd; reads of 63: %s\n", said(&g));
	close_got(&g);
	recv_fds(sv[1], 2, 64, MSG_PEEK | MSG_DONTWAIT, &g);
	printf("  a peek of 2: %s\n", said(&g));
	close_got(&g);
	recv_fds(sv[1], 2, 64, MSG_DONTWAIT, &g);
	printf("  a read of 2: %s\n", said(&g));
	close_got(&g);
	recv_fds(sv[1], 64, 64, MSG_DONTWAIT, &g);
	printf("  then: %s\n", said(&g));
	close_got(&g);
	recv_fds(sv[1], 64, 64, MSG_DONTWAIT, &g);
	printf("  then: %s\n", said(&g));

	send(sv[0], "12", 2, 0);
	send_fds(sv[0], "34", 2, &p[0], 1);
	send(sv[0], "56", 2, 0);
	recv_fds(sv[1], 6, 64, MSG_WAITALL, &g);
	printf("  MSG_WAITALL for 6 over 12, 34+fd, 56: %s\n", said(&g));
	close_got(&g);
	recv_fds(sv[1], 6, 64, MSG_DONTWAIT, &g);
	printf("  then: %s\n", said(&g));

	/* Two SCM_RIGHTS messages in one sendmsg, and no bytes at all. */
	union {
		char buf[2 * CMSG_SPACE(sizeof(int) * 2)];
		struct cmsghdr align;
	} c;
	struct iovec iv = { "x", 1 };
	struct msghdr m = { .msg_iov = &iv, .msg_iovlen = 1, .msg_control = c.buf, .msg_controllen = sizeof(c.buf) };
	struct cmsghdr *h = CMSG_FIRSTHDR(&m);
	for (int i = 0; i < 2; i++, h = CMSG_NXTHDR(&m, h)) {
		h->cmsg_level = SOL_SOCKET;
		h->cmsg_type = SCM_RIGHTS;
		h->cmsg_len = CMSG_LEN(sizeof(int) * 2);
		memcpy(CMSG_DATA(h), p, sizeof(p));
	}
	long n = sendmsg(sv[0], &m, 0);
	recv_fds(sv[1], 64, 256, 0, &g);
	printf("two SCM_RIGHTS messages of 2 in one sendmsg (%s): %s\n", outcome(n), said(&g));
	close_got(&g);
	int w = dup(p[1]);
	n = send_fds(sv[0], "", 0, &w, 1);
	close(w);
	close(p[1]);
	printf("a stream sendmsg of no bytes with a pipe's write end: %ld; the pipe then reads %s\n", n, drain(p[0]));
	close(p[0]);
	close(sv[0]);
	close(sv[1]);
}

/* Descriptors that do not fit are closed, and so are those never read. */
static void truncated_and_dropped(void)
{
	int sv[2], p[2], q[2];
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	pipe(p);
	pipe(q);
	int before = open_fds();
	/* The last of three is the only write end of q left. */
	int three[3] = { p[0], p[1], q[1] };
	send_fds(sv[0], "abc", 3, three, 3);
	close(q[1]);
	struct got g;
	recv_fds(sv[1], 64, CMSG_SPACE(sizeof(int)), 0, &g);
	printf("3 fds into CMSG_SPACE(sizeof(int)): %s\n", said(&g));
	printf("  %d more descriptors open; the one left out was closed: its pipe reads %s\n", open_fds() - before,
	       drain(q[0]));
	close_got(&g);
	close(q[0]);

	const size_t rooms[] = { 0, CMSG_LEN(0), CMSG_LEN(sizeof(int)) };
	for (int i = 0; i < 3; i++) {
		pipe(q);
		int two[2] = { p[0], q[1] };
		send_fds(sv[0], "def", 3, two, 2);
		close(q[1]);
		recv_fds(sv[1], 64, rooms[i], 0, &g);
		printf("2 fds, control buffer of %zu: %s; the pipe reads %s\n", rooms[i], said(&g), drain(q[0]));
		close_got(&g);
		close(q[0]);
	}
	pipe(q);
	send_fds(sv[0], "read", 4, &q[1], 1);
	close(q[1]);
	char buf[8];
	long n = read(sv[1], buf, sizeof(buf));
	printf("read(), not recvmsg: %ld bytes; the pipe reads %s\n", n, drain(q[0]));
	close(q[0]);

	/* Queued on a socket that closes unread: stream, datagram, and a
	 * connection that was never accepted. */
	pipe(q);
	send_fds(sv[0], "unread", 6, &q[1], 1);
	close(q[1]);
	close(sv[1]);
	printf("queued on a stream socket that closed: the pipe reads %s\n", drain(q[0]));
	close(q[0]);
	close(sv[0]);
	socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
	pipe(q);
	send_fds(sv[0], "unread", 6, &q[1], 1);
	close(q[1]);
	printf("queued on a datagram socket, still open: the pipe reads %s; ", drain(q[0]));
	close(sv[1]);
	printf("closed: %s\n", drain(q[0]));
	close(q[0]);
	close(sv[0]);
	int l = listening_socket("rights.sock", 1);
	int c = connect_to("rights.sock", SOCK_STREAM);
	pipe(q);
	send_fds(c, "never accepted", 14, &q[1], 1);
	close(q[1]);
	close(l);
	printf("sent to a connection never accepted, its listener closed: the pipe reads %s\n", drain(q[0]));
	close(q[0]);
	close(c);
	close(p[0]);
	close(p[1]);
	char path[128];
	snprintf(path, sizeof(path), "%s/rights.sock", dir);
	unlink(path);
}

static void flags_and_limits(void)
{
	int sv[2], p[2];
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	pipe(p);
	struct got g;
	send_fds(sv[0], "x", 1, p, 2);
	recv_fds(sv[1], 64, 64, MSG_CMSG_CLOEXEC, &g);
	printf("MSG_CMSG_CLOEXEC: %s; FD_CLOEXEC set: %d %d\n", said(&g), fcntl(g.fds[0], F_GETFD) == FD_CLOEXEC,
	       g.nfds > 1 && fcntl(g.fds[1], F_GETFD) == FD_CLOEXEC);
	close_got(&g);

	int many[256];
	for (int i = 0; i < 256; i++)
		many[i] = p[0];
	long n = send_fds(sv[0], "m", 1, many, 253);
	printf("253 fds (SCM_MAX_FD): %s; ", outcome(n));
	recv_fds(sv[1], 64, 64, 0, &g);
	printf("received into room for 12: %s\n", said(&g));
	close_got(&g);
	printf("254 fds: %s\n", outcome(send_fds(sv[0], "m", 1, many, 254)));
	int bad = 1000;
	printf("a bad descriptor: %s\n", outcome(send_fds(sv[0], "m", 1, &bad, 1)));
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} c;
	struct iovec iv = { "m", 1 };
	struct msghdr m = { .msg_iov = &iv, .msg_iovlen = 1, .msg_control = c.buf, .msg_controllen = sizeof(c.buf) };
	struct cmsghdr *h = CMSG_FIRSTHDR(&m);
	h->cmsg_level = SOL_SOCKET;
	h->cmsg_type = 77;
	h->cmsg_len = CMSG_LEN(sizeof(int));
	printf("an unknown type: %s; ", outcome(sendmsg(sv[0], &m, 0)));
	h->cmsg_type = SCM_RIGHTS;
	h->cmsg_len = sizeof(c.buf) + 1;
	printf("a length past the buffer: %s; ", outcome(sendmsg(sv[0], &m, 0)));
	h->cmsg_level = SOL_SOCKET + 1;
	h->cmsg_len = CMSG_LEN(sizeof(int));
	printf("another level (ignored): %s\n", outcome(sendmsg(sv[0], &m, 0)));
	recv_fds(sv[1], 64, 64, 0, &g);
	printf("  received: %s\n", said(&g));

	/* SO_PASSCRED: who sent it, first, then the descriptors. */
	int one = 1;
	check(setsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)) == 0, "SO_PASSCRED");
	send(sv[0], "cred", 4, 0);
	recv_fds(sv[1], 64, 64, 0, &g);
	printf("SO_PASSCRED: %s; %d credentials, ours: %d\n", said(&g), g.creds,
	       g.cred.pid == getpid() && g.cred.uid == getuid() && g.cred.gid == getgid());
	send_fds(sv[0], "both", 4, &p[0], 1);
	recv_fds(sv[1], 64, 64, 0, &g);
	printf("  with a descriptor: %s\n", said(&g));
	close_got(&g);
	send(sv[0], "cut", 3, 0);
	recv_fds(sv[1], 64, CMSG_LEN(4), 0, &g);
	printf("  into a control buffer of %zu: %s\n", (size_t)CMSG_LEN(4), said(&g));
	close(sv[0]);
	close(sv[1]);

	socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
	setsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &one, sizeof(one));
	struct ucred own = { getpid(), getuid(), getgid() };
	union {
		char buf[CMSG_SPACE(sizeof(struct ucred))];
		struct cmsghdr align;
	} cc;
	m.msg_control = cc.buf;
	m.msg_controllen = sizeof(cc.buf);
	h = CMSG_FIRSTHDR(&m);
	h->cmsg_level = SOL_SOCKET;
	h->cmsg_type = SCM_CREDENTIALS;
	h->cmsg_len = CMSG_LEN(sizeof(own));
	memcpy(CMSG_DATA(h), &own, sizeof(own));
	printf("SCM_CREDENTIALS sent on a datagram socket: %s; ", outcome(sendmsg(sv[0], &m, 0)));
	recv_fds(sv[1], 64, 64, 0, &g);
	printf("received: %s, ours: %d\n", said(&g), g.creds == 1 && g.cred.pid == getpid());
	h->cmsg_len = CMSG_LEN(sizeof(own) - 1);
	printf("  a short one: %s\n", outcome(sendmsg(sv[0], &m, 0)));
	close(sv[0]);
	close(sv[1]);
	close(p[0]);
	close(p[1]);
}

/* MSG_TRUNC on datagrams, and what SHUT_RD leaves readable. */
static void truncation_and_shutdown(void)
{
	int sv[2], p[2];
	socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
	pipe(p);
	struct got g;
	send(sv[0], "0123456789", 10, 0);
	recv_fds(sv[1], 4, 64, 0, &g);
	printf("datagram of 10 into 4: %s\n", said(&g));
	send(sv[0], "0123456789", 10, 0);
	recv_fds(sv[1], 4, 64, MSG_TRUNC, &g);
	printf("  with MSG_TRUNC: %s\n", said(&g));
	send(sv[0], "0123456789", 10, 0);
	char buf[4];
	printf("  recv with MSG_TRUNC: %ld\n", (long)recv(sv[1], buf, sizeof(buf), MSG_TRUNC));
	send_fds(sv[0], "0123456789", 10, &p[0], 1);
	recv_fds(sv[1], 4, 64, MSG_PEEK, &g);
	printf("  a peek, with a descriptor: %s\n", said(&g));
	close_got(&g);
	recv_fds(sv[1], 4, 64, 0, &g);
	printf("  then: %s\n", said(&g));
	close_got(&g);
	struct iovec pieces[2] = { { g.data, 3 }, { g.data + 3, 3 } };
	struct msghdr m = { .msg_iov = pieces, .msg_iovlen = 2 };
	send(sv[0], "abcdefgh", 8, 0);
	long n = recvmsg(sv[1], &m, 0);
	printf("  into two pieces of 3: %ld \"%.6s\"%s\n", n, g.data, m.msg_flags & MSG_TRUNC ? " MSG_TRUNC" : "");

	send(sv[0], "queued", 6, 0);
	shutdown(sv[1], SHUT_RD);
	n = recv(sv[1], g.data, sizeof(g.data), MSG_DONTWAIT);
	printf("datagram socket shut for reading with one queued: %ld; ", n);
	printf("then %s\n", outcome(recv(sv[1], g.data, sizeof(g.data), MSG_DONTWAIT)));
	close(sv[0]);
	close(sv[1]);

	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	send(sv[0], "queued", 6, 0);
	shutdown(sv[1], SHUT_RD);
	n = read(sv[1], g.data, sizeof(g.data));
	printf("stream shut for reading with 6 bytes queued: read %ld, then %ld; ", n,
	       (long)read(sv[1], g.data, sizeof(g.data)));
	printf("the peer writes: %s\n", outcome(send(sv[0], "x", 1, MSG_NOSIGNAL)));
	close(sv[0]);
	close(sv[1]);
	close(p[0]);
	close(p[1]);
}

/* A socket queued in itself stays open (Linux collects it later; Kite
 * keeps it): the program must go on. */
static void self_passing(void)
{
	int sv[2];
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	printf("a stream socket's own descriptor sent to it: %s; ", outcome(send_fds(sv[0], "me", 2, &sv[1], 1)));
	close(sv[0]);
	close(sv[1]);
	socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
	printf("a datagram socket's: %s, both closed\n", outcome(send_fds(sv[1], "me", 2, &sv[0], 1)));
	close(sv[0]);
	close(sv[1]);
}

void passing_rights(void)
{
	int before = open_fds();
	pairs_and_names();
	stream_boundaries();
	truncated_and_dropped();
	flags_and_limits();
	truncation_and_shutdown();
	self_passing();
	printf("descriptors left open by the rights tests: %d\n", open_fds() - before);
}
