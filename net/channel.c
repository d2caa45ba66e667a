/*
 * Net channels (see channel.h and docs/network.md).
 *
 * Locking:
 * - The table of channels (flow key -> channel) is under table_lock, a
 *   spinlock taken with interrupts off (the status key reads the table from
 *   an interrupt). The receive thread looks a segment's flow up and queues it with
 *   the lock held, so a channel taken out of the table gets nothing more.
 * - A channel's ring has one producer, the receive thread (under table_lock,
 *   so one at a time even with several devices), and one consumer at a time:
 *   whoever holds lwIP's core lock. Neither side takes a lock for the ring.
 * - A channel is referenced by the table and by whoever drains it outside the
 *   table lock (the sweeper, the receive thread when the ring is full); the
 *   last reference frees it.
 *
 * Who drains a channel: the threads waiting on the socket (recv, send, poll,
 * epoll through the socket's poll operation), woken when the ring goes from
 * empty to not empty; when no one waits, lwIP's thread, sent a message then.
 * Whatever a waiter leaves (it stopped waiting, or an epoll loop is busy
 * elsewhere) the sweeper, a timer in lwIP's thread, drains within
 * CHANNEL_SWEEP_MS.
 *
 * Order: every segment of a flow with a channel goes through its ring, so
 * lwIP takes a connection's segments in the order they came. Only at the
 * start could some still wait in lwIP's mailbox, queued before the channel
 * opened: so a new channel is drained by lwIP's thread alone, starting with a
 * message sent once it is in the table (behind all of those), until that
 * message has run (`ready`).
 */
#include <kite/cmdline.h>
#include <kite/heap.h>
#include <kite/poll.h>
#include <kite/printk.h>
#include <kite/spinlock.h>
#include <string.h>
#include "lwip/api.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "lwip/tcp.h"
#include "lwip/tcpip.h"
#include "lwip/timeouts.h"
#include "netif/ethernet.h"
#include "channel.h"

#define CHANNEL_RING 128	/* segments; a power of two */
#define CHANNEL_SWEEP_MS 20
#define TABLE_BUCKETS 1024
#define SWEEP_BATCH 64

/* A TCP connection as seen from here: IPv4 addresses use word 0 only. */
struct flow_key {
	uint32_t local[4], remote[4];
	uint16_t local_port, remote_port;
	uint32_t is_ipv6;
};

struct channel {
	struct flow_key key;
	struct channel *next;		/* in its table bucket */
	struct poll_head *waiters;	/* the socket's */
	int refs;
	bool ready;			/* waiters may drain it (see Order above) */
	uint32_t head;			/* next slot to take: the consumer's */
	uint32_t tail;			/* next slot to fill: the producer's */
	struct pbuf *ring[CHANNEL_RING];
};

/* --net-channels: on (the default) or off, for comparison. */
static bool channels_on = true;
static struct channel *table[TABLE_BUCKETS];
static spinlock_t table_lock = SPINLOCK_INIT;
static unsigned nr_channels;		/* under table_lock */
static bool sweeper_armed;		/* under lwIP's core lock */

static struct {
	uint64_t queued;		/* segments put in a channel */
	uint64_t overflows;		/* a full ring, drained by the receive thread */
	uint64_t dropped;		/* a full ring not ready yet: TCP resends */
	uint64_t by_waiters;		/* segments processed by a socket's waiter */
	uint64_t by_lwip_thread;	/* ... by lwIP's thread, when no one waited */
	uint64_t by_receiver;		/* ... by the receive thread (a full ring) */
	uint64_t by_sweeper;		/* ... by the sweeper */
} stats;

static int set_channels(const char *value)
{
	if (!strcmp(value, "on"))
		channels_on = true;
	else if (!strcmp(value, "off"))
		channels_on = false;
	else
		return -1;
	return 0;
}
KOPT_VALUE("net-channels", set_channels, "on,off", "classify TCP segments into their readers' channels (default: on)");

bool channel_enabled(void)
{
	return channels_on;
}

static void count(uint64_t *counter, uint64_t n)
{
	__atomic_fetch_add(counter, n, __ATOMIC_RELAXED);
}

static unsigned bucket_of(const struct flow_key *k)
{
	uint32_t h = 2166136261u;
	const uint32_t *w = (const uint32_t *)k;
	for (size_t i = 0; i < sizeof(*k) / 4; i++)
		h = (h ^ w[i]) * 16777619u;
	return (h ^ (h >> 16)) % TABLE_BUCKETS;
}

