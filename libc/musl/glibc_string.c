/* glibc string functions that musl does not have and Debian's binaries import. */
#include <stddef.h>

/* memchr without a length: the caller knows `c` is there. */
void *rawmemchr(const void *s, int c)
{
	const unsigned char *p = s;
	while (*p != (unsigned char)c)
		p++;
	return (void *)p;
}
