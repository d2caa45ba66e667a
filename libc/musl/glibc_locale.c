/*
 * Locale objects that code built against glibc can read. libstdc++ (and
 * anything compiled with glibc's <ctype.h> inlines that take a locale_t) reads
 * glibc's fields of a locale object directly: the classification table
 * __ctype_b and the case tables __ctype_tolower and __ctype_toupper, after
 * glibc's 13 category pointers. musl's locale object is 6 category pointers.
 *
 * Every locale object newlocale and duplocale hand out here is both: musl's
 * struct first (musl's *_l functions read it), glibc's three table pointers
 * and category names at glibc's offsets after it. The tables are musl's own
 * glibc-compatible ones (__ctype_b_loc and friends); musl's code has only the
 * C and C.UTF-8 character classes, so they serve every locale.
 *
 * These replace musl's newlocale.c, duplocale.c and freelocale.c (deleted
 * from the kernel's archive, MUSL_REPLACED in the Makefile), keeping their
 * behaviour otherwise, but never return musl's static built-in objects, which
 * lack glibc's fields. newlocale also takes glibc's 1 << LC_ALL for "every
 * category", as libstdc++ passes it.
 */
#include <ctype.h>
#include <errno.h>
#include <locale.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include "libc.h"
#include "locale_impl.h"
#include "lock.h"

struct glibc_compatible_locale {
	struct __locale_struct musl;
	char unused[13 * sizeof(void *) - sizeof(struct __locale_struct)];
	const unsigned short *ctype_b;	/* glibc: offset 104 */
	const int *ctype_tolower;
	const int *ctype_toupper;
	const char *names[13];
};
_Static_assert(offsetof(struct glibc_compatible_locale, ctype_b) == 104, "glibc's __ctype_b offset");

const unsigned short **__ctype_b_loc(void);
const int32_t **__ctype_tolower_loc(void);
const int32_t **__ctype_toupper_loc(void);

int __loc_is_allocated(locale_t loc)
{
	return loc && loc != C_LOCALE && loc != UTF8_LOCALE && loc != &libc.global_locale &&
	       loc != LC_GLOBAL_LOCALE;
}

static locale_t finish(struct glibc_compatible_locale *l)
{
	l->ctype_b = *__ctype_b_loc();
	l->ctype_tolower = (const int *)*__ctype_tolower_loc();
	l->ctype_toupper = (const int *)*__ctype_toupper_loc();
	for (int i = 0; i < 13; i++)
		l->names[i] = "C";
	return &l->musl;
}

locale_t __newlocale(int mask, const char *name, locale_t loc)
{
	struct __locale_struct tmp;
	if (mask & (1 << LC_ALL))
		mask = LC_ALL_MASK;
	if (loc == LC_GLOBAL_LOCALE)
		loc = &libc.global_locale;
	LOCK(__locale_lock);
	for (int i = 0; i < LC_ALL; i++) {
		tmp.cat[i] = (!(mask & (1 << i)) && loc) ? loc->cat[i] : __get_locale(i, (mask & (1 << i)) ? name : "");
		if (tmp.cat[i] == LOC_MAP_FAILED) {
			UNLOCK(__locale_lock);
			return 0;
		}
	}
	UNLOCK(__locale_lock);
	/* Ours are modified in place, as musl does with allocated ones. */
	struct glibc_compatible_locale *l = __loc_is_allocated(loc) ? (void *)loc : malloc(sizeof(*l));
	if (!l)
		return 0;
	l->musl = tmp;
	return finish(l);
}
weak_alias(__newlocale, newlocale);

locale_t __duplocale(locale_t old)
{
	struct glibc_compatible_locale *l = malloc(sizeof(*l));
	if (!l)
		return 0;
	if (old == LC_GLOBAL_LOCALE)
		old = &libc.global_locale;
	l->musl = *old;
	return finish(l);
}
weak_alias(__duplocale, duplocale);

void freelocale(locale_t l)
{
	if (__loc_is_allocated(l))
		free(l);
}
weak_alias(freelocale, __freelocale);
