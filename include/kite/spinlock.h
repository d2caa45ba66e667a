/*
 * Spinlocks: test-and-test-and-set. Not interrupt-safe by themselves: code that
 * an interrupt handler can also reach must use the irqsave variants (which come
 * with the scheduler). The heap and frame allocator are never called from
 * interrupt handlers, so plain spinlocks suffice there.
 */
#ifndef KITE_SPINLOCK_H
#define KITE_SPINLOCK_H
#include <arch/relax.h>

typedef struct {
	int locked;
} spinlock_t;

#define SPINLOCK_INIT { 0 }

static inline void spin_lock(spinlock_t *l)
{
	while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE))
		while (__atomic_load_n(&l->locked, __ATOMIC_RELAXED))
			cpu_relax();
}

static inline void spin_unlock(spinlock_t *l)
{
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
}

#endif
