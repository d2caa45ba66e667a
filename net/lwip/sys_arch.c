/*
 * lwIP's operating-system layer on Kite: semaphores, mutexes and mailboxes
 * on Kite's, threads as Kite threads, time from the monotonic clock, and the
 * short critical sections (SYS_ARCH_PROTECT) as a lock taken with interrupts
 * off, re-entrant on the CPU that holds it, as lwIP requires.
 */
#include <arch/irq.h>
#include <kite/clock.h>
#include <kite/cpu.h>
#include <kite/errno.h>
#include <kite/format.h>
#include <kite/heap.h>
#include <kite/panic.h>
#include <kite/printk.h>
#include <kite/spinlock.h>
#include <kite/sync.h>
#include <kite/thread.h>
#include <stdarg.h>
#include <string.h>
#include "lwip/sys.h"
#include "lwip/tcpip.h"
#include "lwip/timeouts.h"
#include "../net.h"

#define NSEC_PER_MSEC 1000000ULL

u32_t sys_now(void)
{
	return (u32_t)(clock_monotonic_ns() / NSEC_PER_MSEC);
}

void sys_init(void)
{
}

/* An lwIP timeout in ms (0: for ever) as a deadline. */
static uint64_t deadline_of(u32_t timeout_ms)
{
	return timeout_ms ? clock_monotonic_ns() + timeout_ms * NSEC_PER_MSEC : DEADLINE_NONE;
}

static u32_t elapsed_ms(uint64_t start)
{
	return (u32_t)((clock_monotonic_ns() - start) / NSEC_PER_MSEC);
}

/* --- semaphores and mutexes --- */

err_t sys_sem_new(sys_sem_t *sem, u8_t count)
{
	*sem = kmalloc(sizeof(**sem));
	if (!*sem)
		return ERR_MEM;
	semaphore_init(*sem, count);
	return ERR_OK;
}

void sys_sem_free(sys_sem_t *sem)
{
	kfree(*sem);
	*sem = NULL;
}

void sys_sem_signal(sys_sem_t *sem)
{
	semaphore_up(*sem);
}

u32_t sys_arch_sem_wait(sys_sem_t *sem, u32_t timeout_ms)
{
	uint64_t start = clock_monotonic_ns();
	if (semaphore_down(*sem, deadline_of(timeout_ms)))
		return SYS_ARCH_TIMEOUT;
	return elapsed_ms(start);
}

err_t sys_mutex_new(sys_mutex_t *m)
{
	*m = kmalloc(sizeof(**m));
	if (!*m)
		return ERR_MEM;
	mutex_init(*m);
	return ERR_OK;
}

void sys_mutex_free(sys_mutex_t *m)
{
	kfree(*m);
	*m = NULL;
}

void sys_mutex_lock(sys_mutex_t *m)
{
	mutex_lock(*m);
}

void sys_mutex_unlock(sys_mutex_t *m)
{
	mutex_unlock(*m);
}

/* --- lwIP's core lock, and waking lwIP's thread for timeouts ---
 *
 * With core locking, other threads run lwIP's code too (sockets, net
 * channels), and some of it adds timeouts: TCP's timer, the channel sweeper.
 * lwIP's thread works out how long to sleep before it lets the lock go, so a
 * timeout added meanwhile that falls due sooner would wait until a message
 * happens to wake it, and with net channels few do. So a thread letting the
 * lock go sends it an empty message when the first timeout is now earlier
 * than the time it sleeps until. */

static struct thread *tcpip_thread;	/* lwIP's own */
static bool tcpip_asleep;		/* these three under the core lock */
static bool tcpip_sleeps_for_ever;
static u32_t tcpip_wakes_at;		/* sys_now() time */

void kite_lock_tcpip_core(void)
{
	sys_mutex_lock(&lock_tcpip_core);
	if (current() == tcpip_thread)
		tcpip_asleep = false;
}

static void nothing(void *arg)
{
	(void)arg;
}

