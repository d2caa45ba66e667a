/* The cycle counter, for boot timing until the clock subsystem exists. */
#ifndef KITE_CLOCK_H
#define KITE_CLOCK_H
#include <stdint.h>

uint64_t cycles_now(void);

/* Cycles per second, measured once (about 10 ms) on first use. */
uint64_t cycles_per_second(void);

#endif
