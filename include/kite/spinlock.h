/*
 * Spinlocks: test-and-test-and-set, with preemption off while held (a holder
 * that is preempted would make the others spin for a whole time slice). Locks
 * that an interrupt handler also takes must use the irqsave variants.
 */
#ifndef KITE_SPINLOCK_H
#define KITE_SPINLOCK_H
#include <arch/irq.h>
#include <arch/preempt.h>
#include <arch/relax.h>

typedef struct {
	int locked;
} spinlock_t;

#define SPINLOCK_INIT { 0 }

static inline void spin_init(spinlock_t *l)
{
	l->locked = 0;
}

static inline void arch_spin_lock(spinlock_t *l)
{
	while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE))
		while (__atomic_load_n(&l->locked, __ATOMIC_RELAXED))
			cpu_relax();
}

static inline void arch_spin_unlock(spinlock_t *l)
{
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
}

static inline void spin_lock(spinlock_t *l)
{
	preempt_disable();
	arch_spin_lock(l);
}

static inline void spin_unlock(spinlock_t *l)
{
	arch_spin_unlock(l);
	preempt_enable();
}

static inline void spin_lock_irqsave(spinlock_t *l, unsigned long *flags)
{
	*flags = local_irq_save();
	preempt_disable();
	arch_spin_lock(l);
}

static inline void spin_unlock_irqrestore(spinlock_t *l, unsigned long flags)
{
	arch_spin_unlock(l);
	local_irq_restore(flags);
	preempt_enable();
}

static inline int spin_is_locked(spinlock_t *l)
{
	return __atomic_load_n(&l->locked, __ATOMIC_RELAXED);
}

#endif
