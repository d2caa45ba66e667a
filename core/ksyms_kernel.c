/* The kernel's table, generated into build/ksyms.c by scripts/gen-ksyms.sh. */
#include <kite/ksyms.h>

extern const struct ksym ksyms_syms[];
extern const size_t ksyms_count;
extern const char ksyms_names[];
extern const char __text_end[];

const char *ksym_name_size(uint64_t addr, uint64_t *offset, uint64_t *size)
{
	const struct ksym_table t = {
		.syms = ksyms_syms,
		.count = ksyms_count,
		.names = ksyms_names,
		.text_end = (uint64_t)__text_end,
	};
	return ksym_lookup(&t, addr, offset, size);
}

const char *ksym_name(uint64_t addr, uint64_t *offset)
{
	return ksym_name_size(addr, offset, NULL);
}