static struct channel *lookup(const struct flow_key *k)
{
	struct channel *c = table[bucket_of(k)];
	while (c && memcmp(&c->key, k, sizeof(*k)))
		c = c->next;
	return c;
}

static void channel_get(struct channel *c)
{
	__atomic_fetch_add(&c->refs, 1, __ATOMIC_RELAXED);
}

static void channel_put(struct channel *c)
{
	if (__atomic_sub_fetch(&c->refs, 1, __ATOMIC_ACQ_REL))
		return;
	/* Not in the table, and everyone who drained it is gone: nothing can
	 * be left, but a leak here would be silent. */
	for (uint32_t i = c->head; i != c->tail; i++)
		pbuf_free(c->ring[i % CHANNEL_RING]);
	kfree(c);
}

/* Runs lwIP's input for everything in the ring; the core lock held. Returns
 * how many segments it processed. */
static unsigned drain_locked(struct channel *c)
{
	unsigned done = 0;
	uint32_t head = c->head;
	for (;;) {
		/* Pairs with the producer's fence: either it sees our head and
		 * wakes someone, or we see its tail here. */
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		uint32_t tail = __atomic_load_n(&c->tail, __ATOMIC_ACQUIRE);
		if (head == tail)
			return done;
		while (head != tail) {
			struct pbuf *p = c->ring[head % CHANNEL_RING];
			head++;
			__atomic_store_n(&c->head, head, __ATOMIC_RELEASE);
			struct netif *netif = netif_get_by_index(p->if_idx);
			if (netif)
				ethernet_input(p, netif);
			else
				pbuf_free(p);
			done++;
		}
	}
}

static bool pending(struct channel *c)
{
	return __atomic_load_n(&c->head, __ATOMIC_RELAXED) != __atomic_load_n(&c->tail, __ATOMIC_ACQUIRE);
}

void channel_drain(struct channel *c)
{
	if (!c || !pending(c) || !__atomic_load_n(&c->ready, __ATOMIC_ACQUIRE))
		return;
	LOCK_TCPIP_CORE();
	count(&stats.by_waiters, drain_locked(c));
	UNLOCK_TCPIP_CORE();
}

/* A message to lwIP's thread: drain the channel (which the message holds a
 * reference to); the first one also makes a new channel ready. */
static void drain_in_lwip_thread(void *arg)
{
	struct channel *c = arg;
	/* Set before drain_locked's fence: see channel_deliver. */
	__atomic_store_n(&c->ready, true, __ATOMIC_SEQ_CST);
	count(&stats.by_lwip_thread, drain_locked(c));
	channel_put(c);
}

/* Sends lwIP's thread a message to drain c; false if its mailbox is full
 * (the sweeper then does it within CHANNEL_SWEEP_MS). */
static bool post_drain(struct channel *c)
{
	channel_get(c);
	if (tcpip_try_callback(drain_in_lwip_thread, c) == ERR_OK)
		return true;
	channel_put(c);
	return false;
}

static void sweep(void *arg)
{
	(void)arg;
	for (;;) {
		struct channel *batch[SWEEP_BATCH];
		unsigned n = 0;
		bool more = false;
		unsigned long irq;
		spin_lock_irqsave(&table_lock, &irq);
		for (unsigned b = 0; b < TABLE_BUCKETS; b++)
			for (struct channel *c = table[b]; c; c = c->next) {
				if (!pending(c) || !__atomic_load_n(&c->ready, __ATOMIC_ACQUIRE))
					continue; /* not ready: its first message drains it */
				if (n == SWEEP_BATCH) {
					more = true;
					continue;
				}
				channel_get(c);
				batch[n++] = c;
			}
		bool any = nr_channels > 0;
		spin_unlock_irqrestore(&table_lock, irq);
		for (unsigned i = 0; i < n; i++) {
			count(&stats.by_sweeper, drain_locked(batch[i]));
			channel_put(batch[i]);
		}
		if (!more) {
			sweeper_armed = any;
			if (any)
				sys_timeout(CHANNEL_SWEEP_MS, sweep, NULL);
			return;
		}
	}
}

