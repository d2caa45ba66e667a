/* A growing text buffer for generated files (procfs). */
#ifndef KITE_TEXTBUF_H
#define KITE_TEXTBUF_H
#include <stdbool.h>
#include <stddef.h>
#include <kite/compiler.h>

struct textbuf {
	char *buf;
	size_t len, cap;
	bool failed;	/* out of memory: the text is cut short */
};

void tb_printf(struct textbuf *tb, const char *fmt, ...) __printf(2, 3);
void tb_free(struct textbuf *tb);

#endif
