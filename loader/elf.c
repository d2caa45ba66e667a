/*
 * elf_parse (see elf.h): every offset and size is checked against the file
 * before use, with overflow-safe arithmetic, and every table the dynamic
 * section names must lie inside a segment's file part. The parser allocates
 * nothing and writes nothing but *img and the error message.
 */
#include <kite/elf.h>
#include <kite/format.h>
#include <kite/paging.h>
#include <string.h>

#define EI_NIDENT 16
#define ELFCLASS64 2
#define ELFDATA2LSB 1
#define EM_X86_64 62
#define PT_LOAD 1
#define PT_DYNAMIC 2
#define PT_INTERP 3
#define PT_PHDR 6
#define PT_TLS 7
#define PT_GNU_EH_FRAME 0x6474e550
#define PT_GNU_RELRO 0x6474e552
#define PF_X 1
#define PF_W 2
#define PF_R 4
#define MAX_SPAN (64ULL << 30)

#define DT_NULL 0
#define DT_NEEDED 1
#define DT_PLTRELSZ 2
#define DT_HASH 4
#define DT_STRTAB 5
#define DT_SYMTAB 6
#define DT_RELA 7
#define DT_RELASZ 8
#define DT_RELAENT 9
#define DT_STRSZ 10
#define DT_SYMENT 11
#define DT_INIT 12
#define DT_FINI 13
#define DT_SONAME 14
#define DT_RPATH 15
#define DT_REL 17
#define DT_PLTREL 20
#define DT_TEXTREL 22
#define DT_JMPREL 23
#define DT_INIT_ARRAY 25
#define DT_FINI_ARRAY 26
#define DT_INIT_ARRAYSZ 27
#define DT_FINI_ARRAYSZ 28
#define DT_RUNPATH 29
#define DT_FLAGS 30
#define DT_RELRSZ 35
#define DT_RELR 36
#define DT_RELRENT 37
#define DT_GNU_HASH 0x6ffffef5
#define DT_VERSYM 0x6ffffff0
#define DT_FLAGS_1 0x6ffffffb
#define DT_VERDEF 0x6ffffffc
#define DT_VERDEFNUM 0x6ffffffd
#define DT_VERNEED 0x6ffffffe
#define DT_VERNEEDNUM 0x6fffffff

struct ehdr {
	unsigned char ident[EI_NIDENT];
	uint16_t type, machine;
	uint32_t version;
	uint64_t entry, phoff, shoff;
	uint32_t flags;
	uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};

struct phdr {
	uint32_t type, flags;
	uint64_t offset, vaddr, paddr, filesz, memsz, align;
};

struct dyn {
	int64_t tag;
	uint64_t val;
};

struct parse {
	const uint8_t *buf;
	size_t len;
	struct elf_image *img;
	char *err;
	size_t errlen;
};

#define fail(p, ...) (ksnprintf((p)->err, (p)->errlen, __VA_ARGS__), -1)

static bool in_file(const struct parse *p, uint64_t off, uint64_t size)
{
	return off <= p->len && size <= p->len - off;
}

bool elf_file_offset(const struct elf_image *img, uint64_t vaddr, uint64_t size, uint64_t *offset)
{
	for (int i = 0; i < img->nr_segments; i++) {
		const struct elf_segment *s = &img->segments[i];
		if (vaddr >= s->vaddr && vaddr - s->vaddr <= s->filesz && size <= s->filesz - (vaddr - s->vaddr)) {
			*offset = s->offset + (vaddr - s->vaddr);
			return true;
		}
	}
	return false;
}

const char *elf_string(const struct elf_image *img, uint64_t offset)
{
	if (!img->strtab || offset >= img->strsz)
		return NULL;
	/* The table's last byte is NUL (checked), so every string ends inside it. */
	return img->strtab + offset;
}

