/*
 * Host tests of the boot archive reader (fs/cpio.c): archives built here byte
 * by byte, one written by the host's GNU cpio, and a fuzz loop. Every parse
 * runs on an exact-size heap copy, so ASan catches a read one byte too far.
 */
#include <kite/cpio.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "unit.h"

#define S_REG 0100644
#define S_DIR 0040755
#define S_LNK 0120777
#define HEADER_SIZE 110

/* ---- Building archives ---- */

struct arc {
	unsigned char *buf;
	size_t len, cap;
};

/* The header's fields after the magic, in archive order. */
struct hdr {
	uint32_t ino, mode, uid, gid, nlink, mtime, filesize, devmajor, devminor,
		rdevmajor, rdevminor, namesize, check;
};

static struct arc A;	/* reused by every test: never freed, so never leaked */
static uint32_t next_ino = 100;

static void put(struct arc *a, const void *p, size_t n)
{
	if (a->len + n > a->cap) {
		a->cap = (a->len + n) * 2 + 4096;
		a->buf = realloc(a->buf, a->cap);
		if (!a->buf)
			abort();
	}
	memcpy(a->buf + a->len, p, n);
	a->len += n;
}

static void pad4(struct arc *a)
{
	static const char zeros[4];

	put(a, zeros, (4 - a->len % 4) % 4);
}

static void put_header(struct arc *a, const char *magic, const struct hdr *h, bool upper)
{
	const uint32_t *f = &h->ino;
	char text[HEADER_SIZE + 1];
	int n = snprintf(text, sizeof(text), "%s", magic);

	for (int i = 0; i < 13; i++)
		n += snprintf(text + n, sizeof(text) - n, upper ? "%08X" : "%08x", f[i]);
	put(a, text, HEADER_SIZE);
}

/*
 * Writes one entry as it is: namesize bytes of name, then filesize bytes of
 * data if data is given (a "huge" entry gives none). Returns its offset.
 */
static size_t raw_entry(struct arc *a, const char *magic, const struct hdr *h,
			const void *name, const void *data, bool upper)
{
	size_t off = a->len;

	put_header(a, magic, h, upper);
	put(a, name, h->namesize);
	pad4(a);
	if (data) {
		put(a, data, h->filesize);
		pad4(a);
	}
	return off;
}

static struct hdr header(const char *name, uint32_t mode, size_t size)
{
	return (struct hdr){
		.ino = next_ino++, .mode = mode, .uid = 1000, .gid = 100,
		.nlink = (mode & 0170000) == 0040000 ? 2 : 1, .mtime = 0x5f5e1000,
		.filesize = size, .namesize = strlen(name) + 1,
	};
}

static size_t add(struct arc *a, const char *name, uint32_t mode, const void *data, size_t size)
{
	struct hdr h = header(name, mode, size);

	return raw_entry(a, "070701", &h, name, data ? data : "", true);
}

static size_t add_str(struct arc *a, const char *name, uint32_t mode, const char *data)
{
	return add(a, name, mode, data, strlen(data));
}

static void trailer(struct arc *a)
{
	struct hdr h = header("TRAILER!!!", 0, 0);

	h.ino = 0;
	h.nlink = 1;
	raw_entry(a, "070701", &h, "TRAILER!!!", "", true);
}

static void begin(void)
{
	A.len = 0;
	next_ino = 100;
}

/* ---- Parsing and what it delivered ---- */

#define MAX_SEEN 64
#define MAX_WARN 16

static struct {
	int nr, nr_warn;
	struct cpio_entry e[MAX_SEEN];
	char *name[MAX_SEEN];	/* copies: e[i].name points here */
	char warn[MAX_WARN][256];
	int stop_at, stop_value;	/* return stop_value from entry stop_at (1-based) */
	int bad_messages;		/* empty, multi-line or unprintable */
} got;

static unsigned char *copy;	/* the buffer of the last parse */

static int on_entry(const struct cpio_entry *e, void *arg)
{
	(void)arg;
	if (got.nr < MAX_SEEN) {
		got.e[got.nr] = *e;
		free(got.name[got.nr]);
		got.name[got.nr] = strdup(e->name);
		got.e[got.nr].name = got.name[got.nr];
	}
	got.nr++;
	return got.nr == got.stop_at ? got.stop_value : 0;
}

