/*
 * Init levels: subsystems and drivers register their start-up function with
 * INITCALL(level, fn) on their last line, and kmain runs each level in order.
 * core/ never lists drivers by name.
 *
 *   early     consoles (so that everything after can print)
 *   platform  firmware tables, interrupt controllers, timers
 *   device    device drivers
 *   late      what needs all of the above
 */
#ifndef KITE_INIT_H
#define KITE_INIT_H
#include <kite/compiler.h>

typedef int (*initcall_t)(void);

#define INITCALL(level, fn)                                                    \
	static const initcall_t __initcall_##fn __used                         \
		__section(".initcall." #level) = fn

enum init_level { INIT_EARLY, INIT_PLATFORM, INIT_DEVICE, INIT_LATE };

/* Runs every function of `level`; a failure is reported and boot goes on. */
void run_initcalls(enum init_level level);

#endif
