/*
 * Starting the program named on the command line: read the ELF file from the
 * root file system, map its segments (W^X, with their own permissions) in the
 * lower half, apply its relocations against the kernel's exports (Kite itself
 * is libc.so.6 and its siblings), build a Linux-like initial stack (argc, argv,
 * envp, auxv) and jump to its entry point in a thread of its own.
 *
 * FIXME: shared libraries from the file system, TLS of the program, its init
 * arrays, symbol versions, dlopen: the rest of the loader issue.
 */
#include <kite/cmdline.h>
#include <kite/elf.h>
#include <kite/errno.h>
#include <kite/exit.h>
#include <kite/format.h>
#include <kite/frame.h>
#include <kite/fs_calls.h>
#include <kite/heap.h>
#include <kite/ksyms.h>
#include <kite/kstack.h>
#include <kite/kva.h>
#include <kite/paging.h>
#include <kite/printk.h>
#include <kite/random.h>
#include <kite/sys_limits.h>
#include <kite/sys_memory.h>
#include <kite/thread.h>
#include <string.h>

#define PIE_BASE 0x555555554000UL
#define R_X86_64_64 1
#define R_X86_64_COPY 5
#define R_X86_64_GLOB_DAT 6
#define R_X86_64_JUMP_SLOT 7
#define R_X86_64_RELATIVE 8
#define AT_NULL 0
#define AT_PHDR 3
#define AT_PHENT 4
#define AT_PHNUM 5
#define AT_PAGESZ 6
#define AT_BASE 7
#define AT_ENTRY 9
#define AT_UID 11
#define AT_EUID 12
#define AT_GID 13
#define AT_EGID 14
#define AT_CLKTCK 17
#define AT_SECURE 23
#define AT_RANDOM 25
#define AT_EXECFN 31

/* The libraries Kite itself stands in for. */
static const char *const provided[] = {
#define PROVIDED(name) name,
#include "provided_libs.def"
#undef PROVIDED
};

/* The directories a DT_NEEDED name is looked for in, as Linux's loader does by default. */
static const char *const library_dirs[] = { "/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib", "/usr/lib" };

static bool library_in_image(const char *name)
{
	char path[256];
	struct kstat st;
	for (size_t i = 0; i < sizeof(library_dirs) / sizeof(library_dirs[0]); i++) {
		ksnprintf(path, sizeof(path), "%s/%s", library_dirs[i], name);
		if (sys_stat(path, &st) == 0)
			return true;
	}
	return false;
}

/*
 * COPY relocations give the program its own copy of a libc object. musl's
 * stdin, stdout and stderr are constant pointers, so a copy is the same FILE.
 * The objects libc writes (environ, optind, optarg, program_invocation_name)
 * are kept equal by libc/musl/copy_sync.c, which is told here where the copy
 * is; any other object is refused rather than left to drift apart.
 */
static const char *const copy_constant[] = { "stdin", "stdout", "stderr" };

int kite_copy_relocation(void *libc_object, void *program_copy, size_t size);

static bool copy_allowed(const char *name, uint64_t libc_object, void *program_copy, size_t size)
{
	for (size_t i = 0; i < sizeof(copy_constant) / sizeof(copy_constant[0]); i++)
		if (!strcmp(name, copy_constant[i]))
			return true;
	return kite_copy_relocation((void *)libc_object, program_copy, size) == 0;
}

struct sym {
	uint32_t name;
	uint8_t info, other;
	uint16_t shndx;
	uint64_t value, size;
};

struct rela {
	uint64_t offset, info;
	int64_t addend;
};

struct program {
	const char *path;
	uint8_t *file;
	size_t size;
	struct elf_image img;
	uint64_t base;
	int argc;
	char **argv;
	void *stack;		/* the program's own stack (Linux's main-thread stack) */
	struct kstack stack_info;
};

void arch_enter_program(uint64_t entry, uint64_t sp) __attribute__((noreturn));

static int fail(const char *path, const char *fmt, const char *what)
{
	pr_err("kite: %s: ", path);
	pr_err(fmt, what);
	pr_err("\n");
	return -1;
}

static int read_file(struct program *p)
{
	struct kstat st;
	long fd = sys_open(p->path, O_RDONLY, 0);
	if (fd < 0)
		return fail(p->path, "%s", fd == -ENOENT ? "no such file in the image" : "cannot open it");
	if (sys_fstat((int)fd, &st) || !S_ISREG(st.st_mode)) {
		sys_close((int)fd);
		return fail(p->path, "%s", "not a regular file");
	}
	p->size = (size_t)st.st_size;
	p->file = kmalloc(p->size ? p->size : 1);
	if (!p->file || sys_pread64((int)fd, p->file, p->size, 0) != (long)p->size) {
		sys_close((int)fd);
		return fail(p->path, "%s", "cannot read it");
	}
	sys_close((int)fd);
	return 0;
}

