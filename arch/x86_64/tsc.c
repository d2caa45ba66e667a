/*
 * The TSC as the cycle counter, calibrated at boot against the ACPI power
 * management timer (3.579545 MHz, 2 ms of it) or, without ACPI, against PIT
 * channel 2 (10 ms). Under TCG both run on the host's clocks, so the
 * calibration holds there too.
 * FIXME: kvmclock and CPUID leaf 0x15 when they are available; a second,
 * longer measurement to refine the rate.
 */
#include <arch/cpu.h>
#include <arch/io.h>
#include <arch/relax.h>
#include <kite/acpi.h>
#include <kite/clock.h>
#include <kite/printk.h>

#define PM_TIMER_HZ 3579545
#define PM_TIMER_TICKS 7159	/* 2 ms */
#define PIT_HZ 1193182
#define PIT_CH2 0x42
#define PIT_CMD 0x43
#define PORT_61 0x61
#define PIT_CALIBRATE_MS 10

static uint64_t tsc_hz;

uint64_t cycles_now(void)
{
	return rdtsc();
}

static uint64_t calibrate_pm_timer(uint16_t port)
{
	/* The counter is 24 bits wide at least: differences are taken modulo 2^24. */
	uint32_t start = inl(port) & 0xffffff;
	uint64_t tsc_start = rdtsc();
	uint32_t elapsed;

	do {
		elapsed = ((inl(port) & 0xffffff) - start) & 0xffffff;
		if (rdtsc() - tsc_start > (1UL << 36))
			return 0;
	} while (elapsed < PM_TIMER_TICKS);
	uint64_t cycles = rdtsc() - tsc_start;
	return cycles * PM_TIMER_HZ / elapsed;
}

static uint64_t calibrate_pit(void)
{
	uint16_t count = PIT_HZ / (1000 / PIT_CALIBRATE_MS);

	outb(PORT_61, (inb(PORT_61) & ~0x02) | 0x01); /* gate on, speaker off */
	outb(PIT_CMD, 0xb0);			       /* channel 2, lo/hi, mode 0 */
	outb(PIT_CH2, count & 0xff);
	outb(PIT_CH2, count >> 8);
	uint64_t start = rdtsc();
	while (!(inb(PORT_61) & 0x20)) {
		if (rdtsc() - start > (1UL << 36))
			return 0;
		cpu_relax();
	}
	return (rdtsc() - start) * (1000 / PIT_CALIBRATE_MS);
}

uint64_t cycles_per_second(void)
{
	if (tsc_hz)
		return tsc_hz;
	uint16_t pm_port = acpi_pm_timer_port();
	if (pm_port)
		tsc_hz = calibrate_pm_timer(pm_port);
	if (!tsc_hz)
		tsc_hz = calibrate_pit();
	if (!tsc_hz) {
		pr_warn("kite: no timer to calibrate the TSC against; assuming 1 GHz\n");
		tsc_hz = 1000000000;
	}
	return tsc_hz;
}
