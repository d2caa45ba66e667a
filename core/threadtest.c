/*
 * --selftest=threads: the scheduler and synchronization inside the guest, on
 * however many CPUs it has. Each check panics with its reason on failure (a
 * distinct exit status); a hang is caught by the test harness's timeout.
 */
#include <kite/clock.h>
#include <kite/errno.h>
#include <kite/frame.h>
#include <kite/futex.h>
#include <kite/heap.h>
#include <kite/panic.h>
#include <kite/printk.h>
#include <kite/sched.h>
#include <kite/sync.h>
#include <kite/thread.h>

#define check(cond, ...)                                                       \
	do {                                                                   \
		if (!(cond))                                                   \
			panic("selftest: " __VA_ARGS__);                       \
	} while (0)

static struct thread *spawn(const char *name, void *(*fn)(void *), void *arg)
{
	struct thread_attr attr = { .name = name };
	struct thread *t = thread_create(&attr, fn, arg);
	check(t, "cannot create thread '%s'", name);
	return t;
}

static uint64_t ms(uint64_t n)
{
	return n * NSEC_PER_MSEC;
}

/* --- a counter under a mutex, with yields inside the critical section --- */
#define COUNTER_THREADS 8
#define COUNTER_ROUNDS 2000
static struct mutex counter_lock;
static volatile long counter;

static void *counter_worker(void *arg)
{
	for (int i = 0; i < COUNTER_ROUNDS; i++) {
		mutex_lock(&counter_lock);
		long v = counter;
		if (i % 128 == (long)arg)
			thread_yield(); /* invite another thread into the section */
		counter = v + 1;
		mutex_unlock(&counter_lock);
	}
	return NULL;
}

static void test_mutex(void)
{
	struct thread *t[COUNTER_THREADS];
	mutex_init(&counter_lock);
	counter = 0;
	for (long i = 0; i < COUNTER_THREADS; i++)
		t[i] = spawn("counter", counter_worker, (void *)i);
	for (int i = 0; i < COUNTER_THREADS; i++)
		thread_join(t[i]);
	check(counter == COUNTER_THREADS * COUNTER_ROUNDS, "mutex: counter %ld, expected %d", counter,
	      COUNTER_THREADS * COUNTER_ROUNDS);
	uint64_t start = clock_monotonic_ns();
	mutex_lock(&counter_lock);
	check(!mutex_trylock(&counter_lock), "mutex: trylock took a held mutex");
	check(mutex_lock_deadline(&counter_lock, start + ms(10)) == -ETIMEDOUT, "mutex: no timeout");
	check(clock_monotonic_ns() - start >= ms(10), "mutex: timed out early");
	mutex_unlock(&counter_lock);
	pr_info("selftest: mutex: %d threads x %d increments: ok\n", COUNTER_THREADS, COUNTER_ROUNDS);
}

/* --- producer/consumer on a condition variable --- */
#define RING 16
#define ITEMS 5000
static struct mutex ring_lock;
static struct condvar not_empty, not_full;
static long ring[RING];
static int ring_head, ring_count;
static long consumed_sum, consumed_count;

static void *producer(void *arg __unused)
{
	for (long v = 1; v <= ITEMS; v++) {
		mutex_lock(&ring_lock);
		while (ring_count == RING)
			condvar_wait(&not_full, &ring_lock, DEADLINE_NONE);
		ring[(ring_head + ring_count++) % RING] = v;
		condvar_signal(&not_empty);
		mutex_unlock(&ring_lock);
	}
	return NULL;
}

static void *consumer(void *arg __unused)
{
	for (;;) {
		mutex_lock(&ring_lock);
		while (ring_count == 0)
			condvar_wait(&not_empty, &ring_lock, DEADLINE_NONE);
		long v = ring[ring_head];
		ring_head = (ring_head + 1) % RING;
		ring_count--;
		if (v > 0) {
			consumed_sum += v;
			consumed_count++;
		}
		condvar_signal(&not_full);
		mutex_unlock(&ring_lock);
		if (v < 0)
			return NULL; /* the end marker */
	}
}

