/*
 * glibc's fortified functions (_FORTIFY_SOURCE, which Debian builds use): each
 * checks the destination's size the compiler knew, then does the plain job.
 * Compiled against musl's headers; exported to programs with the rest of libc.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

_Noreturn void __chk_fail(void)
{
	static const char msg[] = "*** buffer overflow detected ***: terminated\n";
	write(2, msg, sizeof(msg) - 1);
	abort();
}

int __printf_chk(int flag, const char *fmt, ...)
{
	(void)flag;
	va_list ap;
	va_start(ap, fmt);
	int n = vprintf(fmt, ap);
	va_end(ap);
	return n;
}

int __fprintf_chk(FILE *f, int flag, const char *fmt, ...)
{
	(void)flag;
	va_list ap;
	va_start(ap, fmt);
	int n = vfprintf(f, fmt, ap);
	va_end(ap);
	return n;
}

int __vprintf_chk(int flag, const char *fmt, va_list ap)
{
	(void)flag;
	return vprintf(fmt, ap);
}

int __vfprintf_chk(FILE *f, int flag, const char *fmt, va_list ap)
{
	(void)flag;
	return vfprintf(f, fmt, ap);
}

int __vsnprintf_chk(char *s, size_t max, int flag, size_t slen, const char *fmt, va_list ap)
{
	(void)flag;
	if (max > slen)
		__chk_fail();
	return vsnprintf(s, max, fmt, ap);
}

int __snprintf_chk(char *s, size_t max, int flag, size_t slen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = __vsnprintf_chk(s, max, flag, slen, fmt, ap);
	va_end(ap);
	return n;
}

int __vsprintf_chk(char *s, int flag, size_t slen, const char *fmt, va_list ap)
{
	(void)flag;
	int n = vsnprintf(s, slen, fmt, ap);
	if (n < 0 || (size_t)n >= slen)
		__chk_fail();
	return n;
}

int __sprintf_chk(char *s, int flag, size_t slen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = __vsprintf_chk(s, flag, slen, fmt, ap);
	va_end(ap);
	return n;
}

void *__memcpy_chk(void *d, const void *s, size_t n, size_t dlen)
{
	if (n > dlen)
		__chk_fail();
	return memcpy(d, s, n);
}

void *__memmove_chk(void *d, const void *s, size_t n, size_t dlen)
{
	if (n > dlen)
		__chk_fail();
	return memmove(d, s, n);
}

void *__memset_chk(void *d, int c, size_t n, size_t dlen)
{
	if (n > dlen)
		__chk_fail();
	return memset(d, c, n);
}

char *__strcpy_chk(char *d, const char *s, size_t dlen)
{
	if (strlen(s) >= dlen)
		__chk_fail();
	return strcpy(d, s);
}

char *__stpcpy_chk(char *d, const char *s, size_t dlen)
{
	if (strlen(s) >= dlen)
		__chk_fail();
	return stpcpy(d, s);
}

char *__strcat_chk(char *d, const char *s, size_t dlen)
{
	if (strlen(d) + strlen(s) >= dlen)
		__chk_fail();
	return strcat(d, s);
}

char *__strncpy_chk(char *d, const char *s, size_t n, size_t dlen)
{
	if (n > dlen)
		__chk_fail();
	return strncpy(d, s, n);
}

ssize_t __read_chk(int fd, void *buf, size_t n, size_t buflen)
{
	if (n > buflen)
		__chk_fail();
	return read(fd, buf, n);
}
