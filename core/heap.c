/*
 * The heap (see heap.h).
 *
 * A span is a 64 KiB buddy block, aligned to 64 KiB, starting with a header;
 * the rest is cut into objects of one size class. kfree finds the header by
 * rounding the pointer down to 64 KiB. Large blocks (64 KiB aligned too, and
 * exactly as many pages as they need) carry the same header, marked large.
 *
 * Fast path: the CPU's magazine for the class, with preemption off (no lock, no
 * atomic). Slow path: refill or drain half a magazine at once under the class's
 * lock, so the lock is taken once per many operations.
 *
 * Locking: class->lock protects the class's partial list and every field of the
 * spans of that class. Magazines belong to their CPU.
 */
#include <kite/compiler.h>
#include <kite/cpu.h>
#include <kite/frame.h>
#include <kite/heap.h>
#include <kite/kva.h>
#include <kite/panic.h>
#include <kite/spinlock.h>
#include <stdbool.h>
#include <string.h>

#define SPAN_ORDER 4
#define SPAN_SIZE (PAGE_SIZE << SPAN_ORDER)
#define SPAN_HEADER 64
#define SPAN_MAGIC 0x5350414e
#define LARGE_MAGIC 0x4c415247
#define MAGAZINE_MAX 64

struct span {
	uint32_t magic;
	uint16_t class_idx;
	uint16_t mapped;	/* large blocks: in the KVA (vmalloc), not the direct map */
	uint32_t nr_objects, nr_free;
	void *free_objects;	/* singly linked through the objects */
	struct span *next, *prev; /* in the class's partial list */
	size_t large_size;	/* large blocks: the size asked for */
	size_t large_pages;	/* large blocks: pages in the block */
	uint32_t large_offset;	/* large blocks: where the caller's bytes start */
};
_Static_assert(sizeof(struct span) <= SPAN_HEADER, "span header too big");

static const uint32_t class_sizes[] = {
	16, 32, 48, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384, 448, 512,
	640, 768, 896, 1024, 1280, 1536, 1792, 2048, 2560, 3072, 3584, 4096,
	5120, 6144, 7168, 8192, 10240, 12288, 14336, 16384,
};
#define NR_CLASSES ARRAY_SIZE(class_sizes)
_Static_assert(16384 == HEAP_MAX_SMALL, "last class must be HEAP_MAX_SMALL");

struct size_class {
	spinlock_t lock;
	struct span *partial;	/* spans with free objects; lock: lock */
};

struct magazine {
	unsigned count;
	void *objs[MAGAZINE_MAX];
};

struct heap_cpu {
	struct magazine mags[NR_CLASSES];
	size_t in_use_bytes, allocs, frees; /* may go negative per CPU; summed */
	size_t large_bytes;
};

static struct size_class classes[NR_CLASSES];
/* Allocated on a CPU's first use: a static array for MAX_CPUS would cost over a
 * MiB of .bss, too much for a guest of a few MiB. */
static struct heap_cpu *heap_cpus[MAX_CPUS];
static size_t span_bytes; /* atomic */

/* Class of each 16-byte step up to 1 KiB, the common sizes; filled by heap_init. */
#define SMALL_LOOKUP_MAX 1024
static uint8_t small_class_lookup[SMALL_LOOKUP_MAX / 16 + 1];

