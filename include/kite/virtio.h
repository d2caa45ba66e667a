/*
 * virtio devices: a transport (drivers/virtio_pci.c: the modern PCI layout,
 * or the legacy one; virtio-mmio could be another) behind struct
 * virtio_device, and split virtqueues (drivers/virtqueue.c) that drivers use
 * the same way whatever the transport.
 */
#ifndef KITE_VIRTIO_H
#define KITE_VIRTIO_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <kite/spinlock.h>

/* Device status bits. */
#define VIRTIO_STATUS_ACKNOWLEDGE 1
#define VIRTIO_STATUS_DRIVER 2
#define VIRTIO_STATUS_DRIVER_OK 4
#define VIRTIO_STATUS_FEATURES_OK 8
#define VIRTIO_STATUS_FAILED 128

/* Feature bits every device may offer. */
#define VIRTIO_F_RING_EVENT_IDX 29
#define VIRTIO_F_VERSION_1 32

struct virtqueue;

struct virtio_device {
	const struct virtio_ops *ops;
	void *transport;		/* the transport's own state */
	const char *name;		/* for messages */
	bool legacy;			/* the legacy (0.9.5) layout */
	uint64_t features;		/* negotiated */
};

struct virtio_ops {
	uint64_t (*get_features)(struct virtio_device *vd);
	void (*set_features)(struct virtio_device *vd, uint64_t features);
	uint8_t (*get_status)(struct virtio_device *vd);
	void (*set_status)(struct virtio_device *vd, uint8_t status);
	/* Device-specific configuration, byte by byte. */
	uint8_t (*config_read8)(struct virtio_device *vd, unsigned offset);
	/* Queue `index`'s size (0: no such queue), and its setup: the rings'
	 * physical addresses and the interrupt that signals it. */
	unsigned (*queue_size)(struct virtio_device *vd, unsigned index);
	int (*queue_setup)(struct virtio_device *vd, struct virtqueue *vq);
	void (*notify)(struct virtio_device *vd, struct virtqueue *vq);
};

bool virtio_has(const struct virtio_device *vd, unsigned feature);

struct pci_device;
/* The transport of a virtio PCI device (drivers/virtio_pci.c), or NULL. */
struct virtio_device *virtio_pci_probe(struct pci_device *d, const char *name);

/*
 * Start-up as the spec orders it: reset, ACKNOWLEDGE, DRIVER, features
 * (what the device offers ANDed with `wanted`; VERSION_1 on a modern device),
 * FEATURES_OK checked. Queues are then set up, and virtio_driver_ok ends it.
 * 0, or -EIO with the device marked FAILED.
 */
int virtio_negotiate(struct virtio_device *vd, uint64_t wanted);
void virtio_driver_ok(struct virtio_device *vd);

/* --- split virtqueues --- */

struct virtq_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};
#define VIRTQ_DESC_F_NEXT 1
#define VIRTQ_DESC_F_WRITE 2

struct virtqueue {
	struct virtio_device *vd;
	unsigned index;
	unsigned size;			/* a power of two */
	uint16_t msix_vector;		/* transports that route per queue */
	/* The rings, in memory the device reads by physical address. */
	struct virtq_desc *desc;
	volatile uint16_t *avail;	/* flags, idx, ring[size], used_event */
	volatile uint8_t *used;		/* flags, idx, ring[size] of {id, len}, avail_event */
	uint64_t desc_phys, avail_phys, used_phys;
	/* Driver side; lock guards all of it. */
	spinlock_t lock;
	uint16_t free_head, nr_free;
	uint16_t avail_idx;		/* the next avail slot we fill */
	uint16_t last_used;		/* the next used entry we read */
	uint16_t kicked_at;		/* avail_idx at the last notification */
	void **cookies;			/* per head descriptor: what the driver gave */
	bool event_idx;
	void (*callback)(struct virtqueue *vq);	/* from the interrupt */
	void *driver;			/* the driver's own pointer */
};

/* Allocates queue `index` of vd with its rings and sets it up on the device;
 * NULL when it does not exist or on a lack of memory. */
struct virtqueue *virtqueue_create(struct virtio_device *vd, unsigned index,
				   void (*callback)(struct virtqueue *vq), void *driver);

/* One buffer in physical memory: `out` descriptors the device reads, then
 * `in` ones it writes. */
struct virtq_buf {
	uint64_t phys;
	uint32_t len;
};
/* Adds a chain; cookie comes back from virtqueue_get. 0, or -ENOSPC. */
int virtqueue_add(struct virtqueue *vq, const struct virtq_buf *bufs, unsigned out, unsigned in, void *cookie);
/* Tells the device about what was added, unless it said (event index) it
 * does not need to know yet. */
void virtqueue_kick(struct virtqueue *vq);
/* Notifies the device again if it looks as if it missed a notification: it
 * last looked when it had used every chain (its avail_event is its used
 * index) and chains were added since. True if it did. A driver calls it when
 * the queue has been quiet for a while; a needless notification costs only
 * the device a look (drivers/virtio_net*.c). */
bool virtqueue_renotify_if_missed(struct virtqueue *vq);
/* The next chain the device is done with (its cookie, and the bytes it
 * wrote), or NULL. */
void *virtqueue_get(struct virtqueue *vq, uint32_t *len);
/*
 * Interrupt suppression: virtqueue_disable_cb asks for no interrupts (as a
 * hint); virtqueue_enable_cb asks for them again and returns false if chains
 * were used meanwhile, which the caller must then process (else an interrupt
 * could have been lost between its last virtqueue_get and this call).
 */
void virtqueue_disable_cb(struct virtqueue *vq);
bool virtqueue_enable_cb(struct virtqueue *vq);
/* The interrupt path of a transport: runs the queue's callback. */
void virtqueue_interrupt(struct virtqueue *vq);

#endif
