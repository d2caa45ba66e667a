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
#include <kite/loader.h>
#include <kite/musl.h>
#include <kite/paging.h>
#include <kite/printk.h>
#include <kite/random.h>
#include <kite/sys_limits.h>
#include <kite/sys_memory.h>
#include <kite/thread.h>
#include <string.h>
#include "loader.h"

#define PIE_BASE 0x555555554000UL
#define R_X86_64_64 1
#define R_X86_64_COPY 5
#define R_X86_64_GLOB_DAT 6
#define R_X86_64_JUMP_SLOT 7
#define R_X86_64_RELATIVE 8
#define R_X86_64_DTPMOD64 16
#define R_X86_64_DTPOFF64 17
#define R_X86_64_TPOFF64 18
#define R_X86_64_IRELATIVE 37
/* Static TLS kept free for libraries dlopen adds later that use the
 * initial-exec model (they cannot be given TLS anywhere else). */
#define TLS_DLOPEN_RESERVE (16 * 1024)
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

/*
 * COPY relocations give the program its own copy of a libc object. Which objects
 * may be copied, and how libc keeps such copies equal to its own, is
 * libc/musl/copy_sync.c's business; anything else is refused by name.
 */
int kite_copy_relocation(void *libc_object, void *program_copy, size_t size);

void arch_enter_program(uint64_t entry, uint64_t sp) __attribute__((noreturn));
void arch_start_main(void) __attribute__((noreturn));

/* A program that is a shared object without an entry point: its main, which
 * arch_start_main hands to __libc_start_main. */
uint64_t program_main;

/* dlopen collects the loader's first complaint for dlerror rather than
 * printing it (loader_capture_errors). */
static char *error_capture;
static size_t error_capture_size;

void loader_capture_errors(char *buf, size_t size)
{
	error_capture = buf;
	error_capture_size = size;
	if (buf)
		buf[0] = '\0';
}

int fail(const char *path, const char *fmt, const char *what)
{
	if (error_capture) {
		if (!error_capture[0]) {
			size_t n = (size_t)ksnprintf(error_capture, error_capture_size, "%s: ", path);
			if (n < error_capture_size)
				ksnprintf(error_capture + n, error_capture_size - n, fmt, what);
		}
		return -1;
	}
	pr_err("kite: %s: ", path);
	pr_err(fmt, what);
	pr_err("\n");
	return -1;
}

static int read_file(struct object *o)
{
	struct kstat st;
	long fd = sys_open(o->path, O_RDONLY, 0);
	if (fd < 0)
		return fail(o->path, "%s", fd == -ENOENT ? "no such file in the image" : "cannot open it");
	if (sys_fstat((int)fd, &st) || !S_ISREG(st.st_mode)) {
		sys_close((int)fd);
		return fail(o->path, "%s", "not a regular file");
	}
	o->size = (size_t)st.st_size;
	o->file = kmalloc(o->size ? o->size : 1);
	if (!o->file || sys_pread64((int)fd, o->file, o->size, 0) != (long)o->size) {
		sys_close((int)fd);
		return fail(o->path, "%s", "cannot read it");
	}
	sys_close((int)fd);
	return 0;
}

/* Maps every page of every segment; pages shared by two segments get both permissions. */
static int map_segments(struct object *o)
{
	for (int i = 0; i < o->img.nr_segments; i++) {
		const struct elf_segment *s = &o->img.segments[i];
		uint64_t start = PAGE_ALIGN_DOWN(s->vaddr), end = PAGE_ALIGN_UP(s->vaddr + s->memsz);
		for (uint64_t va = start; va < end; va += PAGE_SIZE) {
			unsigned prot = s->prot;
			unsigned old;
			int64_t pa = paging_lookup(o->base + va, &old);
			uint8_t *page;
			if (pa >= 0) {
				page = phys_to_virt((phys_addr_t)pa);
				prot |= old;
			} else {
				page = frame_alloc(0);
				if (!page)
					return fail(o->path, "%s", "out of memory");
				memset(page, 0, PAGE_SIZE);
			}
			/* The file's bytes that fall in this page. */
			uint64_t lo = va > s->vaddr ? va : s->vaddr;
			uint64_t hi = va + PAGE_SIZE < s->vaddr + s->filesz ? va + PAGE_SIZE : s->vaddr + s->filesz;
			if (hi > lo)
				memcpy(page + (lo - va), o->file + s->offset + (lo - s->vaddr), hi - lo);
			/* Writable for the relocations; text gets its own permissions after. */
			if (paging_map(o->base + va, virt_to_phys(page), PAGE_SIZE, prot | PROT_W))
				return fail(o->path, "%s", "out of memory");
		}
	}
	return 0;
}