static bool message_ok(const char *m)
{
	if (strncmp(m, "cpio: ", 6))
		return false;
	for (; *m; m++)
		if ((unsigned char)*m < 0x20 || (unsigned char)*m >= 0x7f)
			return false;
	return true;
}

static void on_warn(const char *message, void *arg)
{
	(void)arg;
	if (!message_ok(message))
		got.bad_messages++;
	snprintf(got.warn[got.nr_warn % MAX_WARN], sizeof(got.warn[0]), "%s", message);
	got.nr_warn++;
}

static int parse_buf(const void *buf, size_t len)
{
	free(copy);
	copy = malloc(len ? len : 1);
	memcpy(copy, buf, len);
	got.nr = got.nr_warn = got.bad_messages = 0;
	return cpio_parse(copy, len, on_entry, on_warn, NULL);
}

static int parse(void)
{
	return parse_buf(A.buf, A.len);
}

static const char *last_warn(void)
{
	return got.nr_warn ? got.warn[(got.nr_warn - 1) % MAX_WARN] : "(no warning)";
}

static bool warned(const char *text)
{
	for (int i = 0; i < got.nr_warn && i < MAX_WARN; i++)
		if (strstr(got.warn[i], text))
			return true;
	return false;
}

static const struct cpio_entry *find(const char *name)
{
	for (int i = 0; i < got.nr && i < MAX_SEEN; i++)
		if (!strcmp(got.name[i], name))
			return &got.e[i];
	return NULL;
}

static bool data_is(const struct cpio_entry *e, const char *s)
{
	return e && e->size == strlen(s) && !memcmp(e->data, s, e->size);
}

/* ---- Well-formed archives ---- */

TEST(normal_archive_delivers_every_entry)
{
	begin();
	add(&A, ".", S_DIR, NULL, 0);
	add(&A, "./etc", S_DIR, NULL, 0);
	add_str(&A, "./etc/motd", S_REG, "hello, kite\n");
	add(&A, "./empty", S_REG, NULL, 0);
	add_str(&A, "./etc/link", S_LNK, "motd");
	struct hdr h = header("./a", S_REG, 0);
	h.ino = 77;
	h.nlink = 2;
	raw_entry(&A, "070701", &h, "./a", "", true);
	h = header("./b", S_REG, 6);
	h.ino = 77;
	h.nlink = 2;
	raw_entry(&A, "070701", &h, "./b", "shared", true);
	h = header("./null", 0020666, 0);
	h.rdevmajor = 1;
	h.rdevminor = 3;
	raw_entry(&A, "070701", &h, "./null", "", true);
	trailer(&A);

	CHECK_EQ(parse(), 0);
	CHECK_EQ(got.nr_warn, 0);
	CHECK_EQ(got.nr, 8);
	CHECK_STR(got.name[0], "");
	CHECK_EQ(got.e[0].mode, S_DIR);
	CHECK_STR(got.name[1], "etc");
	CHECK_EQ(got.e[1].nlink, 2);
	const struct cpio_entry *e = find("etc/motd");
	CHECK(data_is(e, "hello, kite\n"));
	CHECK_EQ(e->mode, S_REG);
	CHECK_EQ(e->uid, 1000);
	CHECK_EQ(e->gid, 100);
	CHECK_EQ(e->mtime, 0x5f5e1000);
	CHECK_EQ(e->ino, 102);
	CHECK_EQ(e->nlink, 1);
	/* data points into the caller's buffer, right after the padded name */
	CHECK((const unsigned char *)e->data == copy + 112 + 116 + 124);
	e = find("empty");
	CHECK(e && e->size == 0 && e->mode == S_REG);
	CHECK(data_is(find("etc/link"), "motd"));
	CHECK_EQ(find("etc/link")->mode, S_LNK);
	/* hard links come as they are: data on the last, linked by ino */
	CHECK_STR(got.name[5], "a");
	CHECK_STR(got.name[6], "b");
	CHECK(got.e[5].ino == 77 && got.e[6].ino == 77);
	CHECK(got.e[5].nlink == 2 && got.e[6].nlink == 2);
	CHECK_EQ(got.e[5].size, 0);
	CHECK(data_is(&got.e[6], "shared"));
	e = find("null");
	CHECK(e && e->mode == 0020666 && e->rdev_major == 1 && e->rdev_minor == 3);
}

