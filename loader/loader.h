/*
 * The loader's own view of what it loaded (loader/program.c loads, loader/dl.c
 * answers the dl* calls about it). Not an interface for the rest of Kite.
 */
#ifndef LOADER_LOADER_H
#define LOADER_LOADER_H
#include <kite/elf.h>
#include <kite/kstack.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sym {
	uint32_t name;
	uint8_t info, other;
	uint16_t shndx;
	uint64_t value, size;
};

struct rela {
	uint64_t offset, info;
	int64_t addend;
};

/* A loaded ELF file: the program, or one of its shared libraries. */
struct object {
	const char *path;
	const char *name;	/* libraries: the DT_NEEDED name they were loaded for */
	uint8_t *file;
	size_t size;
	struct elf_image img;
	uint64_t base;
	long tls_module;	/* its TLS module id, or 0: it has no TLS */
	size_t tls_offset;	/* its TLS block's distance below %fs */
	int refcount;		/* dlopen's count (nothing is ever unmapped) */
	int init_order;		/* 1 for the first object initialized, ...; 0: not yet */
	bool finalized;		/* its destructors have run (exit, or dlclose's last) */
};

#define MAX_OBJECTS 64

struct program {
	struct object objects[MAX_OBJECTS];	/* [0] the program, then libraries in load order */
	int nr_objects;
	int argc;
	char **argv;
	void *stack;		/* the program's own stack (Linux's main-thread stack) */
	char **envp;		/* its environment, for the libraries' initializers */
	struct kstack stack_info;
};

/* A name to look up, with its hashes computed once for every object searched. */
struct symbol_name {
	const char *name;
	uint32_t gnu_hash, sysv_hash;
};

void symbol_name_init(struct symbol_name *n, const char *name);

/* The definition of n in o that lookups may use (a TLS one or not as `tls`
 * says), or NULL (loader/symbols.c). */
const struct sym *symbol_in(const struct object *o, const struct symbol_name *n, bool tls);

/* The symbol whose definition holds the address `rel` (relative to the
 * object's base), or the closest one below it when sizes are unknown; NULL. */
const struct sym *symbol_containing(const struct object *o, uint64_t rel);

/* The program and its libraries once loaded (NULL before). */
extern struct program *loaded_program;

/*
 * Loading, in steps that the start of the program and dlopen share
 * (loader/program.c). Each failure prints one line, or with
 * loader_capture_errors(buf) stores the first in buf instead.
 */
int fail(const char *path, const char *fmt, const char *what);
void loader_capture_errors(char *buf, size_t size);
bool is_provided(const char *lib);
struct object *find_loaded(struct program *p, const char *lib);
/* Finds (RUNPATH of `by`, then the standard directories), reads and maps one library. */
struct object *load_library(struct program *p, const struct object *by, const char *lib);
/* The DT_NEEDED libraries of objects[first..] and theirs, breadth first. */
int load_needed(struct program *p, int first);
int layout_tls(struct program *p, int first);
int relocate_objects(struct program *p, int first);
/* DT_INIT and the init arrays of objects[first..], dependencies first. */
void run_initializers(struct program *p, int first);
void run_initializers_of(struct program *p, struct object *o);
/* DT_FINI_ARRAY (last entry first) and DT_FINI of one object, once. */
void run_finalizers(struct object *o);

/* The object whose segments hold addr, or NULL. */
struct object *object_at(uint64_t addr);

#endif
