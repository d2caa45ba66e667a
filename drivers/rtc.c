/*
 * The CMOS real-time clock: read once at boot for the wall-clock time (the
 * monotonic clock carries it from there). Registers may be BCD or binary and the
 * hour 12- or 24-hour, as status register B says; a read is repeated until two
 * agree, so an update in the middle cannot tear it.
 */
#include <arch/io.h>
#include <kite/clock.h>
#include <kite/init.h>
#include <kite/printk.h>
#include <stdbool.h>
#include <stdint.h>

#define CMOS_INDEX 0x70
#define CMOS_DATA 0x71
#define REG_STATUS_A 0x0a
#define REG_STATUS_B 0x0b
#define STATUS_A_UPDATING 0x80
#define STATUS_B_24H 0x02
#define STATUS_B_BINARY 0x04

struct rtc_time {
	unsigned sec, min, hour, day, month, year;
};

static uint8_t cmos_read(uint8_t reg)
{
	outb(CMOS_INDEX, reg | 0x80); /* bit 7: keep NMIs enabled as they were */
	return inb(CMOS_DATA);
}

static void read_raw(struct rtc_time *t)
{
	for (int i = 0; i < 100000 && (cmos_read(REG_STATUS_A) & STATUS_A_UPDATING); i++)
		;
	t->sec = cmos_read(0x00);
	t->min = cmos_read(0x02);
	t->hour = cmos_read(0x04);
	t->day = cmos_read(0x07);
	t->month = cmos_read(0x08);
	t->year = cmos_read(0x09);
}

static unsigned from_bcd(unsigned v)
{
	return (v & 0x0f) + (v >> 4) * 10;
}

/* Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static int rtc_init(void)
{
	struct rtc_time a, b;

	read_raw(&a);
	for (int tries = 0; tries < 10; tries++) {
		read_raw(&b);
		if (a.sec == b.sec && a.min == b.min && a.hour == b.hour && a.day == b.day &&
		    a.month == b.month && a.year == b.year)
			break;
		a = b;
	}
	uint8_t status_b = cmos_read(REG_STATUS_B);
	bool pm = b.hour & 0x80;
	b.hour &= 0x7f;
	if (!(status_b & STATUS_B_BINARY)) {
		b.sec = from_bcd(b.sec);
		b.min = from_bcd(b.min);
		b.hour = from_bcd(b.hour);
		b.day = from_bcd(b.day);
		b.month = from_bcd(b.month);
		b.year = from_bcd(b.year);
	}
	if (!(status_b & STATUS_B_24H))
		b.hour = (b.hour % 12) + (pm ? 12 : 0);
	if (b.month < 1 || b.month > 12 || b.day < 1 || b.day > 31 || b.hour > 23 || b.min > 59 ||
	    b.sec > 60) {
		pr_warn("kite: rtc: nonsense date, the real-time clock starts at 1970\n");
		return 0;
	}
	int64_t days = days_from_civil(2000 + b.year, b.month, b.day);
	clock_set_boot_realtime((uint64_t)(days * 86400 + b.hour * 3600 + b.min * 60 + b.sec));
	pr_debug("kite: rtc: 20%02u-%02u-%02u %02u:%02u:%02u UTC\n", b.year, b.month, b.day, b.hour, b.min, b.sec);
	return 0;
}
INITCALL(platform, rtc_init);