/* Maps every page of every segment; pages shared by two segments get both permissions. */
static int map_segments(struct program *p)
{
	for (int i = 0; i < p->img.nr_segments; i++) {
		const struct elf_segment *s = &p->img.segments[i];
		uint64_t start = PAGE_ALIGN_DOWN(s->vaddr), end = PAGE_ALIGN_UP(s->vaddr + s->memsz);
		for (uint64_t va = start; va < end; va += PAGE_SIZE) {
			unsigned prot = s->prot;
			unsigned old;
			int64_t pa = paging_lookup(p->base + va, &old);
			uint8_t *page;
			if (pa >= 0) {
				page = phys_to_virt((phys_addr_t)pa);
				prot |= old;
			} else {
				page = frame_alloc(0);
				if (!page)
					return fail(p->path, "%s", "out of memory");
				memset(page, 0, PAGE_SIZE);
			}
			/* The file's bytes that fall in this page. */
			uint64_t lo = va > s->vaddr ? va : s->vaddr;
			uint64_t hi = va + PAGE_SIZE < s->vaddr + s->filesz ? va + PAGE_SIZE : s->vaddr + s->filesz;
			if (hi > lo)
				memcpy(page + (lo - va), p->file + s->offset + (lo - s->vaddr), hi - lo);
			/* Writable for the relocations; text gets its own permissions after. */
			if (paging_map(p->base + va, virt_to_phys(page), PAGE_SIZE, prot | PROT_W))
				return fail(p->path, "%s", "out of memory");
		}
	}
	return 0;
}

static void protect_segments(struct program *p)
{
	for (int i = 0; i < p->img.nr_segments; i++) {
		const struct elf_segment *s = &p->img.segments[i];
		if (s->prot & PROT_W)
			continue;
		for (uint64_t va = PAGE_ALIGN_DOWN(s->vaddr); va < PAGE_ALIGN_UP(s->vaddr + s->memsz); va += PAGE_SIZE) {
			unsigned prot;
			int64_t pa = paging_lookup(p->base + va, &prot);
			bool shared_with_data = false;
			for (int k = 0; k < p->img.nr_segments; k++) {
				const struct elf_segment *o = &p->img.segments[k];
				if ((o->prot & PROT_W) && va + PAGE_SIZE > o->vaddr && va < o->vaddr + o->memsz)
					shared_with_data = true;
			}
			if (pa >= 0 && !shared_with_data)
				paging_map(p->base + va, (phys_addr_t)pa, PAGE_SIZE, s->prot);
		}
	}
}

static int relocate_table(struct program *p, const struct elf_table *t)
{
	const struct rela *r = (const struct rela *)(p->file + t->offset);
	const struct sym *syms = (const struct sym *)(p->file + p->img.symtab.offset);

	for (uint64_t i = 0; i < t->count; i++) {
		uint32_t type = (uint32_t)r[i].info, symi = (uint32_t)(r[i].info >> 32);
		uint64_t *where = (uint64_t *)(p->base + r[i].offset);
		uint64_t value = 0;
		const struct sym *s = NULL;
		const char *name = NULL;
		if (r[i].offset + 8 < r[i].offset || r[i].offset < p->img.span_start || r[i].offset + 8 > p->img.span_end)
			return fail(p->path, "%s", "a relocation points outside the program");
		if (symi) {
			if (symi >= p->img.symtab.count)
				return fail(p->path, "%s", "a relocation names a symbol that does not exist");
			s = &syms[symi];
			name = elf_string(&p->img, s->name);
			if (!name)
				return fail(p->path, "%s", "a symbol's name is outside the string table");
			/* A COPY relocation's symbol is the program's copy: the source is libc's. */
			if (s->shndx && type != R_X86_64_COPY) {
				value = p->base + s->value;
			} else {
				value = kernel_export(name);
				bool weak = (s->info >> 4) == 2;
				if (!value && !weak)
					return fail(p->path, "unresolved symbol '%s'", name);
			}
		}
		switch (type) {
		case R_X86_64_RELATIVE:
			*where = p->base + (uint64_t)r[i].addend;
			break;
		case R_X86_64_GLOB_DAT:
		case R_X86_64_JUMP_SLOT:
			*where = value;
			break;
		case R_X86_64_64:
			*where = value + (uint64_t)r[i].addend;
			break;
		case R_X86_64_COPY:
			if (!s || !value)
				return fail(p->path, "%s", "a COPY relocation without a symbol libc defines");
			if (s->size > p->img.span_end - r[i].offset)
				return fail(p->path, "%s", "a relocation points outside the program");
			if (!copy_allowed(name, value, where, s->size))
				return fail(p->path, "needs its own copy of libc's '%s' (a COPY relocation): not supported yet", name);
			memcpy(where, (const void *)value, s->size);
			break;
		default: {
			char what[32];
			ksnprintf(what, sizeof(what), "%u", type);
			return fail(p->path, "relocation type %s is not supported yet", what);
		}
		}
	}
	return 0;
}

/* The program's environment: --env=NAME=VALUE, repeatable, in order. */
#define ENV_MAX 128
static const char *environment[ENV_MAX];
static int nr_environment;

