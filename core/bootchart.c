/* The boot chart (see bootchart.h). boot.S stores the TSC at the very first
 * instruction in boot_entry_tsc. */
#include <kite/bootchart.h>
#include <kite/clock.h>
#include <kite/cmdline.h>
#include <kite/compiler.h>
#include <kite/printk.h>
#include <stdbool.h>
#include <stdint.h>

#define MAX_STAGES 16

extern uint64_t boot_entry_tsc;

static struct {
	const char *name;
	uint64_t cycles;
} stages[MAX_STAGES];
static int nr_stages;
static bool enabled;

void bootchart_mark(const char *stage)
{
	if (nr_stages < MAX_STAGES)
		stages[nr_stages++] = (typeof(stages[0])){ stage, cycles_now() };
}

void bootchart_print(void)
{
	if (!enabled)
		return;
	uint64_t hz = cycles_per_second();
	pr_info("bootchart: ms since the first instruction\n");
	for (int i = 0; i < nr_stages; i++) {
		uint64_t us = (stages[i].cycles - boot_entry_tsc) * 1000000 / hz;
		pr_info("  %4lu.%03lu  %s\n", us / 1000, us % 1000, stages[i].name);
	}
}

static int set_bootchart(const char *value __unused)
{
	enabled = true;
	return 0;
}
KOPT_FLAG("bootchart", set_bootchart, "print the time from entry to each boot stage");
