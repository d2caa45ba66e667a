/*
 * kmain: the boot, one step per line. boot.S calls it on the boot stack with the
 * early page tables, in 64-bit mode, interrupts off.
 */
#include <arch/stacks.h>
#include <arch/trap.h>
#include <kite/loader.h>
#include <kite/acpi.h>
#include <kite/bootchart.h>
#include <kite/bootinfo.h>
#include <kite/exit.h>
#include <kite/init.h>
#include <kite/mem.h>
#include <kite/printk.h>
#include <kite/sched.h>
#include <kite/clock.h>
#include <kite/file.h>
#include <kite/random.h>
#include <kite/musl.h>
#include <kite/wait.h>
#include <kite/smp.h>
#include <arch/fpu.h>

#define KITE_VERSION "0.1"

void crashtest_run(void);
void selftest_run(void);
void bench_run(void);
int boot_cmdline(char *cmdline, int *argc, char ***argv);

void kmain(uint32_t magic, uint32_t info_pa)
{
	const char *error = "";
	int argc;
	char **argv;

	percpu_init_boot();			/* this CPU's struct cpu, through %gs */
	bootchart_mark("kmain");
	run_initcalls(INIT_EARLY);		/* consoles: from here on we can talk */
	static_stacks_register();		/* crash reports know the stacks */
	gdt_init(cpus[0], boot_ist_tops());	/* our GDT and the TSS with IST stacks */
	idt_init();				/* exceptions are reported from here on */
	if (multiboot_parse(magic, info_pa, &error)) {
		pr_err("kite: %s\n", error);
		kite_exit(EXIT_BAD_BOOT);
	}
	if (boot_cmdline(boot_info.cmdline, &argc, &argv))
		kite_exit(EXIT_USAGE);
	pr_debug("kite: started by %s\n", boot_info.loader);
	bootchart_mark("command line");
	mem_init();				/* own page tables, frames, heap */
	bootchart_mark("memory");
	acpi_init();				/* firmware tables: CPUs, timer, power-off */
	clock_init();				/* the TSC's rate */
	random_init();				/* the CSPRNG, from RDSEED/RDRAND or TSC jitter */
	fpu_init_cpu();				/* SSE, AVX for applications */
	kite_musl_init();			/* musl's process-wide state */
	sched_init(ist_stack_top(IST_INTERRUPT), ist_stack_top(IST_EXCEPTION));
	bootchart_mark("scheduler");		/* threads, timer interrupts on */
	smp_init();				/* the other CPUs */
	bootchart_mark("cpus");
	run_initcalls(INIT_PLATFORM);		/* clocks, device registrations */
	fs_init();				/* root, /dev, /tmp, descriptors 0-2 */
	run_initcalls(INIT_DEVICE);
	run_initcalls(INIT_LATE);
	bootchart_mark("devices");

	uint64_t ram_tenths_mib = boot_ram_size() * 10 >> 20;
	pr_info("Kite %s: %lu.%lu MiB memory, %u CPUs\n", KITE_VERSION, ram_tenths_mib / 10,
		ram_tenths_mib % 10, nr_cpus);
	bootchart_mark("banner");
	bootchart_print();
	selftest_run();
	bench_run();
	crashtest_run();
	if (!argc)
		kite_exit(EXIT_OK);
	if (program_start(argc, argv))		/* the program: its exit ends the run */
		kite_exit(EXIT_BAD_PROGRAM);
	for (;;)
		thread_sleep_until(DEADLINE_NONE);
}
