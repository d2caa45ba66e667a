/*
 * Cross-CPU work by IPI: TLB shootdowns after the kernel unmaps memory, and
 * stopping the other CPUs when one of them crashes.
 *
 * A shootdown flushes the other CPUs' whole (non-global) TLB: unmaps are rare
 * (freed stacks and large blocks), so precision would buy little. The caller
 * must have interrupts on, so that two CPUs shooting at each other at the same
 * time both still answer.
 */
#include <arch/apic.h>
#include <arch/cpu.h>
#include <arch/irq.h>
#include <arch/relax.h>
#include <arch/trap.h>
#include <kite/cpu.h>
#include <kite/panic.h>
#include <kite/paging.h>

static spinlock_t shootdown_lock = SPINLOCK_INIT;
static int acks_pending;
static volatile bool stopping;

static void shootdown_irq(struct trap_frame *f __unused)
{
	write_cr3(read_cr3());
	__atomic_sub_fetch(&acks_pending, 1, __ATOMIC_RELEASE);
	apic_eoi();
}

void tlb_flush_others(void)
{
	unsigned n = __atomic_load_n(&nr_cpus, __ATOMIC_ACQUIRE);

	if (n < 2)
		return;
	assert(local_irq_enabled());
	spin_lock(&shootdown_lock);
	unsigned self = cpu_current_id();
	int targets = 0;
	for (unsigned i = 0; i < n; i++)
		if (i != self && cpus[i] && cpus[i]->online)
			targets++;
	__atomic_store_n(&acks_pending, targets, __ATOMIC_RELEASE);
	for (unsigned i = 0; i < n; i++)
		if (i != self && cpus[i] && cpus[i]->online)
			apic_send_ipi(cpus[i]->arch.apic_id, VEC_TLB_SHOOTDOWN);
	while (__atomic_load_n(&acks_pending, __ATOMIC_ACQUIRE))
		cpu_relax();
	spin_unlock(&shootdown_lock);
}

/* NMI: the crash stop signal when a crash is under way; otherwise a report. */
static void nmi(struct trap_frame *f)
{
	if (stopping)
		for (;;)
			__asm__ volatile("cli; hlt");
	(void)f;
	panic("non-maskable interrupt");
}

void smp_stop_others(void)
{
	stopping = true;
	if (!cpus[0] || nr_cpus < 2)
		return;
	unsigned self = cpu_current_id();
	for (unsigned i = 0; i < nr_cpus; i++)
		if (i != self && cpus[i] && cpus[i]->online)
			apic_send_nmi(cpus[i]->arch.apic_id);
}

void tlb_init(void)
{
	trap_set_handler(VEC_TLB_SHOOTDOWN, shootdown_irq);
	trap_set_handler(VEC_NMI, nmi);
}