void kite_unlock_tcpip_core(void)
{
	u32_t sleep = sys_timeouts_sleeptime();
	bool wake = false;
	if (current() == tcpip_thread) {
		/* It is about to sleep as long as this says. */
		tcpip_asleep = true;
		tcpip_sleeps_for_ever = sleep == SYS_TIMEOUTS_SLEEPTIME_INFINITE;
		tcpip_wakes_at = sys_now() + sleep;
	} else if (tcpip_asleep && sleep != SYS_TIMEOUTS_SLEEPTIME_INFINITE) {
		u32_t due = sys_now() + sleep;
		if (tcpip_sleeps_for_ever || (s32_t)(due - tcpip_wakes_at) < 0) {
			tcpip_sleeps_for_ever = false;
			tcpip_wakes_at = due;
			wake = true;
		}
	}
	sys_mutex_unlock(&lock_tcpip_core);
	if (wake)
		tcpip_try_callback(nothing, NULL);
}

sys_sem_t *lwip_thread_semaphore(void)
{
	struct thread *t = current();
	if (!t->net_sem) {
		sys_sem_t sem;
		if (sys_sem_new(&sem, 0) != ERR_OK)
			panic("lwip: no memory for a thread's semaphore");
		t->net_sem = sem;
	}
	return (sys_sem_t *)&t->net_sem;
}

/* --- mailboxes: a ring of pointers --- */

struct sys_mbox_state {
	void **slots;
	unsigned size, head, count;
	struct mutex lock;
	struct condvar not_empty, not_full;
};

err_t sys_mbox_new(sys_mbox_t *mbox, int size)
{
	struct sys_mbox_state *b = kzalloc(sizeof(*b));
	if (size <= 0)
		size = 128;
	void **slots = kmalloc((size_t)size * sizeof(void *));
	if (!b || !slots) {
		kfree(b);
		kfree(slots);
		return ERR_MEM;
	}
	b->slots = slots;
	b->size = (unsigned)size;
	mutex_init(&b->lock);
	condvar_init(&b->not_empty);
	condvar_init(&b->not_full);
	*mbox = b;
	return ERR_OK;
}

unsigned lwip_mbox_waiting(sys_mbox_t *mbox)
{
	return *mbox ? __atomic_load_n(&(*mbox)->count, __ATOMIC_RELAXED) : 0;
}

void sys_mbox_free(sys_mbox_t *mbox)
{
	if ((*mbox)->count)
		pr_warn("kite: lwip: a mailbox freed with %u messages in it\n", (*mbox)->count);
	kfree((*mbox)->slots);
	kfree(*mbox);
	*mbox = NULL;
}

static void put(struct sys_mbox_state *b, void *msg)
{
	b->slots[(b->head + b->count) % b->size] = msg;
	b->count++;
	condvar_signal(&b->not_empty);
}

void sys_mbox_post(sys_mbox_t *mbox, void *msg)
{
	struct sys_mbox_state *b = *mbox;
	mutex_lock(&b->lock);
	while (b->count == b->size)
		condvar_wait(&b->not_full, &b->lock, DEADLINE_NONE);
	put(b, msg);
	mutex_unlock(&b->lock);
}

err_t sys_mbox_trypost(sys_mbox_t *mbox, void *msg)
{
	struct sys_mbox_state *b = *mbox;
	mutex_lock(&b->lock);
	if (b->count == b->size) {
		mutex_unlock(&b->lock);
		return ERR_MEM;
	}
	put(b, msg);
	mutex_unlock(&b->lock);
	return ERR_OK;
}

err_t sys_mbox_trypost_fromisr(sys_mbox_t *mbox, void *msg)
{
	return sys_mbox_trypost(mbox, msg);
}

