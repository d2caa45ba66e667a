/*
 * Threads (see thread.h): creation, exit, join, detach, the list of all
 * threads. The scheduler (sched.c) decides who runs.
 *
 * A thread's memory: its stack and its interrupt and exception stacks, each
 * vmalloc'ed behind a guard page and registered for crash reports, plus the
 * vector-register save area. A dead thread cannot free the stacks it is
 * running on: a joinable one is freed by its joiner once it is off its CPU, a
 * detached one goes to the zombie list that the idle loop empties.
 */
#include <arch/fpu.h>
#include <kite/clock.h>
#include <kite/errno.h>
#include <kite/format.h>
#include <kite/heap.h>
#include <kite/kstack.h>
#include <kite/kva.h>
#include <kite/memlayout.h>
#include <kite/musl.h>
#include <kite/random.h>
#include <kite/panic.h>
#include <kite/printk.h>
#include <kite/sched.h>
#include <kite/thread.h>
#include <string.h>

#define IRQ_STACK_SIZE (16 * 1024)

static spinlock_t threads_lock = SPINLOCK_INIT;
static struct list all_threads = LIST_INIT(all_threads);	/* threads_lock */
static struct list zombies = LIST_INIT(zombies);		/* threads_lock; reuses all_node */
static uint64_t exited_cpu_time_ns;				/* threads_lock */
static unsigned next_tid = 1;					/* threads_lock */
static unsigned nr_threads;					/* threads_lock */

static unsigned weight_of(int nice)
{
	/* Each nice step is about 1.25 times the CPU share (as in Linux). */
	unsigned w = 1024;
	for (int i = 0; i < nice; i++)
		w = w * 4 / 5;
	for (int i = 0; i > nice; i--)
		w = w * 5 / 4;
	return w ? w : 1;
}

/* A stack behind a guard page, registered for crash reports in *ks. */
static void *stack_alloc(struct thread *t, struct kstack *ks, size_t size, const char *what)
{
	void *p = vmalloc(size, PAGE_SIZE, true);
	if (!p)
		return NULL;
	*ks = (struct kstack){ .name = t->name, .what = what, .bottom = (uintptr_t)p,
			       .top = (uintptr_t)p + size };
	kstack_register(ks);
	return p;
}

static void stack_free(struct kstack *ks)
{
	if (!ks->bottom)
		return;
	kstack_unregister(ks);
	vfree((void *)ks->bottom, ks->top - ks->bottom, PAGE_SIZE, true);
	ks->bottom = 0;
}

/*
 * A freed thread with the default stack size keeps its stacks and save area in
 * a small cache, and the next thread_create takes them back: no page mapping,
 * no TLB shootdown, in the common case of threads that come and go.
 */
#define SHELL_CACHE_MAX 64
static struct list shell_cache = LIST_INIT(shell_cache); /* threads_lock; via all_node */
static unsigned nr_cached;				 /* threads_lock */

static bool cacheable(const struct thread *t)
{
	const struct kstack *ks = &t->stacks[STACK_THREAD];
	return ks->bottom && ks->top - ks->bottom == THREAD_STACK_DEFAULT;
}

static void release_memory(struct thread *t)
{
	stack_free(&t->stacks[STACK_THREAD]);
	stack_free(&t->stacks[STACK_INTERRUPT]);
	stack_free(&t->stacks[STACK_EXCEPTION]);
	kfree(t->arch.fpu);
	kfree(t->libc_area);
	kfree(t->net_sem);
	kfree(t);
}

static void thread_free(struct thread *t)
{
	spin_lock(&threads_lock);
	exited_cpu_time_ns += t->cpu_time_ns;
	list_remove(&t->all_node);
	nr_threads--;
	if (cacheable(t) && nr_cached < SHELL_CACHE_MAX) {
		list_push_back(&shell_cache, &t->all_node);
		nr_cached++;
		spin_unlock(&threads_lock);
		return;
	}
	spin_unlock(&threads_lock);
	release_memory(t);
}

/* A cached thread, its fields cleared but its stacks and save area kept; or NULL. */
static struct thread *shell_take(void)
{
	spin_lock(&threads_lock);
	if (list_empty(&shell_cache)) {
		spin_unlock(&threads_lock);
		return NULL;
	}
	struct thread *t = list_first(&shell_cache, struct thread, all_node);
	list_remove(&t->all_node);
	nr_cached--;
	spin_unlock(&threads_lock);

