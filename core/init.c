/* Runs the functions registered with INITCALL, level by level (see init.h). */
#include <kite/init.h>
#include <kite/printk.h>
#include <kite/ksyms.h>

extern const initcall_t __initcall_early_start[], __initcall_early_end[];
extern const initcall_t __initcall_platform_start[], __initcall_platform_end[];
extern const initcall_t __initcall_device_start[], __initcall_device_end[];
extern const initcall_t __initcall_late_start[], __initcall_late_end[];

static const struct {
	const initcall_t *start, *end;
} levels[] = {
	[INIT_EARLY] = { __initcall_early_start, __initcall_early_end },
	[INIT_PLATFORM] = { __initcall_platform_start, __initcall_platform_end },
	[INIT_DEVICE] = { __initcall_device_start, __initcall_device_end },
	[INIT_LATE] = { __initcall_late_start, __initcall_late_end },
};

void run_initcalls(enum init_level level)
{
	for (const initcall_t *fn = levels[level].start; fn < levels[level].end; fn++) {
		int err = (*fn)();
		if (err) {
			const char *name = ksym_name((uintptr_t)*fn, NULL);
			pr_warn("kite: %s failed with error %d\n", name ? name : "init", err);
		}
	}
}
