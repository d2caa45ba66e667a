/*
 * The boot archive reader: a cpio "newc" archive, as `cpio -o -H newc` writes
 * it, that the kernel unpacks into its root file system. The archive comes from
 * outside the kernel, so the reader trusts nothing in it and allocates nothing.
 *
 * Format. The archive is a sequence of entries, each made of
 *
 *     header   110 bytes: the magic "070701" (or "070702", newc with a checksum),
 *              then 13 fields of exactly 8 hex digits (either case):
 *              ino mode uid gid nlink mtime filesize devmajor devminor
 *              rdevmajor rdevminor namesize check
 *     name     namesize bytes, the last one the name's NUL and no NUL before it
 *     padding  zeros up to a multiple of 4 bytes from the start of the header
 *     data     filesize bytes: a file's contents, a symlink's target (no NUL)
 *     padding  zeros up to a multiple of 4 bytes
 *
 * and ends with an entry named "TRAILER!!!"; anything after it (GNU cpio pads
 * to 512 bytes) is ignored. The checksum of "070702" is not verified but must be
 * hex. devmajor/devminor (the device the file came from) are checked and not
 * delivered.
 *
 * Fatal errors (cpio_parse returns -1 and stops; the message names the problem
 * and the offset): a header past the end of the buffer, a bad magic, a field
 * that is not 8 hex digits, namesize 0, a name longer than CPIO_NAME_MAX bytes
 * (not counting its NUL), a name or its padding or the data past the end of the
 * buffer ("truncated"), a name without its NUL or with a NUL inside, and the end
 * of the buffer without a trailer ("missing trailer"). Sizes up to 0xffffffff
 * are representable; they only have to fit in the buffer.
 *
 * Names. A name is made relative to the root being unpacked: repeated "/",
 * "." components (so any leading "./") and a trailing "/" are dropped, so
 * "./a//b/./c/" becomes "a/b/c". Entries the reader will not deliver are
 * skipped with a warning "cpio: skipping 'NAME': why", and the parse goes on:
 *   - an absolute name (starting with "/"): not stripped, skipped;
 *   - a name with a ".." component anywhere, even one that would stay inside;
 *   - an empty name;
 *   - "." (or "./" and the like) that is not a directory. A directory "." is
 *     delivered with the name "": it describes the root itself, so the
 *     unpacker can apply its mode and owner (or ignore it).
 *
 * Types. Regular files, directories, symlinks, character and block devices,
 * fifos and sockets are delivered as they are; the consumer decides what to
 * create. Skipped with a warning: another file type (mode & 0170000), a
 * symlink whose target is empty, longer than 4095 bytes or contains a NUL, and
 * a directory with data. mode is delivered as it is, bits above 0177777
 * included.
 *
 * Hard links. Entries come as they are in the archive: GNU cpio writes each
 * name of a file with several links (nlink > 1, same ino) as its own entry,
 * with size 0 on all of them but the LAST, which carries the data. The consumer
 * links them by ino.
 */
#ifndef KITE_CPIO_H
#define KITE_CPIO_H
#include <stddef.h>
#include <stdint.h>

#define CPIO_NAME_MAX 4096

struct cpio_entry {
	const char *name;	/* normalized: relative, no leading "./" or "/", no "." or ".." components, no empty components, no trailing "/"; NUL-terminated (points into a buffer owned by the parser, valid during the callback) */
	uint32_t mode;		/* st_mode as in the archive: file type bits and permissions */
	uint32_t uid, gid, nlink;
	uint32_t mtime;
	uint32_t ino;
	uint32_t rdev_major, rdev_minor;
	const void *data;	/* the file's contents (a symlink's target, without NUL) */
	uint64_t size;
};

/*
 * Called for each valid entry; a nonzero return stops the parse (cpio_parse
 * returns it). Return something other than -1 (a negative errno, say) to tell
 * a stop from a malformed archive. data points into the caller's buffer.
 */
typedef int (*cpio_entry_fn)(const struct cpio_entry *e, void *arg);
/*
 * Called with a one-line message for each problem (rejected entry, or the error
 * that ends the parse). Names in messages are cut short and their unprintable
 * bytes shown as '?'. The message is only valid during the call.
 */
typedef void (*cpio_warn_fn)(const char *message, void *arg);

/*
 * Walks the archive in buf[0..len). Returns 0 after the TRAILER!!! entry; -1
 * after a malformed header (see above) — entries before it have been delivered
 * and the message says what was wrong and at which offset; or the callback's
 * nonzero value. Entries with names that escape the root or with a malformed
 * type or size are skipped with a warning, and parsing goes on. fn and warn may
 * be NULL (to check an archive, or to parse it quietly). Uses about 4.5 KiB of
 * stack and no other memory; re-entrant.
 */
int cpio_parse(const void *buf, size_t len, cpio_entry_fn fn, cpio_warn_fn warn, void *arg);

#endif
