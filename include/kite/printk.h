/*
 * Kernel messages. Each message has a level; the console shows those at or below
 * the console level (default LOG_INFO; `--verbose` shows LOG_DEBUG, `--quiet`
 * only warnings and errors).
 */
#ifndef KITE_PRINTK_H
#define KITE_PRINTK_H
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <kite/compiler.h>

enum log_level {
	LOG_ERR = 0,
	LOG_WARN = 1,
	LOG_INFO = 2,
	LOG_DEBUG = 3,
};

void printk(enum log_level level, const char *fmt, ...) __printf(2, 3);
void vprintk(enum log_level level, const char *fmt, va_list ap);

#define pr_err(...) printk(LOG_ERR, __VA_ARGS__)
#define pr_warn(...) printk(LOG_WARN, __VA_ARGS__)
#define pr_info(...) printk(LOG_INFO, __VA_ARGS__)
#define pr_debug(...) printk(LOG_DEBUG, __VA_ARGS__)
/* What someone asked to see (the console's status key): shown even with --quiet. */
#define pr_report(...) printk(LOG_ERR, __VA_ARGS__)

void printk_set_level(enum log_level level);

/* A console is where messages go; drivers register theirs at the early init level. */
struct console {
	const char *name;
	void (*write)(const char *s, size_t len); /* required; must not allocate */
};

void console_register(const struct console *con);
void console_write(const char *s, size_t len);

/*
 * Bytes typed on the console (interrupt context). Ctrl-T prints the thread
 * list, as BSD's status key does; everything else is kept for readers.
 */
#define CONSOLE_STATUS_KEY 0x14
void console_input(const char *buf, size_t len);
/* How many times the status key was pressed. */
unsigned console_status_requests(void);
/* Takes up to len buffered input bytes; returns how many. With `wait`, sleeps
 * until at least one byte is there (thread context only). */
size_t console_read(char *buf, size_t len, bool wait);

#endif
