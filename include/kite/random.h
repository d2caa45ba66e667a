/*
 * The kernel's random numbers, for /dev/random, /dev/urandom and getrandom():
 * a ChaCha20 keystream under a 256-bit key that is replaced after every request
 * ("fast key erasure"), so that the state captured at any moment tells nothing
 * about numbers already handed out. The key is seeded at boot from RDSEED or
 * RDRAND, and from TSC jitter where the CPU has neither.
 *
 * Every function here may be called from any context, interrupt handlers
 * included, and none of them allocates.
 */
#ifndef KITE_RANDOM_H
#define KITE_RANDOM_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The ChaCha20 block function of RFC 8439: 64 bytes of keystream for block
 * `counter` under `key` and `nonce` (words in the RFC's little-endian order:
 * key[0] holds key bytes 0-3).
 */
void chacha20_block(const uint32_t key[8], uint32_t counter, const uint32_t nonce[3], uint8_t out[64]);

/*
 * Seeds the generator from the CPU's entropy source, 512 bits of it, plus TSC
 * jitter (4096 samples; the only source when the CPU has neither RDSEED nor
 * RDRAND). Needs no heap, clock or ACPI, only this CPU's per-CPU area;
 * calling it again mixes in more. Takes a millisecond or so.
 */
void random_init(void);

/* True once random_init has run. */
bool random_seeded(void);

/* Fills buf with n random bytes; seeds the generator first if nobody has yet. */
void random_bytes(void *buf, size_t n);
uint64_t random_u64(void);

/*
 * Mixes data into the key. It may be anything, even chosen by an attacker: it
 * can only add to what the attacker does not know. Credits no entropy.
 */
void random_add_entropy(const void *data, size_t n);

#endif
