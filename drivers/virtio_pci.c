/*
 * The virtio PCI transport (virtio 1.x, 4.1): the modern layout, found
 * through vendor capabilities (common configuration, notifications, ISR,
 * device configuration, each in some BAR), and the legacy layout (I/O BAR 0)
 * for devices that lack it (`disable-modern=on`). Interrupts are MSI-X: entry
 * 0 for configuration changes, entry 1 + n for queue n; a device without
 * MSI-X raises its INTx line instead (through the I/O APIC), and the ISR
 * register says whether it was for the queues.
 */
#include <arch/io.h>
#include <kite/errno.h>
#include <kite/heap.h>
#include <kite/irq.h>
#include <kite/pci.h>
#include <kite/printk.h>
#include <kite/virtio.h>

#define VIRTIO_VENDOR 0x1af4

/* Modern capabilities. */
#define CFG_COMMON 1
#define CFG_NOTIFY 2
#define CFG_ISR 3
#define CFG_DEVICE 4

/* The common configuration structure. */
#define COMMON_DFSELECT 0
#define COMMON_DF 4
#define COMMON_GFSELECT 8
#define COMMON_GF 12
#define COMMON_MSIX 16
#define COMMON_NUMQ 18
#define COMMON_STATUS 20
#define COMMON_Q_SELECT 22
#define COMMON_Q_SIZE 24
#define COMMON_Q_MSIX 26
#define COMMON_Q_ENABLE 28
#define COMMON_Q_NOFF 30
#define COMMON_Q_DESC 32
#define COMMON_Q_AVAIL 40
#define COMMON_Q_USED 48

/* The legacy registers in I/O BAR 0; the device's configuration follows
 * them, 4 bytes later when MSI-X is on. */
#define LEGACY_HOST_FEATURES 0
#define LEGACY_GUEST_FEATURES 4
#define LEGACY_Q_PFN 8
#define LEGACY_Q_SIZE 12
#define LEGACY_Q_SELECT 14
#define LEGACY_Q_NOTIFY 16
#define LEGACY_STATUS 18
#define LEGACY_ISR 19
#define LEGACY_CONFIG_VECTOR 20
#define LEGACY_Q_VECTOR 22
#define LEGACY_CONFIG_MSIX 24

#define NO_VECTOR 0xffff
#define LEGACY_CONFIG 20	/* without MSI-X */
#define MAX_QUEUES 8
#define ISR_QUEUE 1

struct virtio_pci {
	struct virtio_device vd;
	struct pci_device *pci;
	volatile uint8_t *common, *notify, *isr, *device;
	uint32_t notify_multiplier;
	uint16_t io;			/* legacy: the I/O BAR's base port */
	bool msix;			/* else INTx */
	struct virtqueue *queues[MAX_QUEUES];	/* for the INTx handler */
};

static struct virtio_pci *VP(struct virtio_device *vd)
{
	return vd->transport;
}

static void w8(volatile uint8_t *b, unsigned o, uint8_t v) { *(volatile uint8_t *)(b + o) = v; }
static void w16(volatile uint8_t *b, unsigned o, uint16_t v) { *(volatile uint16_t *)(b + o) = v; }
static void w32(volatile uint8_t *b, unsigned o, uint32_t v) { *(volatile uint32_t *)(b + o) = v; }
static uint8_t r8(volatile uint8_t *b, unsigned o) { return *(volatile uint8_t *)(b + o); }
static uint16_t r16(volatile uint8_t *b, unsigned o) { return *(volatile uint16_t *)(b + o); }
static uint32_t r32(volatile uint8_t *b, unsigned o) { return *(volatile uint32_t *)(b + o); }

static void w64(volatile uint8_t *b, unsigned o, uint64_t v)
{
	w32(b, o, (uint32_t)v);
	w32(b, o + 4, (uint32_t)(v >> 32));
}

/* --- modern --- */

static uint64_t modern_get_features(struct virtio_device *vd)
{
	struct virtio_pci *p = VP(vd);
	w32(p->common, COMMON_DFSELECT, 0);
	uint64_t low = r32(p->common, COMMON_DF);
	w32(p->common, COMMON_DFSELECT, 1);
	return low | (uint64_t)r32(p->common, COMMON_DF) << 32;
}

static void modern_set_features(struct virtio_device *vd, uint64_t f)
{
	struct virtio_pci *p = VP(vd);
	w32(p->common, COMMON_GFSELECT, 0);
	w32(p->common, COMMON_GF, (uint32_t)f);
	w32(p->common, COMMON_GFSELECT, 1);
	w32(p->common, COMMON_GF, (uint32_t)(f >> 32));
}

static uint8_t modern_get_status(struct virtio_device *vd)
{
	return r8(VP(vd)->common, COMMON_STATUS);
}

