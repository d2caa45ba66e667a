/* Host tests of the ELF parser (loader/elf.c) on real binaries and broken ones. */
#include <kite/elf.h>
#include <kite/paging.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "unit.h"

static char err[256];

static void *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	*len = (size_t)ftell(f);
	fseek(f, 0, SEEK_SET);
	void *buf = malloc(*len ? *len : 1);
	if (fread(buf, 1, *len, f) != *len) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

/* A copy in a buffer of exactly len bytes, so ASan catches any read past it. */
static int parse_exact(const uint8_t *data, size_t len, struct elf_image *img)
{
	uint8_t *copy = malloc(len ? len : 1);
	memcpy(copy, data, len);
	int r = elf_parse(copy, len, img, err, sizeof(err));
	free(copy);
	return r;
}

static const char *needed_name(struct elf_image *img, const char *want)
{
	for (int i = 0; i < img->nr_needed; i++)
		if (!strcmp(elf_string(img, img->needed[i]), want))
			return want;
	return NULL;
}

TEST(real_pie_executable)
{
	size_t len;
	uint8_t *buf = slurp("/usr/bin/env", &len);
	CHECK(buf);
	struct elf_image img;
	CHECK_EQ(elf_parse(buf, len, &img, err, sizeof(err)), 0);
	CHECK_EQ(img.type, ET_DYN);
	CHECK(img.entry != 0);
	CHECK(img.interp && strstr(img.interp, "ld-linux-x86-64.so.2"));
	CHECK(needed_name(&img, "libc.so.6"));
	CHECK(img.symtab.count > 10);
	CHECK(img.rela.count > 0);
	CHECK(img.nr_segments >= 2);
	int executable = 0;
	for (int i = 0; i < img.nr_segments; i++)
		executable += (img.segments[i].prot & PROT_X) != 0;
	CHECK_EQ(executable, 1);
	free(buf);
}

TEST(real_shared_library_with_tls)
{
	size_t len;
	uint8_t *buf = slurp("/usr/lib/x86_64-linux-gnu/libc.so.6", &len);
	CHECK(buf);
	struct elf_image img;
	CHECK_EQ(elf_parse(buf, len, &img, err, sizeof(err)), 0);
	CHECK_EQ(img.type, ET_DYN);
	CHECK(img.tls.present);
	CHECK_STR(elf_string(&img, img.soname), "libc.so.6");
	CHECK(img.symtab.count > 1000);
	CHECK(img.verdef_vaddr != 0);
	free(buf);
}

TEST(wrong_files_get_clear_reasons)
{
	size_t len;
	uint8_t *buf = slurp("/usr/bin/env", &len);
	struct elf_image img;
	CHECK_EQ(parse_exact((const uint8_t *)"#!/bin/sh\necho hi\n", 18, &img), -1);
	CHECK_STR(err, "not an ELF file");
	CHECK_EQ(parse_exact(buf, 40, &img), -1);
	CHECK_STR(err, "truncated ELF header");
	uint8_t *copy = malloc(len);
	memcpy(copy, buf, len);
	copy[18] = 3; /* e_machine: i386 */
	copy[19] = 0;
	CHECK_EQ(parse_exact(copy, len, &img), -1);
	CHECK_STR(err, "ELF file for another machine (e_machine 3, not x86-64)");
	memcpy(copy, buf, len);
	copy[4] = 1; /* 32-bit */
	CHECK_EQ(parse_exact(copy, len, &img), -1);
	CHECK_STR(err, "not a 64-bit little-endian ELF file");
	memcpy(copy, buf, len);
	copy[16] = 1; /* e_type: relocatable object */
	CHECK_EQ(parse_exact(copy, len, &img), -1);
	CHECK_STR(err, "not an executable or shared object (e_type 1)");
	CHECK_EQ(parse_exact(buf, 1000, &img), -1); /* cut inside the segments */
	CHECK(strstr(err, "beyond the end of the file") || strstr(err, "outside the file"));
	free(copy);
	free(buf);
}

TEST(every_truncation_fails_cleanly)
{
	size_t len;
	uint8_t *buf = slurp("/usr/bin/env", &len);
	struct elf_image img;
	int ok = 0;
	for (size_t cut = 0; cut < len; cut += (cut < 4096 ? 1 : 997)) {
		if (parse_exact(buf, cut, &img) == 0)
			ok++;
		else
			CHECK(err[0] != '\0');
	}
	/* Only cuts that keep every segment's bytes can parse. */
	CHECK(ok < 200);
	free(buf);
}

TEST(random_corruption_never_crashes)
{
	size_t len;
	uint8_t *buf = slurp("/usr/bin/env", &len);
	uint8_t *copy = malloc(len);
	unsigned seed = 7;
	struct elf_image img;
	int rejected = 0;
	for (int round = 0; round < 3000; round++) {
		memcpy(copy, buf, len);
		int flips = 1 + rand_r(&seed) % 8;
		for (int f = 0; f < flips; f++) {
			/* Mostly the headers and the dynamic section, where it matters. */
			size_t at = rand_r(&seed) % 2 ? (size_t)(rand_r(&seed) % 1024) : (size_t)rand_r(&seed) % len;
			copy[at] = (uint8_t)rand_r(&seed);
		}
		size_t cut = rand_r(&seed) % 8 ? len : (size_t)rand_r(&seed) % len;
		err[0] = '\0';
		if (parse_exact(copy, cut, &img)) {
			CHECK(err[0] != '\0');
			rejected++;
		}
	}
	CHECK(rejected > 100);
	free(copy);
	free(buf);
}
