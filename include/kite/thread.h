/*
 * Threads: each has its own stack behind a guard page, its own interrupt and
 * exception stacks (so that a handler may block or switch threads), a save area
 * for vector registers, and a musl-compatible thread pointer later (%fs).
 *
 * Lifetime: thread_create makes a runnable thread; it ends by returning from
 * its function or calling thread_exit. A joinable thread is freed by
 * thread_join; a detached one frees itself once it is off its stacks.
 */
#ifndef KITE_THREAD_H
#define KITE_THREAD_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <arch/thread.h>
#include <kite/cpu.h>
#include <kite/kstack.h>
#include <kite/list.h>
#include <kite/spinlock.h>
#include <kite/timer.h>
#include <kite/wait.h>

#define THREAD_NAME_MAX 16
#define THREAD_STACK_DEFAULT (64 * 1024)

enum thread_state {
	THREAD_RUNNABLE,	/* in a run queue, or about to be */
	THREAD_RUNNING,		/* on a CPU */
	THREAD_BLOCKED,		/* waiting; thread_wake makes it runnable */
	THREAD_DEAD,		/* exited; waiting to be joined or freed */
};

struct semaphore;

struct thread {
	struct arch_thread arch;	/* first: arch_switch saves rsp at offset 0 */
	unsigned tid;
	char name[THREAD_NAME_MAX];

	/* Scheduling: the fields below change under the run-queue lock of `cpu`. */
	enum thread_state state;
	bool on_cpu;			/* still on a CPU (its registers not yet saved) */
	struct cpu *cpu;		/* the CPU whose queue holds it, or last ran it */
	struct list rq_node;
	uint64_t vruntime;		/* weighted ns of CPU time, for fairness */
	unsigned weight;		/* from the nice value: 1024 at nice 0 */
	int nice;
	uint64_t affinity;		/* CPUs it may run on, a bit per CPU id */
	uint64_t run_start_ns;		/* when it last got the CPU */
	uint64_t cpu_time_ns;		/* CPU time used */
	uint64_t cpus_used;		/* a bit per CPU it has run on */
	bool move_after_switch;		/* leaving a CPU its affinity no longer allows */

	/* Waiting. */
	struct timer wake_timer;	/* for timeouts */
	bool timed_out;			/* the last block ended by timeout */

	/* Lifetime; lock protects the flags. */
	spinlock_t lock;
	bool detached, reapable;
	struct wait_queue exit_wq;	/* joiners */
	void *(*entry)(void *);
	void *arg;
	void *exit_value;

	/* Memory: thread, interrupt and exception stacks (empty for adopted
	 * threads, which run on stacks of their own). */
	struct kstack stacks[3];
	void *libc_desc;		/* musl's thread descriptor, at %fs */
	bool has_static_tls;		/* room below libc_desc for the program's TLS */
	void *libc_area;		/* the thread's own descriptor and static TLS */
	size_t libc_area_size;
	void *clone;			/* threads made by clone: libc/clone.c's state */
	void *tls_dtors;		/* thread_local destructors (libc/thread_dtors.c) */
	struct semaphore *net_sem;	/* lwIP's per-thread semaphore (net/lwip/sys_arch.c), or NULL */

	/* Signals (libc/sys_signal.c): only the thread itself touches these. */
	uint64_t signal_mask;		/* blocked signals, bit sig - 1 */
	void *altstack_sp;		/* sigaltstack; size 0: none */
	size_t altstack_size;
	struct list all_node;		/* in the list of all threads */
};

enum { STACK_THREAD, STACK_INTERRUPT, STACK_EXCEPTION };

struct thread_attr {
	const char *name;	/* optional */
	size_t stack_size;	/* 0: THREAD_STACK_DEFAULT */
	uint64_t affinity;	/* 0: every CPU */
	int nice;		/* -20 .. 19 */
	bool detached;
	/* A descriptor (and TLS) made by the creator, who also frees it: %fs
	 * for the thread (clone's CLONE_SETTLS). NULL: the thread's own. */
	void *thread_pointer;
	/* Where to write the new thread's id before it can run, or NULL
	 * (clone's CLONE_PARENT_SETTID, and the creator's own copy: a
	 * detached thread may be gone before thread_create returns). */
	int *parent_tid;
	int *tid_out;
};

/* A new runnable thread running fn(arg); NULL when out of memory. */
struct thread *thread_create(const struct thread_attr *attr, void *(*fn)(void *), void *arg);
__noreturn void thread_exit(void *value);
/* Waits for t to end, frees it and returns its value. */
void *thread_join(struct thread *t);
void thread_detach(struct thread *t);

void thread_set_affinity(struct thread *t, uint64_t mask);
void thread_set_nice(struct thread *t, int nice);

/* Calls fn(thread pointer, arg) for every thread that has room for the
 * program's static TLS, under the thread list's lock (fn must not sleep). */
void thread_for_each_thread_pointer(void (*fn)(void *thread_pointer, void *arg), void *arg);
/* The thread's TLS is going away (its program stack is freed): leave it out. */
void thread_drop_static_tls(struct thread *t);
/* Prints every thread: id, name, state, CPU, time used. */
void thread_list_print(void);
/* Prints where each blocked thread waits (a backtrace each). */
void thread_stacks_print(void);

/* Frees the stacks kept for reuse by thread_create. */
void thread_cache_drain(void);

/* Threads alive now (created, not yet freed). */
unsigned thread_count(void);

/* CPU time of a thread (the running one up to now), and of every thread but the idle ones. */
uint64_t thread_cpu_time_ns(struct thread *t);
uint64_t threads_cpu_time_ns(void);

/* The idle thread of CPU c (not queued: the scheduler runs it when nothing else). */
struct thread *thread_create_idle(struct cpu *c);

/* Makes code that already runs on a stack of its own a thread (boot, CPU start). */
struct thread *thread_adopt(const char *name, uintptr_t istack_top, uintptr_t xstack_top);

#endif
