/*
 * Clocks. The monotonic clock counts nanoseconds since boot from the CPU's
 * invariant time-stamp counter, calibrated once at boot; the real-time clock
 * adds the wall-clock time the CMOS RTC gave at boot.
 */
#ifndef KITE_CLOCK_H
#define KITE_CLOCK_H
#include <stdint.h>

#define NSEC_PER_SEC 1000000000ULL
#define NSEC_PER_MSEC 1000000ULL

/* The cycle counter and its rate (measured by clock_init). */
uint64_t cycles_now(void);
uint64_t cycles_per_second(void);

/* Measures the counter's rate; needs ACPI's timer or the PIT. */
void clock_init(void);

uint64_t clock_monotonic_ns(void);
uint64_t clock_realtime_ns(void);

/* The wall-clock time at boot, from the RTC driver. */
void clock_set_boot_realtime(uint64_t seconds_since_epoch);

/* Busy-waits (for drivers that must wait microseconds with interrupts off). */
void clock_spin_ns(uint64_t ns);

#endif