static int add_env(const char *value)
{
	const char *eq = strchr(value, '=');
	if (!eq || eq == value || nr_environment == ENV_MAX)
		return -EINVAL;
	environment[nr_environment++] = value;
	return 0;
}
KOPT_VALUE("env", add_env, "NAME=VALUE", "put NAME=VALUE in the program's environment (repeatable)");

/* Copies `n` strings below *sp; their new addresses go to out[]. */
static void push_strings(uint8_t **sp, const char *const *in, int n, uint64_t *out)
{
	for (int i = n - 1; i >= 0; i--) {
		size_t len = strlen(in[i]) + 1;
		*sp -= len;
		memcpy(*sp, in[i], len);
		out[i] = (uint64_t)*sp;
	}
}

/* The initial stack, as Linux builds it: argc, argv, NULL, envp, NULL, auxv, strings. */
static uint64_t build_stack(struct program *p, uint8_t *top)
{
	uint8_t *sp = top;
	uint64_t argv[CMDLINE_MAX_WORDS], envp[ENV_MAX];
	int argc = p->argc;

	push_strings(&sp, (const char *const *)p->argv, argc, argv);
	push_strings(&sp, environment, nr_environment, envp);
	sp -= 16;
	uint8_t *random = sp;
	random_bytes(random, 16);
	sp = (uint8_t *)((uintptr_t)sp & ~15UL);
	uint64_t phdr = p->img.phdr_vaddr ? p->base + p->img.phdr_vaddr : 0;
	uint64_t aux[][2] = {
		{ AT_PHDR, phdr }, { AT_PHENT, 56 }, { AT_PHNUM, p->img.phnum }, { AT_PAGESZ, PAGE_SIZE },
		{ AT_BASE, 0 }, { AT_ENTRY, p->base + p->img.entry }, { AT_UID, 0 }, { AT_EUID, 0 },
		{ AT_GID, 0 }, { AT_EGID, 0 }, { AT_CLKTCK, 100 }, { AT_SECURE, 0 },
		{ AT_RANDOM, (uint64_t)random }, { AT_EXECFN, argv[0] }, { AT_NULL, 0 },
	};
	size_t words = 1 + (size_t)argc + 1 + (size_t)nr_environment + 1 + sizeof(aux) / 8;
	uint64_t *w = (uint64_t *)sp - words;
	w = (uint64_t *)((uintptr_t)w & ~15UL); /* %rsp 16-byte aligned at _start */
	uint64_t *out = w;
	*out++ = (uint64_t)argc;
	memcpy(out, argv, (size_t)argc * 8);
	out += argc;
	*out++ = 0; /* argv end */
	memcpy(out, envp, (size_t)nr_environment * 8);
	out += nr_environment;
	*out++ = 0; /* envp end */
	memcpy(out, aux, sizeof(aux));
	return (uint64_t)w;
}

/* Runs on the thread's kernel stack, and leaves it for the program's own. */
static void *program_thread(void *arg)
{
	struct program *p = arg;
	uint64_t sp = build_stack(p, (uint8_t *)p->stack + MAIN_STACK_SIZE);
	arch_enter_program(p->base + p->img.entry, sp);
}

int program_start(int argc, char **argv)
{
	struct program *p = kzalloc(sizeof(*p));
	char err[160];

	if (!p)
		return -1;
	p->path = argv[0];
	if (argc < 1 || argc > CMDLINE_MAX_WORDS)
		return fail(argv[0], "%s", "too many arguments");
	p->argc = argc;
	p->argv = argv;
	if (read_file(p))
		return -1;
	if (elf_parse(p->file, p->size, &p->img, err, sizeof(err)))
		return fail(p->path, "%s", err);
	if (!p->img.entry)
		return fail(p->path, "%s", "has no entry point (a library?)");
	for (int i = 0; i < p->img.nr_needed; i++) {
		const char *lib = elf_string(&p->img, p->img.needed[i]);
		bool ok = false;
		for (size_t k = 0; k < sizeof(provided) / sizeof(provided[0]); k++)
			ok |= !strcmp(lib, provided[k]);
		if (!ok)
			return fail(p->path, library_in_image(lib) ? "needs %s: loading shared libraries is not supported yet"
								   : "needs %s, which is not in the image", lib);
	}
	p->base = p->img.type == ET_DYN ? PIE_BASE - p->img.span_start : 0;
	if (mmap_claim(p->base + p->img.span_start, p->base + p->img.span_end))
		return fail(p->path, "%s", "its segments overlap memory already in use");
	if (map_segments(p) || relocate_table(p, &p->img.rela) || relocate_table(p, &p->img.jmprel))
		return -1;
	protect_segments(p);
	p->stack = vmalloc(MAIN_STACK_SIZE, PAGE_SIZE, true);
	if (!p->stack)
		return fail(p->path, "%s", "no memory for its stack");
	p->stack_info = (struct kstack){ .name = "program", .what = "thread", .bottom = (uintptr_t)p->stack,
					 .top = (uintptr_t)p->stack + MAIN_STACK_SIZE };
	kstack_register(&p->stack_info);
	struct thread_attr attr = { .name = "main-program" };
	if (!thread_create(&attr, program_thread, p))
		return fail(p->path, "%s", "no memory for its thread");
	return 0;
}