static int load_segments(struct parse *p, const struct phdr *ph, int n)
{
	struct elf_image *img = p->img;
	uint64_t lo = UINT64_MAX, hi = 0;

	for (int i = 0; i < n; i++) {
		if (ph[i].type != PT_LOAD)
			continue;
		const struct phdr *s = &ph[i];
		if (img->nr_segments == ELF_MAX_SEGMENTS)
			return fail(p, "more than %d loadable segments", ELF_MAX_SEGMENTS);
		if (!in_file(p, s->offset, s->filesz))
			return fail(p, "segment %d lies beyond the end of the file", i);
		if (s->filesz > s->memsz)
			return fail(p, "segment %d has more file than memory", i);
		if (s->vaddr + s->memsz < s->vaddr || s->vaddr + s->memsz > MAX_SPAN * 4096)
			return fail(p, "segment %d wraps around or lies too high", i);
		if (s->align > 1 && ((s->align & (s->align - 1)) || (s->vaddr - s->offset) % PAGE_SIZE))
			return fail(p, "segment %d is misaligned", i);
		img->segments[img->nr_segments++] = (struct elf_segment){
			.vaddr = s->vaddr, .memsz = s->memsz, .offset = s->offset, .filesz = s->filesz,
			.prot = ((s->flags & PF_R) ? PROT_R : 0) | ((s->flags & PF_W) ? PROT_W : 0) |
				((s->flags & PF_X) ? PROT_X : 0),
		};
		lo = s->vaddr < lo ? s->vaddr : lo;
		hi = s->vaddr + s->memsz > hi ? s->vaddr + s->memsz : hi;
	}
	if (!img->nr_segments)
		return fail(p, "no loadable segment");
	img->span_start = PAGE_ALIGN_DOWN(lo);
	img->span_end = PAGE_ALIGN_UP(hi);
	if (img->span_end - img->span_start > MAX_SPAN)
		return fail(p, "the segments span more than 64 GiB");
	return 0;
}

/* A table named by the dynamic section: must lie in a segment's file part. */
static int table(struct parse *p, const char *what, uint64_t vaddr, uint64_t bytes, uint64_t entsize,
		 struct elf_table *out)
{
	if (!bytes)
		return 0;
	if (bytes % entsize)
		return fail(p, "%s: its size is not a multiple of %lu", what, entsize);
	if (!elf_file_offset(p->img, vaddr, bytes, &out->offset))
		return fail(p, "%s lies outside the file", what);
	out->count = bytes / entsize;
	return 0;
}

/* The symbol count, from DT_HASH's chain count or by walking DT_GNU_HASH. */
static int count_symbols(struct parse *p, uint64_t *count)
{
	struct elf_image *img = p->img;
	uint64_t off;

	if (img->hash_vaddr) {
		if (!elf_file_offset(img, img->hash_vaddr, 8, &off))
			return fail(p, "DT_HASH lies outside the file");
		*count = ((const uint32_t *)(p->buf + off))[1];
		return 0;
	}
	if (!img->gnu_hash_vaddr) {
		*count = 0;
		return 0;
	}
	if (!elf_file_offset(img, img->gnu_hash_vaddr, 16, &off))
		return fail(p, "DT_GNU_HASH lies outside the file");
	const uint32_t *h = (const uint32_t *)(p->buf + off);
	uint64_t nbuckets = h[0], symoffset = h[1], bloom = h[2];
	uint64_t buckets_at = img->gnu_hash_vaddr + 16 + bloom * 8;
	if (bloom > (1 << 20) || nbuckets > (1 << 24) || !elf_file_offset(img, buckets_at, nbuckets * 4, &off))
		return fail(p, "DT_GNU_HASH is malformed");
	const uint32_t *buckets = (const uint32_t *)(p->buf + off);
	uint64_t last = 0;
	for (uint64_t i = 0; i < nbuckets; i++)
		last = buckets[i] > last ? buckets[i] : last;
	if (last < symoffset) {
		*count = symoffset;
		return 0;
	}
	uint64_t chain_at = buckets_at + nbuckets * 4;
	for (uint64_t i = last;; i++) {
		if (i - symoffset > (1 << 24) || !elf_file_offset(img, chain_at + (i - symoffset) * 4, 4, &off))
			return fail(p, "DT_GNU_HASH's chains run off the file");
		if (*(const uint32_t *)(p->buf + off) & 1) {
			*count = i + 1;
			return 0;
		}
	}
}

