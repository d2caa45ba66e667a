/* Interrupt flag control for this CPU. */
#ifndef ARCH_IRQ_H
#define ARCH_IRQ_H

#define RFLAGS_IF (1UL << 9)

static inline unsigned long local_irq_save(void)
{
	unsigned long flags;
	__asm__ volatile("pushfq\n\tpopq %0\n\tcli" : "=r"(flags) : : "memory");
	return flags;
}

static inline void local_irq_restore(unsigned long flags)
{
	if (flags & RFLAGS_IF)
		__asm__ volatile("sti" : : : "memory");
}

static inline void local_irq_enable(void)
{
	__asm__ volatile("sti" : : : "memory");
}

static inline void local_irq_disable(void)
{
	__asm__ volatile("cli" : : : "memory");
}

static inline int local_irq_enabled(void)
{
	unsigned long flags;
	__asm__ volatile("pushfq\n\tpopq %0" : "=r"(flags));
	return (flags & RFLAGS_IF) != 0;
}

#endif
