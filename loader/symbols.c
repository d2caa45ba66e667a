/*
 * Symbol lookup in one loaded object, through its GNU hash table (a bloom
 * filter first, then one bucket's chain), else its SysV hash table, else by
 * walking the symbol table. The tables were checked against the file by
 * elf_parse; the indexes found in them are checked here against the symbol
 * count.
 *
 * Versions: a definition whose version is hidden (name@VERSION rather than
 * name@@VERSION, an old interface kept for old binaries) is skipped, so a
 * name finds its default version. Requests for a particular version are not
 * told apart otherwise.
 */
#include <string.h>
#include "loader.h"

#define STB_GLOBAL 1
#define STB_WEAK 2
#define STB_GNU_UNIQUE 10
#define STT_TLS 6
#define VERSYM_HIDDEN 0x8000
#define VER_NDX_LOCAL 0

void symbol_name_init(struct symbol_name *n, const char *name)
{
	uint32_t gnu = 5381, sysv = 0;
	for (const unsigned char *c = (const unsigned char *)name; *c; c++) {
		gnu = gnu * 33 + *c;
		sysv = (sysv << 4) + *c;
		sysv ^= (sysv >> 24) & 0xf0;
	}
	n->name = name;
	n->gnu_hash = gnu;
	n->sysv_hash = sysv & 0x0fffffff;
}

/* Whether symbol k is a definition lookups may find. */
static bool eligible(const struct object *o, uint64_t k, const struct sym *s, bool tls)
{
	unsigned bind = s->info >> 4, type = s->info & 15;
	if (!s->shndx || (bind != STB_GLOBAL && bind != STB_WEAK && bind != STB_GNU_UNIQUE) ||
	    (type == STT_TLS) != tls)
		return false;
	if (o->img.versym_off) {
		uint16_t v = ((const uint16_t *)(o->file + o->img.versym_off))[k];
		if ((v & VERSYM_HIDDEN) || v == VER_NDX_LOCAL)
			return false;
	}
	return true;
}

static bool matches(const struct object *o, uint64_t k, const struct symbol_name *n, bool tls)
{
	const struct sym *s = &((const struct sym *)(o->file + o->img.symtab.offset))[k];
	if (!eligible(o, k, s, tls))
		return false;
	const char *name = elf_string(&o->img, s->name);
	return name && !strcmp(name, n->name);
}

const struct sym *symbol_in(const struct object *o, const struct symbol_name *n, bool tls)
{
	const struct elf_image *img = &o->img;
	const struct sym *syms = (const struct sym *)(o->file + img->symtab.offset);
	uint64_t count = img->symtab.count;

	if (img->gnu.nbuckets) {
		const uint64_t *bloom = (const uint64_t *)(o->file + img->gnu.bloom_off);
		uint64_t word = bloom[(n->gnu_hash / 64) & (img->gnu.bloom_size - 1)];
		uint64_t mask = (1ULL << (n->gnu_hash % 64)) | (1ULL << ((n->gnu_hash >> img->gnu.bloom_shift) % 64));
		if ((word & mask) != mask)
			return NULL;
		const uint32_t *buckets = (const uint32_t *)(o->file + img->gnu.buckets_off);
		const uint32_t *chain = (const uint32_t *)(o->file + img->gnu.chain_off);
		uint64_t k = buckets[n->gnu_hash % img->gnu.nbuckets];
		if (k < img->gnu.symoffset)
			return NULL;
		for (; k < count; k++) {
			uint32_t h = chain[k - img->gnu.symoffset];
			if ((h | 1) == (n->gnu_hash | 1) && matches(o, k, n, tls))
				return &syms[k];
			if (h & 1)
				break;
		}
		return NULL;
	}
	if (img->sysv.nbucket) {
		const uint32_t *bucket = (const uint32_t *)(o->file + img->sysv.bucket_off);
		const uint32_t *chain = (const uint32_t *)(o->file + img->sysv.chain_off);
		/* A chain that loops is cut off after `count` steps. */
		uint64_t steps = 0;
		for (uint64_t k = bucket[n->sysv_hash % img->sysv.nbucket]; k && k < count && steps++ < count; k = chain[k])
			if (matches(o, k, n, tls))
				return &syms[k];
		return NULL;
	}
	for (uint64_t k = 1; k < count; k++)
		if (matches(o, k, n, tls))
			return &syms[k];
	return NULL;
}

const struct sym *symbol_containing(const struct object *o, uint64_t rel)
{
	const struct sym *syms = (const struct sym *)(o->file + o->img.symtab.offset), *best = NULL;
	for (uint64_t k = 1; k < o->img.symtab.count; k++) {
		const struct sym *s = &syms[k];
		if (s->shndx && (s->info & 15) != STT_TLS && s->value <= rel && (!best || s->value > best->value))
			best = s;
	}
	return best && (!best->size || rel - best->value < best->size) ? best : NULL;
}
