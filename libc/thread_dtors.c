/*
 * Destructors of thread_local objects: C++ registers each one with glibc's
 * __cxa_thread_atexit_impl when the object is constructed in a thread; they
 * run, last registered first, when that thread ends (SYS_exit, libc/clone.c)
 * or, for the thread that calls exit, before the atexit handlers and static
 * destructors (libc/musl/exit.c), as glibc orders them.
 *
 * Also glibc's __libc_single_threaded, which libstdc++ reads to skip atomic
 * operations: Kite always has several threads, so it stays 0.
 */
#include <kite/heap.h>
#include <kite/musl.h>
#include <kite/thread.h>

char __libc_single_threaded = 0;

struct thread_dtor {
	void (*fn)(void *);
	void *obj;
	struct thread_dtor *next;
};

int __cxa_thread_atexit_impl(void (*fn)(void *), void *obj, void *dso_symbol)
{
	(void)dso_symbol; /* for dlclose, which keeps libraries with live objects */
	struct thread_dtor *d = kmalloc(sizeof(*d));
	if (!d)
		return -1;
	struct thread *t = current();
	*d = (struct thread_dtor){ .fn = fn, .obj = obj, .next = t->tls_dtors };
	t->tls_dtors = d;
	return 0;
}

void kite_run_thread_dtors(void)
{
	struct thread *t = current();
	struct thread_dtor *d;
	/* A destructor may construct, and so register, more. */
	while ((d = t->tls_dtors)) {
		t->tls_dtors = d->next;
		d->fn(d->obj);
		kfree(d);
	}
}
