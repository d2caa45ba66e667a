/*
 * The boot archive: the image's root file system arrives as a cpio "newc"
 * archive in the first boot module (QEMU's -initrd, GRUB's `module`). Its
 * entries are unpacked into the ramfs root, keeping modes, times, symlinks and
 * hard links; afterwards the archive's memory goes back to the frame allocator.
 * A malformed archive stops the unpacking with a clear message and the boot
 * goes on with what was valid (fs/cpio.c has the rules).
 */
#include <kite/bootinfo.h>
#include <kite/bootmem.h>
#include <kite/cpio.h>
#include <kite/errno.h>
#include <kite/format.h>
#include <kite/frame.h>
#include <kite/fs_calls.h>
#include <kite/heap.h>
#include <kite/printk.h>
#include <kite/vfs.h>
#include <string.h>

#define MAX_HARDLINKS 256

struct unpack {
	char path[PATH_MAX + 2];
	unsigned files, dirs, symlinks, links, skipped;
	struct {
		uint32_t ino;
		char *path;
	} first_name[MAX_HARDLINKS]; /* the first name seen for each multiply-linked ino */
	int nr_first;
};

static void warn(const char *message, void *arg __unused)
{
	pr_warn("kite: boot archive: %s\n", message);
}

/* mkdir -p of every directory above path (which is absolute). */
static void make_parents(char *path)
{
	for (char *p = path + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		sys_mkdir(path, 0755); /* EEXIST is fine */
		*p = '/';
	}
}

static void set_attributes(const char *path, const struct cpio_entry *e)
{
	struct vnode *vn;
	if (vfs_lookup(NULL, path, 0, &vn))
		return;
	vn->mode = (vn->mode & S_IFMT) | (e->mode & 07777);
	vn->uid = e->uid;
	vn->gid = e->gid;
	vn->mtime = vn->ctime = (struct timespec64){ .tv_sec = e->mtime };
	vnode_put(vn);
}

static long write_file(const char *path, const struct cpio_entry *e, int flags)
{
	int fd = (int)sys_open(path, O_WRONLY | O_CREAT | flags, e->mode & 07777);
	if (fd < 0)
		return fd;
	long err = 0;
	for (uint64_t done = 0; done < e->size && !err;) {
		long n = sys_write(fd, (const char *)e->data + done, e->size - done);
		if (n <= 0)
			err = n ? n : -EIO;
		else
			done += (uint64_t)n;
	}
	sys_close(fd);
	return err;
}

static char *first_name_of(struct unpack *u, uint32_t ino)
{
	for (int i = 0; i < u->nr_first; i++)
		if (u->first_name[i].ino == ino)
			return u->first_name[i].path;
	return NULL;
}

static int unpack_entry(const struct cpio_entry *e, void *arg)
{
	struct unpack *u = arg;
	long err = 0;

	ksnprintf(u->path, sizeof(u->path), "/%s", e->name);
	if (!e->name[0]) {
		set_attributes("/", e); /* "." describes the root itself */
		return 0;
	}
	make_parents(u->path);
	switch (e->mode & S_IFMT) {
	case S_IFDIR:
		err = sys_mkdir(u->path, e->mode & 07777);
		if (err == -EEXIST)
			err = 0;
		u->dirs++;
		break;
	case S_IFREG: {
		char *first = e->nlink > 1 ? first_name_of(u, e->ino) : NULL;
		if (first) {
			/* Another name of a file already made: link it; GNU cpio puts
			 * the data on the last name, so write it if this one has it. */
			err = sys_link(first, u->path);
			if (!err && e->size)
				err = write_file(u->path, e, O_TRUNC);
			u->links++;
			break;
		}
		err = write_file(u->path, e, O_TRUNC);
		if (!err && e->nlink > 1 && u->nr_first < MAX_HARDLINKS) {
			size_t len = strlen(u->path) + 1;
			char *copy = kmalloc(len);
			if (copy) {
				memcpy(copy, u->path, len);
				u->first_name[u->nr_first].ino = e->ino;
				u->first_name[u->nr_first++].path = copy;
			}
		}
		u->files++;
		break;
	}
	case S_IFLNK: {
		char target[PATH_MAX];
		memcpy(target, e->data, e->size); /* the reader limits it to 4095 bytes */
		target[e->size] = '\0';
		err = sys_symlink(target, u->path);
		u->symlinks++;
		return err ? (pr_warn("kite: boot archive: cannot make '%s': error %ld\n", u->path, err), 0) : 0;
	}
	default:
		pr_warn("kite: boot archive: skipping '%s': device nodes, fifos and sockets are made by Kite itself\n",
			e->name);
		u->skipped++;
		return 0;
	}
	if (err) {
		pr_warn("kite: boot archive: cannot make '%s': error %ld\n", u->path, err);
		u->skipped++;
		return err == -ENOMEM ? -ENOMEM : 0; /* out of memory: stop */
	}
	set_attributes(u->path, e);
	return 0;
}

void bootfs_unpack(void)
{
	if (!boot_info.nr_modules)
		return;
	const struct boot_module *m = &boot_info.modules[0];
	struct unpack *u = kzalloc(sizeof(*u));
	if (!u) {
		pr_err("kite: boot archive: no memory to unpack it\n");
		return;
	}
	int ret = cpio_parse(phys_to_virt(m->start), m->end - m->start, unpack_entry, warn, u);
	if (ret == -ENOMEM)
		pr_err("kite: boot archive: out of memory; unpacked what fitted\n");
	else if (ret)
		pr_err("kite: boot archive: malformed; the boot goes on with the %u entries before the error\n",
		       u->files + u->dirs + u->symlinks + u->links);
	pr_debug("kite: boot archive: %u files, %u directories, %u symlinks, %u hard links, %u skipped (%lu KiB)\n",
		 u->files, u->dirs, u->symlinks, u->links, u->skipped, (m->end - m->start) >> 10);
	for (int i = 0; i < u->nr_first; i++)
		kfree(u->first_name[i].path);
	kfree(u);
	/* The files are copies now: the archive's pages go back to the allocator. */
	phys_addr_t start = PAGE_ALIGN_UP(m->start), end = PAGE_ALIGN_DOWN(m->end);
	if (end > start)
		frame_allocator_add(&kernel_frames, start, end);
	boot_info.nr_modules = 0;
}
