/* The loader's dlopen and dlsym (loader/dlopen.c) report through musl's own
 * per-thread dlerror state (its dlerror.c, kept in the kernel's archive). */
#include "dynlink.h"

void kite_dl_seterr(const char *message)
{
	__dl_seterr("%s", message);
}
