/*
 * Split virtqueues (virtio 1.x, 2.7; the legacy layout is the same rings in
 * one block, the used ring page-aligned, which is how they are laid out here
 * for every transport).
 *
 * Notification suppression both ways, with or without the event index: the
 * driver kicks only when the device asked to hear about the new entries, and
 * virtqueue_enable_cb re-checks the used ring after asking for interrupts, so
 * that a completion that slipped in between is never left without an
 * interrupt (the wedge seen in other unikernels under TCG with event_idx on).
 */
#include <kite/errno.h>
#include <kite/frame.h>
#include <kite/heap.h>
#include <kite/memlayout.h>
#include <kite/virtio.h>
#include <string.h>

#define VRING_AVAIL_F_NO_INTERRUPT 1
#define VRING_USED_F_NO_NOTIFY 1
#define LEGACY_ALIGN 4096

static inline void full_barrier(void)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

bool virtio_has(const struct virtio_device *vd, unsigned feature)
{
	return (vd->features >> feature) & 1;
}

static volatile uint16_t *used_idx(struct virtqueue *vq)
{
	return (volatile uint16_t *)(vq->used + 2);
}

static volatile uint16_t *avail_event(struct virtqueue *vq)
{
	return (volatile uint16_t *)(vq->used + 4 + 8 * vq->size);
}

static volatile uint16_t *used_event(struct virtqueue *vq)
{
	return &vq->avail[2 + vq->size];
}

struct virtqueue *virtqueue_create(struct virtio_device *vd, unsigned index,
				   void (*callback)(struct virtqueue *vq), void *driver)
{
	unsigned size = vd->ops->queue_size(vd, index);
	if (!size || (size & (size - 1)) || size > 32768)
		return NULL;
	size_t avail_end = 16 * size + 6 + 2 * size;
	size_t used_off = (avail_end + LEGACY_ALIGN - 1) & ~(size_t)(LEGACY_ALIGN - 1);
	size_t total = used_off + 6 + 8 * size;
	unsigned order = 0;
	while ((PAGE_SIZE << order) < total)
		order++;
	struct virtqueue *vq = kzalloc(sizeof(*vq));
	uint8_t *mem = frame_alloc(order);
	void **cookies = kzalloc(size * sizeof(void *));
	if (!vq || !mem || !cookies) {
		kfree(vq);
		kfree(cookies);
		if (mem)
			frame_free(mem, order);
		return NULL;
	}
	memset(mem, 0, PAGE_SIZE << order);
	*vq = (struct virtqueue){
		.vd = vd, .index = index, .size = size,
		.desc = (struct virtq_desc *)mem,
		.avail = (volatile uint16_t *)(mem + 16 * size),
		.used = mem + used_off,
		.desc_phys = virt_to_phys(mem),
		.avail_phys = virt_to_phys(mem + 16 * size),
		.used_phys = virt_to_phys(mem + used_off),
		.lock = SPINLOCK_INIT,
		.nr_free = (uint16_t)size,
		.cookies = cookies,
		.event_idx = virtio_has(vd, VIRTIO_F_RING_EVENT_IDX),
		.callback = callback,
		.driver = driver,
	};
	for (unsigned i = 0; i + 1 < size; i++)
		vq->desc[i].next = (uint16_t)(i + 1);
	if (vd->ops->queue_setup(vd, vq)) {
		frame_free(mem, order);
		kfree(cookies);
		kfree(vq);
		return NULL;
	}
	return vq;
}

int virtqueue_add(struct virtqueue *vq, const struct virtq_buf *bufs, unsigned out, unsigned in, void *cookie)
{
	unsigned n = out + in;
	unsigned long flags;
	spin_lock_irqsave(&vq->lock, &flags);
	if (!n || n > vq->nr_free) {
		spin_unlock_irqrestore(&vq->lock, flags);
		return -ENOSPC;
	}
	uint16_t head = vq->free_head, at = head, last = head;
	for (unsigned i = 0; i < n; i++) {
		struct virtq_desc *d = &vq->desc[at];
		d->addr = bufs[i].phys;
		d->len = bufs[i].len;
		d->flags = (uint16_t)((i >= out ? VIRTQ_DESC_F_WRITE : 0) | (i + 1 < n ? VIRTQ_DESC_F_NEXT : 0));
		last = at;
		at = d->next;
	}
	vq->free_head = vq->desc[last].next;
	vq->nr_free = (uint16_t)(vq->nr_free - n);
	vq->cookies[head] = cookie;
	vq->avail[2 + (vq->avail_idx & (vq->size - 1))] = head;
	/* The entry before the index that publishes it (x86 keeps stores in
	 * order; the compiler must too). */
	vq->avail_idx++;
	__atomic_store_n(&vq->avail[1], vq->avail_idx, __ATOMIC_RELEASE);
	spin_unlock_irqrestore(&vq->lock, flags);
	return 0;
}

