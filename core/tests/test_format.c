/* Host tests of the kernel's formatter (core/lib/format.c) against the host's snprintf. */
#include <kite/format.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "unit.h"

#define SAME(...)                                                              \
	do {                                                                   \
		char ours[128], theirs[128];                                   \
		int n1 = ksnprintf(ours, sizeof(ours), __VA_ARGS__);           \
		int n2 = snprintf(theirs, sizeof(theirs), __VA_ARGS__);        \
		CHECK_STR(ours, theirs);                                       \
		CHECK_EQ(n1, n2);                                              \
	} while (0)

TEST(integers_match_the_host)
{
	SAME("%d %i %u", -42, 17, 4000000000u);
	SAME("%x %X %o", 0xbeefu, 0xbeefu, 8u);
	SAME("%ld %lu %lx", (long)INT64_MIN, (unsigned long)UINT64_MAX, 0x123456789abcUL);
	SAME("%zu %zx", (size_t)123, (size_t)0xff);
	SAME("[%5d] [%-5d] [%05d] [%05d]", 42, 42, 42, -42);
	SAME("[%016lx] [%*d] [%-*d]", 0xabcUL, 6, 1, 6, 2);
	SAME("[%.3d] [%8.3d]", 5, 5);
	SAME("%d", 0);
	SAME("%%");
}

TEST(strings_and_chars_match_the_host)
{
	SAME("[%s] [%10s] [%-10s] [%.2s] [%.*s]", "abc", "abc", "abc", "abc", 1, "xyz");
	SAME("%c%c%c", 'a', 'b', 'c');
}

TEST(pointers_and_truncation)
{
	char buf[8];
	CHECK_EQ(ksnprintf(buf, sizeof(buf), "%s", "0123456789"), 10);
	CHECK_STR(buf, "0123456");
	CHECK_EQ(ksnprintf(NULL, 0, "%d", 12345), 5);
	char p[32];
	ksnprintf(p, sizeof(p), "%p", (void *)0x1234);
	CHECK_STR(p, "0x0000000000001234");
	const char *volatile null_string = NULL; /* hidden from -Wformat-overflow */
	ksnprintf(p, sizeof(p), "%s", null_string);
	CHECK_STR(p, "(null)");
}
