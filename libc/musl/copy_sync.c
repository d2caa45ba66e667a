/*
 * libc objects that a program has copied (COPY relocations).
 *
 * A program built against glibc that uses `environ`, `optind`, `optarg` or
 * `program_invocation_name` keeps its own copy of each in its data segment, and
 * the loader fills the copy from libc's object. musl's code goes on using its
 * own, so the two would drift apart: getopt would advance musl's optind while
 * the program reads its own. Kite keeps them equal at the points where they can
 * change: the libc functions that read or write such an object are wrapped
 * (their musl originals are renamed to __musl_NAME when the kernel's archive is
 * made, see MUSL_WRAPPED in the Makefile), and each wrapper copies the
 * program's values into libc's objects before the call and libc's back after.
 * The program's own reads and writes then see and make the same values.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "libc.h"

/* stdio.h's macros of the same names would not give the objects' addresses. */
#undef stdin
#undef stdout
#undef stderr

extern char *optarg;
extern int optind, opterr, optopt;
extern char __libc_single_threaded; /* libc/thread_dtors.c; C++ programs copy it */
extern const unsigned char in6addr_any[16], in6addr_loopback[16]; /* <netinet/in.h>'s */

/* GROUP_CONSTANT: objects libc never changes (musl's stdin, stdout and stderr are
 * constant pointers; Kite is never single-threaded; the IPv6 addresses), so the program's copy is
 * exact and nothing is synced. */
enum group { GROUP_CONSTANT, GROUP_ENVIRON, GROUP_GETOPT, GROUP_PROGNAME };

struct copied_object {
	void *libc_object;
	size_t size;
	enum group group;
	void *program_copy;	/* NULL: the program has no copy */
};

static struct copied_object objects[] = {
	{ (void *)&stdin, sizeof(stdin), GROUP_CONSTANT, 0 },
	{ (void *)&stdout, sizeof(stdout), GROUP_CONSTANT, 0 },
	{ (void *)&stderr, sizeof(stderr), GROUP_CONSTANT, 0 },
	{ &__libc_single_threaded, sizeof(__libc_single_threaded), GROUP_CONSTANT, 0 },
	{ (void *)in6addr_any, sizeof(in6addr_any), GROUP_CONSTANT, 0 },
	{ (void *)in6addr_loopback, sizeof(in6addr_loopback), GROUP_CONSTANT, 0 },
	{ &__environ, sizeof(__environ), GROUP_ENVIRON, 0 },
	{ &optind, sizeof(optind), GROUP_GETOPT, 0 },
	{ &optarg, sizeof(optarg), GROUP_GETOPT, 0 },
	{ &opterr, sizeof(opterr), GROUP_GETOPT, 0 },
	{ &optopt, sizeof(optopt), GROUP_GETOPT, 0 },
	{ &__progname, sizeof(__progname), GROUP_PROGNAME, 0 },
	{ &__progname_full, sizeof(__progname_full), GROUP_PROGNAME, 0 },
};
#define NR_OBJECTS (sizeof(objects) / sizeof(objects[0]))

/* The loader: may the program copy the libc object at `libc_object`? If so it
 * is recorded, and the caller copies it. 0, or -1 for objects Kite cannot keep equal. */
int kite_copy_relocation(void *libc_object, void *program_copy, size_t size)
{
	for (size_t i = 0; i < NR_OBJECTS; i++) {
		if (objects[i].libc_object != libc_object)
			continue;
		if (size != objects[i].size)
			return -1;
		objects[i].program_copy = program_copy;
		return 0;
	}
	return -1;
}

static void program_to_libc(enum group g)
{
	for (size_t i = 0; i < NR_OBJECTS; i++)
		if (objects[i].group == g && objects[i].program_copy)
			memcpy(objects[i].libc_object, objects[i].program_copy, objects[i].size);
}

static void libc_to_program(enum group g)
{
	for (size_t i = 0; i < NR_OBJECTS; i++)
		if (objects[i].group == g && objects[i].program_copy)
			memcpy(objects[i].program_copy, objects[i].libc_object, objects[i].size);
}

