/*
 * POSIX threads as a Linux program uses them: threads with arguments and exit
 * values (returned and through pthread_exit), joins and detached threads,
 * mutexes (normal, recursive, error-checking), condition variables, a
 * read-write lock, a barrier, pthread_once, thread-specific data with
 * destructors, and thread-local variables (initialized, zeroed, and their
 * addresses, which differ per thread). Its output is the same on every run,
 * whatever the scheduling, so that Linux and Kite can be compared.
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NTHREADS 8
#define ROUNDS 20000

static int failures;

static void check(int ok, const char *what)
{
	if (!ok) {
		printf("FAILED: %s\n", what);
		failures++;
	}
}

/* --- thread-local variables ---------------------------------------------- */

static __thread int tls_counter = 1000;	/* .tdata */
static __thread char tls_buffer[256];	/* .tbss */
static __thread long tls_aligned __attribute__((aligned(64))) = 7;

static void *tls_worker(void *arg)
{
	long id = (long)arg;
	int ok = tls_counter == 1000 && tls_aligned == 7 && ((uintptr_t)&tls_aligned & 63) == 0;
	for (size_t i = 0; i < sizeof(tls_buffer); i++)
		ok &= tls_buffer[i] == 0;
	for (int i = 0; i < ROUNDS; i++)
		tls_counter++;
	snprintf(tls_buffer, sizeof(tls_buffer), "thread %ld", id);
	usleep(1000); /* let the others write theirs */
	ok &= tls_counter == 1000 + ROUNDS;
	char want[32];
	snprintf(want, sizeof(want), "thread %ld", id);
	ok &= !strcmp(tls_buffer, want);
	return ok ? &tls_counter : NULL; /* this thread's own address */
}

static void test_thread_locals(void)
{
	pthread_t t[NTHREADS];
	void *addr[NTHREADS];
	for (long i = 0; i < NTHREADS; i++)
		check(pthread_create(&t[i], NULL, tls_worker, (void *)i) == 0, "pthread_create");
	for (int i = 0; i < NTHREADS; i++)
		check(pthread_join(t[i], &addr[i]) == 0, "pthread_join");
	int distinct = 1;
	for (int i = 0; i < NTHREADS; i++) {
		check(addr[i] != NULL, "a thread's thread-local variables were wrong");
		distinct &= addr[i] != &tls_counter;
		for (int k = 0; k < i; k++)
			distinct &= addr[i] != addr[k];
	}
	check(distinct, "thread-local variables share an address");
	check(tls_counter == 1000, "main's thread-local changed");
	printf("thread-locals: %d threads, each its own copy (initial 1000, counted to %d)\n", NTHREADS,
	       1000 + ROUNDS);
}

/* --- mutex, exit values -------------------------------------------------- */

static pthread_mutex_t counter_lock = PTHREAD_MUTEX_INITIALIZER;
static long counter;

static void *counting_worker(void *arg)
{
	long id = (long)arg;
	for (int i = 0; i < ROUNDS; i++) {
		pthread_mutex_lock(&counter_lock);
		counter++;
		pthread_mutex_unlock(&counter_lock);
	}
	if (id % 2)
		pthread_exit((void *)(id * 100)); /* odd ones through pthread_exit */
	return (void *)(id * 100);
}

static void test_mutex_and_exit_values(void)
{
	pthread_t t[NTHREADS];
	for (long i = 0; i < NTHREADS; i++)
		pthread_create(&t[i], NULL, counting_worker, (void *)i);
	long sum = 0;
	for (int i = 0; i < NTHREADS; i++) {
		void *v;
		pthread_join(t[i], &v);
		check((long)v == i * 100, "exit value");
		sum += (long)v;
	}
	check(counter == (long)NTHREADS * ROUNDS, "mutex counter");
	printf("mutex: %d threads x %d increments = %ld; exit values sum to %ld\n", NTHREADS, ROUNDS, counter,
	       sum);
}

