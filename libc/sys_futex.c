/*
 * The futex system call on Kite's futexes (core/futex.c): what musl's
 * pthreads, and glibc-built code that calls futex directly, use.
 *
 * FUTEX_REQUEUE and FUTEX_CMP_REQUEUE wake the waiters they would move: a
 * futex waiter must cope with waking early, so this is correct, only less
 * economical than moving them. Priority-inheritance operations give -ENOSYS.
 */
#include <kite/clock.h>
#include <kite/errno.h>
#include <kite/futex.h>
#include <kite/sync.h>
#include <kite/sys_process.h>
#include <kite/thread.h>
#include <stdint.h>

#define FUTEX_WAIT 0
#define FUTEX_WAKE 1
#define FUTEX_REQUEUE 3
#define FUTEX_CMP_REQUEUE 4
#define FUTEX_WAIT_BITSET 9
#define FUTEX_WAKE_BITSET 10
#define FUTEX_PRIVATE_FLAG 128
#define FUTEX_CLOCK_REALTIME 256
#define NSEC_PER_SEC 1000000000ULL

/* The monotonic deadline of a wait: `timeout` is relative (FUTEX_WAIT) or an
 * absolute time on the monotonic or, with FUTEX_CLOCK_REALTIME, the real-time
 * clock (FUTEX_WAIT_BITSET). */
static long deadline_of(const struct timespec64 *timeout, bool absolute, bool realtime, uint64_t *deadline)
{
	*deadline = DEADLINE_NONE;
	if (!timeout)
		return 0;
	if (timeout->tv_sec < 0 || timeout->tv_nsec < 0 || timeout->tv_nsec >= (int64_t)NSEC_PER_SEC)
		return -EINVAL;
	uint64_t ns = (uint64_t)timeout->tv_sec * NSEC_PER_SEC + (uint64_t)timeout->tv_nsec;
	uint64_t now = clock_monotonic_ns();
	if (!absolute) {
		*deadline = now + ns;
	} else if (realtime) {
		uint64_t real_now = clock_realtime_ns();
		*deadline = ns > real_now ? now + (ns - real_now) : now;
	} else {
		*deadline = ns;
	}
	return 0;
}

long sys_futex(uint32_t *addr, int op, uint32_t val, const struct timespec64 *timeout, uint32_t *addr2,
	       uint32_t val3)
{
	bool realtime = op & FUTEX_CLOCK_REALTIME;
	uint64_t deadline;
	long err;

	switch (op & ~(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME)) {
	case FUTEX_WAIT:
		val3 = ~0u;
		/* fall through */
	case FUTEX_WAIT_BITSET:
		if (!val3)
			return -EINVAL;
		err = deadline_of(timeout, (op & 127) == FUTEX_WAIT_BITSET, realtime, &deadline);
		if (err)
			return err;
		return futex_wait(addr, val, deadline);
	case FUTEX_WAKE:
	case FUTEX_WAKE_BITSET:
		return futex_wake(addr, (int)(val > INT32_MAX ? INT32_MAX : val));
	case FUTEX_CMP_REQUEUE:
		if (__atomic_load_n(addr, __ATOMIC_SEQ_CST) != val3)
			return -EAGAIN;
		/* fall through */
	case FUTEX_REQUEUE: {
		/* val wake; the `timeout` argument is the number to requeue. */
		long requeue = (long)(uintptr_t)timeout;
		long woken = futex_wake(addr, (int)(val > INT32_MAX ? INT32_MAX : val));
		woken += futex_wake(addr, requeue > INT32_MAX ? INT32_MAX : (int)requeue);
		(void)addr2;
		return woken;
	}
	}
	return -ENOSYS;
}