static void test_condvar(void)
{
	mutex_init(&ring_lock);
	condvar_init(&not_empty);
	condvar_init(&not_full);
	struct thread *p = spawn("producer", producer, NULL);
	struct thread *c1 = spawn("consumer", consumer, NULL);
	struct thread *c2 = spawn("consumer", consumer, NULL);
	thread_join(p);
	for (int i = 0; i < 2; i++) { /* one end marker per consumer */
		mutex_lock(&ring_lock);
		while (ring_count == RING)
			condvar_wait(&not_full, &ring_lock, DEADLINE_NONE);
		ring[(ring_head + ring_count++) % RING] = -1;
		condvar_broadcast(&not_empty);
		mutex_unlock(&ring_lock);
	}
	thread_join(c1);
	thread_join(c2);
	check(consumed_count == ITEMS && consumed_sum == (long)ITEMS * (ITEMS + 1) / 2,
	      "condvar: consumed %ld items summing %ld", consumed_count, consumed_sum);
	mutex_lock(&ring_lock);
	uint64_t start = clock_monotonic_ns();
	check(condvar_wait(&not_empty, &ring_lock, start + ms(10)) == -ETIMEDOUT, "condvar: no timeout");
	check(!mutex_trylock(&ring_lock), "condvar: the mutex is not held after a timeout");
	mutex_unlock(&ring_lock);
	pr_info("selftest: condvar: producer and 2 consumers, %d items: ok\n", ITEMS);
}

/* --- semaphores: ping-pong --- */
#define PINGS 1000
static struct semaphore ping, pong;
static volatile int volleys;

static void *ponger(void *arg __unused)
{
	for (int i = 0; i < PINGS; i++) {
		semaphore_down(&ping, DEADLINE_NONE);
		volleys++;
		semaphore_up(&pong);
	}
	return NULL;
}

static void test_semaphore(void)
{
	semaphore_init(&ping, 0);
	semaphore_init(&pong, 0);
	struct thread *t = spawn("ponger", ponger, NULL);
	for (int i = 0; i < PINGS; i++) {
		semaphore_up(&ping);
		semaphore_down(&pong, DEADLINE_NONE);
		check(volleys == i + 1, "semaphore: volley %d saw %d", i + 1, volleys);
	}
	thread_join(t);
	uint64_t start = clock_monotonic_ns();
	check(semaphore_down(&ping, start + ms(10)) == -ETIMEDOUT, "semaphore: no timeout");
	pr_info("selftest: semaphore: %d ping-pongs: ok\n", PINGS);
}

/* --- futexes --- */
static uint32_t futex_word;

static void *futex_waiter(void *arg __unused)
{
	while (__atomic_load_n(&futex_word, __ATOMIC_ACQUIRE) == 0)
		futex_wait(&futex_word, 0, DEADLINE_NONE);
	return (void *)1;
}

static void test_futex(void)
{
	futex_word = 0;
	struct thread *t = spawn("futex-waiter", futex_waiter, NULL);
	thread_sleep_until(clock_monotonic_ns() + ms(5));
	__atomic_store_n(&futex_word, 1, __ATOMIC_RELEASE);
	futex_wake(&futex_word, 1);
	check(thread_join(t) == (void *)1, "futex: waiter did not finish");
	check(futex_wait(&futex_word, 0, DEADLINE_NONE) == -EAGAIN, "futex: wait on a changed word");
	uint32_t other = 0;
	uint64_t start = clock_monotonic_ns();
	check(futex_wait(&other, 0, start + ms(20)) == -ETIMEDOUT, "futex: no timeout");
	uint64_t waited = clock_monotonic_ns() - start;
	check(waited >= ms(20), "futex: timed out after %lu us, before the deadline", waited / 1000);
	check(futex_wake(&other, 1) == 0, "futex: woke a waiter that timed out");
	pr_info("selftest: futex: wake, EAGAIN, timeout after %lu us (asked 20000): ok\n", waited / 1000);
}