static void test_mutex_kinds(void)
{
	pthread_mutexattr_t a;
	pthread_mutex_t m;
	pthread_mutexattr_init(&a);
	pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE);
	pthread_mutex_init(&m, &a);
	int r1 = pthread_mutex_lock(&m), r2 = pthread_mutex_lock(&m), r3 = pthread_mutex_trylock(&m);
	pthread_mutex_unlock(&m);
	pthread_mutex_unlock(&m);
	pthread_mutex_unlock(&m);
	pthread_mutex_destroy(&m);
	printf("recursive mutex: lock %d, again %d, trylock %d\n", r1, r2, r3);

	pthread_mutexattr_settype(&a, PTHREAD_MUTEX_ERRORCHECK);
	pthread_mutex_init(&m, &a);
	pthread_mutex_lock(&m);
	int again = pthread_mutex_lock(&m);
	pthread_mutex_unlock(&m);
	int not_owner = pthread_mutex_unlock(&m);
	printf("error-checking mutex: relock %s, unlock when free %s\n", again == EDEADLK ? "EDEADLK" : "?",
	       not_owner == EPERM ? "EPERM" : "?");
	pthread_mutex_destroy(&m);
	pthread_mutexattr_destroy(&a);
}

/* --- condition variables: a bounded queue -------------------------------- */

#define QUEUE 16
#define ITEMS 5000
static pthread_mutex_t q_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t q_not_empty = PTHREAD_COND_INITIALIZER, q_not_full = PTHREAD_COND_INITIALIZER;
static int queue[QUEUE], q_head, q_len;

static void *producer(void *arg)
{
	(void)arg;
	for (int i = 1; i <= ITEMS; i++) {
		pthread_mutex_lock(&q_lock);
		while (q_len == QUEUE)
			pthread_cond_wait(&q_not_full, &q_lock);
		queue[(q_head + q_len++) % QUEUE] = i;
		pthread_cond_signal(&q_not_empty);
		pthread_mutex_unlock(&q_lock);
	}
	return NULL;
}

static void *consumer(void *arg)
{
	long sum = 0;
	for (;;) {
		pthread_mutex_lock(&q_lock);
		while (q_len == 0)
			pthread_cond_wait(&q_not_empty, &q_lock);
		int v = queue[q_head];
		q_head = (q_head + 1) % QUEUE;
		q_len--;
		pthread_cond_signal(&q_not_full);
		pthread_mutex_unlock(&q_lock);
		if (v == 0)
			break; /* the end marker */
		sum += v;
	}
	*(long *)arg = sum;
	return NULL;
}

static void test_condvars(void)
{
	pthread_t p1, p2, c1, c2;
	long s1 = 0, s2 = 0;
	pthread_create(&c1, NULL, consumer, &s1);
	pthread_create(&c2, NULL, consumer, &s2);
	pthread_create(&p1, NULL, producer, NULL);
	pthread_create(&p2, NULL, producer, NULL);
	pthread_join(p1, NULL);
	pthread_join(p2, NULL);
	for (int i = 0; i < 2; i++) { /* one end marker per consumer */
		pthread_mutex_lock(&q_lock);
		while (q_len == QUEUE)
			pthread_cond_wait(&q_not_full, &q_lock);
		queue[(q_head + q_len++) % QUEUE] = 0;
		pthread_cond_broadcast(&q_not_empty);
		pthread_mutex_unlock(&q_lock);
	}
	pthread_join(c1, NULL);
	pthread_join(c2, NULL);
	long want = 2L * ITEMS * (ITEMS + 1) / 2;
	check(s1 + s2 == want, "condvar queue lost or repeated items");
	printf("condvars: 2 producers, 2 consumers, %d items each, sum %ld\n", ITEMS, s1 + s2);

	/* A timed wait that times out. */
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_nsec += 20 * 1000 * 1000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	pthread_mutex_lock(&q_lock);
	int r = pthread_cond_timedwait(&q_not_empty, &q_lock, &ts);
	pthread_mutex_unlock(&q_lock);
	printf("timed wait: %s\n", r == ETIMEDOUT ? "ETIMEDOUT" : "woke?");
}

