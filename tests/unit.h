/*
 * A tiny host unit-test runner. Each test binary registers TEST()s; running it
 * prints "PASS file/name" or "FAIL file/name: where: what" per test and ends with
 * "N passed, N failed". An argument runs only the tests whose name contains it.
 */
#ifndef TESTS_UNIT_H
#define TESTS_UNIT_H
#include <setjmp.h>
#include <stdio.h>

void unit_register(const char *name, void (*fn)(void));
void unit_fail(const char *file, int line, const char *what);

/* Set while a test expects a panic: the host's panic() jumps here. */
extern jmp_buf *unit_panic_jmp;
extern char unit_panic_message[256];

#define TEST(name)                                                             \
	static void name(void);                                                \
	__attribute__((constructor)) static void register_##name(void)         \
	{                                                                      \
		unit_register(#name, name);                                    \
	}                                                                      \
	static void name(void)

#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond)) {                                                 \
			unit_fail(__FILE__, __LINE__, #cond);                  \
			return;                                                \
		}                                                              \
	} while (0)

#define CHECK_EQ(a, b)                                                         \
	do {                                                                   \
		long long _a = (long long)(a), _b = (long long)(b);            \
		if (_a != _b) {                                                \
			char _m[256];                                          \
			snprintf(_m, sizeof(_m), "%s == %s (%lld != %lld)", #a, #b, _a, _b); \
			unit_fail(__FILE__, __LINE__, _m);                     \
			return;                                                \
		}                                                              \
	} while (0)

#define CHECK_STR(a, b)                                                        \
	do {                                                                   \
		const char *_a = (a), *_b = (b);                               \
		if (!_a || !_b || strcmp(_a, _b)) {                            \
			char _m[512];                                          \
			snprintf(_m, sizeof(_m), "%s == \"%s\" (got \"%s\")", #a, _b ? _b : "(null)", \
				 _a ? _a : "(null)");                          \
			unit_fail(__FILE__, __LINE__, _m);                     \
			return;                                                \
		}                                                              \
	} while (0)

/* Runs stmt and fails the test unless it panics. */
#define EXPECT_PANIC(stmt)                                                     \
	do {                                                                   \
		jmp_buf _jb;                                                   \
		unit_panic_jmp = &_jb;                                         \
		if (!setjmp(_jb)) {                                            \
			stmt;                                                  \
			unit_panic_jmp = NULL;                                 \
			unit_fail(__FILE__, __LINE__, "no panic from " #stmt); \
			return;                                                \
		}                                                              \
		unit_panic_jmp = NULL;                                         \
	} while (0)

#endif
