/*
 * musl's thread descriptor for every Kite thread, built with musl's internal
 * headers (so the layout is musl's own, whatever its version): %fs points to
 * it, which gives errno, pthread_self(), the locale and the stack-protector
 * canary at %fs:0x28 (where glibc-built code reads it too) in every thread.
 * The application's static TLS blocks will sit below it (the loader issue).
 */
#include "libc.h"
#include "pthread_impl.h"

size_t kite_musl_descriptor_size(void)
{
	return sizeof(struct pthread);
}

void *kite_musl_descriptor_init(void *mem, int tid, uintptr_t canary)
{
	struct pthread *td = mem;

	td->self = td;
	td->detach_state = DT_JOINABLE;
	td->tid = tid;
	td->locale = &libc.global_locale;
	td->robust_list.head = &td->robust_list.head;
	td->next = td->prev = td;
	td->canary = canary;
	return td;
}

/* What musl's start-up (__init_libc) would have set and the kernel's use needs:
 * several threads (so musl takes its locks) and the page size. */
void kite_musl_init(void)
{
	libc.can_do_threads = 1;
	libc.threaded = 1;
	libc.need_locks = 1;
	libc.page_size = 4096;
}
