/* printf-style formatting into a buffer: the kernel's only formatter. */
#ifndef KITE_FORMAT_H
#define KITE_FORMAT_H
#include <stdarg.h>
#include <stddef.h>
#include <kite/compiler.h>

/*
 * Supports %d %i %u %x %X %o %p %s %c %%, the flags '-' and '0', a width and a
 * precision (both may be '*'), and the length modifiers hh h l ll z t j.
 * Returns the length the full output would have, like C's vsnprintf.
 */
int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int ksnprintf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);

#endif
