/*
 * glibc's error reporting (error.h), which musl does not have and GNU programs
 * (coreutils among them) import: "program: message[: strerror]\n" on stderr,
 * after flushing stdout, then exit(status) unless status is 0.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *kite_program_name(void);

unsigned int error_message_count;
int error_one_per_line;
void (*error_print_progname)(void);

static void report(int status, int errnum, const char *file, unsigned line, const char *format, va_list ap)
{
	fflush(stdout);
	if (error_print_progname)
		error_print_progname();
	else
		fprintf(stderr, "%s:", kite_program_name());
	if (file)
		fprintf(stderr, "%s:%u:", file, line);
	fputc(' ', stderr);
	vfprintf(stderr, format, ap);
	if (errnum)
		fprintf(stderr, ": %s", strerror(errnum));
	fputc('\n', stderr);
	fflush(stderr);
	error_message_count++;
	if (status)
		exit(status);
}

void error(int status, int errnum, const char *format, ...)
{
	va_list ap;
	va_start(ap, format);
	report(status, errnum, NULL, 0, format, ap);
	va_end(ap);
}

void error_at_line(int status, int errnum, const char *file, unsigned line, const char *format, ...)
{
	static const char *last_file;
	static unsigned last_line;
	if (error_one_per_line && file && last_file && line == last_line && !strcmp(file, last_file))
		return;
	last_file = file;
	last_line = line;
	va_list ap;
	va_start(ap, format);
	report(status, errnum, file, line, format, ap);
	va_end(ap);
}
