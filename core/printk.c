/*
 * printk: format a message into a stack buffer and hand it to every registered
 * console. No allocation, so it works in a panic and before the heap exists.
 * FIXME: take a console lock (that a panic may break) once other CPUs run.
 */
#include <kite/printk.h>
#include <kite/format.h>
#include <kite/cmdline.h>

#define MAX_CONSOLES 4
#define PRINTK_BUF 512

static const struct console *consoles[MAX_CONSOLES];
static int nr_consoles;
static enum log_level console_level = LOG_INFO;

void console_register(const struct console *con)
{
	if (nr_consoles < MAX_CONSOLES)
		consoles[nr_consoles++] = con;
}

void console_write(const char *s, size_t len)
{
	for (int i = 0; i < nr_consoles; i++)
		consoles[i]->write(s, len);
}

void printk_set_level(enum log_level level)
{
	console_level = level;
}

void vprintk(enum log_level level, const char *fmt, va_list ap)
{
	char buf[PRINTK_BUF];

	if (level > console_level)
		return;
	int n = kvsnprintf(buf, sizeof(buf), fmt, ap);
	if (n >= (int)sizeof(buf))
		n = sizeof(buf) - 1;
	console_write(buf, n);
}

void printk(enum log_level level, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vprintk(level, fmt, ap);
	va_end(ap);
}

static int set_verbose(const char *value __unused)
{
	printk_set_level(LOG_DEBUG);
	return 0;
}

static int set_quiet(const char *value __unused)
{
	printk_set_level(LOG_WARN);
	return 0;
}

KOPT_FLAG("verbose", set_verbose, "show debug messages while booting");
KOPT_FLAG("quiet", set_quiet, "show only warnings and errors");
