/*
 * The ChaCha20 block function (see random.h), as RFC 8439 section 2.3 describes
 * it: a 4x4 matrix of 32-bit words (four constants, the key, the block counter,
 * the nonce), ten double rounds of quarter rounds down the columns and then the
 * diagonals, and the input added back in so that the rounds cannot be run
 * backwards from the output.
 *
 * Plain C on general registers (the kernel has no vector registers), and nothing
 * but <stdint.h>: the host unit test links this file alone.
 *
 * The working state is wiped before returning: it is a permutation of the
 * input, so a copy left on the stack would give the key away, and the random
 * generator's whole point is that an old key is gone once it is replaced.
 */
#include <kite/random.h>
#include <stdint.h>

#define ROUNDS 20

static inline uint32_t rotl32(uint32_t v, int n)
{
	return (v << n) | (v >> (32 - n));
}

#define QUARTER_ROUND(x, a, b, c, d)                                           \
	do {                                                                   \
		x[a] += x[b]; x[d] = rotl32(x[d] ^ x[a], 16);                  \
		x[c] += x[d]; x[b] = rotl32(x[b] ^ x[c], 12);                  \
		x[a] += x[b]; x[d] = rotl32(x[d] ^ x[a], 8);                   \
		x[c] += x[d]; x[b] = rotl32(x[b] ^ x[c], 7);                   \
	} while (0)

/* Stores the compiler may not drop although nothing reads them afterwards. */
static void wipe_words(uint32_t *w, int n)
{
	volatile uint32_t *v = w;

	for (int i = 0; i < n; i++)
		v[i] = 0;
}

void chacha20_block(const uint32_t key[8], uint32_t counter, const uint32_t nonce[3], uint8_t out[64])
{
	uint32_t s[16], x[16];

	s[0] = 0x61707865;	/* "expand 32-byte k" */
	s[1] = 0x3320646e;
	s[2] = 0x79622d32;
	s[3] = 0x6b206574;
	for (int i = 0; i < 8; i++)
		s[4 + i] = key[i];
	s[12] = counter;
	s[13] = nonce[0];
	s[14] = nonce[1];
	s[15] = nonce[2];

	for (int i = 0; i < 16; i++)
		x[i] = s[i];
	for (int i = 0; i < ROUNDS; i += 2) {
		QUARTER_ROUND(x, 0, 4, 8, 12);	/* columns */
		QUARTER_ROUND(x, 1, 5, 9, 13);
		QUARTER_ROUND(x, 2, 6, 10, 14);
		QUARTER_ROUND(x, 3, 7, 11, 15);
		QUARTER_ROUND(x, 0, 5, 10, 15);	/* diagonals */
		QUARTER_ROUND(x, 1, 6, 11, 12);
		QUARTER_ROUND(x, 2, 7, 8, 13);
		QUARTER_ROUND(x, 3, 4, 9, 14);
	}

	/* Byte by byte, little-endian: out need not be aligned. */
	for (int i = 0; i < 16; i++) {
		uint32_t v = x[i] + s[i];

		out[4 * i] = (uint8_t)v;
		out[4 * i + 1] = (uint8_t)(v >> 8);
		out[4 * i + 2] = (uint8_t)(v >> 16);
		out[4 * i + 3] = (uint8_t)(v >> 24);
	}
	wipe_words(s, 16);
	wipe_words(x, 16);
}
