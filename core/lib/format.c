/*
 * kvsnprintf: the formatter behind printk and the crash reports. It never
 * allocates and never writes past `size`, so it is safe in a panic.
 */
#include <kite/format.h>
#include <stdint.h>
#include <stdbool.h>

struct out {
	char *buf;
	size_t size;
	size_t len;
};

static void put(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void put_padding(struct out *o, int count, char c)
{
	while (count-- > 0)
		put(o, c);
}

struct spec {
	bool left;
	bool zero;
	int width;
	int precision; /* -1: none */
};

static void put_string(struct out *o, const char *s, const struct spec *sp)
{
	int len = 0;

	if (!s)
		s = "(null)";
	while (s[len] && (sp->precision < 0 || len < sp->precision))
		len++;
	if (!sp->left)
		put_padding(o, sp->width - len, ' ');
	for (int i = 0; i < len; i++)
		put(o, s[i]);
	if (sp->left)
		put_padding(o, sp->width - len, ' ');
}

static void put_number(struct out *o, uint64_t v, bool negative, unsigned base, bool upper,
		       const struct spec *sp)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int n = 0;

	do {
		tmp[n++] = digits[v % base];
		v /= base;
	} while (v);
	while (n < sp->precision && n < (int)sizeof(tmp))
		tmp[n++] = '0';

	int len = n + negative;
	if (!sp->left && !sp->zero)
		put_padding(o, sp->width - len, ' ');
	if (negative)
		put(o, '-');
	if (!sp->left && sp->zero)
		put_padding(o, sp->width - len, '0');
	while (n)
		put(o, tmp[--n]);
	if (sp->left)
		put_padding(o, sp->width - len, ' ');
}

static int parse_int(const char **p)
{
	int v = 0;

	while (**p >= '0' && **p <= '9')
		v = v * 10 + (*(*p)++ - '0');
	return v;
}

int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = { buf, size, 0 };

	for (const char *p = fmt; *p; p++) {
		if (*p != '%') {
			put(&o, *p);
			continue;
		}
		p++;
		struct spec sp = { .precision = -1 };
		for (;; p++) {
			if (*p == '-')
				sp.left = true;
			else if (*p == '0')
				sp.zero = true;
			else
				break;
		}
		if (*p == '*') {
			sp.width = va_arg(ap, int);
			if (sp.width < 0) {
				sp.left = true;
				sp.width = -sp.width;
			}
			p++;
		} else {
			sp.width = parse_int(&p);
		}
		if (*p == '.') {
			p++;
			if (*p == '*') {
				sp.precision = va_arg(ap, int);
				p++;
			} else {
				sp.precision = parse_int(&p);
			}
		}
		int longness = 0; /* 0 int, 1 long, 2 long long; size_t etc. are long */
		for (;; p++) {
			if (*p == 'l')
				longness++;
			else if (*p == 'z' || *p == 't' || *p == 'j')
				longness = 1;
			else if (*p != 'h')
				break;
		}

		uint64_t u;
		int64_t s;
		switch (*p) {
		case 'd':
		case 'i':
			s = longness ? va_arg(ap, int64_t) : va_arg(ap, int);
			u = s < 0 ? -(uint64_t)s : (uint64_t)s;
			put_number(&o, u, s < 0, 10, false, &sp);
			break;
		case 'u':
		case 'x':
		case 'X':
		case 'o':
			u = longness ? va_arg(ap, uint64_t) : va_arg(ap, unsigned int);
			put_number(&o, u, false, *p == 'u' ? 10 : *p == 'o' ? 8 : 16, *p == 'X', &sp);
			break;
		case 'p':
			put(&o, '0');
			put(&o, 'x');
			sp.zero = true;
			sp.width = 16;
			put_number(&o, (uintptr_t)va_arg(ap, void *), false, 16, false, &sp);
			break;
		case 's':
			put_string(&o, va_arg(ap, const char *), &sp);
			break;
		case 'c':
			put(&o, (char)va_arg(ap, int));
			break;
		case '%':
			put(&o, '%');
			break;
		case '\0':
			p--;
			break;
		default:
			put(&o, '%');
			put(&o, *p);
			break;
		}
	}
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return (int)o.len;
}

int ksnprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = kvsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