/* --- sleep accuracy --- */
#define SLEEP_BOUND_MS 20 /* the lateness allowed under TCG on a loaded host */

static void test_sleep(void)
{
	uint64_t worst = 0;
	for (int i = 0; i < 10; i++) {
		uint64_t start = clock_monotonic_ns();
		uint64_t deadline = start + ms(1 + i * 3);
		thread_sleep_until(deadline);
		uint64_t now = clock_monotonic_ns();
		check(now >= deadline, "sleep: woke %lu us early", (deadline - now) / 1000);
		if (now - deadline > worst)
			worst = now - deadline;
	}
	check(worst < ms(SLEEP_BOUND_MS), "sleep: %lu us late (bound %d ms)", worst / 1000, SLEEP_BOUND_MS);
	pr_info("selftest: sleep: 10 sleeps of 1-28 ms, latest wake-up %lu us after the deadline: ok\n",
		worst / 1000);
}

/* --- preemption and fairness: threads that never yield --- */
static volatile int stop_spinning;

static void *spinner(void *arg)
{
	volatile uint64_t *count = arg;
	while (!stop_spinning)
		(*count)++;
	return NULL;
}

static void test_preemption(void)
{
	enum { SPINNERS_PER_CPU = 2 };
	unsigned n = nr_cpus * SPINNERS_PER_CPU;
	static volatile uint64_t counts[2 * MAX_CPUS];
	struct thread *t[2 * MAX_CPUS];

	stop_spinning = 0;
	/* The spinners start on CPU 0 only; once allowed everywhere, the balancer
	 * must spread them over the other CPUs. */
	for (unsigned i = 0; i < n; i++) {
		counts[i] = 0;
		struct thread_attr attr = { .name = "spinner", .affinity = 1 };
		t[i] = thread_create(&attr, spinner, (void *)&counts[i]);
		check(t[i], "cannot create a spinner");
	}
	/* With every CPU taken by spinners, this thread runs again only if the
	 * scheduler preempts one of them when the sleep ends. */
	thread_sleep_until(clock_monotonic_ns() + ms(20));
	for (unsigned i = 0; i < n; i++)
		thread_set_affinity(t[i], 0);
	uint64_t start = clock_monotonic_ns();
	thread_sleep_until(start + ms(200));
	uint64_t late = clock_monotonic_ns() - start - ms(200);
	stop_spinning = 1;
	uint64_t used = 0, cpus_seen = 0, migrated = 0, least = UINT64_MAX, most = 0;
	for (unsigned i = 0; i < n; i++) {
		used = t[i]->cpus_used;
		cpus_seen |= used;
		migrated += __builtin_popcountll(used) > 1;
		thread_join(t[i]);
		least = counts[i] < least ? counts[i] : least;
		most = counts[i] > most ? counts[i] : most;
	}
	check(least > 0, "preemption: a spinner never ran");
	check(most / least < 8, "preemption: unfair shares (%lu vs %lu iterations)", most, least);
	uint64_t all = nr_cpus == 64 ? ~0ULL : (1ULL << nr_cpus) - 1;
	check(cpus_seen == all, "migration: spinners ran on CPUs %lx of %lx", cpus_seen, all);
	if (nr_cpus > 1)
		check(migrated > 0, "migration: no spinner moved between CPUs");
	pr_info("selftest: preemption: %u spinners, main woke %lu us late, shares %lu..%lu, "
		"CPUs used %lx, %lu threads migrated: ok\n", n, late / 1000, least, most, cpus_seen, migrated);
}

