/* The text buffer of textbuf.h: formats into a heap buffer that doubles as needed. */
#include <kite/format.h>
#include <kite/heap.h>
#include <kite/textbuf.h>
#include <stdarg.h>

void tb_printf(struct textbuf *tb, const char *fmt, ...)
{
	va_list ap;

	for (int attempt = 0; attempt < 2 && !tb->failed; attempt++) {
		va_start(ap, fmt);
		int n = kvsnprintf(tb->buf ? tb->buf + tb->len : NULL, tb->buf ? tb->cap - tb->len : 0, fmt, ap);
		va_end(ap);
		if (tb->buf && tb->len + (size_t)n < tb->cap) {
			tb->len += (size_t)n;
			return;
		}
		size_t cap = tb->cap ? tb->cap : 256;
		while (cap <= tb->len + (size_t)n)
			cap *= 2;
		char *p = krealloc(tb->buf, cap);
		if (!p) {
			tb->failed = true;
			return;
		}
		tb->buf = p;
		tb->cap = cap;
	}
}

void tb_free(struct textbuf *tb)
{
	kfree(tb->buf);
	*tb = (struct textbuf){ 0 };
}
