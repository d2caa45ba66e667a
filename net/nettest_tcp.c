/*
 * --selftest=tcp --test-peer=ADDRESS:PORT: a TCP echo exchange with a server
 * outside (the test starts one on the host; QEMU's user network reaches the
 * host's 127.0.0.1 as 10.0.2.2). Waits for the interface's address (DHCP or
 * --ip), connects, and sends TOTAL bytes of a pseudo-random stream in chunks,
 * reading each chunk's echo back before the next and checking every byte.
 */
#include <kite/clock.h>
#include <kite/cmdline.h>
#include <kite/errno.h>
#include <kite/heap.h>
#include <kite/net.h>
#include <kite/panic.h>
#include <kite/printk.h>
#include <string.h>
#include "lwip/api.h"
#include "lwip/ip_addr.h"

#define TOTAL (8u << 20)
#define CHUNK (64u << 10)

static ip_addr_t peer;
static uint16_t peer_port;

static int set_peer(const char *value)
{
	const char *colon = strchr(value, ':');
	char ip[16];
	if (!colon || (size_t)(colon - value) >= sizeof(ip))
		return -EINVAL;
	memcpy(ip, value, (size_t)(colon - value));
	ip[colon - value] = '\0';
	unsigned port = 0;
	for (const char *p = colon + 1; *p; p++)
		if (*p < '0' || *p > '9' || (port = port * 10 + (unsigned)(*p - '0')) > 65535)
			return -EINVAL;
	if (!port || !ipaddr_aton(ip, &peer))
		return -EINVAL;
	peer_port = (uint16_t)port;
	return 0;
}
KOPT_VALUE("test-peer", set_peer, "ADDRESS:PORT", "the echo server of --selftest=tcp");

static uint32_t stream_next(uint32_t *state)
{
	*state ^= *state << 13;
	*state ^= *state >> 17;
	*state ^= *state << 5;
	return *state;
}

void selftest_tcp(void)
{
	if (!peer_port)
		panic("selftest: tcp: say which echo server: --test-peer=ADDRESS:PORT");
	if (!net_wait_for_address(clock_monotonic_ns() + 10000ULL * 1000 * 1000))
		panic("selftest: tcp: no IPv4 address after 10 s");
	struct netconn *c = netconn_new(NETCONN_TCP);
	if (!c)
		panic("selftest: tcp: no memory for a connection");
	err_t err = netconn_connect(c, &peer, peer_port);
	if (err != ERR_OK)
		panic("selftest: tcp: connect: lwIP error %d", err);
	uint8_t *chunk = kmalloc(CHUNK);
	if (!chunk)
		panic("selftest: tcp: no memory");
	uint32_t send_state = 2463534242u, check_state = 2463534242u;
	uint64_t start = clock_monotonic_ns();
	for (uint32_t sent = 0; sent < TOTAL; sent += CHUNK) {
		for (uint32_t i = 0; i < CHUNK; i += 4) {
			uint32_t v = stream_next(&send_state);
			memcpy(chunk + i, &v, 4);
		}
		if ((err = netconn_write(c, chunk, CHUNK, NETCONN_COPY)) != ERR_OK)
			panic("selftest: tcp: write: lwIP error %d", err);
		/* The echo of this chunk, checked word by word. */
		uint32_t word = 0, have = 0;
		for (uint32_t got = 0; got < CHUNK;) {
			struct netbuf *nb;
			if ((err = netconn_recv(c, &nb)) != ERR_OK)
				panic("selftest: tcp: read after %u bytes: lwIP error %d", sent + got, err);
			do {
				void *data;
				u16_t len;
				netbuf_data(nb, &data, &len);
				for (u16_t i = 0; i < len; i++) {
					word |= (uint32_t)((uint8_t *)data)[i] << (8 * have);
					if (++have == 4) {
						if (word != stream_next(&check_state))
							panic("selftest: tcp: wrong data near byte %u", sent + got + i);
						word = 0;
						have = 0;
					}
				}
				got += len;
			} while (netbuf_next(nb) >= 0);
			netbuf_delete(nb);
		}
	}
	uint64_t ns = clock_monotonic_ns() - start;
	netconn_close(c);
	netconn_delete(c);
	kfree(chunk);
	pr_info("selftest: tcp: %u MiB echoed and verified in %lu ms: ok\n", TOTAL >> 20, ns / 1000000);
}
