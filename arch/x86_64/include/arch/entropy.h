/*
 * The CPU's entropy source, for the random generator (core/random.c): RDSEED
 * (straight from the hardware noise source) where the CPU has it, else RDRAND
 * (a generator the hardware reseeds from that source), and the TSC for timing
 * jitter where it has neither.
 */
#ifndef ARCH_ENTROPY_H
#define ARCH_ENTROPY_H
#include <stdbool.h>
#include <stdint.h>

/*
 * 64 bits from RDSEED or RDRAND; false when the CPU has neither, when one that
 * failed its first-use check (a constant output: some CPUs return all ones
 * after a resume) or when both kept failing through their retries.
 */
bool arch_entropy_u64(uint64_t *out);

/* The cycle counter (RDTSC, not serialized: for jitter, not for timing). */
uint64_t arch_cycles(void);

#endif