TEST(lowercase_hex_and_the_crc_magic)
{
	begin();
	struct hdr h = header("f", 0100644, 3);
	h.uid = 0xabcdef01;
	h.mtime = 0xfedcba98;
	h.check = 0xdeadbeef;
	raw_entry(&A, "070702", &h, "f", "xyz", false);
	trailer(&A);
	CHECK(!memcmp(A.buf + 14, "000081a4", 8)); /* really lower case */
	CHECK_EQ(parse(), 0);
	CHECK_EQ(got.nr, 1);
	CHECK_EQ(got.e[0].mode, 0100644);
	CHECK_EQ(got.e[0].uid, 0xabcdef01);
	CHECK_EQ(got.e[0].mtime, 0xfedcba98);
	CHECK(data_is(&got.e[0], "xyz"));
}

TEST(padding_for_every_name_and_size_length)
{
	char name[16], data[16];

	for (int nl = 1; nl <= 8; nl++) {
		for (int size = 0; size <= 8; size++) {
			begin();
			memset(name, 'n', nl);
			name[nl] = '\0';
			for (int i = 0; i < size; i++)
				data[i] = 'A' + i;
			add(&A, name, S_REG, data, size);
			add_str(&A, "zz", S_REG, "ok");
			trailer(&A);
			CHECK_EQ(parse(), 0);
			CHECK_EQ(got.nr, 2);
			CHECK_STR(got.name[0], name);
			CHECK_EQ(got.e[0].size, size);
			CHECK(!memcmp(got.e[0].data, data, size));
			CHECK((const unsigned char *)got.e[0].data - copy ==
			      (HEADER_SIZE + nl + 1 + 3) / 4 * 4);
			CHECK(data_is(&got.e[1], "ok"));
		}
	}
}

TEST(padding_is_required)
{
	/* The same entries without padding: the reader must not guess. */
	begin();
	struct hdr h = header("abc", S_REG, 0);
	put_header(&A, "070701", &h, true);
	put(&A, "abc", 4); /* 114 bytes: 2 bytes of padding missing */
	trailer(&A);
	CHECK_EQ(parse(), -1);
	CHECK_EQ(got.nr, 1); /* "abc" was fine; the next header is misread */
	CHECK(strstr(last_warn(), "bad magic at offset 116"));
}

/*
 * Archives dir/root with the host's cpio in the given format and checks what
 * the reader delivers. (A failed CHECK only leaves this helper, so the caller
 * still removes the directory.)
 */
static void check_gnu_archive(const char *dir, const char *format, const char *magic)
{
	static unsigned char buf[1 << 16];
	char cmd[512];

	snprintf(cmd, sizeof(cmd),
		 "cd %s/root && find . | LC_ALL=C sort | cpio -o -H %s --quiet > ../a.cpio",
		 dir, format);
	CHECK_EQ(system(cmd), 0);
	snprintf(cmd, sizeof(cmd), "%s/a.cpio", dir);
	FILE *file = fopen(cmd, "rb");
	CHECK(file);
	size_t len = fread(buf, 1, sizeof(buf), file);
	fclose(file);
	CHECK(len > 0 && len < sizeof(buf));
	CHECK(!memcmp(buf, magic, 6));

	CHECK_EQ(parse_buf(buf, len), 0);
	CHECK_EQ(got.nr_warn, 0);
	CHECK_EQ(got.nr, 10);
	const struct cpio_entry *e = find("");
	CHECK(e && (e->mode & 0170000) == 0040000);
	e = find("etc");
	CHECK(e && e->mode == 0040750 && e->size == 0);
	e = find("etc/motd");
	CHECK(data_is(e, "Welcome to Kite\n"));
	CHECK_EQ(e->uid, getuid());
	CHECK(e->mtime > 1500000000);
	CHECK(data_is(find("five"), "12345"));
	CHECK(data_is(find("seven"), "1234567"));
	CHECK(find("empty") && find("empty")->size == 0);
	e = find("etc/link");
	CHECK(e && (e->mode & 0170000) == 0120000);
	CHECK(data_is(e, "motd"));
	/* GNU cpio: the hard-link group's data comes on its last entry */
	const struct cpio_entry *a = find("bin/a"), *b = find("bin/b");
	CHECK(a && b && a->ino == b->ino);
	CHECK(a->nlink == 2 && b->nlink == 2);
	CHECK(a < b);
	CHECK_EQ(a->size, 0);
	CHECK(data_is(b, "#!hard\n"));
}

