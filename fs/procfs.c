/*
 * procfs and the bit of sysfs that programs read (the JVM among them): files
 * whose text is generated when read, from the kernel's own state. Nodes are
 * made on lookup and freed when the last reference goes.
 *
 *   /proc/self -> 1             /proc/1/{maps,status,cmdline,exe,fd/}
 *   /proc/{cpuinfo,meminfo,stat,uptime}
 *   /sys/devices/system/cpu/{online,possible,present}
 */
#include <kite/clock.h>
#include <kite/cmdline.h>
#include <kite/cpu.h>
#include <kite/errno.h>
#include <kite/file.h>
#include <kite/format.h>
#include <kite/frame.h>
#include <kite/heap.h>
#include <kite/kstack.h>
#include <kite/loader.h>
#include <kite/memlayout.h>
#include <kite/paging.h>
#include <kite/ramfs.h>
#include <kite/sys_memory.h>
#include <kite/textbuf.h>
#include <kite/thread.h>
#include <string.h>

#define PROC_PID 1

struct proc_entry {
	const char *name;
	uint32_t mode;					/* S_IFDIR, S_IFREG or S_IFLNK */
	void (*generate)(struct textbuf *tb);		/* files */
	void (*target)(struct textbuf *tb, int arg);	/* symlinks */
	const struct proc_entry *children;		/* directories, ending with a NULL name */
	bool fd_dir;					/* /proc/1/fd: one link per descriptor */
};

struct proc_node {
	struct vnode vn;
	const struct proc_entry *entry;
	int arg;		/* the descriptor, for /proc/1/fd/N */
	struct proc_node *parent;
};

static const struct vnode_ops proc_ops;

/* --- generators --- */

extern char __kernel_start[], __text_end[], __rodata_end[], __kernel_end[];

static void map_line_at(struct textbuf *tb, uintptr_t start, uintptr_t end, const char *perms, uint64_t offset,
			const char *name)
{
	/* Linux's format: the name starts in column 74. */
	char line[96];
	int len = ksnprintf(line, sizeof(line), "%08lx-%08lx %s %08lx 00:00 0", start, end, perms, offset);
	if (name) {
		do
			line[len++] = ' ';
		while (len < 73);
		line[len] = '\0';
	}
	tb_printf(tb, "%s%s\n", line, name ? name : "");
}

static void map_line(struct textbuf *tb, uintptr_t start, uintptr_t end, const char *perms, const char *name)
{
	map_line_at(tb, start, end, perms, 0, name);
}

/* The program's part of the address space: what mmap handed out and the
 * loader mapped, a line per run of pages with the same permissions and the
 * same file (an ELF object's, with its offset in the file). */
struct user_run {
	struct textbuf *tb;
	uintptr_t start, end;
	unsigned prot;
	const char *path;
	uint64_t offset;
};

static void flush_run(struct user_run *r)
{
	if (r->start == r->end)
		return;
	char perms[5] = { (r->prot & PROT_R) ? 'r' : '-', (r->prot & PROT_W) ? 'w' : '-', (r->prot & PROT_X) ? 'x' : '-',
			  'p', 0 };
	map_line_at(r->tb, r->start, r->end, perms, r->offset, r->path);
	r->start = r->end;
}

static void add_pages(struct user_run *r, uintptr_t start, uintptr_t end, unsigned prot)
{
	uint64_t offset = 0;
	const char *path = loader_path_at(start, &offset);
	if (r->end != start || r->prot != prot || r->path != path ||
	    (path && r->offset + (start - r->start) != offset)) {
		flush_run(r);
		r->start = start;
		r->prot = prot;
		r->path = path;
		r->offset = offset;
	}
	r->end = end;
}

static void user_range_lines(uintptr_t start, uintptr_t end, void *arg)
{
	struct user_run *r = arg;
	for (uintptr_t va = start; va < end;) {
		uintptr_t present = paging_next_present(va, end);
		if (present > va) {
			add_pages(r, va, present, 0); /* reserved, nothing mapped yet */
			va = present;
			continue;
		}
		unsigned prot = 0;
		paging_lookup(va, &prot);
		add_pages(r, va, va + PAGE_SIZE, prot & (PROT_R | PROT_W | PROT_X));
		va += PAGE_SIZE;
	}
}

/* The stacks, copied (a thread may end meanwhile) to be listed in address order. */
struct stack_entry {
	uintptr_t bottom, top;
	char name[48];
};

struct stack_list {
	struct stack_entry *stacks;
	size_t n, max;
};