static void modern_set_status(struct virtio_device *vd, uint8_t s)
{
	w8(VP(vd)->common, COMMON_STATUS, s);
	if (!s) /* a reset is done when the status reads 0 */
		while (r8(VP(vd)->common, COMMON_STATUS))
			;
}

static uint8_t modern_config_read8(struct virtio_device *vd, unsigned offset)
{
	return r8(VP(vd)->device, offset);
}

static unsigned modern_queue_size(struct virtio_device *vd, unsigned index)
{
	struct virtio_pci *p = VP(vd);
	if (index >= r16(p->common, COMMON_NUMQ))
		return 0;
	w16(p->common, COMMON_Q_SELECT, (uint16_t)index);
	return r16(p->common, COMMON_Q_SIZE);
}

static void queue_irq(void *arg)
{
	virtqueue_interrupt(arg);
}

/* The queue's interrupt: an MSI-X entry of its own, or the shared INTx line. */
static int route_queue(struct virtio_pci *p, struct virtqueue *vq)
{
	if (vq->index >= MAX_QUEUES)
		return -ENOSPC;
	p->queues[vq->index] = vq;
	return p->msix ? pci_msix_set(p->pci, 1 + vq->index, queue_irq, vq) : 0;
}

static int modern_queue_setup(struct virtio_device *vd, struct virtqueue *vq)
{
	struct virtio_pci *p = VP(vd);
	int err = route_queue(p, vq);
	if (err)
		return err;
	w16(p->common, COMMON_Q_SELECT, (uint16_t)vq->index);
	w16(p->common, COMMON_Q_SIZE, (uint16_t)vq->size);
	if (p->msix) {
		w16(p->common, COMMON_Q_MSIX, (uint16_t)(1 + vq->index));
		if (r16(p->common, COMMON_Q_MSIX) == NO_VECTOR)
			return -EIO;
	}
	w64(p->common, COMMON_Q_DESC, vq->desc_phys);
	w64(p->common, COMMON_Q_AVAIL, vq->avail_phys);
	w64(p->common, COMMON_Q_USED, vq->used_phys);
	w16(p->common, COMMON_Q_ENABLE, 1);
	return 0;
}

static void modern_notify(struct virtio_device *vd, struct virtqueue *vq)
{
	struct virtio_pci *p = VP(vd);
	w16(p->common, COMMON_Q_SELECT, (uint16_t)vq->index);
	unsigned off = r16(p->common, COMMON_Q_NOFF) * p->notify_multiplier;
	w16(p->notify, off, (uint16_t)vq->index);
}

static const struct virtio_ops modern_ops = {
	.get_features = modern_get_features,
	.set_features = modern_set_features,
	.get_status = modern_get_status,
	.set_status = modern_set_status,
	.config_read8 = modern_config_read8,
	.queue_size = modern_queue_size,
	.queue_setup = modern_queue_setup,
	.notify = modern_notify,
};

/* Maps the structure a vendor capability at `cap` describes. */
static volatile uint8_t *map_cap(struct pci_device *d, unsigned cap)
{
	uint8_t bar = pci_read8(d, cap + 4);
	uint32_t offset = pci_read32(d, cap + 8), length = pci_read32(d, cap + 12);
	return (volatile uint8_t *)pci_map_bar(d, bar, offset, length ? length : 1);
}

static int modern_probe(struct virtio_pci *p)
{
	struct pci_device *d = p->pci;
	for (unsigned cap = pci_find_capability(d, PCI_CAP_VENDOR, 0); cap;
	     cap = pci_find_capability(d, PCI_CAP_VENDOR, cap)) {
		uint8_t type = pci_read8(d, cap + 3);
		volatile uint8_t **where = type == CFG_COMMON ? &p->common : type == CFG_NOTIFY ? &p->notify :
					   type == CFG_ISR ? &p->isr : type == CFG_DEVICE ? &p->device : NULL;
		if (!where || *where)
			continue; /* the first of each kind is the one to use */
		*where = map_cap(d, cap);
		if (type == CFG_NOTIFY)
			p->notify_multiplier = pci_read32(d, cap + 16);
	}
	return p->common && p->notify && p->isr ? 0 : -ENODEV;
}

/* --- legacy --- */

static uint64_t legacy_get_features(struct virtio_device *vd)
{
	return inl(VP(vd)->io + LEGACY_HOST_FEATURES);
}

static void legacy_set_features(struct virtio_device *vd, uint64_t f)
{
	outl(VP(vd)->io + LEGACY_GUEST_FEATURES, (uint32_t)f);
}

static uint8_t legacy_get_status(struct virtio_device *vd)
{
	return inb(VP(vd)->io + LEGACY_STATUS);
}

static void legacy_set_status(struct virtio_device *vd, uint8_t s)
{
	outb(VP(vd)->io + LEGACY_STATUS, s);
}