static unsigned class_search(size_t size)
{
	unsigned lo = 0, hi = NR_CLASSES - 1;

	while (lo < hi) {
		unsigned mid = (lo + hi) / 2;
		if (class_sizes[mid] >= size)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

static unsigned class_of(size_t size)
{
	if (size <= SMALL_LOOKUP_MAX)
		return small_class_lookup[(size + 15) / 16];
	return class_search(size);
}

void heap_init(void)
{
	memset(classes, 0, sizeof(classes));
	memset(heap_cpus, 0, sizeof(heap_cpus));
	span_bytes = 0;
	for (size_t i = 0; i < ARRAY_SIZE(small_class_lookup); i++)
		small_class_lookup[i] = class_search(i ? i * 16 : 1);
}

static unsigned magazine_capacity(unsigned cls)
{
	unsigned cap = 32768 / class_sizes[cls];
	return cap < 2 ? 2 : cap > MAGAZINE_MAX ? MAGAZINE_MAX : cap;
}

#define HEAP_CPU_PAGES ((sizeof(struct heap_cpu) + PAGE_SIZE - 1) >> PAGE_SHIFT)

/* The current CPU's heap state; preemption is off. Its first use allocates it
 * (frames are zeroed by hand: the frame allocator gives them dirty). */
static struct heap_cpu *this_heap_cpu(void)
{
	unsigned id = cpu_current_id();
	struct heap_cpu *hc = heap_cpus[id];

	if (unlikely(!hc)) {
		hc = frame_allocator_alloc_pages(&kernel_frames, HEAP_CPU_PAGES, 0);
		if (!hc)
			out_of_memory("no memory for CPU %u's heap caches", id);
		memset(hc, 0, sizeof(*hc));
		heap_cpus[id] = hc;
	}
	return hc;
}

static struct span *span_of(const void *p)
{
	return (struct span *)((uintptr_t)p & ~(uintptr_t)(SPAN_SIZE - 1));
}

static struct span *span_new(unsigned cls)
{
	struct span *s = frame_alloc(SPAN_ORDER);
	uint32_t size = class_sizes[cls];

	if (!s)
		return NULL;
	*s = (struct span){ .magic = SPAN_MAGIC, .class_idx = cls };
	s->nr_objects = (SPAN_SIZE - SPAN_HEADER) / size;
	s->nr_free = s->nr_objects;
	/* Chain objects in address order so that first allocations are sequential. */
	char *first = (char *)s + SPAN_HEADER;
	for (uint32_t i = 0; i < s->nr_objects; i++)
		*(void **)(first + i * size) = i + 1 < s->nr_objects ? first + (i + 1) * size : NULL;
	s->free_objects = first;
	__atomic_add_fetch(&span_bytes, SPAN_SIZE, __ATOMIC_RELAXED);
	return s;
}

static void partial_push(struct size_class *c, struct span *s)
{
	s->prev = NULL;
	s->next = c->partial;
	if (c->partial)
		c->partial->prev = s;
	c->partial = s;
}

static void partial_remove(struct size_class *c, struct span *s)
{
	if (s->prev)
		s->prev->next = s->next;
	else
		c->partial = s->next;
	if (s->next)
		s->next->prev = s->prev;
	s->next = s->prev = NULL;
}

/* Moves up to `want` objects from the class's spans into the magazine. */
static void refill(unsigned cls, struct magazine *m, unsigned want)
{
	struct size_class *c = &classes[cls];

	spin_lock(&c->lock);
	while (m->count < want) {
		struct span *s = c->partial;
		if (!s) {
			/* Allocating a span can take a while; do it unlocked. */
			spin_unlock(&c->lock);
			s = span_new(cls);
			spin_lock(&c->lock);
			if (!s)
				break;
			partial_push(c, s);
		}
		while (m->count < want && s->free_objects) {
			void *obj = s->free_objects;
			s->free_objects = *(void **)obj;
			s->nr_free--;
			m->objs[m->count++] = obj;
		}
		if (!s->free_objects)
			partial_remove(c, s);
	}
	spin_unlock(&c->lock);
}

/* Returns objects to their spans; frees spans that become empty while another
 * partial span remains (one empty span is kept to damp alloc/free cycles). */
static void drain(unsigned cls, void **objs, unsigned n)
{
	struct size_class *c = &classes[cls];
	struct span *to_release[MAGAZINE_MAX];
	unsigned nr_release = 0;

	spin_lock(&c->lock);
	for (unsigned i = 0; i < n; i++) {
		struct span *s = span_of(objs[i]);
		if (!s->free_objects)
			partial_push(c, s);
		*(void **)objs[i] = s->free_objects;
		s->free_objects = objs[i];
		s->nr_free++;
		if (s->nr_free == s->nr_objects && (c->partial != s || s->next)) {
			partial_remove(c, s);
			to_release[nr_release++] = s;
		}
	}
	spin_unlock(&c->lock);
	for (unsigned i = 0; i < nr_release; i++) {
		to_release[i]->magic = 0;
		frame_free(to_release[i], SPAN_ORDER);
		__atomic_sub_fetch(&span_bytes, SPAN_SIZE, __ATOMIC_RELAXED);
	}
}

/*
 * Large blocks are exactly the pages they need, 64 KiB aligned (for span_of):
 * physically contiguous up to HEAP_MAX_CONTIGUOUS, mapped from scattered frames
 * in the KVA above that, so that big blocks never need big contiguous memory.
 */
static void *large_alloc(size_t size, size_t offset)
{
	size_t npages = (size + offset + PAGE_SIZE - 1) >> PAGE_SHIFT;
	bool mapped = size > HEAP_MAX_CONTIGUOUS;
	struct span *s;

	if (size > HEAP_MAX_LARGE)
		return NULL;
	if (mapped)
		s = vmalloc(npages << PAGE_SHIFT, SPAN_SIZE, false);
	else
		s = frame_allocator_alloc_pages(&kernel_frames, npages, SPAN_ORDER);
	if (!s)
		return NULL;
	*s = (struct span){ .magic = LARGE_MAGIC, .large_pages = npages, .large_size = size,
			    .mapped = mapped, .large_offset = (uint32_t)offset };
	preempt_disable();
	struct heap_cpu *hc = this_heap_cpu();
	hc->large_bytes += npages << PAGE_SHIFT;
	hc->in_use_bytes += size;
	hc->allocs++;
	preempt_enable();
	return (char *)s + offset;
}

void *kmalloc(size_t size)
{
	if (size == 0)
		size = 1;
	if (size > HEAP_MAX_SMALL)
		return large_alloc(size, SPAN_HEADER);

	unsigned cls = class_of(size);
	preempt_disable();
	struct heap_cpu *hc = this_heap_cpu();
	struct magazine *m = &hc->mags[cls];
	if (!m->count)
		refill(cls, m, (magazine_capacity(cls) + 1) / 2);
	void *p = m->count ? m->objs[--m->count] : NULL;
	if (p) {
		hc->in_use_bytes += class_sizes[cls];
		hc->allocs++;
	}
	preempt_enable();
	return p;
}

void kfree(void *p)
{
	if (!p)
		return;
	struct span *s = span_of(p);
	if (s->magic == LARGE_MAGIC && (char *)p == (char *)s + s->large_offset) {
		size_t npages = s->large_pages;
		preempt_disable();
		struct heap_cpu *hc = this_heap_cpu();
		hc->large_bytes -= npages << PAGE_SHIFT;
		hc->in_use_bytes -= s->large_size;
		hc->frees++;
		preempt_enable();
		s->magic = 0;
		if (s->mapped)
			vfree(s, npages << PAGE_SHIFT, SPAN_SIZE, false);
		else
			frame_allocator_free_pages(&kernel_frames, s, npages);
		return;
	}
	if (s->magic != SPAN_MAGIC || (char *)p < (char *)s + SPAN_HEADER ||
	    ((char *)p - (char *)s - SPAN_HEADER) % class_sizes[s->class_idx])
		panic("kfree: %p was not returned by kmalloc", p);

	unsigned cls = s->class_idx;
	unsigned cap = magazine_capacity(cls);
	preempt_disable();
	struct heap_cpu *hc = this_heap_cpu();
	struct magazine *m = &hc->mags[cls];
	if (m->count == cap) {
		unsigned half = cap / 2;
		drain(cls, &m->objs[cap - half], half);
		m->count -= half;
	}
	m->objs[m->count++] = p;
	hc->in_use_bytes -= class_sizes[cls];
	hc->frees++;
	preempt_enable();
}

size_t kmalloc_usable_size(const void *p)
{
	if (!p)
		return 0;
	struct span *s = span_of(p);
	if (s->magic == LARGE_MAGIC)
		return (s->large_pages << PAGE_SHIFT) - s->large_offset;
	return class_sizes[s->class_idx];
}

/*
 * Up to 64 bytes of alignment come from the size classes: every class of 64
 * bytes or more is a multiple of 64 and the objects start 64 bytes into a 64 KiB
 * aligned span, so a size rounded up to 64 lands on a 64-byte boundary. Larger
 * alignments take a large block (64 KiB aligned) and start `align` bytes in,
 * which keeps the header findable by rounding down.
 */
void *kmalloc_aligned(size_t size, size_t align)
{
	if (align <= HEAP_ALIGN)
		return kmalloc(size);
	if (align & (align - 1) || align > HEAP_MAX_ALIGN)
		return NULL;
	if (align <= SPAN_HEADER && size <= HEAP_MAX_SMALL - SPAN_HEADER)
		return kmalloc(size ? (size + SPAN_HEADER - 1) & ~(size_t)(SPAN_HEADER - 1) : SPAN_HEADER);
	return large_alloc(size, align > SPAN_HEADER ? align : SPAN_HEADER);
}

void *kzalloc(size_t size)
{
	void *p = kmalloc(size);
	if (p)
		memset(p, 0, size);
	return p;
}

void *kcalloc(size_t n, size_t size)
{
	size_t total;
	if (__builtin_mul_overflow(n, size, &total))
		return NULL;
	return kzalloc(total);
}

void *krealloc(void *p, size_t size)
{
	if (!p)
		return kmalloc(size);
	size_t old = kmalloc_usable_size(p);
	if (size <= old && size > old / 2)
		return p;
	void *q = kmalloc(size);
	if (!q)
		return NULL;
	memcpy(q, p, size < old ? size : old);
	kfree(p);
	return q;
}

void heap_get_stats(struct heap_stats *st)
{
	*st = (struct heap_stats){ .span_bytes = __atomic_load_n(&span_bytes, __ATOMIC_RELAXED) };
	for (unsigned i = 0; i < MAX_CPUS; i++) {
		const struct heap_cpu *hc = heap_cpus[i];
		if (!hc)
			continue;
		st->percpu_bytes += HEAP_CPU_PAGES << PAGE_SHIFT;
		st->in_use_bytes += hc->in_use_bytes;
		st->large_bytes += hc->large_bytes;
		st->allocs += hc->allocs;
		st->frees += hc->frees;
	}
}

void heap_trim(void)
{
	preempt_disable();
	struct heap_cpu *hc = this_heap_cpu();
	for (unsigned cls = 0; cls < NR_CLASSES; cls++) {
		struct magazine *m = &hc->mags[cls];
		drain(cls, m->objs, m->count);
		m->count = 0;
		/* drain() keeps one empty span per class; let it go too. */
		struct size_class *c = &classes[cls];
		spin_lock(&c->lock);
		struct span *s = c->partial;
		struct span *release = NULL;
		if (s && !s->next && s->nr_free == s->nr_objects) {
			partial_remove(c, s);
			release = s;
		}
		spin_unlock(&c->lock);
		if (release) {
			release->magic = 0;
			frame_free(release, SPAN_ORDER);
			__atomic_sub_fetch(&span_bytes, SPAN_SIZE, __ATOMIC_RELAXED);
		}
	}
	preempt_enable();
}
