/*
 * The HTTP test's client, on the host: CONNS connections to 127.0.0.1:PORT,
 * all open at once, each asking once as it opens and then REQUESTS more
 * keep-alive requests (every other one for /file), each answer checked
 * (status, length, body). (Asking as it opens matters: QEMU's user network
 * stops opening connections to the guest after about 50 idle ones.) It waits for the server to come up
 * (QEMU accepts forwarded connections before the guest listens, and then
 * closes them) for up to 60 s. Then it ends the server (GET /quit), unless
 * told --keep-server (a test that checks the server again later).
 *   http_client PORT CONNS REQUESTS FILE [--keep-server]
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static const char hello[] = "Hello from httpserver\n";
static char *file;
static long file_len;

static int connect_to(int port)
{
	int s = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(s, (struct sockaddr *)&a, sizeof(a))) {
		close(s);
		return -1;
	}
	return s;
}

/* One request and its answer; 1 if right, 0 if wrong, -1 if the connection failed first. */
static int exchange(int s, int want_file)
{
	char req[128], resp[8192];
	int n = snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: kite\r\n\r\n", want_file ? "/file" : "/");
	if (write(s, req, (size_t)n) != n)
		return -1;
	size_t have = 0;
	const char *body = NULL;
	long length = -1;
	for (;;) {
		ssize_t r = read(s, resp + have, sizeof(resp) - 1 - have);
		if (r <= 0) {
			fprintf(stderr, "http_client: the connection ended %s (%zu bytes of an answer)\n",
				r ? "with an error" : "early", have);
			return have ? 0 : -1;
		}
		have += (size_t)r;
		resp[have] = '\0';
		char *end = strstr(resp, "\r\n\r\n");
		if (!end)
			continue;
		const char *cl = strstr(resp, "Content-Length: ");
		length = cl ? atol(cl + 16) : -1;
		body = end + 4;
		if (length >= 0 && (long)(have - (size_t)(body - resp)) >= length)
			break;
	}
	if (strncmp(resp, "HTTP/1.1 200 OK\r\n", 17))
		fprintf(stderr, "http_client: a wrong answer: %.40s\n", resp);
	const char *want = want_file ? file : hello;
	long want_len = want_file ? file_len : (long)sizeof(hello) - 1;
	return !strncmp(resp, "HTTP/1.1 200 OK\r\n", 17) && length == want_len && !memcmp(body, want, (size_t)want_len);
}

int main(int argc, char **argv)
{
	if (argc != 5 && !(argc == 6 && !strcmp(argv[5], "--keep-server")))
		return 2;
	int keep_server = argc == 6;
	int port = atoi(argv[1]), conns = atoi(argv[2]), requests = atoi(argv[3]);
	FILE *f = fopen(argv[4], "rb");
	if (!f)
		return 2;
	file = malloc(65536);
	file_len = (long)fread(file, 1, 65536, f);
	fclose(f);
	/* Wait for the server: a first exchange that works. */
	time_t start = time(NULL);
	int ok = 0;
	while (!ok && time(NULL) - start < 60) {
		int s = connect_to(port);
		if (s >= 0) {
			ok = exchange(s, 0) == 1;
			close(s);
		}
		if (!ok)
			usleep(200000);
	}
	if (!ok) {
		printf("http_client: no answer from port %d within 60 s\n", port);
		return 1;
	}
	int *fds = calloc((size_t)conns, sizeof(int));
	long good = 1, bad = 0;
	for (int i = 0; i < conns; i++) {
		if ((fds[i] = connect_to(port)) < 0) {
			printf("http_client: connection %d failed\n", i);
			return 1;
		}
		int e = exchange(fds[i], 0);
		good += e == 1;
		bad += e != 1;
	}
	for (int r = 0; r < requests; r++)
		for (int i = 0; i < conns; i++) {
			int e = exchange(fds[i], (r + i) % 2);
			good += e == 1;
			bad += e != 1;
		}
	for (int i = 0; i < conns; i++)
		close(fds[i]);
	/* The server ends when asked. */
	int s = keep_server ? -1 : connect_to(port);
	if (s >= 0) {
		static const char quit[] = "GET /quit HTTP/1.1\r\n\r\n";
		char bye[64];
		write(s, quit, sizeof(quit) - 1);
		read(s, bye, sizeof(bye));
		close(s);
	}
	printf("http_client: %ld answers right, %ld wrong\n", good, bad);
	return bad ? 1 : 0;
}
