/*
 * RDSEED and RDRAND (see arch/entropy.h). Both may fail transiently (carry
 * clear) when the hardware source is drained; Intel's guidance is to retry ten
 * times, with a pause for RDSEED, before calling the source broken.
 *
 * The CPUID bits are read on first use, and each instruction must then give 8
 * values that are not all the same: some CPUs have been found to return a
 * constant (all ones) with the carry set, and such a source is worse than none
 * because it looks like it works.
 */
#include <arch/cpu.h>
#include <arch/entropy.h>
#include <arch/relax.h>
#include <kite/printk.h>

#define CPUID1_ECX_RDRAND (1U << 30)
#define CPUID7_EBX_RDSEED (1U << 18)
#define RETRIES 10
#define SELFTEST_SAMPLES 8

#define HAVE_RDSEED 1
#define HAVE_RDRAND 2
#define PROBED 4

static int sources; /* atomic; PROBED and what passed the check */

static bool rdseed(uint64_t *v)
{
	bool ok;

	for (int i = 0; i < RETRIES; i++) {
		__asm__ volatile("rdseed %0" : "=r"(*v), "=@ccc"(ok));
		if (ok)
			return true;
		cpu_relax();
	}
	return false;
}

static bool rdrand(uint64_t *v)
{
	bool ok;

	for (int i = 0; i < RETRIES; i++) {
		__asm__ volatile("rdrand %0" : "=r"(*v), "=@ccc"(ok));
		if (ok)
			return true;
	}
	return false;
}

static bool selftest(bool (*read)(uint64_t *), const char *name)
{
	uint64_t first, v;
	bool varies = false;

	if (!read(&first))
		goto broken;
	for (int i = 1; i < SELFTEST_SAMPLES; i++) {
		if (!read(&v))
			goto broken;
		varies |= v != first;
	}
	if (varies)
		return true;
broken:
	pr_warn("kite: entropy: %s fails or repeats itself; not using it\n", name);
	return false;
}

/* Two CPUs may probe at once: they reach the same answer. */
static int probe(void)
{
	uint32_t a, b, c, d, max_leaf;
	int found = PROBED;

	cpuid(0, 0, &max_leaf, &b, &c, &d);
	if (max_leaf >= 7) {
		cpuid(7, 0, &a, &b, &c, &d);
		if ((b & CPUID7_EBX_RDSEED) && selftest(rdseed, "RDSEED"))
			found |= HAVE_RDSEED;
	}
	cpuid(1, 0, &a, &b, &c, &d);
	if ((c & CPUID1_ECX_RDRAND) && selftest(rdrand, "RDRAND"))
		found |= HAVE_RDRAND;
	__atomic_store_n(&sources, found, __ATOMIC_RELAXED);
	return found;
}

bool arch_entropy_u64(uint64_t *out)
{
	int have = __atomic_load_n(&sources, __ATOMIC_RELAXED);

	if (!have)
		have = probe();
	if ((have & HAVE_RDSEED) && rdseed(out))
		return true;
	return (have & HAVE_RDRAND) && rdrand(out);
}

uint64_t arch_cycles(void)
{
	return rdtsc();
}
