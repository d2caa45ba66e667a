/*
 * A TCP echo server for the network tests, on the host: listens on
 * 127.0.0.1 (QEMU's user network reaches it from the guest as 10.0.2.2),
 * prints its port, and echoes every connection, one at a time, until killed.
 *   echo_server            (the port is chosen by the kernel)
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

int main(void)
{
	int s = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof(a)) || listen(s, 16) ||
	    getsockname(s, (struct sockaddr *)&a, &len)) {
		perror("echo_server");
		return 1;
	}
	printf("%u\n", ntohs(a.sin_port));
	fflush(stdout);
	for (;;) {
		int c = accept(s, NULL, NULL);
		if (c < 0)
			continue;
		char buf[65536];
		ssize_t n;
		while ((n = read(c, buf, sizeof(buf))) > 0) {
			for (ssize_t off = 0; off < n;) {
				ssize_t w = write(c, buf + off, (size_t)(n - off));
				if (w <= 0)
					break;
				off += w;
			}
		}
		close(c);
	}
}