/*
 * The tables symbol lookup uses, checked to lie in the file whole, so that
 * lookups need only check indexes against the symbol count: DT_GNU_HASH (its
 * bloom filter, buckets and a chain entry per hashed symbol), else DT_HASH,
 * and DT_VERSYM (a version index per symbol).
 */
static int parse_lookup_tables(struct parse *p)
{
	struct elf_image *img = p->img;
	uint64_t count = img->symtab.count, off;

	if (img->gnu_hash_vaddr && count) {
		if (!elf_file_offset(img, img->gnu_hash_vaddr, 16, &off))
			return fail(p, "DT_GNU_HASH lies outside the file");
		const uint32_t *h = (const uint32_t *)(p->buf + off);
		uint64_t nbuckets = h[0], symoffset = h[1], bloom_size = h[2], shift = h[3];
		uint64_t vaddr = img->gnu_hash_vaddr + 16;
		if (!nbuckets || nbuckets > (1 << 24) || !bloom_size || bloom_size > (1 << 20) ||
		    (bloom_size & (bloom_size - 1)) || shift >= 64 || symoffset > count)
			return fail(p, "DT_GNU_HASH is malformed");
		img->gnu.nbuckets = nbuckets;
		img->gnu.symoffset = symoffset;
		img->gnu.bloom_size = bloom_size;
		img->gnu.bloom_shift = shift;
		if (!elf_file_offset(img, vaddr, bloom_size * 8, &img->gnu.bloom_off) ||
		    !elf_file_offset(img, vaddr + bloom_size * 8, nbuckets * 4, &img->gnu.buckets_off) ||
		    !elf_file_offset(img, vaddr + bloom_size * 8 + nbuckets * 4, (count - symoffset) * 4,
				     &img->gnu.chain_off) ||
		    (img->gnu.bloom_off % 8) || (img->gnu.buckets_off % 4))
			return fail(p, "DT_GNU_HASH lies outside the file");
	} else if (img->hash_vaddr && count) {
		if (!elf_file_offset(img, img->hash_vaddr, 8, &off))
			return fail(p, "DT_HASH lies outside the file");
		const uint32_t *h = (const uint32_t *)(p->buf + off);
		uint64_t nbucket = h[0], nchain = h[1];
		if (!nbucket || nbucket > (1 << 24) || nchain != count ||
		    !elf_file_offset(img, img->hash_vaddr + 8, (nbucket + nchain) * 4, &off) || (off % 4))
			return fail(p, "DT_HASH is malformed");
		img->sysv.nbucket = nbucket;
		img->sysv.bucket_off = off;
		img->sysv.chain_off = off + nbucket * 4;
	}
	if (img->versym_vaddr && count &&
	    (!elf_file_offset(img, img->versym_vaddr, count * 2, &img->versym_off) || (img->versym_off % 2)))
		return fail(p, "DT_VERSYM lies outside the file");
	return 0;
}

