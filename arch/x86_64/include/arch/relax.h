/* cpu_relax: the spin-wait hint. Unprivileged, so host unit tests use it too. */
#ifndef ARCH_RELAX_H
#define ARCH_RELAX_H

static inline void cpu_relax(void)
{
	__asm__ volatile("pause" : : : "memory");
}

#endif