void virtqueue_kick(struct virtqueue *vq)
{
	unsigned long flags;
	spin_lock_irqsave(&vq->lock, &flags);
	/* The new index must be visible before the device's wishes are read. */
	full_barrier();
	uint16_t new = vq->avail_idx, old = vq->kicked_at;
	bool needed;
	if (vq->event_idx) {
		uint16_t event = *avail_event(vq);
		needed = (uint16_t)(new - event - 1) < (uint16_t)(new - old);
	} else {
		needed = !(*(volatile uint16_t *)vq->used & VRING_USED_F_NO_NOTIFY);
	}
	vq->kicked_at = new;
	spin_unlock_irqrestore(&vq->lock, flags);
	if (needed && new != old)
		vq->vd->ops->notify(vq->vd, vq);
}

bool virtqueue_renotify_if_missed(struct virtqueue *vq)
{
	if (!vq->event_idx)
		return false; /* without the event index every kick is sent */
	unsigned long flags;
	spin_lock_irqsave(&vq->lock, &flags);
	full_barrier();
	uint16_t used = *used_idx(vq);
	bool missed = vq->avail_idx != used && *avail_event(vq) == used && vq->kicked_at == vq->avail_idx;
	spin_unlock_irqrestore(&vq->lock, flags);
	if (missed)
		vq->vd->ops->notify(vq->vd, vq);
	return missed;
}

void *virtqueue_get(struct virtqueue *vq, uint32_t *len)
{
	unsigned long flags;
	spin_lock_irqsave(&vq->lock, &flags);
	if (vq->last_used == __atomic_load_n(used_idx(vq), __ATOMIC_ACQUIRE)) {
		spin_unlock_irqrestore(&vq->lock, flags);
		return NULL;
	}
	const volatile uint32_t *entry = (const volatile uint32_t *)(vq->used + 4 + 8 * (vq->last_used & (vq->size - 1)));
	uint32_t id = entry[0];
	if (len)
		*len = entry[1];
	vq->last_used++;
	void *cookie = NULL;
	if (id < vq->size) {
		cookie = vq->cookies[id];
		vq->cookies[id] = NULL;
		/* The chain back on the free list. */
		uint16_t at = (uint16_t)id, n = 1;
		while ((vq->desc[at].flags & VIRTQ_DESC_F_NEXT) && n < vq->size) {
			at = vq->desc[at].next;
			n++;
		}
		vq->desc[at].next = vq->free_head;
		vq->free_head = (uint16_t)id;
		vq->nr_free = (uint16_t)(vq->nr_free + n);
	}
	if (vq->event_idx) /* interrupt again at the next completion */
		*used_event(vq) = vq->last_used;
	spin_unlock_irqrestore(&vq->lock, flags);
	return cookie;
}

void virtqueue_disable_cb(struct virtqueue *vq)
{
	vq->avail[0] = VRING_AVAIL_F_NO_INTERRUPT;
}

bool virtqueue_enable_cb(struct virtqueue *vq)
{
	unsigned long flags;
	spin_lock_irqsave(&vq->lock, &flags);
	vq->avail[0] = 0;
	if (vq->event_idx)
		*used_event(vq) = vq->last_used;
	/* Ask first, then look: a completion after the look raises an interrupt. */
	full_barrier();
	bool empty = vq->last_used == *used_idx(vq);
	spin_unlock_irqrestore(&vq->lock, flags);
	return empty;
}

void virtqueue_interrupt(struct virtqueue *vq)
{
	if (vq->callback)
		vq->callback(vq);
}

int virtio_negotiate(struct virtio_device *vd, uint64_t wanted)
{
	const struct virtio_ops *ops = vd->ops;
	ops->set_status(vd, 0); /* reset */
	ops->set_status(vd, VIRTIO_STATUS_ACKNOWLEDGE);
	ops->set_status(vd, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	uint64_t offered = ops->get_features(vd);
	if (!vd->legacy)
		wanted |= 1ULL << VIRTIO_F_VERSION_1;
	vd->features = offered & wanted;
	ops->set_features(vd, vd->features);
	if (!vd->legacy) {
		ops->set_status(vd, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK);
		if (!(ops->get_status(vd) & VIRTIO_STATUS_FEATURES_OK)) {
			ops->set_status(vd, VIRTIO_STATUS_FAILED);
			return -EIO;
		}
	}
	return 0;
}

void virtio_driver_ok(struct virtio_device *vd)
{
	uint8_t status = VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_DRIVER_OK;
	if (!vd->legacy)
		status |= VIRTIO_STATUS_FEATURES_OK;
	vd->ops->set_status(vd, status);
}