/* --- priorities: on one CPU, a nice-10 thread gets a small share --- */
static void test_priorities(void)
{
	static volatile uint64_t normal_count, nice_count;
	struct thread_attr normal = { .name = "nice0", .affinity = 1 };
	struct thread_attr nice = { .name = "nice10", .affinity = 1, .nice = 10 };

	normal_count = nice_count = 0;
	stop_spinning = 0;
	struct thread *a = thread_create(&normal, spinner, (void *)&normal_count);
	struct thread *b = thread_create(&nice, spinner, (void *)&nice_count);
	check(a && b, "priorities: cannot create threads");
	thread_sleep_until(clock_monotonic_ns() + ms(300));
	stop_spinning = 1;
	thread_join(a);
	thread_join(b);
	check(nice_count > 0, "priorities: the nice-10 thread never ran");
	uint64_t ratio10 = normal_count * 10 / nice_count;
	/* Weights 1024 and 110: about 9 to 1; allow for noise. */
	check(ratio10 >= 30, "priorities: nice 0 got only %lu.%lu times the CPU of nice 10", ratio10 / 10,
	      ratio10 % 10);
	pr_info("selftest: priorities: nice 0 got %lu.%lu times the CPU of nice 10: ok\n", ratio10 / 10,
		ratio10 % 10);
}

/* --- a thread visits every CPU by changing its own affinity --- */
static void test_hop(void)
{
	struct thread *self = current();
	for (unsigned k = 0; k < nr_cpus; k++) {
		thread_set_affinity(self, 1ULL << k);
		check(cpu_current_id() == k, "affinity: asked for CPU %u, running on %u", k, cpu_current_id());
	}
	thread_set_affinity(self, 0);
	uint64_t all = nr_cpus == 64 ? ~0ULL : (1ULL << nr_cpus) - 1;
	check((self->cpus_used & all) == all, "affinity: main ran on CPUs %lx only", self->cpus_used);
	pr_info("selftest: affinity: main moved to each of %u CPUs in turn: ok\n", nr_cpus);
}

/* --- many threads: create and join 10,000; memory returns --- */
static void *returns_arg_plus_one(void *arg)
{
	return (void *)((long)arg + 1);
}

/* Each CPU caches freed heap objects; to count memory exactly, visit every CPU
 * and hand its cache back (a CPU's cache is only touched on that CPU). Twice:
 * with one pass, about one run in three under -smp 2 kept one span (16 frames)
 * on a CPU visited early, freed into that CPU's cache after its turn. Which
 * free that is has not been tracked down (FIXME); the second pass shows it
 * is not a leak. */
static void trim_everywhere(void)
{
	for (int pass = 0; pass < 2; pass++) {
		for (unsigned k = 0; k < nr_cpus; k++) {
			thread_set_affinity(current(), 1ULL << k);
			heap_trim();
		}
	}
	thread_set_affinity(current(), 0);
}

static void heap_figures(const char *when, size_t *frames)
{
	struct heap_stats st;
	trim_everywhere();
	heap_get_stats(&st);
	*frames = kernel_frames.free_frames;
	pr_info("selftest: threads %s: %u threads, %zu KiB free frames, heap %zu bytes in use\n", when,
		thread_count(), (*frames * PAGE_SIZE) >> 10, st.in_use_bytes);
}

