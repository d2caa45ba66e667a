/* A plugin the program loads with dlopen: functions, data, a thread-local
 * variable, a constructor and a destructor, and a call back into the program. */
#include <stdio.h>
#include <string.h>

int plugin_version = 3;
__thread int plugin_calls = 10;

/* The program defines it (and exports it with -rdynamic). */
int host_multiplier(void);

__attribute__((constructor)) static void plugin_loaded(void)
{
	printf("plugin: constructor ran, version %d\n", plugin_version);
}

__attribute__((destructor)) static void plugin_unloaded(void)
{
	printf("plugin: destructor ran after %d calls in the main thread\n", plugin_calls - 10);
}

const char *plugin_name(void)
{
	return "square-and-scale";
}

long plugin_compute(long x)
{
	plugin_calls++;
	return x * x * host_multiplier();
}

size_t plugin_strlen(const char *s)
{
	return strlen(s); /* libc, from inside the plugin */
}