TEST(real_archive_from_gnu_cpio)
{
	char dir[] = "/tmp/kite-cpio-XXXXXX", cmd[512];

	CHECK(mkdtemp(dir));
	snprintf(cmd, sizeof(cmd),
		 "cd %s && mkdir -p root/etc root/bin && cd root && chmod 750 etc && "
		 "printf 'Welcome to Kite\\n' > etc/motd && : > empty && "
		 "ln -s motd etc/link && printf '#!hard\\n' > bin/a && ln bin/a bin/b && "
		 "printf 12345 > five && printf 1234567 > seven", dir);
	int made = system(cmd);
	if (!made) {
		check_gnu_archive(dir, "newc", "070701");
		check_gnu_archive(dir, "crc", "070702");
	}
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	CHECK_EQ(system(cmd), 0);
	CHECK_EQ(made, 0);
}

TEST(zero_padding_and_anything_after_the_trailer_are_ignored)
{
	begin();
	add_str(&A, "x", S_REG, "1");
	trailer(&A);
	put(&A, (char[512]){ 0 }, 512 - A.len % 512);
	CHECK_EQ(parse(), 0);
	CHECK_EQ(got.nr, 1);
	put(&A, "garbage", 7);
	CHECK_EQ(parse(), 0);
	CHECK_EQ(got.nr_warn, 0);
}

TEST(null_callbacks)
{
	begin();
	add_str(&A, "x", S_REG, "1");
	add_str(&A, "/abs", S_REG, "1");
	trailer(&A);
	CHECK_EQ(cpio_parse(A.buf, A.len, NULL, NULL, NULL), 0);
	CHECK_EQ(cpio_parse(A.buf, A.len - 1, NULL, NULL, NULL), -1);
}

/* ---- Malformed headers: fatal ---- */

TEST(bad_magic)
{
	begin();
	add_str(&A, "x", S_REG, "1");
	size_t second = add_str(&A, "y", S_REG, "2");
	trailer(&A);
	memcpy(A.buf + second, "070707", 6); /* the old portable format */
	CHECK_EQ(parse(), -1);
	CHECK_EQ(got.nr, 1);
	CHECK_STR(last_warn(), "cpio: bad magic at offset 116 (not a newc archive)");
	memcpy(A.buf + second, "070702", 6);
	CHECK_EQ(parse(), 0);
	A.buf[0] = 'x';
	CHECK_EQ(parse(), -1);
	CHECK_EQ(got.nr, 0);
	CHECK(strstr(last_warn(), "bad magic at offset 0 "));
}

TEST(non_hex_digit_in_each_field)
{
	static const char *const names[13] = {
		"ino", "mode", "uid", "gid", "nlink", "mtime", "filesize", "devmajor",
		"devminor", "rdevmajor", "rdevminor", "namesize", "check",
	};
	static const char bad[] = { 'g', 'G', ' ', '+', '-', 'x', '\0', (char)0xff };
	char expect[128];

	for (int i = 0; i < 13; i++) {
		begin();
		add_str(&A, "first", S_REG, "1");
		size_t off = add_str(&A, "second", S_REG, "2");
		trailer(&A);
		size_t at = off + 6 + 8 * i;
		snprintf(expect, sizeof(expect), "cpio: non-hex digit in the %s field at offset %zu",
			 names[i], at);
		for (size_t b = 0; b < sizeof(bad); b++) {
			unsigned char saved = A.buf[at + b % 8];
			A.buf[at + b % 8] = bad[b];
			CHECK_EQ(parse(), -1);
			CHECK_EQ(got.nr, 1);
			CHECK_EQ(got.nr_warn, 1);
			CHECK_STR(last_warn(), expect);
			A.buf[at + b % 8] = saved;
		}
		CHECK_EQ(parse(), 0);
	}
}

TEST(truncated_header)
{
	begin();
	add_str(&A, "x", S_REG, "1");
	trailer(&A);
	CHECK_EQ(parse_buf(A.buf, 116 + 50), -1);
	CHECK_EQ(got.nr, 1);
	CHECK_STR(last_warn(), "cpio: truncated header at offset 116 (50 of 110 bytes)");
	CHECK_EQ(parse_buf(A.buf, 109), -1);
	CHECK_STR(last_warn(), "cpio: truncated header at offset 0 (109 of 110 bytes)");
}