static int parse_dynamic(struct parse *p, uint64_t dyn_off, uint64_t dyn_size)
{
	struct elf_image *img = p->img;
	const struct dyn *d = (const struct dyn *)(p->buf + dyn_off);
	uint64_t n = dyn_size / sizeof(*d);
	uint64_t strtab = 0, symtab = 0, rela = 0, relasz = 0, jmprel = 0, pltrelsz = 0, relr = 0, relrsz = 0;
	uint64_t pltrel = DT_RELA, relaent = 24, syment = 24, relrent = 8;
	bool ended = false;

	img->soname = img->runpath = UINT64_MAX;
	for (uint64_t i = 0; i < n && !ended; i++) {
		uint64_t v = d[i].val;
		switch (d[i].tag) {
		case DT_NULL: ended = true; break;
		case DT_NEEDED:
			if (img->nr_needed == ELF_MAX_NEEDED)
				return fail(p, "more than %d needed libraries", ELF_MAX_NEEDED);
			img->needed[img->nr_needed++] = v;
			break;
		case DT_PLTRELSZ: pltrelsz = v; break;
		case DT_HASH: img->hash_vaddr = v; break;
		case DT_STRTAB: strtab = v; break;
		case DT_SYMTAB: symtab = v; break;
		case DT_RELA: rela = v; break;
		case DT_RELASZ: relasz = v; break;
		case DT_RELAENT: relaent = v; break;
		case DT_STRSZ: img->strsz = v; break;
		case DT_SYMENT: syment = v; break;
		case DT_INIT: img->init_vaddr = v; break;
		case DT_FINI: img->fini_vaddr = v; break;
		case DT_SONAME: img->soname = v; break;
		case DT_RPATH:
			if (img->runpath == UINT64_MAX)
				img->runpath = v;
			break;
		case DT_RUNPATH: img->runpath = v; break;
		case DT_REL: return fail(p, "REL relocations (not RELA) are not for x86-64");
		case DT_PLTREL: pltrel = v; break;
		case DT_TEXTREL: return fail(p, "relocations in read-only text (DT_TEXTREL) are not supported");
		case DT_JMPREL: jmprel = v; break;
		case DT_INIT_ARRAY: img->init_array_vaddr = v; break;
		case DT_FINI_ARRAY: img->fini_array_vaddr = v; break;
		case DT_INIT_ARRAYSZ: img->init_array_count = v / 8; break;
		case DT_FINI_ARRAYSZ: img->fini_array_count = v / 8; break;
		case DT_FLAGS: img->flags = v; break;
		case DT_RELR: relr = v; break;
		case DT_RELRSZ: relrsz = v; break;
		case DT_RELRENT: relrent = v; break;
		case DT_GNU_HASH: img->gnu_hash_vaddr = v; break;
		case DT_VERSYM: img->versym_vaddr = v; break;
		case DT_FLAGS_1: img->flags_1 = v; break;
		case DT_VERDEF: img->verdef_vaddr = v; break;
		case DT_VERDEFNUM: img->verdefnum = v; break;
		case DT_VERNEED: img->verneed_vaddr = v; break;
		case DT_VERNEEDNUM: img->verneednum = v; break;
		}
	}
	if (!ended)
		return fail(p, "the dynamic section has no DT_NULL end");
	if (relaent != 24 || syment != 24 || relrent != 8)
		return fail(p, "unexpected relocation or symbol entry size");
	if (pltrelsz && pltrel != DT_RELA)
		return fail(p, "PLT relocations are not RELA");
	if (strtab) {
		uint64_t off;
		if (!img->strsz || !elf_file_offset(img, strtab, img->strsz, &off))
			return fail(p, "the string table lies outside the file");
		img->strtab = (const char *)p->buf + off;
		if (img->strtab[img->strsz - 1] != '\0')
			return fail(p, "the string table does not end with NUL");
	}
	for (int i = 0; i < img->nr_needed; i++)
		if (!elf_string(img, img->needed[i]))
			return fail(p, "a needed library's name lies outside the string table");
	if ((img->soname != UINT64_MAX && !elf_string(img, img->soname)) ||
	    (img->runpath != UINT64_MAX && !elf_string(img, img->runpath)))
		return fail(p, "a name lies outside the string table");
	if (table(p, "DT_RELA", rela, relasz, 24, &img->rela) || table(p, "DT_JMPREL", jmprel, pltrelsz, 24, &img->jmprel) ||
	    table(p, "DT_RELR", relr, relrsz, 8, &img->relr))
		return -1;
	uint64_t nsyms;
	if (count_symbols(p, &nsyms))
		return -1;
	if (symtab && nsyms) {
		if (!img->strtab)
			return fail(p, "symbols without a string table");
		if (table(p, "the symbol table", symtab, nsyms * 24, 24, &img->symtab))
			return -1;
	}
	if ((img->rela.count || img->jmprel.count) && !img->symtab.count) {
		/* Relocations may name symbol 0 only; checked by the loader per entry. */
	}
	return parse_lookup_tables(p);
}