static void key_of_pcb(const struct tcp_pcb *pcb, struct flow_key *k)
{
	memset(k, 0, sizeof(*k));
	k->local_port = lwip_htons(pcb->local_port);
	k->remote_port = lwip_htons(pcb->remote_port);
	if (IP_IS_V6(&pcb->local_ip)) {
		k->is_ipv6 = 1;
		memcpy(k->local, ip_2_ip6(&pcb->local_ip)->addr, 16);
		memcpy(k->remote, ip_2_ip6(&pcb->remote_ip)->addr, 16);
	} else {
		k->local[0] = ip4_addr_get_u32(ip_2_ip4(&pcb->local_ip));
		k->remote[0] = ip4_addr_get_u32(ip_2_ip4(&pcb->remote_ip));
	}
}

struct channel *channel_open(struct netconn *conn, struct poll_head *waiters)
{
	if (!channel_enabled())
		return NULL;
	struct channel *c = kzalloc(sizeof(*c));
	if (!c)
		return NULL;
	c->waiters = waiters;
	c->refs = 1; /* the table's */
	unsigned long irq;
	LOCK_TCPIP_CORE();
	struct tcp_pcb *pcb = conn->pcb.tcp;
	bool established = pcb && pcb->state == ESTABLISHED;
	if (established) {
		key_of_pcb(pcb, &c->key);
		spin_lock_irqsave(&table_lock, &irq);
		if (lookup(&c->key)) {
			established = false; /* an older socket still has this flow */
		} else {
			unsigned b = bucket_of(&c->key);
			c->next = table[b];
			table[b] = c;
			nr_channels++;
		}
		spin_unlock_irqrestore(&table_lock, irq);
		if (established && !sweeper_armed) {
			sweeper_armed = true;
			sys_timeout(CHANNEL_SWEEP_MS, sweep, NULL);
		}
	}
	UNLOCK_TCPIP_CORE();
	if (!established) {
		kfree(c);
		return NULL;
	}
	/* Behind every segment of the flow already in lwIP's mailbox. Blocking
	 * if the mailbox is full (this is a program's thread, without the
	 * core lock): the channel must become ready. */
	channel_get(c);
	if (tcpip_callback(drain_in_lwip_thread, c) != ERR_OK) {
		channel_put(c);
		__atomic_store_n(&c->ready, true, __ATOMIC_RELEASE);
	}
	return c;
}

void channel_close(struct channel *c)
{
	if (!c)
		return;
	/* Under the core lock, so that the flow's next segments, which now
	 * take lwIP's mailbox, come after the ones in the ring. */
	unsigned long irq;
	LOCK_TCPIP_CORE();
	spin_lock_irqsave(&table_lock, &irq);
	struct channel **slot = &table[bucket_of(&c->key)];
	while (*slot != c)
		slot = &(*slot)->next;
	*slot = c->next;
	nr_channels--;
	spin_unlock_irqrestore(&table_lock, irq);
	count(&stats.by_waiters, drain_locked(c));
	UNLOCK_TCPIP_CORE();
	channel_put(c);
}

/* The flow of a TCP segment in an Ethernet frame, from the receiver's side;
 * false for anything else (fragments and IPv6 extension headers included,
 * which lwIP's ordinary path handles). The checks are only what reading the
 * key safely needs: lwIP checks the rest when it processes the segment. */
static bool flow_of_frame(const uint8_t *f, size_t len, struct flow_key *k)
{
	enum { ETH_HEADER = 14, TCP_PORTS = 4, PROTO_TCP = 6 };
	if (len < ETH_HEADER)
		return false;
	uint16_t type = (uint16_t)(f[12] << 8 | f[13]);
	const uint8_t *ip = f + ETH_HEADER;
	size_t ip_len = len - ETH_HEADER;
	const uint8_t *tcp;
	memset(k, 0, sizeof(*k));
	if (type == 0x0800) {
		if (ip_len < 20 || ip[0] >> 4 != 4 || ip[9] != PROTO_TCP)
			return false;
		size_t header = (size_t)(ip[0] & 0xf) * 4;
		if (header < 20 || ip_len < header + TCP_PORTS || ((ip[6] << 8 | ip[7]) & 0x3fff))
			return false; /* bad, or a fragment: MF set or an offset */
		memcpy(&k->remote[0], ip + 12, 4);
		memcpy(&k->local[0], ip + 16, 4);
		tcp = ip + header;
	} else if (type == 0x86dd) {
		if (ip_len < 40 + TCP_PORTS || ip[0] >> 4 != 6 || ip[6] != PROTO_TCP)
			return false;
		k->is_ipv6 = 1;
		memcpy(k->remote, ip + 8, 16);
		memcpy(k->local, ip + 24, 16);
		tcp = ip + 40;
	} else {
		return false;
	}
	memcpy(&k->remote_port, tcp, 2);
	memcpy(&k->local_port, tcp + 2, 2);
	return true;
}