TEST(truncated_name)
{
	begin();
	add_str(&A, "name", S_REG, "");	/* 110 + 5 + 1 byte of padding */
	trailer(&A);
	CHECK_EQ(parse_buf(A.buf, 113), -1);
	CHECK_EQ(got.nr, 0);
	CHECK_STR(last_warn(), "cpio: truncated name in the entry at offset 0 (namesize 5, 3 bytes left)");
	/* the whole name, but not its padding */
	CHECK_EQ(parse_buf(A.buf, 115), -1);
	CHECK(strstr(last_warn(), "truncated name in the entry at offset 0"));
	CHECK_EQ(parse_buf(A.buf, 116), -1);
	CHECK_EQ(got.nr, 1);
	CHECK(strstr(last_warn(), "missing trailer"));
}

TEST(truncated_data)
{
	begin();
	add_str(&A, "x", S_REG, "1");
	add_str(&A, "data", S_REG, "0123456789");
	trailer(&A);
	CHECK_EQ(parse_buf(A.buf, 116 + 116 + 9), -1);
	CHECK_EQ(got.nr, 1);
	CHECK_STR(last_warn(), "cpio: truncated data in the entry at offset 116 (filesize 10, 9 bytes left)");
	/* the data, but not its padding: delivered, then no trailer */
	CHECK_EQ(parse_buf(A.buf, 116 + 116 + 10), -1);
	CHECK_EQ(got.nr, 2);
	CHECK(data_is(&got.e[1], "0123456789"));
	CHECK_STR(last_warn(), "cpio: missing trailer at offset 242");
}

TEST(name_without_its_nul_or_with_a_nul_inside)
{
	begin();
	struct hdr h = header("abc", S_REG, 0);
	raw_entry(&A, "070701", &h, "abcd", "", true); /* 4 bytes: "abc" + 'd' */
	trailer(&A);
	CHECK_EQ(parse(), -1);
	CHECK_EQ(got.nr, 0);
	CHECK_STR(last_warn(), "cpio: name without its NUL in the entry at offset 0");
	begin();
	raw_entry(&A, "070701", &h, "a\0c", "", true);
	trailer(&A);
	CHECK_EQ(parse(), -1);
	CHECK_STR(last_warn(), "cpio: NUL inside the name in the entry at offset 0");
}

TEST(namesize_zero)
{
	begin();
	add_str(&A, "x", S_REG, "1");
	struct hdr h = header("", S_REG, 0);
	h.namesize = 0;
	raw_entry(&A, "070701", &h, "", "", true);
	trailer(&A);
	CHECK_EQ(parse(), -1);
	CHECK_EQ(got.nr, 1);
	CHECK_STR(last_warn(), "cpio: namesize 0 in the entry at offset 116");
}

TEST(name_length_limit)
{
	static char name[CPIO_NAME_MAX + 2];

	begin();
	memset(name, 'n', CPIO_NAME_MAX);
	name[CPIO_NAME_MAX] = '\0';
	add_str(&A, name, S_REG, "max");
	trailer(&A);
	CHECK_EQ(parse(), 0);
	CHECK_EQ(got.nr, 1);
	CHECK_EQ(strlen(got.name[0]), CPIO_NAME_MAX);
	CHECK(data_is(&got.e[0], "max"));

	begin();
	name[CPIO_NAME_MAX] = 'n';
	name[CPIO_NAME_MAX + 1] = '\0';
	add_str(&A, name, S_REG, "long");
	trailer(&A);
	CHECK_EQ(parse(), -1);
	CHECK_EQ(got.nr, 0);
	CHECK_STR(last_warn(), "cpio: name longer than 4096 bytes in the entry at offset 0");
}

TEST(huge_sizes_are_truncation)
{
	static const uint32_t sizes[] = { 0xfffffff0, 0xffffffff, 0x80000000, 1u << 20 };

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		begin();
		struct hdr h = header("huge", S_REG, sizes[i]);
		raw_entry(&A, "070701", &h, "huge", NULL, true);
		put(&A, "some data", 9);
		trailer(&A);
		CHECK_EQ(parse(), -1);
		CHECK_EQ(got.nr, 0);
		CHECK(strstr(last_warn(), "truncated data in the entry at offset 0"));
	}
	begin();
	struct hdr h = header("x", S_REG, 0);
	h.namesize = 0xffffffff;
	put_header(&A, "070701", &h, true);
	put(&A, "x", 2);
	CHECK_EQ(parse(), -1);
	CHECK(strstr(last_warn(), "name longer than 4096 bytes"));
}

