/*
 * musl's thread descriptor for every Kite thread, and the static TLS area
 * below it, built with musl's internal headers (so the layout is musl's own,
 * whatever its version).
 *
 * %fs points to the descriptor, which gives errno, pthread_self(), the locale
 * and the stack-protector canary at %fs:0x28 (where glibc-built code reads it
 * too) in every thread. Below it (x86-64's TLS variant II) lie the TLS blocks
 * of the program and its libraries, each at a fixed offset from %fs, and a
 * reserve for libraries that dlopen adds later. musl's own bookkeeping
 * (libc.tls_head, tls_size, ...) describes them, so that musl's
 * pthread_create lays out the TLS of the threads it makes as Kite does its own.
 */
#include <errno.h>
#include <string.h>
#include "libc.h"
#include "pthread_impl.h"
#include "stdio_impl.h"
#include <kite/musl.h>

#define MAX_TLS_MODULES 64
/* As musl's __init_tls.c: the descriptor's own alignment. */
#define MIN_TLS_ALIGN __alignof__(struct pthread)

/* The TP-relative offset of each module's block, by module id (1..cnt). */
static size_t tls_offsets[MAX_TLS_MODULES + 1];
static struct tls_module tls_modules[MAX_TLS_MODULES + 1];
static size_t tls_used;		/* bytes below the descriptor taken by blocks */
static size_t tls_limit;	/* what they may take: the initial ones plus the reserve */
static struct tls_module **tls_tail = &libc.tls_head;

/* The area for one descriptor and its TLS, for nothing but the descriptor
 * until kite_tls_freeze. */
static void set_area_size(void)
{
	/* __copy_tls puts a vector with an entry per module at the start: after
	 * the freeze, room for the modules dlopen may add. */
	size_t dtv_entries = 1 + (tls_limit ? MAX_TLS_MODULES : libc.tls_cnt);
	libc.tls_size = (dtv_entries * sizeof(void *) + tls_limit + sizeof(struct pthread) +
			 2 * libc.tls_align + MIN_TLS_ALIGN - 1) & -MIN_TLS_ALIGN;
}

size_t kite_musl_area_size(void)
{
	return libc.tls_size;
}

void *kite_musl_descriptor_init(void *area, int tid, uintptr_t canary)
{
	struct pthread *td = __copy_tls(area);

	td->self = td;
	td->detach_state = DT_JOINABLE;
	td->tid = tid;
	td->locale = &libc.global_locale;
	td->robust_list.head = &td->robust_list.head;
	td->next = td->prev = td;
	td->canary = canary;
	return td;
}

/* What musl's start-up (__init_libc, __init_tls, the first pthread_create)
 * would have set and Kite needs: several threads from the start (so musl takes
 * its locks, on the standard streams too), the page size, no TLS yet. */
void kite_musl_init(void)
{
	libc.can_do_threads = 1;
	libc.threaded = 1;
	libc.need_locks = 1;
	libc.page_size = 4096;
	libc.tls_align = MIN_TLS_ALIGN;
	set_area_size();
	__stdin_FILE.lock = 0;
	__stdout_FILE.lock = 0;
	__stderr_FILE.lock = 0;
	/* Linux's glibc gives threads 8 MiB stacks by default; musl 128 KiB. Kite
	 * maps stacks in full, so the middle: the main thread's size. */
	__default_stacksize = KITE_THREAD_STACK_SIZE;
}

/* The program's main thread: musl keeps its thread-specific data apart. */
void kite_musl_main_thread(void)
{
	__pthread_self()->tsd = (void **)__pthread_tsd_main;
}

long kite_tls_add_module(const void *image, size_t len, size_t size, size_t align, size_t *offset)
{
	if (libc.tls_cnt == MAX_TLS_MODULES)
		return -ENOMEM;
	if (align < 1)
		align = 1;
	if (align & (align - 1))
		return -EINVAL;
	/* Where musl's dynamic linker puts it: below the blocks before it,
	 * aligned so that its image's alignment holds in every thread (%fs
	 * itself is aligned to the largest alignment, set at the freeze). */
	size_t at = tls_used + size + align - 1;
	at -= (at + (uintptr_t)image) & (align - 1);
	if (tls_limit && (at > tls_limit || align > libc.tls_align))
		return -ENOSPC; /* past the reserve, or aligned more than %fs is */
	tls_used = at;
	size_t id = ++libc.tls_cnt;
	tls_modules[id] = (struct tls_module){ .image = (void *)image, .len = len, .size = size,
					       .align = align, .offset = at };
	*tls_tail = &tls_modules[id];
	tls_tail = &tls_modules[id].next;
	tls_offsets[id] = at;
	if (!tls_limit && align > libc.tls_align)
		libc.tls_align = align;
	*offset = at;
	return (long)id;
}

void kite_tls_freeze(size_t reserve)
{
	/* A library dlopen'ed later may want more alignment than the initial
	 * ones: 64 bytes covers what compilers emit for TLS. */
	if (libc.tls_align < 64)
		libc.tls_align = 64;
	tls_limit = tls_used + reserve;
	set_area_size();
}

bool kite_tls_frozen(void)
{
	return tls_limit != 0;
}

void kite_tls_copy_block(void *thread_pointer, long module)
{
	struct tls_module *m = &tls_modules[module];
	unsigned char *block = (unsigned char *)thread_pointer - m->offset;
	memcpy(block, m->image, m->len);
	memset(block + m->len, 0, m->size - m->len);
}

/* Every thread's blocks lie at fixed offsets below its descriptor: no
 * per-thread vector to keep up to date when dlopen adds a module. */
void *__tls_get_addr(size_t *v)
{
	return (unsigned char *)__pthread_self() - tls_offsets[v[0]] + v[1];
}

/* musl's start-up (__init_libc, from __libc_start_main) would set up the TLS
 * of a static program here, from its PT_TLS alone, and point %fs at a static
 * descriptor: Kite did all that for the program and its libraries before the
 * program started. (musl's own is a weak alias, for its dynamic linker to
 * replace in the same way.) */
void __init_tls(size_t *aux)
{
	(void)aux;
}
