/*
 * Host tests of the ChaCha20 block function (core/chacha20.c): the test vectors
 * of RFC 8439 (section 2.3.2 and appendix A.1), and a sanity check of a long
 * keystream. The generator around it (core/random.c) needs the kernel's locks
 * and the CPU's entropy source, so it is left to the boot tests.
 */
#include <kite/random.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "unit.h"

#define MIB (1024 * 1024UL)

struct vector {
	const char *name;
	uint8_t key[32];
	uint32_t counter;
	uint8_t nonce[12];
	const char *block;	/* hex */
};

/* RFC 8439: section 2.3.2, then appendix A.1 test vectors #1 to #5. */
static const struct vector vectors[] = {
	{ "2.3.2",
	  { 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f,
	    0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f },
	  1, { 0x00, 0x00, 0x00, 0x09, 0x00, 0x00, 0x00, 0x4a, 0x00, 0x00, 0x00, 0x00 },
	  "10f1e7e4d13b5915500fdd1fa32071c4c7d1f4c733c068030422aa9ac3d46c4e"
	  "d2826446079faa0914c2d705d98b02a2b5129cd1de164eb9cbd083e8a2503c4e" },
	{ "A.1 #1", { 0 }, 0, { 0 },
	  "76b8e0ada0f13d90405d6ae55386bd28bdd219b8a08ded1aa836efcc8b770dc7"
	  "da41597c5157488d7724e03fb8d84a376a43b8f41518a11cc387b669b2ee6586" },
	{ "A.1 #2", { 0 }, 1, { 0 },
	  "9f07e7be5551387a98ba977c732d080dcb0f29a048e3656912c6533e32ee7aed"
	  "29b721769ce64e43d57133b074d839d531ed1f28510afb45ace10a1f4b794d6f" },
	{ "A.1 #3", { [31] = 0x01 }, 1, { 0 },
	  "3aeb5224ecf849929b9d828db1ced4dd832025e8018b8160b82284f3c949aa5a"
	  "8eca00bbb4a73bdad192b5c42f73f2fd4e273644c8b36125a64addeb006c13a0" },
	{ "A.1 #4", { 0x00, 0xff }, 2, { 0 },
	  "72d54dfbf12ec44b362692df94137f328fea8da73990265ec1bbbea1ae9af0ca"
	  "13b25aa26cb4a648cb9b9d1be65b2c0924a66c54d545ec1b7374f4872e99f096" },
	{ "A.1 #5", { 0 }, 0, { [11] = 0x02 },
	  "c2c64d378cd536374ae204b9ef933fcd1a8b2288b3dfa49672ab765b54ee27c7"
	  "8a970e0e955c14f3a88e741b97c286f75f8fc299e8148362fa198a39531bed6d" },
};

static uint32_t le32(const uint8_t *b)
{
	return b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static void words(uint32_t *w, const uint8_t *b, int n)
{
	for (int i = 0; i < n; i++)
		w[i] = le32(b + 4 * i);
}

static void unhex(uint8_t *out, const char *hex, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char byte[3] = { hex[2 * i], hex[2 * i + 1], 0 };
		out[i] = (uint8_t)strtoul(byte, NULL, 16);
	}
}

static int popcount_diff(const uint8_t *a, const uint8_t *b, size_t n)
{
	int bits = 0;

	for (size_t i = 0; i < n; i++)
		bits += __builtin_popcount(a[i] ^ b[i]);
	return bits;
}

/* The key of the long-keystream tests: any fixed key will do. */
static void test_key(uint32_t key[8], uint32_t nonce[3])
{
	for (int i = 0; i < 8; i++)
		key[i] = 0x9e3779b9u * (i + 1);
	nonce[0] = 1;
	nonce[1] = 2;
	nonce[2] = 3;
}

static uint8_t *keystream(size_t size)
{
	uint32_t key[8], nonce[3];
	uint8_t *buf = malloc(size);

	test_key(key, nonce);
	for (size_t i = 0; i < size / 64; i++)
		chacha20_block(key, (uint32_t)i, nonce, buf + 64 * i);
	return buf;
}

