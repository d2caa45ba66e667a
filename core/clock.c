/*
 * The monotonic and real-time clocks (see clock.h): ns = (cycles - base) *
 * mult >> 32, with a 128-bit product so that no range limit applies.
 */
#include <kite/clock.h>
#include <kite/printk.h>

extern uint64_t boot_entry_tsc; /* boot.S */

static uint64_t base_cycles;
static uint64_t mult; /* ns per cycle, as a 32.32 fixed-point number */
static uint64_t boot_realtime_ns;

void clock_init(void)
{
	uint64_t hz = cycles_per_second();

	mult = (uint64_t)(((unsigned __int128)NSEC_PER_SEC << 32) / hz);
	base_cycles = boot_entry_tsc; /* time counts from the first instruction */
	pr_debug("kite: clock: TSC at %lu.%03lu MHz\n", hz / 1000000, hz / 1000 % 1000);
}

uint64_t clock_monotonic_ns(void)
{
	return (uint64_t)(((unsigned __int128)(cycles_now() - base_cycles) * mult) >> 32);
}

void clock_set_boot_realtime(uint64_t seconds)
{
	boot_realtime_ns = seconds * NSEC_PER_SEC - clock_monotonic_ns();
}

uint64_t clock_realtime_ns(void)
{
	return boot_realtime_ns + clock_monotonic_ns();
}

void clock_spin_ns(uint64_t ns)
{
	uint64_t end = clock_monotonic_ns() + ns;
	while (clock_monotonic_ns() < end)
		__asm__ volatile("" ::: "memory");
}