static u32_t fetch(struct sys_mbox_state *b, void **msg, u32_t timeout_ms, bool wait)
{
	uint64_t start = clock_monotonic_ns(), deadline = deadline_of(timeout_ms);
	mutex_lock(&b->lock);
	while (b->count == 0) {
		if (!wait || condvar_wait(&b->not_empty, &b->lock, deadline) == -ETIMEDOUT) {
			if (b->count)
				break;
			mutex_unlock(&b->lock);
			return wait ? SYS_ARCH_TIMEOUT : SYS_MBOX_EMPTY;
		}
	}
	void *m = b->slots[b->head];
	b->head = (b->head + 1) % b->size;
	b->count--;
	condvar_signal(&b->not_full);
	mutex_unlock(&b->lock);
	if (msg)
		*msg = m;
	return wait ? elapsed_ms(start) : 0;
}

static struct sys_mbox_state *tcpip_mbox;	/* lwIP's thread's, for lwip_print_state */

u32_t sys_arch_mbox_fetch(sys_mbox_t *mbox, void **msg, u32_t timeout_ms)
{
	if (current() == tcpip_thread)
		tcpip_mbox = *mbox;
	return fetch(*mbox, msg, timeout_ms, true);
}

void lwip_print_state(void)
{
	if (!lock_tcpip_core)
		return; /* not started */
	pr_report("lwip: core lock %s; its thread %s, %u messages waiting\n",
		__atomic_load_n(&lock_tcpip_core->state, __ATOMIC_RELAXED) ? "taken" : "free",
		!tcpip_asleep ? "awake" : tcpip_sleeps_for_ever ? "asleep for ever" : "asleep",
		tcpip_mbox ? __atomic_load_n(&tcpip_mbox->count, __ATOMIC_RELAXED) : 0);
	if (tcpip_asleep && !tcpip_sleeps_for_ever)
		pr_report("  it wakes in %d ms\n", (int)(s32_t)(tcpip_wakes_at - sys_now()));
}

u32_t sys_arch_mbox_tryfetch(sys_mbox_t *mbox, void **msg)
{
	return fetch(*mbox, msg, 0, false);
}

/* --- threads --- */

struct thread_start {
	lwip_thread_fn fn;
	void *arg;
};

static void *lwip_thread(void *p)
{
	struct thread_start s = *(struct thread_start *)p;
	kfree(p);
	s.fn(s.arg);
	return NULL;
}

sys_thread_t sys_thread_new(const char *name, lwip_thread_fn fn, void *arg, int stacksize, int prio)
{
	(void)prio;
	struct thread_start *s = kmalloc(sizeof(*s));
	if (!s)
		panic("lwip: no memory for thread '%s'", name);
	*s = (struct thread_start){ fn, arg };
	struct thread_attr attr = { .name = name, .stack_size = stacksize > 0 ? (size_t)stacksize : 0,
				    .detached = true };
	struct thread *t = thread_create(&attr, lwip_thread, s);
	if (!t)
		panic("lwip: cannot start thread '%s'", name);
	if (!strcmp(name, TCPIP_THREAD_NAME))
		tcpip_thread = t;
	return t;
}

/* --- SYS_ARCH_PROTECT --- */

static spinlock_t protect_lock = SPINLOCK_INIT;
static int protect_owner = -1;	/* the CPU that holds it */
static int protect_depth;

sys_prot_t sys_arch_protect(void)
{
	unsigned long flags = local_irq_save();
	int cpu = (int)cpu_current_id();
	if (__atomic_load_n(&protect_owner, __ATOMIC_RELAXED) == cpu) {
		protect_depth++;
		return flags;
	}
	spin_lock(&protect_lock);
	protect_owner = cpu;
	protect_depth = 1;
	return flags;
}

void sys_arch_unprotect(sys_prot_t flags)
{
	if (--protect_depth == 0) {
		__atomic_store_n(&protect_owner, -1, __ATOMIC_RELAXED);
		spin_unlock(&protect_lock);
	}
	local_irq_restore(flags);
}

/* --- diagnostics --- */

void lwip_platform_assert(const char *message, const char *file, int line)
{
	panic("lwip: assertion \"%s\" failed at %s:%d", message, file, line);
}

void lwip_platform_diag(const char *fmt, ...)
{
	char line[256];
	va_list ap;
	va_start(ap, fmt);
	kvsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	pr_info("lwip: %s", line);
}
