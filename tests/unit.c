/* The runner behind tests/unit.h. */
#include "unit.h"
#include <stdlib.h>
#include <string.h>

#define MAX_TESTS 256

static struct {
	const char *name;
	void (*fn)(void);
} tests[MAX_TESTS];
static int nr_tests;
static int current_failed;
static const char *program;

jmp_buf *unit_panic_jmp;
char unit_panic_message[256];

void unit_register(const char *name, void (*fn)(void))
{
	if (nr_tests == MAX_TESTS) {
		fprintf(stderr, "unit: too many tests\n");
		exit(2);
	}
	tests[nr_tests].name = name;
	tests[nr_tests].fn = fn;
	nr_tests++;
}

void unit_fail(const char *file, int line, const char *what)
{
	if (!current_failed)
		printf("FAIL %s: %s:%d: %s\n", program, file, line, what);
	current_failed = 1;
}

int main(int argc, char **argv)
{
	int passed = 0, failed = 0;
	const char *slash = strrchr(argv[0], '/');

	program = slash ? slash + 1 : argv[0];
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (int i = 0; i < nr_tests; i++) {
		if (argc > 1 && !strstr(tests[i].name, argv[1]))
			continue;
		current_failed = 0;
		char label[256];
		snprintf(label, sizeof(label), "%s/%s", program, tests[i].name);
		const char *saved = program;
		program = label;
		tests[i].fn();
		program = saved;
		if (current_failed) {
			failed++;
		} else {
			passed++;
			printf("PASS %s\n", label);
		}
	}
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
