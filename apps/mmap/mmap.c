/*
 * The mmap family as programs use it: anonymous memory, reserve-then-commit with
 * PROT_NONE and mprotect, growing with mremap, MAP_FIXED over a mapping, private
 * file mappings, madvise(MADV_DONTNEED), and the errors Linux gives. Prints what
 * it checks (never addresses), so host and Kite outputs compare.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define MIB (1024 * 1024UL)

static int failures;
static long page;

static void check(int ok, const char *what)
{
	printf("%s: %s\n", what, ok ? "ok" : "FAILED");
	failures += !ok;
}

static int filled(const unsigned char *p, size_t len, unsigned char value)
{
	for (size_t i = 0; i < len; i++)
		if (p[i] != value)
			return 0;
	return 1;
}

static void anonymous(void)
{
	unsigned char *p = mmap(NULL, 4 * MIB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	check(p != MAP_FAILED && (uintptr_t)p % page == 0, "anonymous mmap of 4 MiB");
	if (p == MAP_FAILED)
		return;
	check(filled(p, 4 * MIB, 0), "anonymous memory starts zeroed");
	memset(p, 0x11, 4 * MIB);
	check(munmap(p + MIB, MIB) == 0, "munmap of a middle part");
	check(mprotect(p + MIB, page, PROT_READ) == -1 && errno == ENOMEM, "mprotect of the hole: ENOMEM");
	check(filled(p, MIB, 0x11) && filled(p + 2 * MIB, 2 * MIB, 0x11), "the rest keeps its bytes");

	/* MAP_FIXED replaces what was there with fresh zeros. */
	unsigned char *q = mmap(p + 2 * MIB, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	check(q == p + 2 * MIB && filled(q, page, 0) && q[page] == 0x11, "MAP_FIXED over a mapping");
	q = mmap(p, page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	check(q == MAP_FAILED && errno == EEXIST, "MAP_FIXED_NOREPLACE over a mapping: EEXIST");

	check(madvise(p + 3 * MIB, MIB, MADV_DONTNEED) == 0 && filled(p + 3 * MIB, MIB, 0), "MADV_DONTNEED gives zeros");
	check(munmap(p, 4 * MIB) == 0, "munmap of the whole, hole included");
}

/* A big reservation, committed piece by piece, as runtimes manage their heaps. */
static void reserve_then_commit(void)
{
	size_t reserved = 1024 * MIB;
	unsigned char *heap = mmap(NULL, reserved, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	check(heap != MAP_FAILED, "PROT_NONE reservation of 1 GiB");
	if (heap == MAP_FAILED)
		return;
	check(mprotect(heap, 2 * MIB, PROT_READ | PROT_WRITE) == 0, "commit 2 MiB with mprotect");
	memset(heap, 0x22, 2 * MIB);
	check(mprotect(heap + 512 * MIB, MIB, PROT_READ | PROT_WRITE) == 0 && filled(heap + 512 * MIB, MIB, 0),
	      "commit in the middle, zeroed");
	check(mprotect(heap, 2 * MIB, PROT_NONE) == 0 && mprotect(heap, 2 * MIB, PROT_READ) == 0 &&
	      filled(heap, 2 * MIB, 0x22), "PROT_NONE and back keeps the bytes");
	check(munmap(heap, reserved) == 0, "munmap of the reservation");
}

static void remap(void)
{
	unsigned char *p = mmap(NULL, MIB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		check(0, "mmap for mremap");
		return;
	}
	for (size_t i = 0; i < MIB; i++)
		p[i] = (unsigned char)(i * 7);
	/* Something right after it, so that growing has to move. */
	unsigned char *wall = mmap(p + MIB, page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	unsigned char *q = mremap(p, MIB, 8 * MIB, 0);
	check(wall == MAP_FAILED || (q == MAP_FAILED && errno == ENOMEM), "mremap cannot grow in place into a mapping");
	q = mremap(p, MIB, 8 * MIB, MREMAP_MAYMOVE);
	int same = q != MAP_FAILED;
	for (size_t i = 0; same && i < MIB; i++)
		same = q[i] == (unsigned char)(i * 7);
	check(same && filled(q + MIB, 7 * MIB, 0), "mremap MAYMOVE to 8 MiB keeps the bytes");
	unsigned char *r = q == MAP_FAILED ? q : mremap(q, 8 * MIB, page, 0);
	check(r == q && r[page - 1] == (unsigned char)((page - 1) * 7), "mremap shrinks in place");
	munmap(r, page);
	if (wall != MAP_FAILED)
		munmap(wall, page);
}

static void file_mapping(void)
{
	const char *path = "/tmp/kite-mmap-test";
	char text[10000];
	for (size_t i = 0; i < sizeof text; i++)
		text[i] = (char)('a' + i % 26);
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	check(fd >= 0 && write(fd, text, sizeof text) == (ssize_t)sizeof text, "write a 10000-byte file");
	char *m = mmap(NULL, sizeof text, PROT_READ, MAP_PRIVATE, fd, 0);
	check(m != MAP_FAILED && memcmp(m, text, sizeof text) == 0, "private file mapping reads the file");
	check(m != MAP_FAILED && filled((unsigned char *)m + sizeof text, 3 * page - sizeof text, 0),
	      "past the end of file: zeros to the page end");
	char *second = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, page);
	check(second != MAP_FAILED && memcmp(second, text + page, page) == 0, "mapping at an offset");
	if (second != MAP_FAILED) {
		memset(second, 'X', 10);
		char back[10];
		check(pread(fd, back, 10, page) == 10 && memcmp(back, text + page, 10) == 0,
		      "writes to a private mapping stay private");
		munmap(second, page);
	}
	check(mmap(NULL, page, PROT_READ, MAP_PRIVATE, fd, 1) == MAP_FAILED && errno == EINVAL,
	      "unaligned offset: EINVAL");
	int wronly = open(path, O_WRONLY);
	check(mmap(NULL, page, PROT_READ, MAP_PRIVATE, wronly, 0) == MAP_FAILED && errno == EACCES,
	      "write-only descriptor: EACCES");
	check(mmap(NULL, page, PROT_READ, MAP_PRIVATE, 999, 0) == MAP_FAILED && errno == EBADF, "bad descriptor: EBADF");
	if (m != MAP_FAILED)
		munmap(m, sizeof text);
	close(wronly);
	close(fd);
	unlink(path);
}

int main(void)
{
	page = sysconf(_SC_PAGESIZE);
	anonymous();
	reserve_then_commit();
	remap();
	file_mapping();
	check(mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) == MAP_FAILED && errno == EINVAL,
	      "zero length: EINVAL");
	check(munmap((void *)(uintptr_t)page + 1, page) == -1 && errno == EINVAL, "unaligned munmap: EINVAL");
	check(mmap(NULL, page, PROT_READ, MAP_ANONYMOUS, -1, 0) == MAP_FAILED && errno == EINVAL,
	      "neither shared nor private: EINVAL");
	printf("%d failures\n", failures);
	return failures ? 1 : 0;
}