static void test_many_threads(void)
{
	enum { TOTAL = 10000, BATCH = 100 };
	struct thread *t[BATCH];
	size_t before, after;

	/* A first batch leaves what stays: page tables for the stacks' addresses. */
	for (long i = 0; i < BATCH; i++)
		t[i] = spawn("batch", returns_arg_plus_one, (void *)i);
	for (long i = 0; i < BATCH; i++)
		thread_join(t[i]);
	unsigned threads_before = thread_count();
	heap_figures("before", &before);
	uint64_t start = clock_monotonic_ns();
	for (long done = 0; done < TOTAL; done += BATCH) {
		for (long i = 0; i < BATCH; i++)
			t[i] = spawn("batch", returns_arg_plus_one, (void *)(done + i));
		for (long i = 0; i < BATCH; i++)
			check(thread_join(t[i]) == (void *)(done + i + 1), "threads: wrong exit value");
	}
	uint64_t took = clock_monotonic_ns() - start;
	heap_figures("after", &after);
	/* Under a loaded host one span (16 frames) has come back late a few
	 * times (FIXME: which free that is was not found); a leak would not. */
	for (int retry = 0; retry < 5 && after != before; retry++) {
		thread_sleep_until(clock_monotonic_ns() + 20 * 1000 * 1000);
		heap_figures("after, again", &after);
	}
	check(thread_count() == threads_before, "threads: %u threads left, expected %u", thread_count(),
	      threads_before);
	check(after == before, "threads: %ld frames did not come back", (long)(before - after));
	pr_info("selftest: threads: %d created and joined in batches of %d, %lu us each: ok\n", TOTAL,
		BATCH, took / TOTAL / 1000);

	/* Detached threads free themselves. */
	for (long i = 0; i < 1000; i++) {
		struct thread_attr attr = { .name = "detached", .detached = true };
		check(thread_create(&attr, returns_arg_plus_one, NULL), "cannot create a detached thread");
	}
	uint64_t deadline = clock_monotonic_ns() + 10 * NSEC_PER_SEC;
	while (thread_count() > threads_before && clock_monotonic_ns() < deadline)
		thread_sleep_until(clock_monotonic_ns() + ms(5));
	check(thread_count() == threads_before, "threads: %u detached threads were not freed",
	      thread_count() - threads_before);
	pr_info("selftest: threads: 1000 detached threads freed themselves: ok\n");
}

/*
 * --- a timed wait whose own unlock wakes a thread that preempts it ---
 * condvar_wait lets the mutex go with the condvar's queue lock held; when a
 * thread blocked on that mutex wakes with the better claim to this CPU, the
 * switch comes as soon as the queue lock is dropped, after the waiter marked
 * itself BLOCKED. Its timeout must still end the wait: no one signals here.
 * A contender that finds the wait still running long after its deadline
 * says so (the waiter itself would never come back to tell). Both stay on
 * one CPU, and the waiter runs a few ms first, so that the woken contender,
 * with its sleeper's credit, has the better claim.
 */
#define TIMED_WAIT_ROUNDS 20
static struct mutex tw_lock;
static struct condvar tw_never;
static volatile int tw_rounds_done;

static void *tw_contender(void *arg)
{
	int round = (int)(long)arg;
	mutex_lock(&tw_lock);
	mutex_unlock(&tw_lock);
	thread_sleep_until(clock_monotonic_ns() + ms(500));
	check(tw_rounds_done > round, "timed wait: a 5 ms condvar wait had not ended after 500 ms "
				      "(round %d): its timeout was lost", round);
	return NULL;
}

static void test_timed_wait_preempted(void)
{
	mutex_init(&tw_lock);
	condvar_init(&tw_never);
	thread_set_affinity(current(), 1);
	for (int round = 0; round < TIMED_WAIT_ROUNDS; round++) {
		mutex_lock(&tw_lock);
		struct thread_attr attr = { .name = "contender", .affinity = 1 };
		struct thread *t = thread_create(&attr, tw_contender, (void *)(long)round);
		check(t, "timed wait: cannot create a thread");
		while (__atomic_load_n(&t->state, __ATOMIC_ACQUIRE) != THREAD_BLOCKED)
			thread_yield(); /* until it waits for tw_lock */
		uint64_t start = clock_monotonic_ns();
		while (clock_monotonic_ns() - start < ms(4))
			; /* CPU time: the contender's claim grows */
		thread_yield(); /* and is counted */
		start = clock_monotonic_ns();
		check(condvar_wait(&tw_never, &tw_lock, start + ms(5)) == -ETIMEDOUT, "timed wait: no timeout");
		tw_rounds_done = round + 1;
		mutex_unlock(&tw_lock);
		thread_join(t);
	}
	thread_set_affinity(current(), 0);
	pr_info("selftest: timed wait: %d condvar waits whose unlock woke a contender timed out: ok\n",
		TIMED_WAIT_ROUNDS);
}

void selftest_threads(void)
{
	test_mutex();
	test_condvar();
	test_timed_wait_preempted();
	test_semaphore();
	test_futex();
	test_sleep();
	test_preemption();
	test_priorities();
	test_hop();
	test_many_threads();
}