int elf_parse(const void *buf, size_t len, struct elf_image *img, char *err, size_t errlen)
{
	struct parse p = { buf, len, img, err, errlen };
	const struct ehdr *eh = buf;

	memset(img, 0, sizeof(*img));
	if (len < 4 || memcmp(eh->ident, "\177ELF", 4))
		return fail(&p, "not an ELF file");
	if (len < sizeof(*eh))
		return fail(&p, "truncated ELF header");
	if (eh->ident[4] != ELFCLASS64 || eh->ident[5] != ELFDATA2LSB)
		return fail(&p, "not a 64-bit little-endian ELF file");
	if (eh->machine != EM_X86_64)
		return fail(&p, "ELF file for another machine (e_machine %u, not x86-64)", eh->machine);
	if (eh->type != ET_EXEC && eh->type != ET_DYN)
		return fail(&p, "not an executable or shared object (e_type %u)", eh->type);
	if (eh->phentsize != sizeof(struct phdr) || !eh->phnum || eh->phnum > 64)
		return fail(&p, "bad program header table (%u entries of %u bytes)", eh->phnum, eh->phentsize);
	if (eh->phoff % 8 || !in_file(&p, eh->phoff, (uint64_t)eh->phnum * sizeof(struct phdr)))
		return fail(&p, "truncated: the program headers lie beyond the end of the file");
	const struct phdr *ph = (const struct phdr *)((const uint8_t *)buf + eh->phoff);
	img->type = eh->type;
	img->entry = eh->entry;
	img->phnum = eh->phnum;
	img->phoff = eh->phoff;
	if (load_segments(&p, ph, eh->phnum))
		return -1;
	uint64_t dyn_off = 0, dyn_size = 0;
	for (int i = 0; i < eh->phnum; i++) {
		const struct phdr *s = &ph[i];
		switch (s->type) {
		case PT_DYNAMIC:
			img->has_dynamic = true;
			img->dynamic_vaddr = s->vaddr;
			dyn_size = s->filesz;
			if (dyn_size % sizeof(struct dyn) || !elf_file_offset(img, s->vaddr, s->filesz, &dyn_off) ||
			    (dyn_off % 8))
				return fail(&p, "the dynamic section lies outside the file");
			break;
		case PT_INTERP:
			if (!s->filesz || !in_file(&p, s->offset, s->filesz) ||
			    ((const char *)buf)[s->offset + s->filesz - 1] != '\0')
				return fail(&p, "bad PT_INTERP");
			img->interp = (const char *)buf + s->offset;
			break;
		case PT_PHDR:
			img->phdr_vaddr = s->vaddr;
			break;
		case PT_TLS:
			if (s->filesz > s->memsz || !in_file(&p, s->offset, s->filesz) || s->memsz > (1 << 30) ||
			    (s->align & (s->align - 1)) || s->align > PAGE_SIZE)
				return fail(&p, "bad TLS segment");
			img->tls.present = true;
			img->tls.vaddr = s->vaddr;
			img->tls.filesz = s->filesz;
			img->tls.memsz = s->memsz;
			img->tls.align = s->align ? s->align : 1;
			break;
		case PT_GNU_EH_FRAME:
			img->eh_frame_hdr_vaddr = s->vaddr;
			break;
		case PT_GNU_RELRO:
			img->relro.start = s->vaddr;
			img->relro.end = s->vaddr + s->memsz;
			break;
		}
	}
	if (img->entry) {
		bool executable = false;
		for (int i = 0; i < img->nr_segments; i++) {
			const struct elf_segment *s = &img->segments[i];
			if ((s->prot & PROT_X) && img->entry >= s->vaddr && img->entry < s->vaddr + s->memsz)
				executable = true;
		}
		if (!executable)
			return fail(&p, "the entry point lies outside the executable segments");
	}
	if (img->has_dynamic && parse_dynamic(&p, dyn_off, dyn_size))
		return -1;
	return 0;
}