/* --- rwlock, barrier, once, keys, detached -------------------------------- */

static pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER;
static pthread_barrier_t barrier;
static long shared_value;
static int serial_threads;

static void *rw_worker(void *arg)
{
	long id = (long)arg;
	int r = pthread_barrier_wait(&barrier);
	if (r == PTHREAD_BARRIER_SERIAL_THREAD)
		__atomic_add_fetch(&serial_threads, 1, __ATOMIC_SEQ_CST);
	for (int i = 0; i < 2000; i++) {
		if (id == 0) {
			pthread_rwlock_wrlock(&rw);
			shared_value++;
			pthread_rwlock_unlock(&rw);
		} else {
			pthread_rwlock_rdlock(&rw);
			volatile long v = shared_value;
			(void)v;
			pthread_rwlock_unlock(&rw);
		}
	}
	return NULL;
}

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int once_runs;
static void once_fn(void)
{
	once_runs++;
}

static pthread_key_t key;
static int destructor_runs;
static void key_destructor(void *v)
{
	__atomic_add_fetch(&destructor_runs, 1, __ATOMIC_SEQ_CST);
	free(v);
}

static void *key_worker(void *arg)
{
	pthread_once(&once, once_fn);
	long *mine = malloc(sizeof(long));
	*mine = (long)arg;
	pthread_setspecific(key, mine);
	usleep(500);
	long *back = pthread_getspecific(key);
	return (void *)(long)(back == mine && *back == (long)arg);
}

static int detached_done;
static void *detached_worker(void *arg)
{
	(void)arg;
	__atomic_add_fetch(&detached_done, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

static void test_rest(void)
{
	pthread_t t[NTHREADS];
	pthread_barrier_init(&barrier, NULL, NTHREADS);
	for (long i = 0; i < NTHREADS; i++)
		pthread_create(&t[i], NULL, rw_worker, (void *)i);
	for (int i = 0; i < NTHREADS; i++)
		pthread_join(t[i], NULL);
	pthread_barrier_destroy(&barrier);
	printf("rwlock: writer counted %ld with %d readers; barrier had %d serial thread\n", shared_value,
	       NTHREADS - 1, serial_threads);

	pthread_key_create(&key, key_destructor);
	int good = 0;
	for (long i = 0; i < NTHREADS; i++)
		pthread_create(&t[i], NULL, key_worker, (void *)i);
	for (int i = 0; i < NTHREADS; i++) {
		void *v;
		pthread_join(t[i], &v);
		good += (int)(long)v;
	}
	pthread_setspecific(key, NULL);
	pthread_key_delete(key);
	printf("once ran %d time; keys: %d of %d threads saw their own value, %d destructors ran\n", once_runs, good,
	       NTHREADS, destructor_runs);

	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	for (int i = 0; i < 100; i++) {
		pthread_t d;
		check(pthread_create(&d, &attr, detached_worker, NULL) == 0, "detached pthread_create");
	}
	pthread_attr_destroy(&attr);
	for (int i = 0; i < 2000 && __atomic_load_n(&detached_done, __ATOMIC_SEQ_CST) < 100; i++)
		usleep(1000);
	printf("detached: %d of 100 ran\n", detached_done);

	/* Many short-lived threads: stacks and descriptors must be recycled. */
	for (int i = 0; i < 500; i++) {
		pthread_t s;
		pthread_create(&s, NULL, detached_worker, NULL);
		pthread_join(s, NULL);
	}
	printf("500 threads created and joined one after another\n");

	pthread_t self = pthread_self();
	printf("pthread_equal(self, self) = %d\n", pthread_equal(self, pthread_self()) != 0);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	test_thread_locals();
	test_mutex_and_exit_values();
	test_mutex_kinds();
	test_condvars();
	test_rest();
	printf("%s\n", failures ? "some checks FAILED" : "all checks passed");
	return failures ? 1 : 0;
}
