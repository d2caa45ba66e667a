/*
 * A small HTTP/1.1 server on epoll, written for Linux: non-blocking sockets,
 * keep-alive, pipelined requests. GET / answers a fixed body; GET /file the
 * contents of a file (read once at start); GET /quit answers and then ends
 * the server (status 0), so that a test can end it; anything else 404.
 *
 *   httpserver [--port N] [--file PATH] [--requests N]
 *
 * With --requests N it also ends after answering N requests. It prints
 * "httpserver: listening on port N" first and its count at the end.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_EVENTS 256
#define REQUEST_MAX 8192

static const char hello[] = "Hello from httpserver\n";
static char *file_body;
static size_t file_len;
static long served, limit;
static int quit;

struct conn {
	int fd;
	size_t have;
	char buf[REQUEST_MAX];
	char *out;		/* responses not yet written */
	size_t out_len, out_off;
};

static void die(const char *what)
{
	fprintf(stderr, "httpserver: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void append(struct conn *c, const char *data, size_t len)
{
	c->out = realloc(c->out, c->out_len + len);
	if (!c->out)
		die("realloc");
	memcpy(c->out + c->out_len, data, len);
	c->out_len += len;
}

static void respond(struct conn *c, const char *status, const char *type, const char *body, size_t len,
		    int keep_alive)
{
	char head[256];
	int n = snprintf(head, sizeof(head),
			 "HTTP/1.1 %s\r\nServer: httpserver\r\nContent-Type: %s\r\nContent-Length: %zu\r\n%s\r\n",
			 status, type, len, keep_alive ? "" : "Connection: close\r\n");
	append(c, head, (size_t)n);
	append(c, body, len);
	served++;
}

/* Answers every complete request in the buffer; 0 to close after the output. */
static int handle_requests(struct conn *c)
{
	int keep = 1;
	for (;;) {
		char *end = memmem(c->buf, c->have, "\r\n\r\n", 4);
		if (!end)
			break;
		size_t len = (size_t)(end - c->buf) + 4;
		char method[8] = "", path[256] = "", version[16] = "";
		sscanf(c->buf, "%7s %255s %15s", method, path, version);
		int keep_alive = strcmp(version, "HTTP/1.0") != 0;
		if (memmem(c->buf, len, "Connection: close", 17))
			keep_alive = 0;
		if (strcmp(method, "GET"))
			respond(c, "405 Method Not Allowed", "text/plain", "", 0, keep_alive);
		else if (!strcmp(path, "/"))
			respond(c, "200 OK", "text/plain", hello, sizeof(hello) - 1, keep_alive);
		else if (!strcmp(path, "/file") && file_body)
			respond(c, "200 OK", "text/html", file_body, file_len, keep_alive);
		else if (!strcmp(path, "/quit")) {
			respond(c, "200 OK", "text/plain", "bye\n", 4, 0);
			quit = 1;
		}
		else
			respond(c, "404 Not Found", "text/plain", "not found\n", 10, keep_alive);
		memmove(c->buf, c->buf + len, c->have - len);
		c->have -= len;
		if (!keep_alive) {
			keep = 0;
			break;
		}
	}
	return keep;
}

/* Writes what it can; -1 on error, 1 when all is out. */
static int flush(struct conn *c)
{
	while (c->out_off < c->out_len) {
		ssize_t n = write(c->fd, c->out + c->out_off, c->out_len - c->out_off);
		if (n < 0)
			return errno == EAGAIN ? 0 : -1;
		c->out_off += (size_t)n;
	}
	free(c->out);
	c->out = NULL;
	c->out_len = c->out_off = 0;
	return 1;
}

static void close_conn(int ep, struct conn *c)
{
	epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	free(c->out);
	free(c);
}

static void read_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return;
	fseek(f, 0, SEEK_END);
	long len = ftell(f);
	fseek(f, 0, SEEK_SET);
	file_body = malloc(len > 0 ? (size_t)len : 1);
	file_len = fread(file_body, 1, len > 0 ? (size_t)len : 0, f);
	fclose(f);
}

int main(int argc, char **argv)
{
	int port = 8080;
	for (int i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--port"))
			port = atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--file"))
			read_file(argv[i + 1]);
		else if (!strcmp(argv[i], "--requests"))
			limit = atol(argv[i + 1]);
	}
	int l = socket(AF_INET6, SOCK_STREAM | SOCK_NONBLOCK, 0);
	if (l < 0)
		die("socket");
	int one = 1;
	setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_port = htons((uint16_t)port), .sin6_addr = in6addr_any };
	if (bind(l, (struct sockaddr *)&a, sizeof(a)) || listen(l, 1024))
		die("bind/listen");
	int ep = epoll_create1(0);
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = NULL };
	epoll_ctl(ep, EPOLL_CTL_ADD, l, &ev);
	printf("httpserver: listening on port %d\n", port);
	fflush(stdout);
	struct epoll_event events[MAX_EVENTS];
	while (!quit && (!limit || served < limit)) {
		int n = epoll_wait(ep, events, MAX_EVENTS, -1);
		if (n < 0 && errno != EINTR)
			die("epoll_wait");
		for (int i = 0; i < n; i++) {
			struct conn *c = events[i].data.ptr;
			if (!c) { /* the listener: every pending connection */
				int fd;
				while ((fd = accept4(l, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
					setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
					c = calloc(1, sizeof(*c));
					c->fd = fd;
					ev = (struct epoll_event){ .events = EPOLLIN | EPOLLRDHUP, .data.ptr = c };
					epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
				}
				continue;
			}
			int keep = 1;
			if (events[i].events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) {
				ssize_t r;
				while (c->have < sizeof(c->buf) && (r = read(c->fd, c->buf + c->have, sizeof(c->buf) - c->have)) > 0)
					c->have += (size_t)r;
				int eof = r == 0 || (r < 0 && errno != EAGAIN);
				keep = handle_requests(c) && !eof && c->have < sizeof(c->buf);
			}
			int done = flush(c);
			if (done < 0 || (done == 1 && !keep)) {
				close_conn(ep, c);
				continue;
			}
			ev = (struct epoll_event){ .events = EPOLLIN | EPOLLRDHUP | (done ? 0 : EPOLLOUT), .data.ptr = c };
			epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
		}
	}
	printf("httpserver: served %ld requests\n", served);
	return 0;
}
