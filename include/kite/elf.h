/*
 * ELF files: the checked view the loader works from. elf_parse() validates
 * everything the loader will later touch (headers, program headers, the
 * dynamic section and the tables it points to) against the file's bounds, so
 * that the loader can read them without further checks. A bad file gives one
 * line that says what is wrong.
 */
#ifndef KITE_ELF_H
#define KITE_ELF_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ELF_MAX_SEGMENTS 16
#define ELF_MAX_NEEDED 32

#define ET_EXEC 2
#define ET_DYN 3

struct elf_segment {
	uint64_t vaddr, memsz;		/* where it goes (before the load bias) */
	uint64_t offset, filesz;	/* what the file gives it */
	unsigned prot;			/* PROT_R/W/X of paging.h */
};

struct elf_table {
	uint64_t offset;		/* in the file; 0 with count 0: absent */
	uint64_t count;
};

struct elf_image {
	uint16_t type;			/* ET_EXEC or ET_DYN */
	uint64_t entry;			/* 0 for a library without one */
	uint64_t span_start, span_end;	/* page-aligned extent of the segments */
	struct elf_segment segments[ELF_MAX_SEGMENTS];
	int nr_segments;
	uint64_t phdr_vaddr;		/* the program headers in memory (AT_PHDR), or 0 */
	uint64_t phoff;			/* the program headers in the file */
	uint16_t phnum;
	uint64_t eh_frame_hdr_vaddr;	/* PT_GNU_EH_FRAME (the unwinder's index), or 0 */
	const char *interp;		/* PT_INTERP, or NULL (points into the file) */
	struct {
		bool present;
		uint64_t vaddr, filesz, memsz, align;
	} tls;
	struct {
		uint64_t start, end;	/* PT_GNU_RELRO, or 0, 0 */
	} relro;
	bool has_dynamic;
	uint64_t dynamic_vaddr;
	/* From the dynamic section, all within the file: */
	const char *strtab;		/* points into the file */
	uint64_t strsz;
	struct elf_table symtab;	/* Elf64_Sym, 24 bytes each */
	struct elf_table rela;		/* Elf64_Rela, 24 bytes each */
	struct elf_table jmprel;	/* Elf64_Rela (DT_PLTREL must be RELA) */
	struct elf_table relr;		/* 8-byte words */
	uint64_t init_array_vaddr, init_array_count;
	uint64_t fini_array_vaddr, fini_array_count;
	uint64_t init_vaddr, fini_vaddr;	/* DT_INIT, DT_FINI, or 0 */
	uint64_t soname;		/* string table offset, or UINT64_MAX */
	uint64_t needed[ELF_MAX_NEEDED];	/* string table offsets */
	int nr_needed;
	uint64_t runpath;		/* DT_RUNPATH (or DT_RPATH) offset, or UINT64_MAX */
	uint64_t gnu_hash_vaddr, hash_vaddr;	/* for symbol lookup in the loaded image */
	uint64_t versym_vaddr, verdef_vaddr, verneed_vaddr;
	/* Checked lookup tables, as file offsets; nbuckets (nbucket) 0: absent. */
	struct {
		uint64_t nbuckets, symoffset, bloom_size, bloom_shift;
		uint64_t bloom_off, buckets_off, chain_off;
	} gnu;
	struct {
		uint64_t nbucket, bucket_off, chain_off;
	} sysv;
	uint64_t versym_off;		/* 0: no DT_VERSYM */
	uint64_t verdefnum, verneednum;
	uint64_t flags, flags_1;
};

/* Fills img from the file in buf[0..len); 0, or -1 with a one-line reason in err. */
int elf_parse(const void *buf, size_t len, struct elf_image *img, char *err, size_t errlen);

/* The file offset of [vaddr, vaddr + size) if it lies in one segment's file part. */
bool elf_file_offset(const struct elf_image *img, uint64_t vaddr, uint64_t size, uint64_t *offset);

/* A string of the dynamic string table, or NULL when the offset is bad. */
const char *elf_string(const struct elf_image *img, uint64_t offset);

#endif
