/*
 * glibc 2.36's arc4random family (libstdc++'s std::random_device imports
 * it), on the kernel's generator: every call is fresh cryptographic
 * randomness, as glibc's are.
 */
#include <kite/random.h>
#include <stdint.h>

uint32_t arc4random(void)
{
	uint32_t v;
	random_bytes(&v, sizeof(v));
	return v;
}

void arc4random_buf(void *buf, size_t n)
{
	random_bytes(buf, n);
}

/* Uniform in [0, bound): values below 2^32 mod bound would come up once
 * too often, so they are drawn again. */
uint32_t arc4random_uniform(uint32_t bound)
{
	if (bound < 2)
		return 0;
	uint32_t reject_below = -bound % bound;
	for (;;) {
		uint32_t v = arc4random();
		if (v >= reject_below)
			return v % bound;
	}
}