bool channel_deliver(struct netif *netif, const void *frame, size_t len, struct pbuf *p)
{
	struct flow_key key;
	if (!__atomic_load_n(&nr_channels, __ATOMIC_RELAXED) || !flow_of_frame(frame, len, &key))
		return false;
	unsigned long irq;
	spin_lock_irqsave(&table_lock, &irq);
	struct channel *c = lookup(&key);
	if (!c) {
		spin_unlock_irqrestore(&table_lock, irq);
		return false;
	}
	uint32_t tail = c->tail;
	uint32_t head = __atomic_load_n(&c->head, __ATOMIC_ACQUIRE);
	bool ready = __atomic_load_n(&c->ready, __ATOMIC_ACQUIRE);
	p->if_idx = netif_get_index(netif);
	if (tail - head == CHANNEL_RING) {
		if (!ready) {
			/* Only lwIP's thread may take segments yet, and it is
			 * behind: drop this one (TCP sends it again). */
			spin_unlock_irqrestore(&table_lock, irq);
			count(&stats.dropped, 1);
			pbuf_free(p);
			return true;
		}
		/* Full: this thread drains it, then processes p after the rest. */
		channel_get(c);
		spin_unlock_irqrestore(&table_lock, irq);
		count(&stats.overflows, 1);
		LOCK_TCPIP_CORE();
		count(&stats.by_receiver, drain_locked(c) + 1);
		ethernet_input(p, netif);
		UNLOCK_TCPIP_CORE();
		channel_put(c);
		return true;
	}
	c->ring[tail % CHANNEL_RING] = p;
	__atomic_store_n(&c->tail, tail + 1, __ATOMIC_RELEASE);
	/* Pairs with drain_locked's fence: if the consumer had already taken
	 * everything before p, it may have stopped looking: someone must come
	 * for p. Before the channel is ready its first message will. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	bool was_taken = __atomic_load_n(&c->head, __ATOMIC_ACQUIRE) == tail;
	/* Looked at again after p is in: either the first message, which makes
	 * the channel ready before it drains, finds p, or this sees it ready. */
	ready = __atomic_load_n(&c->ready, __ATOMIC_ACQUIRE);
	bool for_lwip_thread = false;
	if (was_taken && ready) {
		if (poll_has_waiters(c->waiters))
			poll_wake(c->waiters, POLLIN);
		else
			for_lwip_thread = true;
	}
	if (for_lwip_thread)
		channel_get(c); /* the table's reference may go once unlocked */
	spin_unlock_irqrestore(&table_lock, irq);
	count(&stats.queued, 1);
	if (for_lwip_thread) {
		post_drain(c); /* may sleep: not under the spinlock */
		channel_put(c);
	}
	return true;
}

void channel_print_stats(void)
{
	if (!channel_enabled()) {
		pr_report("net channels: off\n");
		return;
	}
	pr_report("net channels: %u open; segments queued %lu, full rings %lu, dropped before ready %lu; processed by "
		  "waiters %lu, by lwIP's thread %lu, by the receive thread %lu, by the sweeper %lu\n",
		  nr_channels, stats.queued, stats.overflows, stats.dropped, stats.by_waiters, stats.by_lwip_thread,
		  stats.by_receiver, stats.by_sweeper);
	/* The first few channels: a stuck one shows segments waiting. The
	 * table's lock is taken with interrupts off wherever it is taken, so
	 * this interrupt handler cannot have come while its CPU held it. */
	unsigned shown = 0;
	unsigned long irq;
	spin_lock_irqsave(&table_lock, &irq);
	for (unsigned b = 0; b < TABLE_BUCKETS && shown < 8; b++)
		for (struct channel *c = table[b]; c && shown < 8; c = c->next, shown++)
			pr_report("  channel port %u <- %u: taken %u of %u, %s, %s\n", lwip_ntohs(c->key.local_port),
				  lwip_ntohs(c->key.remote_port), c->head, c->tail, c->ready ? "ready" : "not ready",
				  poll_has_waiters(c->waiters) ? "watched" : "unwatched");
	spin_unlock_irqrestore(&table_lock, irq);
}
