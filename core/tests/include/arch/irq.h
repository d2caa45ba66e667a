/* Host unit tests: no interrupts to mask (cli and sti would fault in a
 * host process), so irqsave locks are plain spinlocks there. */
#ifndef ARCH_IRQ_H
#define ARCH_IRQ_H

#define RFLAGS_IF (1UL << 9)

static inline unsigned long local_irq_save(void)
{
	return RFLAGS_IF;
}

static inline void local_irq_restore(unsigned long flags)
{
	(void)flags;
}

static inline void local_irq_enable(void)
{
}

static inline void local_irq_disable(void)
{
}

static inline int local_irq_enabled(void)
{
	return 1;
}

#endif
