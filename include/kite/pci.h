/*
 * PCI: the devices found at boot (every bus reachable from bus 0 through
 * bridges, through configuration mechanism #1, ports 0xcf8/0xcfc), their
 * configuration space, BARs, capabilities and MSI-X.
 */
#ifndef KITE_PCI_H
#define KITE_PCI_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PCI_MAX_BARS 6
#define PCI_CAP_MSIX 0x11
#define PCI_CAP_VENDOR 0x09

struct pci_bar {
	uint64_t address;	/* 0: not implemented */
	uint64_t size;
	bool io;		/* an I/O port range (else memory) */
};

struct pci_device {
	uint8_t bus, dev, fn;
	uint16_t vendor, device;
	uint8_t class, subclass, prog_if, revision;
	uint16_t subsystem_vendor, subsystem;
	uint8_t irq_line, irq_pin;	/* the firmware's routing; pin 0: no INTx */
	struct pci_bar bars[PCI_MAX_BARS];
	/* MSI-X, once enabled */
	volatile uint32_t *msix_table;
	unsigned msix_entries;
};

/* Scans the buses (the platform init level does it). */
void pci_init(void);

/* The index-th device (from 0) with these IDs, or NULL. */
struct pci_device *pci_find(uint16_t vendor, uint16_t device, unsigned index);
/* Every device, for listings. */
unsigned pci_count(void);
struct pci_device *pci_device(unsigned i);

uint8_t pci_read8(const struct pci_device *d, unsigned offset);
uint16_t pci_read16(const struct pci_device *d, unsigned offset);
uint32_t pci_read32(const struct pci_device *d, unsigned offset);
void pci_write16(const struct pci_device *d, unsigned offset, uint16_t v);
void pci_write32(const struct pci_device *d, unsigned offset, uint32_t v);

/* The offset of the first (start 0) or next capability of this id after
 * `start`, or 0. */
unsigned pci_find_capability(const struct pci_device *d, uint8_t id, unsigned start);

/* Memory and I/O decoding on, and bus mastering (DMA). */
void pci_enable(struct pci_device *d);

/* A memory BAR mapped uncached into the kernel, from `offset` for `size`
 * bytes; NULL if the BAR is not memory or too small. */
volatile void *pci_map_bar(struct pci_device *d, unsigned bar, uint64_t offset, uint64_t size);

/*
 * MSI-X: enables it with every vector masked; pci_msix_set routes table
 * entry `entry` to a new interrupt vector with its handler and unmasks it.
 * 0, or -ENODEV (the device has no MSI-X), -ENOMEM, -ENOSPC.
 */
int pci_msix_enable(struct pci_device *d);
int pci_msix_set(struct pci_device *d, unsigned entry, void (*handler)(void *arg), void *arg);

#endif
