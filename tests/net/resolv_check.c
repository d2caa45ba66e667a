/*
 * Name resolution as a program sees it: waits (up to 10 s, for DHCP) for
 * /etc/resolv.conf, prints it, then resolves NAME through getaddrinfo (which
 * /etc/hosts answers in the test's image) and prints the address.
 *   resolv_check NAME
 */
#include <arpa/inet.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc != 2)
		return 2;
	FILE *f = NULL;
	for (int i = 0; i < 100 && !(f = fopen("/etc/resolv.conf", "r")); i++)
		usleep(100000);
	if (!f) {
		printf("no /etc/resolv.conf\n");
		return 1;
	}
	char line[256];
	while (fgets(line, sizeof(line), f))
		printf("resolv.conf: %s", line);
	fclose(f);
	struct addrinfo hints = { .ai_family = AF_INET, .ai_socktype = SOCK_STREAM }, *res;
	int err = getaddrinfo(argv[1], "80", &hints, &res);
	if (err) {
		printf("getaddrinfo %s: %s\n", argv[1], gai_strerror(err));
		return 1;
	}
	char ip[INET_ADDRSTRLEN];
	inet_ntop(AF_INET, &((struct sockaddr_in *)res->ai_addr)->sin_addr, ip, sizeof(ip));
	printf("%s is %s\n", argv[1], ip);
	freeaddrinfo(res);
	return 0;
}
