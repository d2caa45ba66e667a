/*
 * PCI enumeration and configuration (see pci.h). Configuration mechanism #1:
 * the address of a 32-bit register goes to port 0xcf8, its value through
 * 0xcfc. Buses are walked from bus 0 through PCI-to-PCI bridges (header type
 * 1); BAR sizes are found by writing all ones and reading back.
 */
#include <arch/io.h>
#include <kite/errno.h>
#include <kite/heap.h>
#include <kite/init.h>
#include <kite/irq.h>
#include <kite/paging.h>
#include <kite/pci.h>
#include <kite/printk.h>
#include <kite/spinlock.h>

#define CONFIG_ADDRESS 0xcf8
#define CONFIG_DATA 0xcfc
#define PCI_VENDOR 0x00
#define PCI_COMMAND 0x04
#define PCI_STATUS 0x06
#define PCI_CLASS_REV 0x08
#define PCI_HEADER_TYPE 0x0e
#define PCI_BAR0 0x10
#define PCI_SUBSYSTEM 0x2c
#define PCI_CAPABILITIES 0x34
#define PCI_INTERRUPT 0x3c
#define PCI_SECONDARY_BUS 0x19
#define COMMAND_IO 0x1
#define COMMAND_MEMORY 0x2
#define COMMAND_MASTER 0x4
#define COMMAND_INTX_DISABLE 0x400
#define STATUS_CAPABILITIES 0x10
#define MSIX_CONTROL 2
#define MSIX_TABLE 4
#define MSIX_ENABLE 0x8000
#define MSIX_FUNCTION_MASK 0x4000
#define MSIX_ENTRY_MASKED 1
#define MAX_DEVICES 64

static struct pci_device *devices[MAX_DEVICES];
static unsigned nr_devices;
static spinlock_t config_lock = SPINLOCK_INIT;
static bool bus_seen[256];

static uint32_t config_read(uint8_t bus, uint8_t dev, uint8_t fn, unsigned offset)
{
	unsigned long flags;
	spin_lock_irqsave(&config_lock, &flags);
	outl(CONFIG_ADDRESS, 0x80000000u | (uint32_t)bus << 16 | (uint32_t)dev << 11 | (uint32_t)fn << 8 | (offset & 0xfc));
	uint32_t v = inl(CONFIG_DATA);
	spin_unlock_irqrestore(&config_lock, flags);
	return v;
}

static void config_write(uint8_t bus, uint8_t dev, uint8_t fn, unsigned offset, uint32_t v)
{
	unsigned long flags;
	spin_lock_irqsave(&config_lock, &flags);
	outl(CONFIG_ADDRESS, 0x80000000u | (uint32_t)bus << 16 | (uint32_t)dev << 11 | (uint32_t)fn << 8 | (offset & 0xfc));
	outl(CONFIG_DATA, v);
	spin_unlock_irqrestore(&config_lock, flags);
}

uint32_t pci_read32(const struct pci_device *d, unsigned offset)
{
	return config_read(d->bus, d->dev, d->fn, offset);
}

uint16_t pci_read16(const struct pci_device *d, unsigned offset)
{
	return (uint16_t)(pci_read32(d, offset) >> ((offset & 2) * 8));
}

uint8_t pci_read8(const struct pci_device *d, unsigned offset)
{
	return (uint8_t)(pci_read32(d, offset) >> ((offset & 3) * 8));
}

void pci_write32(const struct pci_device *d, unsigned offset, uint32_t v)
{
	config_write(d->bus, d->dev, d->fn, offset, v);
}

void pci_write16(const struct pci_device *d, unsigned offset, uint16_t v)
{
	/* A read-modify-write of the dword: config space has no 16-bit port
	 * here. Status-style write-1-to-clear bits are never beside what is
	 * written through this (command, MSI-X control). */
	uint32_t old = pci_read32(d, offset & ~3u);
	unsigned shift = (offset & 2) * 8;
	pci_write32(d, offset & ~3u, (old & ~(0xffffu << shift)) | (uint32_t)v << shift);
}