TEST(missing_trailer)
{
	begin();
	add_str(&A, "x", S_REG, "1");
	add_str(&A, "y", S_REG, "22");
	CHECK_EQ(parse(), -1);
	CHECK_EQ(got.nr, 2);
	CHECK_EQ(got.nr_warn, 1);
	CHECK_STR(last_warn(), "cpio: missing trailer at offset 232");
	CHECK_EQ(parse_buf("", 0), -1);
	CHECK_STR(last_warn(), "cpio: missing trailer at offset 0");
	/* zeros where the trailer should be are not an archive */
	put(&A, (char[512]){ 0 }, 512);
	CHECK_EQ(parse(), -1);
	CHECK_STR(last_warn(), "cpio: bad magic at offset 232 (not a newc archive)");
}

TEST(nothing_is_delivered_after_the_first_error)
{
	begin();
	add_str(&A, "one", S_REG, "1");
	add_str(&A, "two", S_REG, "2");
	size_t bad = add_str(&A, "three", S_REG, "3");
	add_str(&A, "four", S_REG, "4");
	trailer(&A);
	A.buf[bad + 6 + 8 * 6 + 7] = 'Z'; /* filesize */
	CHECK_EQ(parse(), -1);
	CHECK_EQ(got.nr, 2);
	CHECK_STR(got.name[1], "two");
	CHECK_EQ(got.nr_warn, 1);
	CHECK(!find("four"));
}

TEST(callback_stops_the_parse)
{
	begin();
	add_str(&A, "one", S_REG, "1");
	add_str(&A, "two", S_REG, "2");
	add_str(&A, "three", S_REG, "3");
	trailer(&A);
	got.stop_at = 2;
	got.stop_value = 42;
	CHECK_EQ(parse(), 42);
	CHECK_EQ(got.nr, 2);
	CHECK_EQ(got.nr_warn, 0);
	got.stop_value = -12;
	CHECK_EQ(parse(), -12);
	CHECK_EQ(got.nr, 2);
	got.stop_at = 0;
	CHECK_EQ(parse(), 0);
	CHECK_EQ(got.nr, 3);
}

/* ---- Names ---- */

/* Parses one entry named raw (then "end"); returns how many were delivered. */
static int one_name(const char *raw, uint32_t mode)
{
	begin();
	add(&A, raw, mode, NULL, 0);
	add(&A, "end", S_REG, NULL, 0);
	trailer(&A);
	if (parse() != 0 || !find("end"))
		return -1;
	return got.nr - 1;
}

TEST(dot_slash_prefixes_and_normalization)
{
	static const char *const cases[][2] = {
		{ "x", "x" }, { "./x", "x" }, { "././x", "x" }, { ".//x", "x" },
		{ "a//b/./c/", "a/b/c" }, { "x/.", "x" }, { "./a/./b//", "a/b" },
		{ "..a/b..", "..a/b.." }, { "...", "..." }, { ".x/.y", ".x/.y" },
		{ "a///////b", "a/b" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		CHECK_EQ(one_name(cases[i][0], S_DIR), 1);
		CHECK_EQ(got.nr_warn, 0);
		CHECK_STR(got.name[0], cases[i][1]);
	}
}

TEST(the_root_is_delivered_as_an_empty_name_if_it_is_a_directory)
{
	static const char *const roots[] = { ".", "./", "./.", ".//./" };

	for (size_t i = 0; i < sizeof(roots) / sizeof(roots[0]); i++) {
		CHECK_EQ(one_name(roots[i], 0040700), 1);
		CHECK_STR(got.name[0], "");
		CHECK_EQ(got.e[0].mode, 0040700);
	}
	CHECK_EQ(one_name(".", S_REG), 0);
	CHECK_STR(last_warn(), "cpio: skipping '.': the root is not a directory");
	CHECK_EQ(one_name("", S_DIR), 0);
	CHECK_STR(last_warn(), "cpio: skipping '': empty name");
}

TEST(dotdot_is_skipped)
{
	static const char *const names[] = {
		"..", "../x", "./../x", "a/../b", "a/..", "a/b/../../..", "x/../../etc/passwd",
	};
	char expect[128];

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		CHECK_EQ(one_name(names[i], S_REG), 0);
		CHECK_EQ(got.nr_warn, 1);
		snprintf(expect, sizeof(expect), "cpio: skipping '%s': '..' escapes the root", names[i]);
		CHECK_STR(last_warn(), expect);
	}
}