	struct kstack stacks[3];
	struct arch_thread arch = t->arch;
	void *libc_area = t->libc_area;
	size_t libc_area_size = t->libc_area_size;
	kfree(t->net_sem);
	memcpy(stacks, t->stacks, sizeof(stacks));
	memset(t, 0, sizeof(*t));
	memcpy(t->stacks, stacks, sizeof(stacks)); /* same addresses: list links stay valid */
	t->libc_area = libc_area;
	t->libc_area_size = libc_area_size;
	t->arch.fpu = arch.fpu;
	t->arch.istack_top = arch.istack_top;
	t->arch.xstack_top = arch.xstack_top;
	return t;
}

/* Empties the cache (for memory figures that should not count it). */
void thread_cache_drain(void)
{
	for (;;) {
		struct thread *t = shell_take();
		if (!t)
			return;
		release_memory(t);
	}
}

static void wake_timer_fired(struct timer *timer)
{
	struct thread *t = container_of(timer, struct thread, wake_timer);
	t->timed_out = true;
	thread_wake(t);
}

/* The thread's own musl descriptor and static TLS at %fs (errno,
 * pthread_self(), the canary at %fs:0x28, the program's TLS), or the one its
 * creator made. The area grows once the loader has laid out the TLS. */
static int set_thread_pointer(struct thread *t, void *given)
{
	if (given) {
		t->libc_desc = given;
	} else {
		size_t size = kite_musl_area_size();
		if (t->libc_area_size < size) {
			void *area = kmalloc(size);
			if (!area)
				return -ENOMEM;
			kfree(t->libc_area);
			t->libc_area = area;
			t->libc_area_size = size;
		}
		memset(t->libc_area, 0, size);
		t->libc_desc = kite_musl_descriptor_init(t->libc_area, (int)t->tid, random_u64() << 8);
	}
	t->arch.fs_base = (uintptr_t)t->libc_desc;
	/* A descriptor given by musl's pthread_create was sized for the
	 * program's TLS; the thread's own has room once the layout is final. */
	t->has_static_tls = given || kite_tls_frozen();
	return 0;
}

void thread_for_each_thread_pointer(void (*fn)(void *thread_pointer, void *arg), void *arg)
{
	spin_lock(&threads_lock);
	list_for_each(pos, &all_threads) {
		struct thread *t = list_entry(pos, struct thread, all_node);
		if (t->has_static_tls)
			fn(t->libc_desc, arg);
	}
	spin_unlock(&threads_lock);
}

void thread_drop_static_tls(struct thread *t)
{
	spin_lock(&threads_lock);
	t->has_static_tls = false;
	spin_unlock(&threads_lock);
}

/* The parts common to new threads and the boot thread: fields, the vector save
 * area, a thread id and a place in the list. */
static void thread_init(struct thread *t, const char *name, int nice, uint64_t affinity)
{
	strlcpy(t->name, name ? name : "thread", sizeof(t->name));
	t->nice = nice < -20 ? -20 : nice > 19 ? 19 : nice;
	t->weight = weight_of(t->nice);
	t->affinity = affinity ? affinity : ~0ULL;
	list_init(&t->rq_node);
	spin_init(&t->lock);
	wait_queue_init(&t->exit_wq);
	timer_init(&t->wake_timer, wake_timer_fired);
	fpu_area_init(t->arch.fpu);
	spin_lock(&threads_lock);
	t->tid = next_tid++;
	list_push_back(&all_threads, &t->all_node);
	nr_threads++;
	spin_unlock(&threads_lock);
}

static struct thread *thread_new(const char *name, int nice, uint64_t affinity)
{
	struct thread *t = kzalloc(sizeof(*t));
	if (!t)
		return NULL;
	/* XSAVE needs 64-byte alignment: heap classes that are multiples of 64
	 * bytes hand out 64-byte aligned objects. */
	t->arch.fpu = kmalloc(fpu_area_size());
	if (!t->arch.fpu) {
		kfree(t);
		return NULL;
	}
	assert(((uintptr_t)t->arch.fpu & 63) == 0);
	thread_init(t, name, nice, affinity);
	return t;
}