static void protect_segments(struct object *o)
{
	for (int i = 0; i < o->img.nr_segments; i++) {
		const struct elf_segment *s = &o->img.segments[i];
		if (s->prot & PROT_W)
			continue;
		for (uint64_t va = PAGE_ALIGN_DOWN(s->vaddr); va < PAGE_ALIGN_UP(s->vaddr + s->memsz); va += PAGE_SIZE) {
			unsigned prot;
			int64_t pa = paging_lookup(o->base + va, &prot);
			bool shared_with_data = false;
			for (int k = 0; k < o->img.nr_segments; k++) {
				const struct elf_segment *other = &o->img.segments[k];
				if ((other->prot & PROT_W) && va + PAGE_SIZE > other->vaddr && va < other->vaddr + other->memsz)
					shared_with_data = true;
			}
			if (pa >= 0 && !shared_with_data)
				paging_map(o->base + va, (phys_addr_t)pa, PAGE_SIZE, s->prot);
		}
	}
}

/* PT_GNU_RELRO: what only relocation writes (the GOT, vtables, ...) becomes
 * read-only once it is done, whole pages of it, as glibc does. */
static void protect_relro(struct object *o)
{
	uint64_t start = PAGE_ALIGN_DOWN(o->base + o->img.relro.start);
	uint64_t end = PAGE_ALIGN_DOWN(o->base + o->img.relro.end);
	for (uint64_t va = start; o->img.relro.end && va < end; va += PAGE_SIZE) {
		int64_t pa = paging_lookup(va, NULL);
		if (pa >= 0)
			paging_map(va, (phys_addr_t)PAGE_ALIGN_DOWN((uint64_t)pa), PAGE_SIZE, PROT_R);
	}
}

#define STB_LOCAL 0
#define STB_GLOBAL 1
#define STB_WEAK 2
#define STT_FUNC 2
#define STT_TLS 6

/* Where a library's calls to functions Kite does not have go (their names were
 * logged at load, without --quiet). */
static void unprovided_function_called(void)
{
	pr_err("kite: the program called a library function Kite does not provide (boot without --quiet to see which)\n");
	kite_exit(EXIT_BAD_PROGRAM);
}

/* A TLS relocation's target: the module that defines the variable and its
 * offset in that module's block. The symbol is the object's own when it is
 * local or absent (the local-dynamic model), else the first definition in
 * lookup order. */
static int resolve_tls(const struct program *p, const struct object *o, const struct sym *s, const char *name,
		       const struct object **def, uint64_t *offset)
{
	*def = o;
	*offset = s ? s->value : 0;
	if (s && (s->info >> 4) != STB_LOCAL) {
		struct symbol_name n;
		symbol_name_init(&n, name);
		*def = NULL;
		for (int i = 0; i < p->nr_objects && !*def; i++) {
			const struct sym *d = symbol_in(&p->objects[i], &n, true);
			if (d) {
				*def = &p->objects[i];
				*offset = d->value;
			}
		}
		if (!*def)
			return fail(o->path, "unresolved thread-local symbol '%s'", name);
	}
	if (!(*def)->tls_module)
		return fail(o->path, "a thread-local symbol in '%s', which has no TLS segment", (*def)->path);
	return 0;
}

