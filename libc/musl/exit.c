/*
 * exit: musl's, with the calling thread's thread_local destructors first
 * (libc/thread_dtors.c), as glibc does. musl's own definition is weakened
 * (MUSL_OVERRIDDEN in the Makefile).
 */
#include <stdlib.h>
#include "libc.h"
#include "stdio_impl.h"
#include <kite/musl.h>

_Noreturn void exit(int code)
{
	kite_run_thread_dtors();
	__funcs_on_exit();
	__libc_exit_fini();
	__stdio_exit();
	_Exit(code);
}
