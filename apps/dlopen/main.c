/*
 * Loading a plugin at run time: dlopen by name (found through the program's
 * RUNPATH, $ORIGIN), dlsym of functions, data and a thread-local variable, a
 * call from the plugin back into the program, dladdr, dl_iterate_phdr,
 * dlerror for a missing library and a missing symbol, libc and libm opened by
 * name, dlopen twice, dlclose. The output is the same on Linux and in Kite.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <link.h>
#include <stdio.h>
#include <string.h>

int host_multiplier(void)
{
	return 3;
}

static int found_plugin;

static int each_object(struct dl_phdr_info *info, size_t size, void *data)
{
	(void)size;
	(void)data;
	const char *slash = strrchr(info->dlpi_name, '/');
	if (!strcmp(slash ? slash + 1 : info->dlpi_name, "libplugin.so"))
		found_plugin = info->dlpi_phnum > 0 && info->dlpi_addr != 0;
	return 0;
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("before dlopen\n");
	void *plugin = dlopen("libplugin.so", RTLD_NOW);
	if (!plugin) {
		printf("dlopen failed: %s\n", dlerror());
		return 1;
	}
	const char *(*name)(void) = (const char *(*)(void))dlsym(plugin, "plugin_name");
	long (*compute)(long) = (long (*)(long))dlsym(plugin, "plugin_compute");
	size_t (*plugin_strlen)(const char *) = (size_t (*)(const char *))dlsym(plugin, "plugin_strlen");
	int *version = dlsym(plugin, "plugin_version");
	int *calls = dlsym(plugin, "plugin_calls");
	if (!name || !compute || !plugin_strlen || !version || !calls) {
		printf("dlsym failed: %s\n", dlerror());
		return 1;
	}
	printf("plugin '%s', version %d\n", name(), *version);
	for (long x = 1; x <= 4; x++)
		printf("compute(%ld) = %ld\n", x, compute(x));
	printf("thread-local calls counter: %d\n", *calls);
	printf("strlen through the plugin: %zu\n", plugin_strlen("twelve chars"));

	Dl_info info;
	if (dladdr((void *)compute, &info)) {
		const char *slash = strrchr(info.dli_fname, '/');
		printf("dladdr: %s in %s\n", info.dli_sname ? info.dli_sname : "?", slash ? slash + 1 : info.dli_fname);
	}
	dl_iterate_phdr(each_object, NULL);
	printf("dl_iterate_phdr lists the plugin: %s\n", found_plugin ? "yes" : "no");

	printf("missing library: %s\n", dlopen("libnothere.so", RTLD_NOW) ? "loaded?" : (dlerror() ? "error" : "no error?"));
	printf("missing symbol: %s\n", dlsym(plugin, "no_such_symbol") ? "found?" : (dlerror() ? "error" : "no error?"));
	printf("dlerror after it was read: %s\n", dlerror() ? "still set?" : "cleared");

	void *libm = dlopen("libm.so.6", RTLD_NOW);
	double (*cosine)(double) = libm ? (double (*)(double))dlsym(libm, "cos") : NULL;
	printf("libm's cos(0) = %.1f\n", cosine ? cosine(0.0) : -1.0);
	printf("printf found by RTLD_DEFAULT: %s\n", dlsym(RTLD_DEFAULT, "printf") ? "yes" : "no");

	void *again = dlopen("libplugin.so", RTLD_NOW);
	printf("second dlopen gives the same handle: %s\n", again == plugin ? "yes" : "no");
	printf("dlclose: %d, %d\n", dlclose(again), dlclose(plugin));
	printf("leaving main\n");
	return 0;
}
