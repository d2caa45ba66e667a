/*
 * The boot archive reader (the format and the rules are in kite/cpio.h). The
 * archive is hostile input: every read is preceded by a comparison of the
 * remaining length (len - off, never off + n, so nothing can wrap), and the
 * only memory used is the parser's state on the stack.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <kite/cpio.h>
#include <kite/format.h>

#define HEADER_SIZE 110
#define MAGIC_SIZE 6
#define FIELD_DIGITS 8
#define SYMLINK_MAX 4095
#define SHOWN_NAME_MAX 64	/* names in messages are cut here */

#define TYPE_MASK 0170000
#define TYPE_SOCK 0140000
#define TYPE_LNK 0120000
#define TYPE_REG 0100000
#define TYPE_BLK 0060000
#define TYPE_DIR 0040000
#define TYPE_CHR 0020000
#define TYPE_FIFO 0010000

enum field {
	F_INO, F_MODE, F_UID, F_GID, F_NLINK, F_MTIME, F_FILESIZE, F_DEVMAJOR,
	F_DEVMINOR, F_RDEVMAJOR, F_RDEVMINOR, F_NAMESIZE, F_CHECK, F_NR
};

static const char *const field_names[F_NR] = {
	"ino", "mode", "uid", "gid", "nlink", "mtime", "filesize", "devmajor",
	"devminor", "rdevmajor", "rdevminor", "namesize", "check",
};

struct parser {
	const unsigned char *buf;
	size_t len;
	cpio_warn_fn warn;
	void *arg;
	char name[CPIO_NAME_MAX + 1];	/* the normalized name */
	char msg[192];
	char shown[SHOWN_NAME_MAX + 4];	/* a name fit for a message */
};

/* Reports the error that ends the parse. */
static __printf(2, 3) int fail(struct parser *p, const char *fmt, ...)
{
	va_list ap;

	if (p->warn) {
		va_start(ap, fmt);
		kvsnprintf(p->msg, sizeof(p->msg), fmt, ap);
		va_end(ap);
		p->warn(p->msg, p->arg);
	}
	return -1;
}

/*
 * A name from the archive may be long or hold control characters (a newline,
 * a terminal escape); a message gets a short, printable copy.
 */
static const char *shown_name(struct parser *p, const char *raw)
{
	size_t i;

	for (i = 0; raw[i] && i < SHOWN_NAME_MAX; i++) {
		unsigned char c = raw[i];
		p->shown[i] = c < 0x20 || c >= 0x7f ? '?' : c;
	}
	if (raw[i]) {
		memcpy(p->shown + i, "...", 3);
		i += 3;
	}
	p->shown[i] = '\0';
	return p->shown;
}

/* Warns about an entry that is left out. */
static __printf(3, 4) void skip(struct parser *p, const char *raw, const char *fmt, ...)
{
	char why[96];
	va_list ap;

	if (!p->warn)
		return;
	va_start(ap, fmt);
	kvsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	ksnprintf(p->msg, sizeof(p->msg), "cpio: skipping '%s': %s", shown_name(p, raw), why);
	p->warn(p->msg, p->arg);
}

static bool parse_hex(const unsigned char *s, uint32_t *value)
{
	uint32_t v = 0;

	for (int i = 0; i < FIELD_DIGITS; i++) {
		unsigned char c = s[i];
		unsigned d;

		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			return false;
		v = v << 4 | d;
	}
	*value = v;
	return true;
}

/* Reads the header at off (the caller has checked off < len). */
static int parse_header(struct parser *p, size_t off, uint32_t f[F_NR])
{
	const unsigned char *h = p->buf + off;

	if (p->len - off < HEADER_SIZE)
		return fail(p, "cpio: truncated header at offset %zu (%zu of %d bytes)", off,
			    p->len - off, HEADER_SIZE);
	if (memcmp(h, "070701", MAGIC_SIZE) && memcmp(h, "070702", MAGIC_SIZE))
		return fail(p, "cpio: bad magic at offset %zu (not a newc archive)", off);
	for (int i = 0; i < F_NR; i++) {
		size_t at = MAGIC_SIZE + (size_t)i * FIELD_DIGITS;

		if (!parse_hex(h + at, &f[i]))
			return fail(p, "cpio: non-hex digit in the %s field at offset %zu",
				    field_names[i], off + at);
	}
	return 0;
}

/*
 * Writes the normalized form of raw into p->name; returns NULL, or why the
 * entry must be skipped. Each output component was preceded by at least one
 * '/' in raw (or starts it), so the output is never longer than raw.
 */
