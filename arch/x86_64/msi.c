/*
 * Message-signalled interrupts (PCI MSI and MSI-X): a device raises one by
 * writing `data` to `address`, which the local APIC of the CPU named in the
 * address takes as the interrupt vector in the data. Vectors 0x50-0xdf are
 * handed out here, one per request, each with its handler; all go to the
 * boot CPU for now.
 */
#include <arch/apic.h>
#include <arch/trap.h>
#include <kite/cpu.h>
#include <kite/errno.h>
#include <kite/irq.h>
#include <kite/spinlock.h>

#define VEC_FIRST_MSI 0x50
#define VEC_LAST_MSI 0xdf
#define MSI_ADDRESS_BASE 0xfee00000u

static struct {
	void (*handler)(void *arg);
	void *arg;
} msi_handlers[NR_VECTORS];
static unsigned next_vector = VEC_FIRST_MSI;
static spinlock_t msi_lock = SPINLOCK_INIT;

static void msi_irq(struct trap_frame *f)
{
	if (msi_handlers[f->vector].handler)
		msi_handlers[f->vector].handler(msi_handlers[f->vector].arg);
	apic_eoi();
}

int msi_request(void (*handler)(void *arg), void *arg, uint64_t *address, uint32_t *data)
{
	spin_lock(&msi_lock);
	if (next_vector > VEC_LAST_MSI) {
		spin_unlock(&msi_lock);
		return -ENOSPC;
	}
	unsigned vector = next_vector++;
	msi_handlers[vector].handler = handler;
	msi_handlers[vector].arg = arg;
	spin_unlock(&msi_lock);
	trap_set_handler((int)vector, msi_irq);
	/* Fixed delivery, physical destination, edge-triggered. */
	*address = MSI_ADDRESS_BASE | (cpus[0]->arch.apic_id << 12);
	*data = vector;
	return 0;
}
