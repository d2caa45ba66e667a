/* The boot's use of the command-line parser: the registered options and the
 * error message for a bad command line. */
#include <kite/cmdline.h>
#include <kite/printk.h>

extern const struct kopt __kopts_start[], __kopts_end[];

const struct kopt *kopts_table(size_t *count)
{
	*count = __kopts_end - __kopts_start;
	return __kopts_start;
}

static char *words[CMDLINE_MAX_WORDS];
static char **program_argv;
static int program_argc;

/* Applies the kernel options; *argv gets the program's words. 0, or -1 after
 * printing the reason. */
int boot_cmdline(char *cmdline, int *argc, char ***argv)
{
	const char *error;
	char message[160];
	size_t nr_opts;
	const struct kopt *opts = kopts_table(&nr_opts);

	int n = cmdline_split(cmdline, words, CMDLINE_MAX_WORDS, &error);
	if (n < 0) {
		pr_err("kite: bad command line: %s\n", error);
		return -1;
	}
	int first = cmdline_apply(words, n, opts, nr_opts, message, sizeof(message));
	if (first < 0) {
		pr_err("kite: bad command line: %s\n", message);
		return -1;
	}
	*argc = n - first;
	*argv = &words[first];
	program_argc = *argc;
	program_argv = *argv;
	return 0;
}

const char *const *boot_program_args(int *argc)
{
	*argc = program_argc;
	return (const char *const *)program_argv;
}
