/*
 * Leaving the VM. The application's exit status is the run's exit status; the
 * kernel's own failures use the distinct statuses below so that a script can tell
 * a crash from an app that returned 1. (run.sh maps QEMU's isa-debug-exit code
 * (status << 1) | 1 back to the status.) Statuses must fit in 0..127.
 */
#ifndef KITE_EXIT_H
#define KITE_EXIT_H
#include <kite/compiler.h>

enum kite_exit_status {
	EXIT_OK = 0,
	EXIT_USAGE = 2,			/* bad kernel command line */
	EXIT_PANIC = 100,		/* panic() or a failed assertion */
	EXIT_OUT_OF_MEMORY = 101,
	EXIT_PAGE_FAULT = 102,		/* wild or null pointer */
	EXIT_DIVIDE_ERROR = 103,
	EXIT_INVALID_OPCODE = 104,
	EXIT_STACK_OVERFLOW = 105,	/* a guard page was hit */
	EXIT_GENERAL_PROTECTION = 106,
	EXIT_DOUBLE_FAULT = 107,
	EXIT_OTHER_EXCEPTION = 108,
	EXIT_NO_LONG_MODE = 109,	/* set in boot.S, which cannot include this */
	EXIT_BAD_BOOT = 110,		/* the loader's information is unusable */
	EXIT_BAD_PROGRAM = 111,		/* the program could not be started (the reason is printed) */
};

/* Powers the machine off with `status`: isa-debug-exit, else ACPI, else halt. */
__noreturn void kite_exit(int status);

/* The arch part: tries isa-debug-exit and ACPI poweroff; returns if both failed. */
void machine_power_off(int status);

#endif
