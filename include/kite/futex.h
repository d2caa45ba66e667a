/*
 * Futexes: wait on and wake by the address of a 32-bit word, as Linux's futex
 * system call does (musl's pthreads sit on it). Any address works; waiters are
 * kept in a hash table of queues.
 */
#ifndef KITE_FUTEX_H
#define KITE_FUTEX_H
#include <stdint.h>

void futex_init(void);

/* Sleeps while *addr == expected: 0 when woken, -EAGAIN when *addr differed,
 * -ETIMEDOUT at the deadline (absolute, monotonic; DEADLINE_NONE for ever). */
int futex_wait(const uint32_t *addr, uint32_t expected, uint64_t deadline_ns);

/* Wakes up to n threads waiting on addr; returns how many. */
int futex_wake(const uint32_t *addr, int n);

#endif
