/* Host tests of symbol lookup (core/ksyms.c). */
#include <kite/ksyms.h>
#include <string.h>
#include "unit.h"

static const struct ksym syms[] = { { 0x1000, 0 }, { 0x1010, 6 }, { 0x1080, 11 } };
static const char names[] = "alpha\0beta\0gamma";
static const struct ksym_table table = { syms, 3, names, 0x1100 };

TEST(lookup_finds_the_enclosing_function)
{
	uint64_t off, size;
	CHECK_STR(ksym_lookup(&table, 0x1000, &off, &size), "alpha");
	CHECK_EQ(off, 0);
	CHECK_EQ(size, 0x10);
	CHECK_STR(ksym_lookup(&table, 0x100f, &off, NULL), "alpha");
	CHECK_EQ(off, 0xf);
	CHECK_STR(ksym_lookup(&table, 0x1010, &off, NULL), "beta");
	CHECK_STR(ksym_lookup(&table, 0x107f, &off, &size), "beta");
	CHECK_EQ(size, 0x70);
	CHECK_STR(ksym_lookup(&table, 0x10ff, &off, &size), "gamma");
	CHECK_EQ(size, 0x80);
}

TEST(lookup_outside_the_text_gives_null)
{
	static const struct ksym_table empty = { syms, 0, names, 0x1100 };
	CHECK(ksym_lookup(&table, 0xfff, NULL, NULL) == NULL);
	CHECK(ksym_lookup(&table, 0x1100, NULL, NULL) == NULL);
	CHECK(ksym_lookup(&table, 0, NULL, NULL) == NULL);
	CHECK(ksym_lookup(&empty, 0x1000, NULL, NULL) == NULL);
}