/* A thread with its stacks, ready to run fn(arg), but not handed to the scheduler. */
static struct thread *thread_build(const struct thread_attr *attr, void *(*fn)(void *), void *arg)
{
	static const struct thread_attr defaults;
	if (!attr)
		attr = &defaults;
	size_t stack_size = PAGE_ALIGN_UP(attr->stack_size ? attr->stack_size : THREAD_STACK_DEFAULT);
	struct thread *t = stack_size == THREAD_STACK_DEFAULT ? shell_take() : NULL;
	if (t) {
		thread_init(t, attr->name, attr->nice, attr->affinity);
		goto ready;
	}
	t = thread_new(attr->name, attr->nice, attr->affinity);
	if (!t)
		return NULL;
	void *stack = stack_alloc(t, &t->stacks[STACK_THREAD], stack_size, "thread");
	void *istack = stack_alloc(t, &t->stacks[STACK_INTERRUPT], IRQ_STACK_SIZE, "interrupt");
	void *xstack = stack_alloc(t, &t->stacks[STACK_EXCEPTION], IRQ_STACK_SIZE, "exception");
	if (!stack || !istack || !xstack) {
		thread_free(t);
		return NULL;
	}
	t->arch.istack_top = t->stacks[STACK_INTERRUPT].top;
	t->arch.xstack_top = t->stacks[STACK_EXCEPTION].top;
ready:
	if (set_thread_pointer(t, attr->thread_pointer)) {
		thread_free(t);
		return NULL;
	}
	if (attr->parent_tid)
		*attr->parent_tid = (int)t->tid;
	if (attr->tid_out)
		*attr->tid_out = (int)t->tid;
	t->entry = fn;
	t->arg = arg;
	t->detached = attr->detached;
	arch_thread_init_stack(&t->arch, t->stacks[STACK_THREAD].top, t);
	return t;
}

struct thread *thread_create(const struct thread_attr *attr, void *(*fn)(void *), void *arg)
{
	thread_reap_zombies(); /* dead detached threads first: their shells get reused */
	struct thread *t = thread_build(attr, fn, arg);
	if (t)
		sched_enqueue_new(t);
	return t;
}

static void *idle_entry(void *arg __unused)
{
	sched_idle_loop();
}

struct thread *thread_create_idle(struct cpu *c)
{
	char name[THREAD_NAME_MAX];
	ksnprintf(name, sizeof(name), "idle%u", c->id);
	struct thread_attr attr = { .name = name, .stack_size = 16 * 1024, .affinity = 1ULL << c->id };
	struct thread *t = thread_build(&attr, idle_entry, NULL);
	if (!t)
		out_of_memory("no memory for CPU %u's idle thread", c->id);
	t->cpu = c;
	t->state = THREAD_RUNNABLE;
	return t;
}

/* A new thread's first code, reached from arch_switch (see arch/thread.c). */
__noreturn void thread_start(struct thread *t)
{
	sched_finish_switch();
	local_irq_enable();
	preempt_enable_no_resched();
	thread_exit(t->entry(t->arg));
}

__noreturn void thread_exit(void *value)
{
	struct thread *t = current();

	t->exit_value = value;
	/* A preemption between these two lines is harmless: it too would switch
	 * away from a DEAD thread for good. */
	t->state = THREAD_DEAD;
	schedule(); /* never returns: DEAD threads are not queued */
	panic("a dead thread was scheduled");
}

/* Called by sched_finish_switch on the CPU the dead thread just left: from here
 * on nothing runs on its stacks. */
void thread_reap_later(struct thread *t)
{
	spin_lock(&t->lock);
	t->reapable = true;
	bool detached = t->detached;
	spin_unlock(&t->lock);
	if (detached) {
		spin_lock(&threads_lock);
		list_remove(&t->all_node);
		list_push_back(&zombies, &t->all_node);
		spin_unlock(&threads_lock);
	} else {
		wait_queue_wake(&t->exit_wq, -1);
	}
}

/* Frees detached dead threads; runs with interrupts on (vfree may need other CPUs). */
void thread_reap_zombies(void)
{
	for (;;) {
		spin_lock(&threads_lock);
		if (list_empty(&zombies)) {
			spin_unlock(&threads_lock);
			return;
		}
		struct thread *t = list_first(&zombies, struct thread, all_node);
		list_remove(&t->all_node);
		list_push_back(&all_threads, &t->all_node); /* thread_free unlinks it */
		spin_unlock(&threads_lock);
		thread_free(t);
	}
}