/*
 * Symbol lookup in the order Linux's loader uses: the program, then its libraries
 * in load order, then libc (the kernel). `skip` is the object whose own copy a COPY
 * relocation fills.
 */
static uint64_t lookup(const struct program *p, const char *name, const struct object *skip,
		       const struct object **def)
{
	struct symbol_name n;
	symbol_name_init(&n, name);
	for (int i = 0; i < p->nr_objects; i++) {
		const struct sym *s = &p->objects[i] == skip ? NULL : symbol_in(&p->objects[i], &n, false);
		if (s) {
			*def = &p->objects[i];
			return p->objects[i].base + s->value;
		}
	}
	*def = NULL; /* Kite itself */
	return kernel_export(name);
}

static int relocate_table(struct program *p, struct object *o, const struct elf_table *t)
{
	const struct rela *r = (const struct rela *)(o->file + t->offset);
	const struct sym *syms = (const struct sym *)(o->file + o->img.symtab.offset);

	for (uint64_t i = 0; i < t->count; i++) {
		uint32_t type = (uint32_t)r[i].info, symi = (uint32_t)(r[i].info >> 32);
		uint64_t *where = (uint64_t *)(o->base + r[i].offset);
		uint64_t value = 0;
		const struct object *def = NULL;	/* where the symbol is defined; NULL: Kite */
		const struct sym *s = NULL;
		const char *name = NULL;
		if (r[i].offset + 8 < r[i].offset || r[i].offset < o->img.span_start || r[i].offset + 8 > o->img.span_end)
			return fail(o->path, "%s", "a relocation points outside the program");
		if (symi) {
			if (symi >= o->img.symtab.count)
				return fail(o->path, "%s", "a relocation names a symbol that does not exist");
			s = &syms[symi];
			name = elf_string(&o->img, s->name);
			if (!name)
				return fail(o->path, "%s", "a symbol's name is outside the string table");
			/* A COPY relocation's symbol is the object's own copy: the source is elsewhere. */
			bool copy = type == R_X86_64_COPY;
			if (type == R_X86_64_DTPMOD64 || type == R_X86_64_DTPOFF64 || type == R_X86_64_TPOFF64) {
				/* resolved below */
			} else if ((s->info >> 4) == STB_LOCAL) {
				value = o->base + s->value;
			} else {
				value = lookup(p, name, copy ? o : NULL, &def);
				if (!value && s->shndx && !copy)
					value = o->base + s->value;
				bool weak = (s->info >> 4) == STB_WEAK;
				/* A library's import of a function Kite lacks (glibc-only ones such as
				 * obstack_vprintf) must not stop programs that never call it; a call
				 * ends the run with a message. */
				bool function = type == R_X86_64_JUMP_SLOT || (s->info & 15) == STT_FUNC;
				if (!value && !weak && function && o != &p->objects[0]) {
					pr_info("kite: %s: '%s' is not provided; calling it ends the program\n", o->path, name);
					value = (uint64_t)unprovided_function_called;
				}
				if (!value && !weak)
					return fail(o->path, "unresolved symbol '%s'", name);
			}
		}
		const struct object *tls_def;
		uint64_t tls_offset;
		switch (type) {
		case R_X86_64_RELATIVE:
			*where = o->base + (uint64_t)r[i].addend;
			break;
		case R_X86_64_IRELATIVE:
			/* An ifunc: its resolver picks the implementation. */
			*where = ((uint64_t (*)(void))(o->base + (uint64_t)r[i].addend))();
			break;
		case R_X86_64_DTPMOD64:
			if (resolve_tls(p, o, s, name, &tls_def, &tls_offset))
				return -1;
			*where = (uint64_t)tls_def->tls_module;
			break;
		case R_X86_64_DTPOFF64:
			if (resolve_tls(p, o, s, name, &tls_def, &tls_offset))
				return -1;
			*where = tls_offset + (uint64_t)r[i].addend;
			break;
		case R_X86_64_TPOFF64:
			if (resolve_tls(p, o, s, name, &tls_def, &tls_offset))
				return -1;
			*where = tls_offset + (uint64_t)r[i].addend - tls_def->tls_offset;
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
				return fail(o->path, "%s", "a COPY relocation without a symbol libc defines");
			if (s->size > o->img.span_end - r[i].offset)
				return fail(o->path, "%s", "a relocation points outside the program");
			/* A library's object: the library uses the copy too (lookup finds the
			 * program's first). One of Kite's libc: libc must be told. */
			if (!def && kite_copy_relocation((void *)value, where, s->size))
				return fail(o->path, "needs its own copy of libc's '%s' (a COPY relocation): not supported yet", name);
			memcpy(where, (const void *)value, s->size);
			break;
		default: {
			char what[32];
			ksnprintf(what, sizeof(what), "%u", type);
			return fail(o->path, "relocation type %s is not supported yet", what);
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
	const struct object *prog = &p->objects[0];
	uint8_t *sp = top;
	uint64_t argv[CMDLINE_MAX_WORDS], envp[ENV_MAX];
	int argc = p->argc;

	push_strings(&sp, (const char *const *)p->argv, argc, argv);
	push_strings(&sp, environment, nr_environment, envp);
	sp -= 16;
	uint8_t *random = sp;
	random_bytes(random, 16);
	sp = (uint8_t *)((uintptr_t)sp & ~15UL);
	uint64_t phdr = prog->img.phdr_vaddr ? prog->base + prog->img.phdr_vaddr : 0;
	uint64_t aux[][2] = {
		{ AT_PHDR, phdr }, { AT_PHENT, 56 }, { AT_PHNUM, prog->img.phnum }, { AT_PAGESZ, PAGE_SIZE },
		{ AT_BASE, 0 }, { AT_ENTRY, prog->base + prog->img.entry }, { AT_UID, 0 }, { AT_EUID, 0 },
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

typedef void (*init_fn)(int, char **, char **);

/* libc/musl/copy_sync.c: the start-up runs the program's own constructors and destructors. */
void kite_set_program_arrays(const uint64_t *init, size_t nr_init, const uint64_t *fini, size_t nr_fini);

void run_initializers_of(struct program *p, struct object *o)
{
	static int initialized;	/* objects initialized so far, for the order of finalization */
	o->init_order = ++initialized;
	o->finalized = false;
	if (o->img.init_vaddr)
		((init_fn)(o->base + o->img.init_vaddr))(p->argc, p->argv, p->envp);
	const uint64_t *fns = (const uint64_t *)(o->base + o->img.init_array_vaddr);
	for (uint64_t k = 0; k < o->img.init_array_count; k++)
		if (fns[k] && fns[k] != UINT64_MAX)
			((init_fn)fns[k])(p->argc, p->argv, p->envp);
}

void run_initializers(struct program *p, int first)
{
	for (int i = p->nr_objects - 1; i >= first; i--)
		run_initializers_of(p, &p->objects[i]);
}

void run_finalizers(struct object *o)
{
	if (!o->init_order || o->finalized)
		return;
	o->finalized = true;
	const uint64_t *fns = (const uint64_t *)(o->base + o->img.fini_array_vaddr);
	for (uint64_t k = o->img.fini_array_count; k-- > 0;)
		if (fns[k] && fns[k] != UINT64_MAX)
			((void (*)(void))fns[k])();
	if (o->img.fini_vaddr)
		((void (*)(void))(o->base + o->img.fini_vaddr))();
}

/* At exit, after the program's own destructors (libc/musl/copy_sync.c
 * registers it first with atexit): every library not finalized yet, the
 * last initialized first, as glibc's _dl_fini orders them. */
void kite_run_library_finalizers(void)
{
	struct program *p = loaded_program;
	for (;;) {
		struct object *next = NULL;
		for (int i = 1; p && i < p->nr_objects; i++) {
			struct object *o = &p->objects[i];
			if (o->init_order && !o->finalized && (!next || o->init_order > next->init_order))
				next = o;
		}
		if (!next)
			return;
		run_finalizers(next);
	}
}

/* Runs on the thread's kernel stack, and leaves it for the program's own. */
static void *program_thread(void *arg)
{
	struct program *p = arg;
	kite_musl_main_thread();
	uint64_t sp = build_stack(p, (uint8_t *)p->stack + MAIN_STACK_SIZE);
	const struct object *prog = &p->objects[0];
	kite_set_program_arrays((const uint64_t *)(prog->base + prog->img.init_array_vaddr), prog->img.init_array_count,
				(const uint64_t *)(prog->base + prog->img.fini_array_vaddr), prog->img.fini_array_count);
	p->envp = (char **)(sp + 8 * (uint64_t)(p->argc + 2));
	/* The libraries', dependencies first; the program's own are run by
	 * __libc_start_main. */
	run_initializers(p, 1);
	arch_enter_program(program_main ? (uint64_t)arch_start_main : prog->base + prog->img.entry, sp);
}

/* dlopen: a new module's block, in a thread that already exists. */
static void copy_tls_block(void *thread_pointer, void *module)
{
	kite_tls_copy_block(thread_pointer, (long)module);
}

/*
 * Every object's TLS segment gets a module id and a block at a fixed offset
 * below %fs, the program's first: the linker computed its local-exec offsets
 * on the assumption that its block ends right at %fs. Threads made from then
 * on (the program's among them) carry the blocks. At the start the layout is
 * then frozen; later (dlopen) a module takes room from the reserve, and the
 * threads that exist get its block filled in.
 */
int layout_tls(struct program *p, int first)
{
	bool at_start = first == 0;
	for (int i = first; i < p->nr_objects; i++) {
		struct object *o = &p->objects[i];
		if (!o->img.tls.present || !o->img.tls.memsz)
			continue;
		long id = kite_tls_add_module((const void *)(o->base + o->img.tls.vaddr), o->img.tls.filesz,
					      o->img.tls.memsz, o->img.tls.align, &o->tls_offset);
		if (id == -EINVAL)
			return fail(o->path, "%s", "its TLS segment's alignment is not a power of two");
		if (id == -ENOSPC) {
			char size[24];
			ksnprintf(size, sizeof(size), "%lu", o->img.tls.memsz);
			return fail(o->path, "needs %s bytes of thread-local storage, more than is left of the static "
				    "TLS reserve for dlopen (16 KiB)", size);
		}
		if (id < 0)
			return fail(o->path, "%s", "too many libraries with thread-local storage");
		o->tls_module = id;
		pr_debug("kite: %s: TLS module %ld, %lu bytes at %%fs-%lu\n", o->path, id, o->img.tls.memsz,
			 o->tls_offset);
		if (!at_start)
			thread_for_each_thread_pointer(copy_tls_block, (void *)id);
	}
	if (at_start)
		kite_tls_freeze(TLS_DLOPEN_RESERVE);
	return 0;
}

bool is_provided(const char *lib)
{
	for (size_t k = 0; k < sizeof(provided) / sizeof(provided[0]); k++)
		if (!strcmp(lib, provided[k]))
			return true;
	return false;
}

struct object *find_loaded(struct program *p, const char *lib)
{
	for (int i = 1; i < p->nr_objects; i++) {
		struct object *o = &p->objects[i];
		const char *soname = o->img.soname != UINT64_MAX ? elf_string(&o->img, o->img.soname) : NULL;
		if (!strcmp(o->name, lib) || !strcmp(o->path, lib) || (soname && !strcmp(soname, lib)))
			return o;
	}
	return NULL;
}

/* Reads and parses one file into a new object. */
static struct object *open_object(struct program *p, const char *path)
{
	char err[160];
	if (p->nr_objects == MAX_OBJECTS) {
		fail(path, "%s", "too many shared libraries");
		return NULL;
	}
	struct object *o = &p->objects[p->nr_objects];
	o->path = path;
	if (read_file(o))
		return NULL;
	if (elf_parse(o->file, o->size, &o->img, err, sizeof(err))) {
		fail(o->path, "%s", err);
		return NULL;
	}
	p->nr_objects++;
	return o;
}

static bool is_file(const char *path)
{
	struct kstat st;
	return sys_stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* Whether one directory of a search path (dir, len) holds lib; fills path.
 * $ORIGIN (or ${ORIGIN}) stands for the directory of the object `by`. */
static bool search_dir(const struct object *by, const char *dir, size_t len, const char *lib, char *path, size_t size)
{
	char expanded[256];
	size_t out = 0;
	for (size_t i = 0; i < len && out + 1 < sizeof(expanded);) {
		size_t skip = !strncmp(dir + i, "$ORIGIN", 7) ? 7 : !strncmp(dir + i, "${ORIGIN}", 9) ? 9 : 0;
		if (skip && i + skip <= len) {
			const char *slash = strrchr(by->path, '/');
			size_t n = slash ? (size_t)(slash - by->path) : 0;
			for (size_t k = 0; k < n && out + 1 < sizeof(expanded); k++)
				expanded[out++] = by->path[k];
			i += skip;
		} else {
			expanded[out++] = dir[i++];
		}
	}
	expanded[out] = '\0';
	ksnprintf(path, size, "%s/%s", out ? expanded : "", lib);
	return is_file(path);
}

/*
 * Where a library named by DT_NEEDED or dlopen is: a name with a slash is a
 * path; others are looked for in the RUNPATH (or RPATH) of the object that
 * asks, then in the standard directories, as Linux's loader does.
 */
static bool find_library(const struct object *by, const char *lib, char *path, size_t size)
{
	if (strchr(lib, '/')) {
		ksnprintf(path, size, "%s", lib);
		return is_file(path);
	}
	const char *runpath = by && by->img.runpath != UINT64_MAX ? elf_string(&by->img, by->img.runpath) : NULL;
	for (const char *dir = runpath; dir && *dir;) {
		size_t len = strcspn(dir, ":");
		if (len && search_dir(by, dir, len, lib, path, size))
			return true;
		dir += len + (dir[len] == ':');
	}
	for (size_t i = 0; i < sizeof(library_dirs) / sizeof(library_dirs[0]); i++) {
		ksnprintf(path, size, "%s/%s", library_dirs[i], lib);
		if (is_file(path))
			return true;
	}
	return false;
}

struct object *load_library(struct program *p, const struct object *by, const char *lib)
{
	char path[256];
	if (!find_library(by, lib, path, sizeof(path))) {
		if (by)
			fail(by->path, "needs %s, which is not in the image", lib);
		else
			fail(lib, "%s", "no such library in the image");
		return NULL;
	}
	char *saved = kmalloc(strlen(path) + 1);
	char *name = kmalloc(strlen(lib) + 1);
	if (!saved || !name) {
		fail(lib, "%s", "out of memory");
		return NULL;
	}
	strcpy(saved, path);
	strcpy(name, lib);
	struct object *o = open_object(p, saved);
	if (!o)
		return NULL;
	o->name = name;
	if (o->img.type != ET_DYN) {
		fail(o->path, "%s", "is not a shared library");
		return NULL;
	}
	long at = sys_mmap(NULL, o->img.span_end - o->img.span_start, 0, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (at < 0) {
		fail(o->path, "%s", "no room in the address space");
		return NULL;
	}
	o->base = (uint64_t)at - o->img.span_start;
	return map_segments(o) ? NULL : o;
}

int load_needed(struct program *p, int first)
{
	/* Breadth first, as Linux's loader orders them for lookup. */
	for (int i = first; i < p->nr_objects; i++) {
		struct object *o = &p->objects[i];
		for (int k = 0; k < o->img.nr_needed; k++) {
			const char *lib = elf_string(&o->img, o->img.needed[k]);
			if (!lib)
				return fail(o->path, "%s", "a DT_NEEDED name is outside the string table");
			if (!is_provided(lib) && !find_loaded(p, lib) && !load_library(p, o, lib))
				return -1;
		}
	}
	return 0;
}

/*
 * DT_RELR: relative relocations packed as a list of words. An even word is
 * an address to relocate (its word gets the load bias added), and starts a
 * run; an odd word is a bitmap of the 63 words after the run so far (bit i
 * set: relocate word i - 1), and moves the run on by 63 words.
 */
static int relocate_relr(struct object *o)
{
	const uint64_t *w = (const uint64_t *)(o->file + o->img.relr.offset);
	uint64_t next = 0;
	for (uint64_t i = 0; i < o->img.relr.count; i++) {
		if (!(w[i] & 1)) {
			if (w[i] < o->img.span_start || w[i] > o->img.span_end - 8 || (w[i] & 7))
				return fail(o->path, "%s", "a packed relocation points outside the program");
			*(uint64_t *)(o->base + w[i]) += o->base;
			next = w[i] + 8;
			continue;
		}
		for (unsigned bit = 1; bit < 64; bit++) {
			if (!((w[i] >> bit) & 1))
				continue;
			uint64_t at = next + (bit - 1) * 8;
			if (at < o->img.span_start || at > o->img.span_end - 8)
				return fail(o->path, "%s", "a packed relocation points outside the program");
			*(uint64_t *)(o->base + at) += o->base;
		}
		next += 63 * 8;
	}
	return 0;
}

int relocate_objects(struct program *p, int first)
{
	/* Libraries first: the program's COPY relocations read their objects as relocated. */
	for (int i = p->nr_objects - 1; i >= first; i--) {
		struct object *o = &p->objects[i];
		if (relocate_relr(o) || relocate_table(p, o, &o->img.rela) || relocate_table(p, o, &o->img.jmprel))
			return -1;
		protect_segments(o);
		protect_relro(o);
	}
	return 0;
}



int program_start(int argc, char **argv)
{
	struct program *p = kzalloc(sizeof(*p));

	if (!p)
		return -1;
	if (argc < 1 || argc > CMDLINE_MAX_WORDS)
		return fail(argv[0], "%s", "too many arguments");
	p->argc = argc;
	p->argv = argv;
	struct object *prog = open_object(p, argv[0]);
	if (!prog)
		return -1;
	prog->base = prog->img.type == ET_DYN ? PIE_BASE - prog->img.span_start : 0;
	if (!prog->img.entry) {
		/* A shared object may be the program if it has a main (as OSv runs them). */
		struct symbol_name main_name;
		symbol_name_init(&main_name, "main");
		const struct sym *main_sym = symbol_in(prog, &main_name, false);
		if (!main_sym)
			return fail(prog->path, "%s", "has no entry point and no main (a library?)");
		program_main = prog->base + main_sym->value;
	}
	if (mmap_claim(prog->base + prog->img.span_start, prog->base + prog->img.span_end))
		return fail(prog->path, "%s", "its segments overlap memory already in use");
	if (map_segments(prog))
		return -1;
	if (load_needed(p, 0) || layout_tls(p, 0) || relocate_objects(p, 0))
		return -1;
	p->stack = vmalloc(MAIN_STACK_SIZE, PAGE_SIZE, true);
	if (!p->stack)
		return fail(prog->path, "%s", "no memory for its stack");
	p->stack_info = (struct kstack){ .name = "program", .what = "thread", .bottom = (uintptr_t)p->stack,
					 .top = (uintptr_t)p->stack + MAIN_STACK_SIZE };
	kstack_register(&p->stack_info);
	loaded_program = p;
	struct thread_attr attr = { .name = "main-program" };
	if (!thread_create(&attr, program_thread, p))
		return fail(prog->path, "%s", "no memory for its thread");
	return 0;
}
