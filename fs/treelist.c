/*
 * --selftest=tree: prints every file under / (but /dev, /proc, /sys and /tmp,
 * which Kite makes itself), one line each, so that a test can compare what the
 * boot archive unpacked with the directory it was made from:
 *
 *     tree: TYPE MODE SIZE NLINK /PATH [-> TARGET]
 *     hash: FNV1A64 /PATH                (regular files: their contents)
 *
 * TYPE is f, d or l; MODE the permission bits in octal; SIZE "-" for
 * directories (their size means nothing portable).
 */
#include <kite/format.h>
#include <kite/fs_calls.h>
#include <kite/heap.h>
#include <kite/printk.h>
#include <string.h>

static void print_hash(const char *path)
{
	static uint8_t buf[4096];
	uint64_t h = 0xcbf29ce484222325ULL;
	int fd = (int)sys_open(path, O_RDONLY, 0);
	long n;

	if (fd < 0)
		return;
	while ((n = sys_read(fd, buf, sizeof(buf))) > 0)
		for (long i = 0; i < n; i++)
			h = (h ^ buf[i]) * 0x100000001b3ULL;
	sys_close(fd);
	pr_info("hash: %016lx %s\n", h, path);
}

static void list(char *path, size_t len)
{
	int fd = (int)sys_open(len ? path : "/", O_RDONLY | O_DIRECTORY, 0);
	if (fd < 0)
		return;
	char *dents = kmalloc(4096);
	long n;
	while (dents && (n = sys_getdents64(fd, dents, 4096)) > 0) {
		for (long off = 0; off < n;) {
			struct linux_dirent64 *d = (struct linux_dirent64 *)(dents + off);
			off += d->d_reclen;
			const char *name = d->d_name;
			if (!strcmp(name, ".") || !strcmp(name, ".."))
				continue;
			size_t nlen = strlen(name);
			if (len + 1 + nlen >= PATH_MAX)
				continue;
			path[len] = '/';
			memcpy(path + len + 1, name, nlen + 1);
			if (!len && (!strcmp(name, "dev") || !strcmp(name, "proc") || !strcmp(name, "sys") ||
				     !strcmp(name, "tmp")))
				continue;
			struct kstat st;
			if (sys_lstat(path, &st))
				continue;
			char type = S_ISDIR(st.st_mode) ? 'd' : S_ISLNK(st.st_mode) ? 'l' : 'f';
			char size[24], target[PATH_MAX] = "";
			if (type == 'd')
				strcpy(size, "-");
			else
				ksnprintf(size, sizeof(size), "%ld", st.st_size);
			if (type == 'l') {
				long t = sys_readlink(path, target, sizeof(target) - 1);
				target[t > 0 ? t : 0] = '\0';
			}
			pr_info("tree: %c %o %s %lu %s%s%s\n", type, st.st_mode & 07777, size, st.st_nlink, path,
				type == 'l' ? " -> " : "", target);
			if (type == 'f')
				print_hash(path);
			if (type == 'd')
				list(path, len + 1 + nlen);
		}
	}
	kfree(dents);
	sys_close(fd);
}

void selftest_tree(void)
{
	char *path = kmalloc(PATH_MAX);
	if (!path)
		return;
	path[0] = '\0';
	list(path, 0);
	kfree(path);
	pr_info("selftest: tree: done\n");
}