static uint8_t legacy_config_read8(struct virtio_device *vd, unsigned offset)
{
	struct virtio_pci *p = VP(vd);
	return inb(p->io + (p->msix ? LEGACY_CONFIG_MSIX : LEGACY_CONFIG) + offset);
}

static unsigned legacy_queue_size(struct virtio_device *vd, unsigned index)
{
	outw(VP(vd)->io + LEGACY_Q_SELECT, (uint16_t)index);
	return inw(VP(vd)->io + LEGACY_Q_SIZE);
}

static int legacy_queue_setup(struct virtio_device *vd, struct virtqueue *vq)
{
	struct virtio_pci *p = VP(vd);
	int err = route_queue(p, vq);
	if (err)
		return err;
	outw(p->io + LEGACY_Q_SELECT, (uint16_t)vq->index);
	if (p->msix) {
		outw(p->io + LEGACY_Q_VECTOR, (uint16_t)(1 + vq->index));
		if (inw(p->io + LEGACY_Q_VECTOR) == NO_VECTOR)
			return -EIO;
	}
	/* The rings in one block, the used ring 4096-aligned: the page number. */
	outl(p->io + LEGACY_Q_PFN, (uint32_t)(vq->desc_phys >> 12));
	return 0;
}

static void legacy_notify(struct virtio_device *vd, struct virtqueue *vq)
{
	outw(VP(vd)->io + LEGACY_Q_NOTIFY, (uint16_t)vq->index);
}

static const struct virtio_ops legacy_ops = {
	.get_features = legacy_get_features,
	.set_features = legacy_set_features,
	.get_status = legacy_get_status,
	.set_status = legacy_set_status,
	.config_read8 = legacy_config_read8,
	.queue_size = legacy_queue_size,
	.queue_setup = legacy_queue_setup,
	.notify = legacy_notify,
};

static void config_irq(void *arg)
{
	(void)arg; /* configuration changes (link status) are read when needed */
}

/* INTx: reading the ISR says why (and lowers the line). */
static void intx_irq(void *arg)
{
	struct virtio_pci *p = arg;
	uint8_t isr = p->vd.legacy ? inb(p->io + LEGACY_ISR) : r8(p->isr, 0);
	if (isr & ISR_QUEUE)
		for (unsigned i = 0; i < MAX_QUEUES; i++)
			if (p->queues[i])
				virtqueue_interrupt(p->queues[i]);
}

/* The global system interrupt of the device's INTx line. On q35 (ICH9) the
 * PIRQ lines reach I/O APIC pins 16-23, and QEMU wires slot s's INTA-D to
 * PIRQ E-H, (s + pin) mod 4 (its ACPI routing table says the same); on pc
 * (PIIX) the lines are routed to the ISA line the firmware wrote in the
 * interrupt-line register. */
static int intx_gsi(const struct pci_device *d)
{
	struct pci_device *host = pci_device(0);
	if (!d->irq_pin)
		return -1;
	if (host && host->vendor == 0x8086 && host->device == 0x29c0)
		return 20 + ((d->dev + d->irq_pin - 1) & 3);
	return d->irq_line && d->irq_line < 16 ? d->irq_line : -1;
}

struct virtio_device *virtio_pci_probe(struct pci_device *d, const char *name)
{
	if (d->vendor != VIRTIO_VENDOR)
		return NULL;
	struct virtio_pci *p = kzalloc(sizeof(*p));
	if (!p)
		return NULL;
	p->pci = d;
	p->vd.transport = p;
	p->vd.name = name;
	pci_enable(d);
	if (modern_probe(p) == 0) {
		p->vd.ops = &modern_ops;
	} else if (d->bars[0].io && d->bars[0].address) {
		p->vd.ops = &legacy_ops;
		p->vd.legacy = true;
		p->io = (uint16_t)d->bars[0].address;
	} else {
		pr_warn("kite: %s: neither a modern nor a legacy virtio layout\n", name);
		kfree(p);
		return NULL;
	}
	p->msix = pci_msix_enable(d) == 0 && pci_msix_set(d, 0, config_irq, p) == 0;
	if (p->msix) {
		if (p->vd.legacy)
			outw(p->io + LEGACY_CONFIG_VECTOR, 0);
		else
			w16(p->common, COMMON_MSIX, 0);
	} else {
		int gsi = intx_gsi(d);
		if (gsi < 0 || irq_request_pci((uint32_t)gsi, intx_irq, p)) {
			pr_warn("kite: %s: neither MSI-X nor a usable INTx line\n", name);
			kfree(p);
			return NULL;
		}
	}
	pr_debug("kite: %s: virtio-pci (%s) at %02x:%02x.%x, %s\n", name, p->vd.legacy ? "legacy" : "modern", d->bus,
		 d->dev, d->fn, p->msix ? "MSI-X" : "INTx");
	return &p->vd;
}
