/*
 * dlopen, dlsym, dlclose, dladdr: loading libraries while the program runs,
 * with the steps the program's own start uses (loader/program.c), under one
 * lock. Errors go to dlerror (musl's per-thread state) as one line.
 *
 * - Every library is loaded RTLD_GLOBAL and RTLD_NOW: its symbols serve later
 *   lookups, and it is relocated whole before dlopen returns.
 * - dlclose counts; at the last reference the library's destructors run, but
 *   it stays mapped (as with musl), so pointers into it stay valid. Opened
 *   again, its constructors run again.
 * - The libraries Kite stands in for (libc.so.6, libm.so.6, ...) open as one
 *   handle whose symbols are Kite's.
 * - A library's thread-local storage comes from a reserve of static TLS; one
 *   that does not fit fails with a message that says so.
 * - dlsym(handle) looks in that object first, then in everything loaded after
 *   it (its dependencies are among those), then in Kite.
 */
#include <kite/format.h>
#include <kite/ksyms.h>
#include <kite/sync.h>
#include <string.h>
#include "loader.h"

#define RTLD_NOLOAD 4
#define RTLD_DEFAULT ((void *)0)
#define RTLD_NEXT ((void *)-1)

void kite_dl_seterr(const char *message);

static struct mutex dl_lock = MUTEX_INIT(dl_lock);

/* The handle of the libraries Kite provides itself. */
static char kite_libc_handle;

static void set_error(const char *fmt, const char *a, const char *b)
{
	char message[320];
	ksnprintf(message, sizeof(message), fmt, a, b);
	kite_dl_seterr(message);
}

static int index_of(const struct program *p, const void *handle)
{
	for (int i = 0; i < p->nr_objects; i++)
		if (handle == &p->objects[i])
			return i;
	return -1;
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

void *dlopen(const char *file, int mode)
{
	struct program *p = loaded_program;
	if (!p) {
		set_error("%s%s", "dlopen: no program is loaded", "");
		return NULL;
	}
	if (!file)
		return &p->objects[0];
	if (is_provided(base_name(file)))
		return &kite_libc_handle;
	const struct object *caller = object_at((uint64_t)__builtin_return_address(0));

	mutex_lock(&dl_lock);
	struct object *o = find_loaded(p, file);
	if (o || (mode & RTLD_NOLOAD)) {
		bool reopened = o && o->finalized;
		if (o)
			o->refcount++;
		else
			set_error("%s: %s", file, "not loaded (RTLD_NOLOAD)");
		mutex_unlock(&dl_lock);
		/* Closed for good before: its constructors run again, as they would
		 * after a reload (its data keeps what it held, though). */
		if (reopened)
			run_initializers_of(p, o);
		return o;
	}
	int first = p->nr_objects;
	char error[256];
	loader_capture_errors(error, sizeof(error));
	o = load_library(p, caller, file);
	bool loaded = o && !load_needed(p, first) && !layout_tls(p, first) && !relocate_objects(p, first);
	loader_capture_errors(NULL, 0);
	if (!loaded) {
		/* FIXME: what was mapped, and TLS given, stays taken. */
		p->nr_objects = first;
		mutex_unlock(&dl_lock);
		set_error("%s%s", error, "");
		return NULL;
	}
	for (int i = first; i < p->nr_objects; i++)
		p->objects[i].refcount = 1;
	mutex_unlock(&dl_lock);
	/* Outside the lock: a constructor may call dlopen itself. */
	run_initializers(p, first);
	return o;
}

/* Looks name up in objects[from..] (all of them from 0), then in Kite. */
static void *find_symbol(struct program *p, int from, const char *name)
{
	struct symbol_name n;
	symbol_name_init(&n, name);
	for (int i = from; i < p->nr_objects; i++) {
		const struct object *o = &p->objects[i];
		const struct sym *s = symbol_in(o, &n, false);
		if (s)
			return (void *)(o->base + s->value);
		s = symbol_in(o, &n, true);
		if (s && o->tls_module) {
			/* A thread-local variable: this thread's copy. */
			char *thread_pointer;
			__asm__("movq %%fs:0, %0" : "=r"(thread_pointer));
			return thread_pointer - o->tls_offset + s->value;
		}
	}
	return (void *)kernel_export(name);
}

void *dlsym(void *restrict handle, const char *restrict name)
{
	struct program *p = loaded_program;
	void *found = NULL;
	mutex_lock(&dl_lock);
	if (handle == &kite_libc_handle) {
		found = (void *)kernel_export(name);
	} else if (handle == RTLD_DEFAULT) {
		found = p ? find_symbol(p, 0, name) : (void *)kernel_export(name);
	} else if (handle == RTLD_NEXT) {
		const struct object *caller = object_at((uint64_t)__builtin_return_address(0));
		found = caller ? find_symbol(p, index_of(p, caller) + 1, name) : NULL;
	} else {
		int i = p ? index_of(p, handle) : -1;
		if (i < 0) {
			mutex_unlock(&dl_lock);
			set_error("%s%s", "dlsym: invalid handle", "");
			return NULL;
		}
		found = find_symbol(p, i, name);
	}
	mutex_unlock(&dl_lock);
	if (!found)
		set_error("undefined symbol: %s%s", name, "");
	return found;
}

int dlclose(void *handle)
{
	struct program *p = loaded_program;
	if (handle == &kite_libc_handle)
		return 0;
	mutex_lock(&dl_lock);
	int i = p ? index_of(p, handle) : -1;
	struct object *last = NULL;
	if (i > 0 && p->objects[i].refcount > 0 && --p->objects[i].refcount == 0)
		last = &p->objects[i];
	mutex_unlock(&dl_lock);
	if (i < 0) {
		set_error("%s%s", "dlclose: invalid handle", "");
		return -1;
	}
	/* The last reference: its destructors run now, as glibc runs them when
	 * it unloads it. (Its libraries stay: they may serve others.) */
	if (last)
		run_finalizers(last);
	return 0;
}

/* glibc's <dlfcn.h>. */
typedef struct {
	const char *dli_fname;
	void *dli_fbase;
	const char *dli_sname;
	void *dli_saddr;
} Dl_info;

int dladdr(const void *addr, Dl_info *info)
{
	const struct object *o = object_at((uint64_t)addr);
	if (!o) {
		/* Kite's own code and data: the C library, to the program. */
		uint64_t off, size;
		const char *name = ksym_name_size((uintptr_t)addr, &off, &size);
		if (!name)
			return 0;
		*info = (Dl_info){ .dli_fname = "libc.so.6", .dli_fbase = NULL, .dli_sname = name,
				   .dli_saddr = (char *)addr - off };
		return 1;
	}
	*info = (Dl_info){ .dli_fname = o->path, .dli_fbase = (void *)(o->base + o->img.span_start) };
	const struct sym *s = symbol_containing(o, (uint64_t)addr - o->base);
	if (s) {
		info->dli_sname = elf_string(&o->img, s->name);
		info->dli_saddr = (void *)(o->base + s->value);
	}
	return 1;
}