TEST(absolute_names_are_skipped)
{
	static const char *const names[] = { "/etc/x", "/", "//x", "/./x", "/.." };
	char expect[128];

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		CHECK_EQ(one_name(names[i], S_REG), 0);
		CHECK_EQ(got.nr_warn, 1);
		snprintf(expect, sizeof(expect), "cpio: skipping '%s': absolute path", names[i]);
		CHECK_STR(last_warn(), expect);
	}
}

TEST(names_in_messages_are_short_and_printable)
{
	char name[300] = "../\n\033[31mred\t";

	memset(name + strlen(name), 'x', 200);
	CHECK_EQ(one_name(name, S_REG), 0);
	CHECK_EQ(got.bad_messages, 0);
	CHECK(!strncmp(last_warn(), "cpio: skipping '../??[31mred?xxxx", 33));
	CHECK(strstr(last_warn(), "xxx...': '..' escapes the root"));
	CHECK(strlen(last_warn()) < 120);
}

/* ---- File types ---- */

TEST(every_file_type_is_delivered)
{
	static const uint32_t modes[] = { 0100600, 0040700, 0020620, 0060660, 0010644, 0140755 };

	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		CHECK_EQ(one_name("node", modes[i]), 1);
		CHECK_EQ(got.e[0].mode, modes[i]);
	}
	CHECK_EQ(one_name("setuid", 0104755), 1);
	CHECK_EQ(got.e[0].mode, 0104755);
}

TEST(unknown_file_types_are_skipped)
{
	CHECK_EQ(one_name("none", 0000644), 0);
	CHECK_STR(last_warn(), "cpio: skipping 'none': unknown file type in mode 0644");
	CHECK_EQ(one_name("odd", 0030644), 0);
	CHECK_STR(last_warn(), "cpio: skipping 'odd': unknown file type in mode 030644");
	CHECK_EQ(one_name("whiteout", 0160000), 0);
	CHECK_STR(last_warn(), "cpio: skipping 'whiteout': unknown file type in mode 0160000");
}

/* Parses a symlink (or directory) with the given data, then "end". */
static int one_entry(uint32_t mode, const void *data, size_t size)
{
	begin();
	add(&A, "e", mode, data, size);
	add(&A, "end", S_REG, NULL, 0);
	trailer(&A);
	if (parse() != 0 || !find("end"))
		return -1;
	return got.nr - 1;
}

TEST(malformed_symlinks_and_directories_are_skipped)
{
	static char target[4097];

	memset(target, 't', sizeof(target));
	CHECK_EQ(one_entry(S_LNK, target, 4095), 1);
	CHECK_EQ(got.e[0].size, 4095);
	CHECK_EQ(one_entry(S_LNK, target, 1), 1);
	CHECK_EQ(one_entry(S_LNK, target, 4096), 0);
	CHECK_STR(last_warn(), "cpio: skipping 'e': symlink target of 4096 bytes (must be 1 to 4095)");
	CHECK_EQ(one_entry(S_LNK, "", 0), 0);
	CHECK_STR(last_warn(), "cpio: skipping 'e': symlink target of 0 bytes (must be 1 to 4095)");
	CHECK_EQ(one_entry(S_LNK, "ab\0c", 4), 0);
	CHECK_STR(last_warn(), "cpio: skipping 'e': NUL in the symlink target");
	CHECK_EQ(one_entry(S_DIR, "abc", 3), 0);
	CHECK_STR(last_warn(), "cpio: skipping 'e': directory with 3 bytes of data");
	CHECK_EQ(one_entry(S_DIR, "", 0), 1);
	CHECK_EQ(got.nr_warn, 0);
}

/* ---- Fuzzing ---- */

static uint64_t rng = 0x6b697465u;	/* fixed: a failure can be replayed */

static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng >> 32;
}

static int fuzz_violations;
static const unsigned char *fuzz_buf;
static size_t fuzz_len;

