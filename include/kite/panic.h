/*
 * Crash reports. panic() is for broken invariants only; it prints the message,
 * a symbolized backtrace and exits with EXIT_PANIC. Exceptions report through
 * crash_begin()/crash_end() with their own status.
 */
#ifndef KITE_PANIC_H
#define KITE_PANIC_H
#include <stdbool.h>
#include <stdint.h>
#include <kite/compiler.h>

__noreturn void panic(const char *fmt, ...) __printf(1, 2);

/* Like panic, for memory exhaustion the kernel cannot recover from: EXIT_OUT_OF_MEMORY. */
__noreturn void out_of_memory(const char *fmt, ...) __printf(1, 2);

#define assert(cond)                                                           \
	do {                                                                   \
		if (unlikely(!(cond)))                                         \
			panic("assertion '%s' failed at %s:%d", #cond,         \
			      __FILE__, __LINE__);                             \
	} while (0)

/*
 * Starts a crash report; returns false when a crash report is already under way
 * (a fault inside the report), in which case the caller should exit at once.
 */
bool crash_begin(void);

/* True once a crash report has begun (consoles then stop taking their lock). */
bool crash_in_progress(void);

/* Prints the thread and CPU that crashed (and, with --threads-on-panic, all threads). */
void crash_print_context(void);

/* Prints the backtrace from (rip, rbp), the exit line, and exits with status. */
__noreturn void crash_end(uintptr_t rip, uintptr_t rbp, int status);

/* Prints a backtrace starting at rip, following frame pointers from rbp. */
void backtrace_print(uintptr_t rip, uintptr_t rbp);

#endif