static void collect_stack(const struct kstack *s, void *arg)
{
	struct stack_list *l = arg;
	/* The static boot stacks are part of the kernel image's line. */
	if ((s->bottom >= (uintptr_t)__kernel_start && s->bottom < (uintptr_t)__kernel_end) || l->n == l->max)
		return;
	struct stack_entry *e = &l->stacks[l->n++];
	e->bottom = s->bottom;
	e->top = s->top;
	if (s->what && !strcmp(s->what, "thread"))
		ksnprintf(e->name, sizeof(e->name), "[stack:%s]", s->name);
	else
		ksnprintf(e->name, sizeof(e->name), "[%s stack:%s]", s->what ? s->what : "cpu", s->name);
}

/* In address order, as Linux lists them: the program's part, the heap (the
 * direct map), the stacks, the kernel image. */
static void gen_maps(struct textbuf *tb)
{
	struct user_run run = { .tb = tb };
	mmap_for_each_range(user_range_lines, &run);
	flush_run(&run);
	uint64_t ram_end = kernel_frames.base + ((uint64_t)kernel_frames.nr_frames << PAGE_SHIFT);
	map_line(tb, DIRECT_MAP_BASE, DIRECT_MAP_BASE + ram_end, "rw-p", "[heap]");
	struct stack_list l = { .max = 3 * thread_count() + 64 };
	l.stacks = kmalloc(l.max * sizeof(*l.stacks));
	if (l.stacks) {
		kstack_for_each(collect_stack, &l);
		for (size_t a = 1; a < l.n; a++) /* insertion sort by address */
			for (size_t b = a; b > 0 && l.stacks[b - 1].bottom > l.stacks[b].bottom; b--) {
				struct stack_entry t = l.stacks[b];
				l.stacks[b] = l.stacks[b - 1];
				l.stacks[b - 1] = t;
			}
		for (size_t a = 0; a < l.n; a++) {
			const struct stack_entry *e = &l.stacks[a];
			map_line(tb, e->bottom - PAGE_SIZE, e->bottom, "---p", NULL); /* the guard page */
			map_line(tb, e->bottom, e->top, "rw-p", e->name);
		}
		kfree(l.stacks);
	}
	map_line(tb, (uintptr_t)__kernel_start, (uintptr_t)__text_end, "r-xp", "[kite]");
	map_line(tb, (uintptr_t)__text_end, (uintptr_t)__rodata_end, "r--p", "[kite]");
	map_line(tb, (uintptr_t)__rodata_end, (uintptr_t)__kernel_end, "rw-p", "[kite]");
}

static void gen_status(struct textbuf *tb)
{
	uint64_t used_kb = ((kernel_frames.total_frames - kernel_frames.free_frames) * PAGE_SIZE) >> 10;
	tb_printf(tb, "Name:\tkite\nState:\tR (running)\nTgid:\t%d\nPid:\t%d\nPPid:\t0\nUid:\t0\t0\t0\t0\n"
		      "Gid:\t0\t0\t0\t0\nThreads:\t%u\nVmRSS:\t%8lu kB\nCpus_allowed_list:\t0-%u\n",
		  PROC_PID, PROC_PID, thread_count(), used_kb, nr_cpus - 1);
}

static void gen_cmdline(struct textbuf *tb)
{
	int argc;
	const char *const *argv = boot_program_args(&argc);
	for (int i = 0; i < argc; i++) {
		tb_printf(tb, "%s", argv[i]);
		tb_printf(tb, "%c", 0);
	}
}

static void exe_target(struct textbuf *tb, int arg __unused)
{
	int argc;
	const char *const *argv = boot_program_args(&argc);
	tb_printf(tb, "%s%s", argc && argv[0][0] == '/' ? "" : "/", argc ? argv[0] : "kite");
}

static void self_target(struct textbuf *tb, int arg __unused)
{
	tb_printf(tb, "%d", PROC_PID);
}

static void fd_target(struct textbuf *tb, int fd)
{
	struct file *f = fd_get(fd);
	if (!f)
		return;
	/* FIXME: the name it was opened by, not yet with symlinks resolved. */
	if (f->path)
		tb_printf(tb, "%s", f->path);
	else
		tb_printf(tb, "pipe:[%lu]", (unsigned long)(uintptr_t)f->priv & 0xffffff);
	file_put(f);
}

void arch_cpuinfo(struct textbuf *tb, unsigned cpu, uint64_t hz);

static void gen_cpuinfo(struct textbuf *tb)
{
	for (unsigned i = 0; i < nr_cpus; i++)
		arch_cpuinfo(tb, i, cycles_per_second());
}

static void gen_meminfo(struct textbuf *tb)
{
	uint64_t total = (kernel_frames.total_frames * PAGE_SIZE) >> 10;
	uint64_t free = (kernel_frames.free_frames * PAGE_SIZE) >> 10;
	tb_printf(tb, "MemTotal:       %8lu kB\nMemFree:        %8lu kB\nMemAvailable:   %8lu kB\n"
		      "Buffers:               0 kB\nCached:         %8lu kB\nSwapTotal:             0 kB\n"
		      "SwapFree:              0 kB\n", total, free, free, ramfs_data_bytes() >> 10);
}

