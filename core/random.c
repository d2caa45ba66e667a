/*
 * The random generator (see random.h): one 256-bit ChaCha20 key, under a lock.
 *
 * Output. Under the lock, block 0 of the key gives the next key (bytes 0-31),
 * which overwrites the old one at once, and a key for this request alone (bytes
 * 32-63). This is Bernstein's "fast key erasure": the state left behind cannot
 * be run backwards, so capturing it reveals nothing handed out before. The
 * request's keystream is then made outside the lock, with counters from 0: a
 * big read neither holds other CPUs nor keeps interrupts off, and it may write
 * to memory that faults. The request key is wiped at the end. Requests are cut
 * into CHUNK pieces with a fresh key each, so the 32-bit counter never wraps.
 *
 * Mixing. Data is absorbed 32 bytes at a time: key = bytes 0-31 of
 * ChaCha20(key ^ piece, counter = piece number, nonce = {piece length, bytes
 * left, MIX_NONCE}). XORing data the attacker may know, or even choose, into
 * a key he does not know leaves it just as unknown (for fixed data it is a
 * bijection); into a key he knows (before seeding), it carries whatever entropy
 * the data has, up to 256 bits per piece. The block function then spreads every
 * input bit over the whole new key, and its final addition of the input makes
 * it one-way, so the new key does not give the old one back either. The
 * lengths in the nonce keep inputs that differ only in zero padding or in how
 * they were split apart; MIX_NONCE keeps absorbing blocks apart from output
 * blocks (nonce 0).
 *
 * Seeding (random_init). 512 bits from RDSEED/RDRAND, which we trust with 256
 * of them, and always TSC jitter too, so that a faulty or subverted RDRAND
 * alone does not decide the key: 4096 timings of short busy loops whose length
 * follows the previous timing. Their low bits vary with the pipeline, caches,
 * and the host's doings under a hypervisor; assuming 1/16 of a bit each gives
 * 256 bits. They are folded into a 256-bit pool, which is absorbed every 64
 * samples.
 */
#include <arch/entropy.h>
#include <kite/compiler.h>
#include <kite/printk.h>
#include <kite/random.h>
#include <kite/spinlock.h>
#include <string.h>

#define CHUNK (64 * 1024)
#define MIX_NONCE 0x78696d21	/* "!mix", anything but 0 */
#define SEED_WORDS 8		/* 512 bits from the CPU */
#define JITTER_SAMPLES 4096
#define JITTER_MIX_EVERY 64

static spinlock_t lock = SPINLOCK_INIT;
static uint32_t key[8];	/* lock: lock */
static bool seeded;	/* atomic */
static bool told_jitter; /* atomic */

static const uint32_t zero_nonce[3];

/* Stores that the compiler must keep although nothing reads them afterwards. */
static void wipe(void *p, size_t n)
{
	volatile uint8_t *v = p;

	while (n--)
		*v++ = 0;
}

bool random_seeded(void)
{
	return __atomic_load_n(&seeded, __ATOMIC_ACQUIRE);
}

void random_add_entropy(const void *data, size_t n)
{
	const uint8_t *p = data;
	uint32_t piece[8], k[8], nonce[3];
	uint8_t block[64];
	unsigned long flags;

	spin_lock_irqsave(&lock, &flags);
	for (uint32_t i = 0; n; i++) {
		size_t len = MIN(n, sizeof(piece));

		memset(piece, 0, sizeof(piece));
		memcpy(piece, p, len);
		for (int w = 0; w < 8; w++)
			k[w] = key[w] ^ piece[w];
		nonce[0] = (uint32_t)len;
		nonce[1] = (uint32_t)n;	/* what is left, this piece included */
		nonce[2] = MIX_NONCE;
		chacha20_block(k, i, nonce, block);
		memcpy(key, block, sizeof(key));
		p += len;
		n -= len;
	}
	spin_unlock_irqrestore(&lock, flags);
	wipe(piece, sizeof(piece));
	wipe(k, sizeof(k));
	wipe(block, sizeof(block));
}

/* The next state key replaces the current one; the rest of the block keys this request. */
static void request_key(uint32_t rkey[8])
{
	uint8_t block[64];
	unsigned long flags;

	spin_lock_irqsave(&lock, &flags);
	chacha20_block(key, 0, zero_nonce, block);
	memcpy(key, block, sizeof(key));
	spin_unlock_irqrestore(&lock, flags);
	memcpy(rkey, block + 32, 32);
	wipe(block, sizeof(block));
}

void random_bytes(void *buf, size_t n)
{
	uint8_t *p = buf, block[64];
	uint32_t rkey[8];

	if (!random_seeded())
		random_init();
	while (n) {
		size_t chunk = MIN(n, (size_t)CHUNK);
		uint32_t counter = 0;

		request_key(rkey);
		n -= chunk;
		for (; chunk >= 64; chunk -= 64, p += 64)
			chacha20_block(rkey, counter++, zero_nonce, p);
		if (chunk) {
			chacha20_block(rkey, counter, zero_nonce, block);
			memcpy(p, block, chunk);
			p += chunk;
		}
	}
	wipe(rkey, sizeof(rkey));
	wipe(block, sizeof(block));
}

uint64_t random_u64(void)
{
	uint64_t v;

	random_bytes(&v, sizeof(v));
	return v;
}

static inline uint64_t rotl64(uint64_t v, int n)
{
	return (v << n) | (v >> (64 - n));
}

static void mix_jitter(void)
{
	uint64_t pool[4] = { 0 };
	uint64_t prev = arch_cycles(), delta = 0;
	volatile unsigned sink = 0;

	for (int i = 0; i < JITTER_SAMPLES; i++) {
		for (unsigned j = 0; j < 16 + (delta & 63); j++)
			sink += j;
		uint64_t now = arch_cycles();
		delta = now - prev;
		prev = now;
		pool[i % 4] = rotl64(pool[i % 4], 7) ^ delta;
		if (i % JITTER_MIX_EVERY == JITTER_MIX_EVERY - 1)
			random_add_entropy(pool, sizeof(pool));
	}
	wipe(pool, sizeof(pool));
}

void random_init(void)
{
	uint64_t seed[SEED_WORDS] = { 0 };
	bool from_cpu = true;

	for (int i = 0; i < SEED_WORDS; i++)
		from_cpu &= arch_entropy_u64(&seed[i]);
	random_add_entropy(seed, sizeof(seed));
	wipe(seed, sizeof(seed));
	mix_jitter();
	if (!from_cpu && !__atomic_exchange_n(&told_jitter, true, __ATOMIC_RELAXED))
		pr_info("kite: random: seeded from TSC jitter (no RDRAND)\n");
	__atomic_store_n(&seeded, true, __ATOMIC_RELEASE);
}
