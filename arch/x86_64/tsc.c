/*
 * The TSC as a cycle counter, calibrated against PIT channel 2 (10 ms). Under
 * TCG both run on the host's clocks, so the calibration holds there too.
 * FIXME: kvmclock and CPUID leaf 0x15 when the clock subsystem lands.
 */
#include <arch/cpu.h>
#include <arch/io.h>
#include <arch/relax.h>
#include <kite/clock.h>
#include <kite/printk.h>

#define PIT_HZ 1193182
#define PIT_CH2 0x42
#define PIT_CMD 0x43
#define PORT_61 0x61
#define CALIBRATE_MS 10

static uint64_t tsc_hz;

uint64_t cycles_now(void)
{
	return rdtsc();
}

static uint64_t calibrate(void)
{
	uint16_t count = PIT_HZ / (1000 / CALIBRATE_MS);

	outb(PORT_61, (inb(PORT_61) & ~0x02) | 0x01); /* gate on, speaker off */
	outb(PIT_CMD, 0xb0);			       /* channel 2, lo/hi, mode 0 */
	outb(PIT_CH2, count & 0xff);
	outb(PIT_CH2, count >> 8);
	uint64_t start = rdtsc();
	for (uint64_t spins = 0; !(inb(PORT_61) & 0x20); spins++) {
		if (rdtsc() - start > (1UL << 36)) {
			pr_warn("kite: the PIT does not count; assuming a 1 GHz TSC\n");
			return 1000000000;
		}
		cpu_relax();
	}
	return (rdtsc() - start) * (1000 / CALIBRATE_MS);
}

uint64_t cycles_per_second(void)
{
	if (!tsc_hz)
		tsc_hz = calibrate();
	return tsc_hz;
}