void *thread_join(struct thread *t)
{
	unsigned long flags;

	spin_lock_irqsave(&t->exit_wq.lock, &flags);
	while (!__atomic_load_n(&t->reapable, __ATOMIC_ACQUIRE))
		wait_queue_sleep(&t->exit_wq, &flags, DEADLINE_NONE);
	spin_unlock_irqrestore(&t->exit_wq.lock, flags);
	void *value = t->exit_value;
	thread_free(t);
	return value;
}

void thread_detach(struct thread *t)
{
	spin_lock(&t->lock);
	bool dead = t->reapable;
	t->detached = true;
	spin_unlock(&t->lock);
	if (dead)
		thread_free(t);
}

void thread_set_affinity(struct thread *t, uint64_t mask)
{
	t->affinity = mask ? mask : ~0ULL;
	/* Takes effect at the next scheduling decision; a running thread moves
	 * itself by yielding. */
	if (t == current() && !(mask & (1ULL << cpu_current_id())))
		sched_migrate_self();
}

void thread_set_nice(struct thread *t, int nice)
{
	t->nice = nice < -20 ? -20 : nice > 19 ? 19 : nice;
	t->weight = weight_of(t->nice);
}

uint64_t thread_cpu_time_ns(struct thread *t)
{
	preempt_disable();	/* the scheduler charges the running thread as it switches */
	uint64_t ns = t->cpu_time_ns;
	if (t == current())
		ns += clock_monotonic_ns() - t->run_start_ns;
	preempt_enable();
	return ns;
}

uint64_t threads_cpu_time_ns(void)
{
	spin_lock(&threads_lock);
	uint64_t ns = exited_cpu_time_ns;
	list_for_each(pos, &all_threads) {
		struct thread *t = list_entry(pos, struct thread, all_node);
		if (!t->cpu || t != t->cpu->idle)
			ns += t->cpu_time_ns;
	}
	spin_unlock(&threads_lock);
	return ns - current()->cpu_time_ns + thread_cpu_time_ns(current());
}

unsigned thread_count(void)
{
	return __atomic_load_n(&nr_threads, __ATOMIC_RELAXED);
}

static const char *state_name(enum thread_state s)
{
	switch (s) {
	case THREAD_RUNNABLE: return "runnable";
	case THREAD_RUNNING: return "running";
	case THREAD_BLOCKED: return "blocked";
	case THREAD_DEAD: return "dead";
	}
	return "?";
}

/* No lock: it runs in crash reports too, where a lock may be held forever. */
void thread_list_print(void)
{
	pr_err("threads:\n  %5s %-16s %-9s %3s %12s\n", "tid", "name", "state", "cpu", "cpu time ms");
	int shown = 0;
	list_for_each(pos, &all_threads) {
		struct thread *t = list_entry(pos, struct thread, all_node);
		if (shown++ == 64) {
			pr_err("  ... and more\n");
			break;
		}
		pr_err("  %5u %-16s %-9s %3u %12lu\n", t->tid, t->name, state_name(t->state),
		       t->cpu ? t->cpu->id : 0, t->cpu_time_ns / 1000000);
	}
}

/* Where each blocked thread waits, for the console's status key: its
 * backtrace from the registers arch_switch saved on its stack. Racy without a
 * lock, like the list above, and only for looking at. */
void thread_stacks_print(void)
{
	list_for_each(pos, &all_threads) {
		struct thread *t = list_entry(pos, struct thread, all_node);
		if (t->state != THREAD_BLOCKED)
			continue;
		/* arch_switch pushed rbp, rbx, r12-r15 and 8 bytes of FPU control
		 * words below its return address. */
		const uintptr_t *saved = *(uintptr_t *const *)&t->arch;
		pr_err("thread %u (%s) waits in:\n", t->tid, t->name);
		backtrace_print(saved[7], saved[6]);
	}
}

/* Code already running on a stack of its own becomes a thread: the boot code
 * (thread "main", on the boot stack and the boot CPU's static IST stacks), and
 * each CPU's start-up code, which becomes its idle thread. */
struct thread *thread_adopt(const char *name, uintptr_t istack_top, uintptr_t xstack_top)
{
	struct thread *t = thread_new(name, 0, 0);
	if (!t || set_thread_pointer(t, NULL))
		out_of_memory("no memory for the '%s' thread", name);
	t->arch.istack_top = istack_top;
	t->arch.xstack_top = xstack_top;
	return t;
}
