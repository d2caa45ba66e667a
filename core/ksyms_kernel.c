/* The kernel's table, generated into build/ksyms.c by scripts/gen-ksyms.sh. */
#include <kite/ksyms.h>
#include <string.h>

extern const struct ksym ksyms_syms[];
extern const size_t ksyms_count;
extern const char ksyms_names[];
extern const char __text_end[];
extern const struct ksym kexports[];
extern const size_t kexports_count;
extern const char kexports_names[];

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

uint64_t kernel_export(const char *name)
{
	size_t lo = 0, hi = kexports_count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(kexports_names + kexports[mid].name, name);
		if (!c)
			return kexports[mid].addr;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}
