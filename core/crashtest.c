/*
 * --test-crash=KIND: deliberately breaks the kernel after the banner, so that
 * the tests can check that each kind of failure gives a clear report and its own
 * exit status. Every kind must end the run; returning here is a test failure.
 */
#include <kite/cmdline.h>
#include <kite/errno.h>
#include <kite/heap.h>
#include <kite/panic.h>
#include <kite/printk.h>
#include <kite/clock.h>
#include <kite/cpu.h>
#include <kite/spinlock.h>
#include <kite/thread.h>
#include <string.h>
#include <stdint.h>

#define CRASH_KINDS "null|wild|divzero|ud|gp|stack-overflow|thread-stack-overflow|double-fault|panic|panic-locked|assert|oom|nx|wp"

static const char *crash_kind;

/* volatile so that the compiler cannot see the fault coming and fold it away */
static volatile uintptr_t null_address = 0;
static volatile uintptr_t wild_address = 0x00007ead0000dead;
static volatile uintptr_t noncanonical_address = 0x8000000000000000;
static volatile int zero = 0;
static volatile int seven = 7;
static const uint8_t data_not_code[16] = { 0xc3 }; /* `ret`, in an NX page */

static __attribute__((noinline)) int recurse(int depth)
{
	volatile char frame[256];

	frame[0] = (char)depth;
	if (depth == zero - 1) /* never true; hides the endless recursion from the compiler */
		return 0;
	return recurse(depth + 1) + frame[0];
}

static void *overflow_thread(void *arg __unused)
{
	recurse(0);
	return NULL;
}

/* A thread of its own overflows its stack: the report names the thread. */
static void crash_thread_stack(void)
{
	struct thread_attr attr = { .name = "overflower" };
	struct thread *t = thread_create(&attr, overflow_thread, NULL);
	if (t)
		thread_join(t);
}

static spinlock_t held_lock = SPINLOCK_INIT;

static void *lock_waiter(void *arg __unused)
{
	unsigned long flags;
	spin_lock_irqsave(&held_lock, &flags); /* spins with interrupts off */
	spin_unlock_irqrestore(&held_lock, flags);
	return NULL;
}

/* A panic with a spinlock held and interrupts off, while other CPUs spin on
 * that lock with their interrupts off too: the report must still come out, and
 * the run must still end. */
static void crash_panic_locked(void)
{
	unsigned long flags;
	spin_lock_irqsave(&held_lock, &flags);
	for (unsigned i = 1; i < nr_cpus; i++) {
		struct thread_attr attr = { .name = "lock-waiter" };
		thread_create(&attr, lock_waiter, NULL);
	}
	clock_spin_ns(20 * NSEC_PER_MSEC); /* let them reach the lock */
	panic("test: --test-crash=panic-locked (holding a spinlock, interrupts off)");
}

static void crash_oom(void)
{
	size_t chunks = 0;

	/* Large blocks, then small objects, until the heap says no. */
	while (kmalloc(1 << 20))
		chunks++;
	while (kmalloc(4096))
		;
	out_of_memory("test: the heap is exhausted after %zu MiB of 1 MiB blocks", chunks);
}

void crashtest_run(void);
void arch_crash_double_fault(void);

static void run_crash(const char *kind)
{
	if (!strcmp(kind, "null"))
		*(volatile int *)null_address = 1;
	else if (!strcmp(kind, "wild"))
		(void)*(volatile int *)wild_address;
	else if (!strcmp(kind, "divzero"))
		pr_err("%d\n", seven / zero);
	else if (!strcmp(kind, "ud"))
		__builtin_trap();
	else if (!strcmp(kind, "gp"))
		(void)*(volatile int *)noncanonical_address;
	else if (!strcmp(kind, "stack-overflow"))
		recurse(0);
	else if (!strcmp(kind, "thread-stack-overflow"))
		crash_thread_stack();
	else if (!strcmp(kind, "panic-locked"))
		crash_panic_locked();
	else if (!strcmp(kind, "double-fault"))
		arch_crash_double_fault();
	else if (!strcmp(kind, "panic"))
		panic("test: --test-crash=panic");
	else if (!strcmp(kind, "assert"))
		assert(zero == 1);
	else if (!strcmp(kind, "oom"))
		crash_oom();
	else if (!strcmp(kind, "nx"))
		((void (*)(void))(uintptr_t)data_not_code)();
	else if (!strcmp(kind, "wp"))
		*(volatile uint8_t *)(uintptr_t)crashtest_run = 0xcc; /* kernel text */
}

void crashtest_run(void)
{
	if (!crash_kind)
		return;
	pr_info("kite: --test-crash=%s\n", crash_kind);
	run_crash(crash_kind);
	panic("--test-crash=%s did not crash", crash_kind);
}

static int set_crash(const char *value)
{
	static const char *const kinds[] = { "null", "wild", "divzero", "ud", "gp",
					     "stack-overflow", "thread-stack-overflow", "double-fault", "panic", "panic-locked", "assert", "oom", "nx", "wp" };

	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		if (!strcmp(value, kinds[i])) {
			crash_kind = kinds[i];
			return 0;
		}
	}
	return -EINVAL;
}
KOPT_VALUE("test-crash", set_crash, CRASH_KINDS, "crash on purpose after the banner (for tests)");
