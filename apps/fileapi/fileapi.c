/*
 * The file API as programs use it, through libc: create, write, read, seek,
 * sparse files, stat, rename, links, directories and their listing, pipes, dup,
 * fcntl, and the errors Linux gives. Works in a fresh directory under /tmp and
 * prints only what Linux defines (no inode numbers or times), so the host's
 * output and Kite's compare.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int failures;

static void check(int ok, const char *what)
{
	printf("%s: %s\n", what, ok ? "ok" : "FAILED");
	failures += !ok;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void list(const char *dir)
{
	DIR *d = opendir(dir);
	char *names[64];
	int n = 0;
	struct dirent *e;
	while (d && (e = readdir(d)) && n < 64)
		names[n++] = strdup(e->d_name);
	if (d)
		closedir(d);
	qsort(names, (size_t)n, sizeof names[0], cmp_names);
	printf("listing:");
	for (int i = 0; i < n; i++) {
		printf(" %s", names[i]);
		free(names[i]);
	}
	printf("\n");
}

int main(void)
{
	char dir[64];
	snprintf(dir, sizeof dir, "/tmp/fileapi-%d-XXXXXX", (int)getpid());
	check(mkdtemp(dir) != NULL && chdir(dir) == 0, "mkdtemp and chdir");

	int fd = open("a", O_CREAT | O_EXCL | O_RDWR, 0640);
	check(fd >= 0, "create a");
	check(open("a", O_CREAT | O_EXCL | O_RDWR, 0640) == -1 && errno == EEXIST, "O_EXCL on an existing file: EEXIST");
	check(write(fd, "hello, world\n", 13) == 13, "write 13 bytes");
	check(lseek(fd, 7, SEEK_SET) == 7 && write(fd, "there", 5) == 5, "overwrite in the middle");
	char buf[64] = { 0 };
	check(pread(fd, buf, sizeof buf, 0) == 13 && strcmp(buf, "hello, there\n") == 0, "pread it back");
	check(lseek(fd, 1 << 20, SEEK_SET) == 1 << 20 && write(fd, "end", 3) == 3, "write past a 1 MiB hole");
	struct stat st;
	check(fstat(fd, &st) == 0 && st.st_size == (1 << 20) + 3 && S_ISREG(st.st_mode) && (st.st_mode & 0777) == 0640,
	      "fstat: size, type and mode");
	memset(buf, 'x', 8);
	check(pread(fd, buf, 8, 4096) == 8 && memcmp(buf, "\0\0\0\0\0\0\0\0", 8) == 0, "the hole reads as zeros");
	check(ftruncate(fd, 5) == 0 && fstat(fd, &st) == 0 && st.st_size == 5, "ftruncate to 5");
	check(lseek(fd, 0, SEEK_END) == 5, "SEEK_END");
	close(fd);

	check(mkdir("d", 0755) == 0 && mkdir("d", 0755) == -1 && errno == EEXIST, "mkdir, twice: EEXIST");
	check(rename("a", "d/b") == 0 && access("a", F_OK) == -1 && errno == ENOENT, "rename into a directory");
	check(link("d/b", "c") == 0 && stat("c", &st) == 0 && st.st_nlink == 2, "hard link: two links");
	check(symlink("d/b", "s") == 0, "symlink");
	ssize_t n = readlink("s", buf, sizeof buf);
	check(n == 3 && memcmp(buf, "d/b", 3) == 0, "readlink");
	check(lstat("s", &st) == 0 && S_ISLNK(st.st_mode) && stat("s", &st) == 0 && st.st_size == 5,
	      "lstat sees the link, stat the file");
	list(dir);
	check(rmdir("d") == -1 && errno == ENOTEMPTY, "rmdir of a non-empty directory: ENOTEMPTY");
	check(unlink("d/b") == 0 && rmdir("d") == 0, "unlink and rmdir");
	check(open("d/b", O_RDONLY) == -1 && errno == ENOENT, "gone: ENOENT");
	check(unlink("c") == 0 && unlink("s") == 0, "unlink the rest");
	list(dir);

	int p[2];
	check(pipe(p) == 0 && write(p[1], "through a pipe", 14) == 14, "pipe");
	int copy = dup(p[0]);
	memset(buf, 0, sizeof buf);
	check(copy > p[1] && read(copy, buf, sizeof buf) == 14 && strcmp(buf, "through a pipe") == 0, "dup reads it");
	close(p[1]);
	check(read(p[0], buf, sizeof buf) == 0, "end of file when the writer is gone");
	check(fcntl(copy, F_SETFD, FD_CLOEXEC) == 0 && fcntl(copy, F_GETFD) == FD_CLOEXEC, "fcntl FD_CLOEXEC");
	close(copy);
	close(p[0]);
	check(close(p[0]) == -1 && errno == EBADF, "close twice: EBADF");

	FILE *f = fopen("stdio", "w+");
	check(f && fprintf(f, "%d %s\n", 42, "stdio") == 9 && fseek(f, 0, SEEK_SET) == 0, "stdio writes");
	int v = 0;
	char word[16] = { 0 };
	check(f && fscanf(f, "%d %15s", &v, word) == 2 && v == 42 && strcmp(word, "stdio") == 0, "stdio reads");
	if (f)
		fclose(f);
	unlink("stdio");
	check(chdir("/") == 0 && rmdir(dir) == 0, "remove the directory");
	printf("%d failures\n", failures);
	return failures ? 1 : 0;
}