TEST(rfc8439_vectors)
{
	for (size_t v = 0; v < sizeof(vectors) / sizeof(vectors[0]); v++) {
		uint32_t key[8], nonce[3];
		uint8_t want[64], got[64];

		words(key, vectors[v].key, 8);
		words(nonce, vectors[v].nonce, 3);
		unhex(want, vectors[v].block, 64);
		chacha20_block(key, vectors[v].counter, nonce, got);
		if (memcmp(got, want, 64)) {
			unit_fail(__FILE__, __LINE__, vectors[v].name);
			return;
		}
	}
}

TEST(output_need_not_be_aligned_and_inputs_are_kept)
{
	uint32_t key[8], nonce[3], key_copy[8], nonce_copy[3];
	uint8_t want[64], buf[64 + 3];

	words(key, vectors[0].key, 8);
	words(nonce, vectors[0].nonce, 3);
	memcpy(key_copy, key, sizeof(key));
	memcpy(nonce_copy, nonce, sizeof(nonce));
	unhex(want, vectors[0].block, 64);
	for (int off = 1; off <= 3; off++) {
		memset(buf, 0xaa, sizeof(buf));
		chacha20_block(key, 1, nonce, buf + off);
		CHECK(!memcmp(buf + off, want, 64));
		CHECK_EQ(buf[off - 1], 0xaa);
	}
	CHECK(!memcmp(key, key_copy, sizeof(key)));
	CHECK(!memcmp(nonce, nonce_copy, sizeof(nonce)));
}

/* Every input changes about half of the output bits. */
TEST(counter_nonce_and_key_change_the_output)
{
	uint32_t key[8], nonce[3];
	uint8_t base[64], other[64];
	int bits;

	test_key(key, nonce);
	chacha20_block(key, 0, nonce, base);
	chacha20_block(key, 1, nonce, other);
	bits = popcount_diff(base, other, 64);
	CHECK(bits > 192 && bits < 320);
	chacha20_block(key, 0xffffffff, nonce, other);
	CHECK(memcmp(base, other, 64));

	nonce[2] ^= 1u << 31;
	chacha20_block(key, 0, nonce, other);
	bits = popcount_diff(base, other, 64);
	CHECK(bits > 192 && bits < 320);
	nonce[2] ^= 1u << 31;

	key[7] ^= 1;
	chacha20_block(key, 0, nonce, other);
	bits = popcount_diff(base, other, 64);
	CHECK(bits > 192 && bits < 320);
}

/*
 * 1 MiB of keystream: each byte value 4096 times on average, with a standard
 * deviation of 64, so a count off by more than 7 deviations is a bug, not bad
 * luck; the chi-square statistic (255 degrees of freedom: mean 255, deviation
 * 22.6) must be neither huge (biased) nor tiny (too even to be random); the
 * ones are half the bits.
 */
TEST(keystream_histogram)
{
	uint8_t *buf = keystream(MIB);
	size_t count[256] = { 0 }, ones = 0;
	double chi2 = 0;

	for (size_t i = 0; i < MIB; i++) {
		count[buf[i]]++;
		ones += __builtin_popcount(buf[i]);
	}
	free(buf);
	for (int v = 0; v < 256; v++) {
		double d = (double)count[v] - MIB / 256.0;

		CHECK(count[v] > 4096 - 7 * 64 && count[v] < 4096 + 7 * 64);
		chi2 += d * d / (MIB / 256.0);
	}
	CHECK(chi2 > 150 && chi2 < 400);
	/* 8 Mi bits: deviation 1448. */
	CHECK(ones > 4 * MIB - 10000 && ones < 4 * MIB + 10000);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Every 8-byte window of 64 KiB (at every byte offset) occurs once. */
TEST(keystream_no_8_byte_repeats)
{
	size_t size = 64 * 1024, n = size - 7;
	uint8_t *buf = keystream(size);
	uint64_t *win = malloc(n * sizeof(*win));

	for (size_t i = 0; i < n; i++)
		memcpy(&win[i], buf + i, 8);
	qsort(win, n, sizeof(*win), cmp_u64);
	size_t repeats = 0;
	for (size_t i = 1; i < n; i++)
		repeats += win[i] == win[i - 1];
	free(win);
	free(buf);
	CHECK_EQ(repeats, 0);
}