static void gen_stat(struct textbuf *tb)
{
	/* Jiffies (1/100 s) of busy and idle time per CPU, from the threads' clocks. */
	uint64_t busy_all = 0, idle_all = 0, up = clock_monotonic_ns() / 10000000;
	uint64_t idle[MAX_CPUS];
	for (unsigned i = 0; i < nr_cpus; i++) {
		idle[i] = cpus[i]->idle->cpu_time_ns / 10000000;
		idle_all += idle[i];
		busy_all += up > idle[i] ? up - idle[i] : 0;
	}
	tb_printf(tb, "cpu  %lu 0 0 %lu 0 0 0 0 0 0\n", busy_all, idle_all);
	for (unsigned i = 0; i < nr_cpus; i++)
		tb_printf(tb, "cpu%u %lu 0 0 %lu 0 0 0 0 0 0\n", i, up > idle[i] ? up - idle[i] : 0, idle[i]);
	tb_printf(tb, "btime %lu\nprocesses 1\nprocs_running 1\nprocs_blocked 0\n",
		  (unsigned long)((clock_realtime_ns() - clock_monotonic_ns()) / NSEC_PER_SEC));
}

static void gen_uptime(struct textbuf *tb)
{
	uint64_t up = clock_monotonic_ns() / 10000000, idle = 0;
	for (unsigned i = 0; i < nr_cpus; i++)
		idle += cpus[i]->idle->cpu_time_ns / 10000000;
	tb_printf(tb, "%lu.%02lu %lu.%02lu\n", up / 100, up % 100, idle / 100, idle % 100);
}

static void gen_cpu_range(struct textbuf *tb)
{
	if (nr_cpus == 1)
		tb_printf(tb, "0\n");
	else
		tb_printf(tb, "0-%u\n", nr_cpus - 1);
}

/* --- the trees --- */

static const struct proc_entry pid_entries[] = {
	{ .name = "maps", .mode = S_IFREG | 0444, .generate = gen_maps },
	{ .name = "status", .mode = S_IFREG | 0444, .generate = gen_status },
	{ .name = "cmdline", .mode = S_IFREG | 0444, .generate = gen_cmdline },
	{ .name = "exe", .mode = S_IFLNK | 0777, .target = exe_target },
	{ .name = "fd", .mode = S_IFDIR | 0500, .fd_dir = true },
	{ 0 },
};

static const struct proc_entry proc_entries[] = {
	{ .name = "self", .mode = S_IFLNK | 0777, .target = self_target },
	{ .name = "1", .mode = S_IFDIR | 0555, .children = pid_entries },
	{ .name = "cpuinfo", .mode = S_IFREG | 0444, .generate = gen_cpuinfo },
	{ .name = "meminfo", .mode = S_IFREG | 0444, .generate = gen_meminfo },
	{ .name = "stat", .mode = S_IFREG | 0444, .generate = gen_stat },
	{ .name = "uptime", .mode = S_IFREG | 0444, .generate = gen_uptime },
	{ 0 },
};

static const struct proc_entry cpu_entries[] = {
	{ .name = "online", .mode = S_IFREG | 0444, .generate = gen_cpu_range },
	{ .name = "possible", .mode = S_IFREG | 0444, .generate = gen_cpu_range },
	{ .name = "present", .mode = S_IFREG | 0444, .generate = gen_cpu_range },
	{ 0 },
};
static const struct proc_entry system_entries[] = {
	{ .name = "cpu", .mode = S_IFDIR | 0555, .children = cpu_entries },
	{ 0 },
};
static const struct proc_entry devices_entries[] = {
	{ .name = "system", .mode = S_IFDIR | 0555, .children = system_entries },
	{ 0 },
};
static const struct proc_entry sys_entries[] = {
	{ .name = "devices", .mode = S_IFDIR | 0555, .children = devices_entries },
	{ 0 },
};

static const struct proc_entry proc_root = { .name = "", .mode = S_IFDIR | 0555, .children = proc_entries };
static const struct proc_entry sys_root = { .name = "", .mode = S_IFDIR | 0555, .children = sys_entries };
static const struct proc_entry fd_link = { .name = "", .mode = S_IFLNK | 0700, .target = fd_target };

/* --- vnode operations --- */

static struct proc_node *P(struct vnode *vn)
{
	return (struct proc_node *)vn;
}