static bool name_ok(const char *name)
{
	const char *s = name;

	if (strlen(name) > CPIO_NAME_MAX)
		return false;
	if (!*s)
		return true;
	for (;;) {
		const char *end = strchr(s, '/');
		size_t n = end ? (size_t)(end - s) : strlen(s);
		if (n == 0 || (n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.'))
			return false;
		if (!end)
			return true;
		s = end + 1;
	}
}

/* Checks what the reader promises about each delivered entry. */
static int fuzz_entry(const struct cpio_entry *e, void *arg)
{
	const unsigned char *data = e->data;
	uint32_t type = e->mode & 0170000;

	(void)arg;
	got.nr++;
	if (!name_ok(e->name) || (!e->name[0] && type != 0040000))
		fuzz_violations++;
	if (data < fuzz_buf || data > fuzz_buf + fuzz_len ||
	    e->size > fuzz_len - (size_t)(data - fuzz_buf))
		fuzz_violations++;
	if (type == 0120000 && (e->size < 1 || e->size > 4095 || memchr(data, 0, e->size)))
		fuzz_violations++;
	if (type == 0040000 && e->size)
		fuzz_violations++;
	return 0;
}

static void mutate(unsigned char *b, size_t *len, const size_t *headers, int nr_headers)
{
	static const char hex[] = "0123456789abcdefABCDEF";
	static const uint32_t values[] = { 0, 1, 2, 3, 4, 0x7ff, 0x1000, 0x1001, 0xfffffff0,
					   0xffffffff, 0x80000000, 0120777, 0040755, 0100644 };
	char field[9];
	size_t at;

	switch (rnd() % 5) {
	case 0: /* flip bits anywhere */
		b[rnd() % *len] ^= 1 + rnd() % 255;
		break;
	case 1: /* a hex digit anywhere: gets past the digit checks */
		b[rnd() % *len] = hex[rnd() % (sizeof(hex) - 1)];
		break;
	case 2: /* a whole header field: sizes, modes, namesizes */
		at = headers[rnd() % nr_headers] + 6 + 8 * (rnd() % 13);
		snprintf(field, sizeof(field), "%08X",
			 rnd() % 2 ? values[rnd() % (sizeof(values) / sizeof(values[0]))]
				   : rnd() % 2 ? rnd() : rnd() % 300);
		memcpy(b + at, field, 8);
		break;
	case 3: /* a name byte: '/', '.', NUL */
		at = headers[rnd() % nr_headers] + HEADER_SIZE + rnd() % 8;
		b[at] = "/.\0x"[rnd() % 4];
		break;
	case 4: /* cut the archive short */
		*len = rnd() % (*len + 1);
		break;
	}
}

TEST(fuzz_never_crashes_and_always_explains)
{
	size_t headers[16];
	int nr = 0, outcomes[3] = { 0 }, entries = 0;
	bool seen_skip = false, seen_data = false, seen_hex = false, seen_magic = false;

	begin();
	headers[nr++] = add(&A, ".", S_DIR, NULL, 0);
	headers[nr++] = add(&A, "./etc", S_DIR, NULL, 0);
	headers[nr++] = add_str(&A, "./etc/motd", S_REG, "hello\n");
	headers[nr++] = add_str(&A, "./etc/l", S_LNK, "motd");
	headers[nr++] = add(&A, "./e", S_REG, NULL, 0);
	headers[nr++] = add_str(&A, "./bin/sh", 0100755, "\177ELF...");
	headers[nr++] = add_str(&A, "./a/b/c", S_REG, "abc");
	headers[nr++] = A.len;
	trailer(&A);
	for (int iter = 0; iter < 20000; iter++) {
		size_t len = A.len;
		unsigned char *b = malloc(len);

		memcpy(b, A.buf, len);
		for (int m = 1 + rnd() % 3; m > 0 && len; m--)
			mutate(b, &len, headers, nr);
		/* an exact-size copy: ASan sees any read past len */
		unsigned char *exact = malloc(len ? len : 1);
		memcpy(exact, b, len);
		free(b);
		fuzz_buf = exact;
		fuzz_len = len;
		got.nr = got.nr_warn = got.bad_messages = 0;
		int r = cpio_parse(exact, len, fuzz_entry, on_warn, NULL);
		free(exact);
		CHECK(r == 0 || r == -1);
		CHECK_EQ(fuzz_violations, 0);
		CHECK_EQ(got.bad_messages, 0);
		if (r == -1) {
			CHECK(got.nr_warn > 0);
			CHECK(strstr(last_warn(), " offset "));
		}
		outcomes[r + 1]++;
		entries += got.nr;
		seen_skip |= warned("skipping");
		seen_data |= warned("truncated data");
		seen_hex |= warned("non-hex");
		seen_magic |= warned("bad magic");
	}
	/* the mutations reached every part of the reader */
	CHECK(outcomes[0] > 1000 && outcomes[1] > 1000);
	CHECK(entries > 20000);
	CHECK(seen_skip && seen_data && seen_hex && seen_magic);
}
