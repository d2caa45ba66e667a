/* Symbol lookup: a binary search over the sorted table (see ksyms.h). */
#include <kite/ksyms.h>

const char *ksym_lookup(const struct ksym_table *t, uint64_t addr, uint64_t *offset,
			uint64_t *size)
{
	if (!t->count || addr < t->syms[0].addr || addr >= t->text_end)
		return NULL;

	size_t lo = 0, hi = t->count; /* the answer is in [lo, hi) */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (t->syms[mid].addr <= addr)
			lo = mid;
		else
			hi = mid;
	}
	uint64_t end = lo + 1 < t->count ? t->syms[lo + 1].addr : t->text_end;
	if (offset)
		*offset = addr - t->syms[lo].addr;
	if (size)
		*size = end - t->syms[lo].addr;
	return t->names + t->syms[lo].name;
}