static const char *normalize(struct parser *p, const char *raw)
{
	const char *s = raw;
	size_t n = 0;

	if (!*s)
		return "empty name";
	if (*s == '/')
		return "absolute path";
	while (*s) {
		const char *start = s;
		size_t clen;

		while (*s && *s != '/')
			s++;
		clen = s - start;
		if (*s)
			s++;
		if (clen == 0 || (clen == 1 && start[0] == '.'))
			continue;
		if (clen == 2 && start[0] == '.' && start[1] == '.')
			return "'..' escapes the root";
		if (n)
			p->name[n++] = '/';
		memcpy(p->name + n, start, clen);
		n += clen;
	}
	p->name[n] = '\0';
	return NULL;
}

static bool known_type(uint32_t type)
{
	switch (type) {
	case TYPE_REG: case TYPE_DIR: case TYPE_LNK: case TYPE_CHR:
	case TYPE_BLK: case TYPE_FIFO: case TYPE_SOCK:
		return true;
	}
	return false;
}

/* Checks a well-framed entry; false (after a warning) to skip it. */
static bool check_entry(struct parser *p, const char *raw, const struct cpio_entry *e)
{
	const char *why = normalize(p, raw);
	uint32_t type = e->mode & TYPE_MASK;

	if (why) {
		skip(p, raw, "%s", why);
		return false;
	}
	if (!known_type(type)) {
		skip(p, raw, "unknown file type in mode 0%o", (unsigned)e->mode);
		return false;
	}
	if (!p->name[0] && type != TYPE_DIR) {
		skip(p, raw, "the root is not a directory");
		return false;
	}
	if (type == TYPE_DIR && e->size) {
		skip(p, raw, "directory with %llu bytes of data", (unsigned long long)e->size);
		return false;
	}
	if (type == TYPE_LNK) {
		if (!e->size || e->size > SYMLINK_MAX) {
			skip(p, raw, "symlink target of %llu bytes (must be 1 to %d)",
			     (unsigned long long)e->size, SYMLINK_MAX);
			return false;
		}
		/* A target is used as a C string: a NUL would cut it short. */
		for (uint64_t i = 0; i < e->size; i++) {
			if (!((const char *)e->data)[i]) {
				skip(p, raw, "NUL in the symlink target");
				return false;
			}
		}
	}
	return true;
}

static size_t align4(size_t n)
{
	return (n + 3) & ~(size_t)3;
}

int cpio_parse(const void *buf, size_t len, cpio_entry_fn fn, cpio_warn_fn warn, void *arg)
{
	struct parser p = { .buf = buf, .len = len, .warn = warn, .arg = arg };
	size_t off = 0;

	/*
	 * Every header starts at a multiple of 4, so padding "from the start of
	 * the header" and from the start of the archive are the same thing.
	 */
	for (;;) {
		uint32_t f[F_NR];

		if (off >= len)
			return fail(&p, "cpio: missing trailer at offset %zu", len);
		if (parse_header(&p, off, f))
			return -1;

		size_t left = len - off - HEADER_SIZE;
		const char *raw = (const char *)p.buf + off + HEADER_SIZE;
		uint32_t namesize = f[F_NAMESIZE];

		if (!namesize)
			return fail(&p, "cpio: namesize 0 in the entry at offset %zu", off);
		if (namesize - 1 > CPIO_NAME_MAX)
			return fail(&p, "cpio: name longer than %d bytes in the entry at offset %zu",
				    CPIO_NAME_MAX, off);
		/* namesize is small now: header + name + padding cannot wrap. */
		size_t name_end = align4(HEADER_SIZE + (size_t)namesize);
		if (name_end - HEADER_SIZE > left)
			return fail(&p, "cpio: truncated name in the entry at offset %zu "
				    "(namesize %u, %zu bytes left)", off, namesize, left);
		if (raw[namesize - 1])
			return fail(&p, "cpio: name without its NUL in the entry at offset %zu", off);
		if (strlen(raw) != namesize - 1)
			return fail(&p, "cpio: NUL inside the name in the entry at offset %zu", off);

		size_t data_off = off + name_end;
		uint32_t size = f[F_FILESIZE];
		if (size > len - data_off)
			return fail(&p, "cpio: truncated data in the entry at offset %zu "
				    "(filesize %u, %zu bytes left)", off, size, len - data_off);
		if (namesize == sizeof("TRAILER!!!") && !memcmp(raw, "TRAILER!!!", namesize))
			return 0;

		struct cpio_entry e = {
			.name = p.name,
			.mode = f[F_MODE],
			.uid = f[F_UID],
			.gid = f[F_GID],
			.nlink = f[F_NLINK],
			.mtime = f[F_MTIME],
			.ino = f[F_INO],
			.rdev_major = f[F_RDEVMAJOR],
			.rdev_minor = f[F_RDEVMINOR],
			.data = p.buf + data_off,
			.size = size,
		};
		if (check_entry(&p, raw, &e) && fn) {
			int ret = fn(&e, arg);
			if (ret)
				return ret;
		}
		/*
		 * data_off + size <= len, so this cannot wrap; past len (no room
		 * for the padding) there is no next header: the missing trailer.
		 */
		off = data_off + size + ((4 - (size & 3)) & 3);
	}
}
