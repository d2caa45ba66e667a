/* Host tests of the command-line parser (core/cmdline.c). */
#include <kite/cmdline.h>
#include <kite/errno.h>
#include <string.h>
#include "unit.h"

static char buf[CMDLINE_MAX];
static char *words[CMDLINE_MAX_WORDS];
static const char *error;

static int split(const char *line)
{
	strcpy(buf, line);
	return cmdline_split(buf, words, CMDLINE_MAX_WORDS, &error);
}

TEST(split_blanks_quotes_and_escapes)
{
	CHECK_EQ(split("  kite   --a  b\tc\n"), 4);
	CHECK_STR(words[0], "kite");
	CHECK_STR(words[3], "c");
	CHECK_EQ(split("k \"two words\" 'single \"q\"' esc\\ aped \"\" x"), 6);
	CHECK_STR(words[1], "two words");
	CHECK_STR(words[2], "single \"q\"");
	CHECK_STR(words[3], "esc aped");
	CHECK_STR(words[4], "");
	CHECK_STR(words[5], "x");
	CHECK_EQ(split("a\"b c\"d"), 1);
	CHECK_STR(words[0], "ab cd");
	CHECK_EQ(split(""), 0);
	CHECK_EQ(split("   "), 0);
}

TEST(split_rejects_unterminated_quotes_and_too_many_words)
{
	CHECK_EQ(split("kite \"open"), -1);
	CHECK(strstr(error, "unterminated quote"));
	char line[CMDLINE_MAX] = "";
	for (int i = 0; i < CMDLINE_MAX_WORDS + 1; i++)
		strcat(line, "w ");
	CHECK_EQ(split(line), -1);
	CHECK(strstr(error, "too many words"));
}

static int verbose_set, level_value;
static char mode[32];

static int set_verbose(const char *v)
{
	(void)v;
	verbose_set++;
	return 0;
}

static int set_mode(const char *v)
{
	if (strcmp(v, "fast") && strcmp(v, "slow"))
		return -EINVAL;
	strcpy(mode, v);
	return 0;
}

static int set_level(const char *v)
{
	level_value = v[0] - '0';
	return 0;
}

static const struct kopt opts[] = {
	{ .name = "verbose", .set = set_verbose, .help = "" },
	{ .name = "mode", .set = set_mode, .takes_value = true, .values = "fast|slow", .help = "" },
	{ .name = "level", .set = set_level, .takes_value = true, .help = "" },
};

static char message[160];

static int apply(const char *line)
{
	verbose_set = 0;
	mode[0] = 0;
	message[0] = 0;
	int n = split(line);
	return cmdline_apply(words, n, opts, 3, message, sizeof(message));
}

TEST(options_then_program)
{
	CHECK_EQ(apply("--verbose --mode=fast prog arg --verbose"), 2);
	CHECK_EQ(verbose_set, 1);
	CHECK_STR(mode, "fast");
	CHECK_STR(words[2], "prog");
	CHECK_STR(words[4], "--verbose"); /* after the program: the program's */
	CHECK_EQ(apply("--level=7 -- --not-an-option"), 2);
	CHECK_EQ(level_value, 7);
	CHECK_EQ(apply("--verbose"), 1); /* no program */
	CHECK_EQ(apply("--mode=slow --"), 2);
	CHECK_EQ(apply("prog --verbose"), 0);
	CHECK_EQ(verbose_set, 0);
	CHECK_EQ(apply(""), 0);
}

TEST(errors_name_the_problem_and_apply_nothing)
{
	CHECK_EQ(apply("--verbose --bogus=1 prog"), -1);
	CHECK_STR(message, "unknown option '--bogus'");
	CHECK_EQ(verbose_set, 0); /* refused before anything was applied */
	CHECK_EQ(apply("--mode"), -1);
	CHECK_STR(message, "option '--mode' needs a value: --mode=fast|slow");
	CHECK_EQ(apply("--verbose=yes"), -1);
	CHECK_STR(message, "option '--verbose' takes no value");
	CHECK_EQ(apply("--mode=medium"), -1);
	CHECK_STR(message, "bad value 'medium' for --mode (expected fast|slow)");
	CHECK_EQ(apply("-v"), -1);
	CHECK(strstr(message, "unknown option '-v'"));
	CHECK_EQ(apply("--"), 1);
	CHECK_EQ(apply("---"), -1);
	CHECK_EQ(apply("--verb"), -1); /* no prefix matching */
}

TEST(numbers_for_option_values)
{
	uint64_t v = 0;
	CHECK_EQ(kopt_parse_u64("42", 1, 64, &v), 0);
	CHECK_EQ(v, 42);
	CHECK_EQ(kopt_parse_u64("0", 1, 64, &v), -1);
	CHECK_EQ(kopt_parse_u64("65", 1, 64, &v), -1);
	CHECK_EQ(kopt_parse_u64("", 0, 64, &v), -1);
	CHECK_EQ(kopt_parse_u64("4x", 0, 64, &v), -1);
	CHECK_EQ(kopt_parse_u64("99999999999999999999999", 0, UINT64_MAX, &v), -1);
	CHECK_EQ(kopt_parse_u64("18446744073709551615", 0, UINT64_MAX, &v), 0);
	CHECK(v == UINT64_MAX);
}
