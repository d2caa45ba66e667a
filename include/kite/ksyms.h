/*
 * The kernel's own symbol table, embedded in the image at build time
 * (scripts/gen-ksyms.sh) so that crash reports name functions without a debugger.
 */
#ifndef KITE_KSYMS_H
#define KITE_KSYMS_H
#include <stddef.h>
#include <stdint.h>

struct ksym {
	uint64_t addr;
	uint32_t name; /* offset into the name table */
};

struct ksym_table {
	const struct ksym *syms; /* sorted by address */
	size_t count;
	const char *names;
	uint64_t text_end;	/* addresses at or past this are not in any function */
};

/*
 * The name of the function holding addr, or NULL; *offset gets addr's distance
 * from its start and *size (if non-NULL) the function's extent.
 */
const char *ksym_lookup(const struct ksym_table *t, uint64_t addr, uint64_t *offset,
			uint64_t *size);

/* Lookup in the kernel's own table. */
const char *ksym_name(uint64_t addr, uint64_t *offset);
const char *ksym_name_size(uint64_t addr, uint64_t *offset, uint64_t *size);

/* The address of a global symbol of the kernel (musl included) by name, or 0:
 * what the loader binds applications' imports to. */
uint64_t kernel_export(const char *name);

#endif