static struct proc_node *node_new(struct mount *m, const struct proc_entry *e, int arg, struct proc_node *parent)
{
	struct proc_node *n = kzalloc(sizeof(*n));
	if (!n)
		return NULL;
	vnode_init(&n->vn, &proc_ops, m, e->mode);
	n->vn.nlink = S_ISDIR(e->mode) ? 2 : 1;
	n->entry = e;
	n->arg = arg;
	n->parent = parent;
	if (parent)
		vnode_get(&parent->vn);
	return n;
}

static int proc_lookup(struct vnode *dir, const char *name, size_t len, struct vnode **out)
{
	struct proc_node *d = P(dir);
	const struct proc_entry *found = NULL;
	int arg = 0;

	if (len == 2 && name[0] == '.' && name[1] == '.') {
		*out = vnode_get(d->parent ? &d->parent->vn : dir);
		return 0;
	}
	if (d->entry->fd_dir) {
		for (size_t i = 0; i < len; i++) {
			if (name[i] < '0' || name[i] > '9' || arg > FD_LIMIT)
				return -ENOENT;
			arg = arg * 10 + (name[i] - '0');
		}
		struct file *f = fd_get(arg);
		if (!f)
			return -ENOENT;
		file_put(f);
		found = &fd_link;
	} else {
		for (const struct proc_entry *e = d->entry->children; e && e->name; e++)
			if (strlen(e->name) == len && !memcmp(e->name, name, len))
				found = e;
	}
	if (!found)
		return -ENOENT;
	struct proc_node *n = node_new(dir->mount, found, arg, d);
	if (!n)
		return -ENOMEM;
	*out = &n->vn;
	return 0;
}

static int proc_readdir(struct vnode *dir, uint64_t index, struct dir_entry *out)
{
	struct proc_node *d = P(dir);
	if (index < 2) {
		out->ino = dir->ino;
		out->type = DT_DIR;
		strcpy(out->name, index ? ".." : ".");
		return 1;
	}
	index -= 2;
	if (d->entry->fd_dir) {
		for (int fd = 0; fd < FD_LIMIT; fd++) {
			struct file *f = fd_get(fd);
			if (!f)
				continue;
			file_put(f);
			if (index-- == 0) {
				out->ino = 0x1000 + (uint64_t)fd;
				out->type = DT_LNK;
				ksnprintf(out->name, sizeof(out->name), "%d", fd);
				return 1;
			}
		}
		return 0;
	}
	for (const struct proc_entry *e = d->entry->children; e && e->name; e++) {
		if (index-- == 0) {
			out->ino = 0x100 + (uint64_t)(e - d->entry->children);
			out->type = S_ISDIR(e->mode) ? DT_DIR : S_ISLNK(e->mode) ? DT_LNK : DT_REG;
			strlcpy(out->name, e->name, sizeof(out->name));
			return 1;
		}
	}
	return 0;
}

static ssize_t proc_readlink(struct vnode *vn, char *buf, size_t len)
{
	struct textbuf tb = { 0 };
	P(vn)->entry->target(&tb, P(vn)->arg);
	if (tb.failed) {
		tb_free(&tb);
		return -ENOMEM;
	}
	size_t n = MIN(tb.len, len);
	memcpy(buf, tb.buf, n);
	tb_free(&tb);
	return (ssize_t)n;
}

static ssize_t proc_read(struct vnode *vn, void *buf, size_t len, uint64_t off)
{
	struct textbuf tb = { 0 };
	P(vn)->entry->generate(&tb);
	if (tb.failed) {
		tb_free(&tb);
		return -ENOMEM;
	}
	size_t n = off >= tb.len ? 0 : MIN(len, tb.len - off);
	memcpy(buf, tb.buf + off, n);
	tb_free(&tb);
	return (ssize_t)n;
}

static void proc_release(struct vnode *vn)
{
	struct proc_node *n = P(vn);
	if (n->parent)
		vnode_put(&n->parent->vn);
	kfree(n);
}

static const struct vnode_ops proc_ops = {
	.lookup = proc_lookup,
	.readdir = proc_readdir,
	.readlink = proc_readlink,
	.read = proc_read,
	.release = proc_release,
};

static struct mount *proc_mount_new(const struct proc_entry *root, const char *type)
{
	struct mount *m = kzalloc(sizeof(*m));
	if (!m)
		return NULL;
	struct proc_node *n = node_new(m, root, 0, NULL);
	if (!n) {
		kfree(m);
		return NULL;
	}
	m->root = &n->vn;
	m->fstype = type;
	m->dev = 0x100 + (root == &sys_root);
	return m;
}

int procfs_mount(void)
{
	struct mount *proc = proc_mount_new(&proc_root, "proc");
	struct mount *sys = proc_mount_new(&sys_root, "sysfs");
	if (!proc || !sys)
		return -ENOMEM;
	int err = vfs_mount("/proc", proc);
	return err ? err : vfs_mount("/sys", sys);
}
