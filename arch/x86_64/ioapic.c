/*
 * The I/O APIC: routes device interrupt lines (global system interrupts) to a
 * CPU's local APIC on a vector of our choosing. ISA IRQs map to GSIs through the
 * MADT's overrides (the timer's IRQ 0 is usually GSI 2 there); without an
 * override an ISA IRQ is GSI n, edge-triggered, active high.
 */
#include <arch/apic.h>
#include <arch/io.h>
#include <arch/trap.h>
#include <kite/acpi.h>
#include <kite/cpu.h>
#include <kite/errno.h>
#include <kite/irq.h>
#include <kite/paging.h>
#include <kite/printk.h>
#include <kite/spinlock.h>

#define IOREGSEL 0x00
#define IOWIN 0x10
#define IOAPICVER 0x01
#define REDTBL(n) (0x10 + 2 * (n))
#define RED_MASKED (1 << 16)
#define RED_LEVEL (1 << 15)
#define RED_ACTIVE_LOW (1 << 13)

#define VEC_FIRST_DEVICE 0x30
#define NR_ISA_IRQS 16

struct ioapic {
	volatile uint8_t *mmio;
	uint32_t gsi_base;
	unsigned nr_pins;
};

static struct ioapic ioapics[ACPI_MAX_IOAPICS];
static unsigned nr_ioapics;
static spinlock_t ioapic_lock = SPINLOCK_INIT;

static struct {
	void (*handler)(void *arg);
	void *arg;
} device_irqs[NR_ISA_IRQS];

static uint32_t ioapic_read(struct ioapic *io, uint32_t reg)
{
	mmio_write32(io->mmio + IOREGSEL, reg);
	return mmio_read32(io->mmio + IOWIN);
}

static void ioapic_write(struct ioapic *io, uint32_t reg, uint32_t v)
{
	mmio_write32(io->mmio + IOREGSEL, reg);
	mmio_write32(io->mmio + IOWIN, v);
}

static int ioapic_init(void)
{
	for (unsigned i = 0; acpi_ioapic(i) && nr_ioapics < ACPI_MAX_IOAPICS; i++) {
		const struct acpi_ioapic *a = acpi_ioapic(i);
		struct ioapic *io = &ioapics[nr_ioapics];
		io->mmio = ioremap(a->address, PAGE_SIZE);
		if (!io->mmio)
			continue;
		io->gsi_base = a->gsi_base;
		io->nr_pins = ((ioapic_read(io, IOAPICVER) >> 16) & 0xff) + 1;
		for (unsigned pin = 0; pin < io->nr_pins; pin++)
			ioapic_write(io, REDTBL(pin), RED_MASKED);
		nr_ioapics++;
	}
	return 0;
}

/* The vector of ISA IRQ n: one per IRQ, above the exceptions. */
static void device_irq(struct trap_frame *f)
{
	unsigned irq = f->vector - VEC_FIRST_DEVICE;
	if (device_irqs[irq].handler)
		device_irqs[irq].handler(device_irqs[irq].arg);
	apic_eoi();
}

int irq_request(unsigned isa_irq, void (*handler)(void *arg), void *arg)
{
	if (isa_irq >= NR_ISA_IRQS)
		return -EINVAL;
	if (!nr_ioapics)
		ioapic_init();
	uint32_t gsi = isa_irq;
	uint32_t flags = 0;
	const struct acpi_irq_override *o = acpi_irq_override(isa_irq);
	if (o) {
		gsi = o->gsi;
		if ((o->flags & 3) == 3)
			flags |= RED_ACTIVE_LOW;
		if (((o->flags >> 2) & 3) == 3)
			flags |= RED_LEVEL;
	}
	for (unsigned i = 0; i < nr_ioapics; i++) {
		struct ioapic *io = &ioapics[i];
		if (gsi < io->gsi_base || gsi >= io->gsi_base + io->nr_pins)
			continue;
		spin_lock(&ioapic_lock);
		if (device_irqs[isa_irq].handler) {
			spin_unlock(&ioapic_lock);
			return -EBUSY;
		}
		device_irqs[isa_irq].handler = handler;
		device_irqs[isa_irq].arg = arg;
		uint8_t vector = VEC_FIRST_DEVICE + isa_irq;
		trap_set_handler(vector, device_irq);
		unsigned pin = gsi - io->gsi_base;
		ioapic_write(io, REDTBL(pin) + 1, cpus[0]->arch.apic_id << 24);
		ioapic_write(io, REDTBL(pin), vector | flags); /* fixed, physical, unmasked */
		spin_unlock(&ioapic_lock);
		return 0;
	}
	return -ENODEV;
}

int irq_request_pci(uint32_t gsi, void (*handler)(void *arg), void *arg)
{
	if (gsi < NR_ISA_IRQS)
		return irq_request(gsi, handler, arg); /* a PCI link on an ISA line: the MADT says how */
	if (!nr_ioapics)
		ioapic_init();
	for (unsigned i = 0; i < nr_ioapics; i++) {
		struct ioapic *io = &ioapics[i];
		if (gsi < io->gsi_base || gsi >= io->gsi_base + io->nr_pins)
			continue;
		/* A vector of its own, taken from the message-signalled ones. */
		uint64_t address;
		uint32_t data;
		int err = msi_request(handler, arg, &address, &data);
		if (err)
			return err;
		unsigned pin = gsi - io->gsi_base;
		spin_lock(&ioapic_lock);
		ioapic_write(io, REDTBL(pin) + 1, cpus[0]->arch.apic_id << 24);
		ioapic_write(io, REDTBL(pin), (data & 0xff) | RED_LEVEL | RED_ACTIVE_LOW);
		spin_unlock(&ioapic_lock);
		return 0;
	}
	return -ENODEV;
}
