/*
 * The kernel command line: kernel options first, then the program and its
 * arguments.
 *
 *     [--option[=value] ...] [--] [program [arg ...]]
 *
 * (The boot loader's own copy may start with the kernel's path; the boot code
 * removes it.)
 *
 * Words are separated by blanks; '...' and "..." quote, and a backslash escapes
 * the next character. Options register themselves with KOPT_FLAG/KOPT_VALUE next to
 * the code they configure; the parser finds them in the .kopts section.
 */
#ifndef KITE_CMDLINE_H
#define KITE_CMDLINE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <kite/compiler.h>

#define CMDLINE_MAX 4096
#define CMDLINE_MAX_WORDS 256

struct kopt {
	const char *name;	/* required: without the leading "--" */
	int (*set)(const char *value); /* required: 0, or -EINVAL for a bad value */
	bool takes_value;	/* --name=value rather than --name */
	const char *values;	/* optional: the accepted values, for error messages */
	const char *help;	/* required: one line */
};

#define KOPT_DEFINE(name_, fn, has_value, values_, help_)                      \
	static const struct kopt __kopt_##fn __used __section(".kopts")        \
		__aligned(8) = { .name = name_, .set = fn, .takes_value = has_value, \
				 .values = values_, .help = help_ }
#define KOPT_FLAG(name, fn, help) KOPT_DEFINE(name, fn, false, NULL, help)
#define KOPT_VALUE(name, fn, values, help) KOPT_DEFINE(name, fn, true, values, help)

/*
 * Splits `buf` in place into words. Returns the number of words, or -1 with
 * *error set (an unterminated quote, too many words).
 */
int cmdline_split(char *buf, char **words, int max_words, const char **error);

/*
 * Applies the options at the start of words[] from the table `opts`. On success returns the index of the program's first word (n when
 * there is none). On failure returns -1 with a one-line message in errbuf; no
 * option has been applied unless every option word was valid.
 */
int cmdline_apply(char **words, int n, const struct kopt *opts, size_t nr_opts, char *errbuf,
		  size_t errlen);

/* A decimal number in [min, max] for an option's value: 0, or -1 if it is not one. */
int kopt_parse_u64(const char *value, uint64_t min, uint64_t max, uint64_t *out);

/* The program's words from the kernel command line (after the options). */
const char *const *boot_program_args(int *argc);

/* The registered options (the .kopts section). */
const struct kopt *kopts_table(size_t *count);

#endif