/* The program's copy of program_invocation_name, for glibc's error() and the like. */
const char *kite_program_name(void)
{
	program_to_libc(GROUP_PROGNAME);
	return __progname_full ? __progname_full : "";
}

void kite_run_library_finalizers(void); /* loader/program.c */

int __musl___libc_start_main(int (*main)(int, char **, char **), int argc, char **argv,
			   void (*init)(void), void (*fini)(void), void (*ldso_fini)(void));

/* The program's constructors and destructors (DT_INIT_ARRAY, DT_FINI_ARRAY), which
 * glibc's start-up runs and musl's does not know about; set by the loader. */
typedef void (*array_fn)(int, char **, char **);
static const uint64_t *program_init_array, *program_fini_array;
static size_t program_init_count, program_fini_count;

void kite_set_program_arrays(const uint64_t *init, size_t nr_init, const uint64_t *fini, size_t nr_fini)
{
	program_init_array = init;
	program_init_count = nr_init;
	program_fini_array = fini;
	program_fini_count = nr_fini;
}

/* Registered before main runs, so it runs after every atexit handler the program adds. */
static void run_program_destructors(void)
{
	for (size_t i = program_fini_count; i-- > 0;)
		if (program_fini_array[i] && program_fini_array[i] != UINT64_MAX)
			((void (*)(void))program_fini_array[i])();
}

/* The values musl's start-up computes, set first so the program starts with them. */
int __libc_start_main(int (*main)(int, char **, char **), int argc, char **argv,
		      void (*init)(void), void (*fini)(void), void (*ldso_fini)(void))
{
	__environ = argv + argc + 1;
	__progname = __progname_full = argv[0] ? argv[0] : "";
	for (const char *p = __progname_full; *p; p++)
		if (*p == '/')
			__progname = (char *)p + 1;
	libc_to_program(GROUP_ENVIRON);
	libc_to_program(GROUP_PROGNAME);
	/* Programs of glibc before 2.34 pass their own init and fini (__libc_csu_*),
	 * which walk the arrays themselves; later ones leave that to libc. */
	atexit(kite_run_library_finalizers); /* registered first: runs last */
	atexit(fini ? fini : run_program_destructors);
	if (init)
		((array_fn)(void (*)(void))init)(argc, argv, __environ);
	else
		for (size_t i = 0; i < program_init_count; i++)
			if (program_init_array[i] && program_init_array[i] != UINT64_MAX)
				((array_fn)program_init_array[i])(argc, argv, __environ);
	return __musl___libc_start_main(main, argc, argv, init, fini, ldso_fini);
}

#define WRAP(group, type, name, params, args)		\
	type __musl_##name params;			\
	type name params				\
	{						\
		program_to_libc(group);			\
		type result = __musl_##name args;	\
		libc_to_program(group);			\
		return result;				\
	}

struct option;
WRAP(GROUP_GETOPT, int, getopt, (int argc, char *const argv[], const char *opts), (argc, argv, opts))
WRAP(GROUP_GETOPT, int, getopt_long,
     (int argc, char *const argv[], const char *opts, const struct option *longopts, int *index),
     (argc, argv, opts, longopts, index))
WRAP(GROUP_GETOPT, int, getopt_long_only,
     (int argc, char *const argv[], const char *opts, const struct option *longopts, int *index),
     (argc, argv, opts, longopts, index))
WRAP(GROUP_ENVIRON, char *, getenv, (const char *name), (name))
WRAP(GROUP_ENVIRON, char *, secure_getenv, (const char *name), (name))
WRAP(GROUP_ENVIRON, int, setenv, (const char *name, const char *value, int overwrite), (name, value, overwrite))
WRAP(GROUP_ENVIRON, int, unsetenv, (const char *name), (name))
WRAP(GROUP_ENVIRON, int, putenv, (char *string), (string))
WRAP(GROUP_ENVIRON, int, clearenv, (void), ())