unsigned pci_find_capability(const struct pci_device *d, uint8_t id, unsigned start)
{
	if (!(pci_read16(d, PCI_STATUS) & STATUS_CAPABILITIES))
		return 0;
	unsigned at = start ? pci_read8(d, start + 1) : pci_read8(d, PCI_CAPABILITIES);
	/* At most 48 capabilities fit in the 192 bytes: a loop is cut short. */
	for (int n = 0; at >= 0x40 && n < 48; n++) {
		at &= ~3u;
		if (pci_read8(d, at) == id)
			return at;
		at = pci_read8(d, at + 1);
	}
	return 0;
}

/* Sizes the BARs with memory and I/O decoding off, as a BAR being sized
 * must not decode. */
static void read_bars(struct pci_device *d)
{
	uint16_t command = pci_read16(d, PCI_COMMAND);
	pci_write16(d, PCI_COMMAND, command & ~(COMMAND_IO | COMMAND_MEMORY));
	for (unsigned i = 0; i < PCI_MAX_BARS; i++) {
		unsigned reg = PCI_BAR0 + 4 * i;
		uint32_t low = pci_read32(d, reg);
		pci_write32(d, reg, 0xffffffff);
		uint32_t mask = pci_read32(d, reg);
		pci_write32(d, reg, low);
		if (!mask)
			continue;
		struct pci_bar *b = &d->bars[i];
		if (low & 1) {
			b->io = true;
			b->address = low & ~3u;
			b->size = (uint16_t)~(mask & ~3u) + 1;
			continue;
		}
		bool is64 = ((low >> 1) & 3) == 2;
		uint64_t address = low & ~0xfu, size_mask = mask & ~0xfu;
		if (is64 && i + 1 < PCI_MAX_BARS) {
			uint32_t high = pci_read32(d, reg + 4);
			pci_write32(d, reg + 4, 0xffffffff);
			uint32_t high_mask = pci_read32(d, reg + 4);
			pci_write32(d, reg + 4, high);
			address |= (uint64_t)high << 32;
			size_mask |= (uint64_t)high_mask << 32;
		} else {
			size_mask |= 0xffffffff00000000ull;
		}
		b->address = address;
		b->size = ~size_mask + 1;
		if (is64)
			i++; /* the upper half of this one */
	}
	pci_write16(d, PCI_COMMAND, command);
}

static void scan_bus(uint8_t bus);

static void add_function(uint8_t bus, uint8_t dev, uint8_t fn)
{
	uint32_t id = config_read(bus, dev, fn, PCI_VENDOR);
	struct pci_device *d = kzalloc(sizeof(*d));
	if (!d || nr_devices == MAX_DEVICES) {
		kfree(d);
		pr_warn("kite: pci: %02x:%02x.%x left out (no room)\n", bus, dev, fn);
		return;
	}
	d->bus = bus;
	d->dev = dev;
	d->fn = fn;
	d->vendor = (uint16_t)id;
	d->device = (uint16_t)(id >> 16);
	uint32_t class = pci_read32(d, PCI_CLASS_REV);
	d->revision = (uint8_t)class;
	d->prog_if = (uint8_t)(class >> 8);
	d->subclass = (uint8_t)(class >> 16);
	d->class = (uint8_t)(class >> 24);
	uint8_t header = pci_read8(d, PCI_HEADER_TYPE) & 0x7f;
	if (header == 0) {
		uint32_t sub = pci_read32(d, PCI_SUBSYSTEM);
		d->subsystem_vendor = (uint16_t)sub;
		d->subsystem = (uint16_t)(sub >> 16);
		read_bars(d);
	}
	uint32_t irq = pci_read32(d, PCI_INTERRUPT);
	d->irq_line = (uint8_t)irq;
	d->irq_pin = (uint8_t)(irq >> 8);
	devices[nr_devices++] = d;
	pr_debug("kite: pci: %02x:%02x.%x %04x:%04x class %02x.%02x irq pin %u line %u\n", bus, dev, fn, d->vendor,
		 d->device, d->class, d->subclass, d->irq_pin, d->irq_line);
	if (header == 1) /* a bridge: the bus behind it */
		scan_bus(pci_read8(d, PCI_SECONDARY_BUS));
}

