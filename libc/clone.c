/*
 * Threads of the program: musl's pthread_create calls __clone(fn, stack,
 * flags, arg, &tid, tls, &thread_list_lock) with a stack and a thread
 * descriptor (with the TLS below it) it made itself, as it would on Linux.
 * Kite makes a kernel thread that runs fn(arg) on that stack with %fs at the
 * descriptor.
 *
 * The thread ends with SYS_exit (or __unmapself, for a detached thread that
 * frees its own stack). musl's joiner frees the stack as soon as the exiting
 * thread clears the CLONE_CHILD_CLEARTID word, so that must happen once the
 * thread is off that stack: the thread starts on a kernel stack of its own,
 * calls into the program on the program's stack, and SYS_exit jumps back
 * (__builtin_longjmp) to the kernel stack to finish there.
 *
 * Only threads are made: fork-like flags give -EINVAL. The raw clone system
 * call (through the syscall instruction) is not supported yet: -ENOSYS.
 */
#include <kite/errno.h>
#include <kite/futex.h>
#include <kite/heap.h>
#include <kite/musl.h>
#include <kite/sys_memory.h>
#include <kite/thread.h>
#include <stdarg.h>

#define CLONE_VM 0x100
#define CLONE_FS 0x200
#define CLONE_FILES 0x400
#define CLONE_SIGHAND 0x800
#define CLONE_THREAD 0x10000
#define CLONE_SETTLS 0x80000
#define CLONE_PARENT_SETTID 0x100000
#define CLONE_CHILD_CLEARTID 0x200000
#define CLONE_NEEDED (CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD)

long arch_call_on_stack(int (*fn)(void *), void *arg, void *stack_top);

struct clone_thread {
	int (*fn)(void *);
	void *arg;
	void *stack;
	int *clear_tid;			/* CLONE_CHILD_CLEARTID, or NULL */
	void *unmap_base;		/* __unmapself: the stack mapping to free */
	size_t unmap_size;
	void *exit_frame[5];		/* __builtin_setjmp's buffer, on the kernel stack */
};

static void *clone_thread_main(void *arg)
{
	struct clone_thread *c = arg;
	current()->clone = c;
	if (__builtin_setjmp(c->exit_frame) == 0)
		arch_call_on_stack(c->fn, c->arg, c->stack); /* returns only if fn does */
	/* On the kernel stack: the program's stack, and the TLS musl keeps
	 * with it, may go now. */
	current()->clone = NULL;
	thread_drop_static_tls(current());
	if (c->unmap_base)
		sys_munmap(c->unmap_base, c->unmap_size);
	if (c->clear_tid) {
		__atomic_store_n(c->clear_tid, 0, __ATOMIC_SEQ_CST);
		futex_wake((const uint32_t *)c->clear_tid, 1);
	}
	kfree(c);
	return NULL;
}

int __clone(int (*fn)(void *), void *stack, int flags, void *arg, ...)
{
	va_list ap;
	va_start(ap, arg);
	int *parent_tid = va_arg(ap, int *);
	void *tls = va_arg(ap, void *);
	int *child_tid = va_arg(ap, int *);
	va_end(ap);

	if ((flags & CLONE_NEEDED) != CLONE_NEEDED || !(flags & CLONE_SETTLS) || !tls || !stack)
		return -EINVAL;
	struct clone_thread *c = kzalloc(sizeof(*c));
	if (!c)
		return -EAGAIN;
	*c = (struct clone_thread){ .fn = fn, .arg = arg, .stack = stack,
				    .clear_tid = (flags & CLONE_CHILD_CLEARTID) ? child_tid : NULL };
	int tid;
	struct thread_attr attr = {
		.name = "pthread",
		.detached = true,
		.thread_pointer = tls,
		.parent_tid = (flags & CLONE_PARENT_SETTID) ? parent_tid : NULL,
		.tid_out = &tid, /* t itself may be gone already: it is detached */
	};
	if (!thread_create(&attr, clone_thread_main, c)) {
		kfree(c);
		return -EAGAIN;
	}
	return tid;
}

long sys_exit(int status)
{
	struct clone_thread *c = current()->clone;
	kite_run_thread_dtors();
	if (c)
		__builtin_longjmp(c->exit_frame, 1);
	/* FIXME: the process should end with its last thread. */
	thread_exit((void *)(long)status);
}

/* musl: a detached thread frees its own stack and ends, without touching the
 * stack once it is unmapped. */
__attribute__((noreturn)) void __unmapself(void *base, size_t size)
{
	struct clone_thread *c = current()->clone;
	kite_run_thread_dtors();
	if (c) {
		c->unmap_base = base;
		c->unmap_size = size;
		__builtin_longjmp(c->exit_frame, 1);
	}
	sys_munmap(base, size);
	thread_exit(NULL);
}
