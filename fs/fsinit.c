/*
 * The file system at boot: a ramfs root with /dev (its own ramfs, holding the
 * registered devices) and /tmp, and descriptors 0, 1 and 2 on the console.
 * The boot archive is unpacked into the root when there is one.
 */
#include <kite/errno.h>
#include <kite/file.h>
#include <kite/fs_calls.h>
#include <kite/panic.h>
#include <kite/printk.h>
#include <kite/ramfs.h>
#include <string.h>

int device_count(void);
int procfs_mount(void);
void bootfs_unpack(void);
const struct device *device_at(int i);

static void make_device_nodes(void)
{
	struct vnode *dev;
	if (vfs_lookup(NULL, "/dev", LOOKUP_FOLLOW, &dev))
		panic("fs: no /dev");
	mutex_lock(&vfs_lock);
	for (int i = 0; i < device_count(); i++) {
		const struct device *d = device_at(i);
		int err = dev->ops->create(dev, d->name, strlen(d->name), S_IFCHR | d->mode,
					   DEV(d->major, d->minor), NULL);
		if (err)
			pr_warn("kite: fs: cannot make /dev/%s: error %d\n", d->name, err);
	}
	mutex_unlock(&vfs_lock);
	vnode_put(dev);
	sys_symlink("/proc/self/fd", "/dev/fd");
	sys_symlink("/proc/self/fd/0", "/dev/stdin");
	sys_symlink("/proc/self/fd/1", "/dev/stdout");
	sys_symlink("/proc/self/fd/2", "/dev/stderr");
}

void fs_init(void)
{
	struct mount *root = ramfs_create();
	struct mount *dev = ramfs_create();
	if (!root || !dev)
		out_of_memory("no memory for the root file system");
	vfs_set_root(root);
	long err = sys_mkdir("/dev", 0755);
	if (!err)
		err = sys_mkdir("/tmp", 01777);
	if (!err)
		err = vfs_mount("/dev", dev);
	if (!err)
		err = sys_mkdir("/proc", 0555);
	if (!err)
		err = sys_mkdir("/sys", 0555);
	if (!err)
		err = procfs_mount();
	if (err == -ENOMEM)
		out_of_memory("no memory for /dev, /tmp, /proc and /sys");
	if (err)
		panic("fs: cannot make /dev, /tmp, /proc and /sys: error %ld", err);
	make_device_nodes();
	bootfs_unpack();
	for (int fd = 0; fd < 3; fd++) {
		long got = sys_open("/dev/console", O_RDWR, 0);
		if (got == -ENOMEM)
			out_of_memory("no memory to open the console");
		if (got != fd)
			panic("fs: cannot open the console as descriptor %d: %ld", fd, got);
	}
}