static void scan_bus(uint8_t bus)
{
	if (bus_seen[bus])
		return; /* a bridge that loops */
	bus_seen[bus] = true;
	for (uint8_t dev = 0; dev < 32; dev++) {
		if ((uint16_t)config_read(bus, dev, 0, PCI_VENDOR) == 0xffff)
			continue;
		bool multi = (config_read(bus, dev, 0, PCI_HEADER_TYPE & ~3u) >> 16) & 0x80;
		for (uint8_t fn = 0; fn < (multi ? 8 : 1); fn++)
			if ((uint16_t)config_read(bus, dev, fn, PCI_VENDOR) != 0xffff)
				add_function(bus, dev, fn);
	}
}

void pci_init(void)
{
	scan_bus(0);
	pr_debug("kite: pci: %u functions\n", nr_devices);
}

static int pci_initcall(void)
{
	pci_init();
	return 0;
}
INITCALL(platform, pci_initcall);

unsigned pci_count(void)
{
	return nr_devices;
}

struct pci_device *pci_device(unsigned i)
{
	return i < nr_devices ? devices[i] : NULL;
}

struct pci_device *pci_find(uint16_t vendor, uint16_t device, unsigned index)
{
	for (unsigned i = 0; i < nr_devices; i++)
		if (devices[i]->vendor == vendor && devices[i]->device == device && index-- == 0)
			return devices[i];
	return NULL;
}

void pci_enable(struct pci_device *d)
{
	pci_write16(d, PCI_COMMAND, pci_read16(d, PCI_COMMAND) | COMMAND_IO | COMMAND_MEMORY | COMMAND_MASTER);
}

volatile void *pci_map_bar(struct pci_device *d, unsigned bar, uint64_t offset, uint64_t size)
{
	if (bar >= PCI_MAX_BARS || !d->bars[bar].address || d->bars[bar].io || offset > d->bars[bar].size ||
	    size > d->bars[bar].size - offset)
		return NULL;
	return ioremap(d->bars[bar].address + offset, size);
}

int pci_msix_enable(struct pci_device *d)
{
	unsigned cap = pci_find_capability(d, PCI_CAP_MSIX, 0);
	if (!cap)
		return -ENODEV;
	uint16_t control = pci_read16(d, cap + MSIX_CONTROL);
	uint32_t table = pci_read32(d, cap + MSIX_TABLE);
	unsigned entries = (control & 0x7ff) + 1;
	d->msix_table = pci_map_bar(d, table & 7, table & ~7u, entries * 16);
	if (!d->msix_table)
		return -ENOMEM;
	d->msix_entries = entries;
	for (unsigned i = 0; i < entries; i++)
		d->msix_table[i * 4 + 3] = MSIX_ENTRY_MASKED;
	/* MSI-X replaces INTx: the legacy line is switched off too. */
	pci_write16(d, PCI_COMMAND, pci_read16(d, PCI_COMMAND) | COMMAND_INTX_DISABLE);
	pci_write16(d, cap + MSIX_CONTROL, (control | MSIX_ENABLE) & ~MSIX_FUNCTION_MASK);
	return 0;
}

int pci_msix_set(struct pci_device *d, unsigned entry, void (*handler)(void *arg), void *arg)
{
	if (!d->msix_table || entry >= d->msix_entries)
		return -ENODEV;
	uint64_t address;
	uint32_t data;
	int err = msi_request(handler, arg, &address, &data);
	if (err)
		return err;
	volatile uint32_t *e = &d->msix_table[entry * 4];
	e[0] = (uint32_t)address;
	e[1] = (uint32_t)(address >> 32);
	e[2] = data;
	e[3] = 0; /* unmasked */
	return 0;
}
