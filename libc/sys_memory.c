/*
 * The application's address space (see sys_memory.h).
 *
 * The page tables are the truth about pages (present, permissions, frame); this
 * file keeps only the list of reserved ranges, sorted from the highest address
 * down, so that mmap can find a hole and mprotect can tell reserved memory from
 * none. New mappings are placed top-down from MMAP_TOP, as Linux does. Every
 * frame here is an order-0 frame, as the loader's are, so munmap can free pages
 * whoever mapped them.
 */
#include <kite/errno.h>
#include <kite/frame.h>
#include <kite/fs_calls.h>
#include <kite/heap.h>
#include <kite/memlayout.h>
#include <kite/paging.h>
#include <kite/sync.h>
#include <kite/sys_memory.h>
#include <stdbool.h>
#include <string.h>

#define USER_TOP 0x00007ffffffff000UL	/* the last page below the hole stays unmapped */
#define MMAP_TOP 0x00007f0000000000UL
#define MMAP_MIN_ADDR 0x10000UL		/* Linux's vm.mmap_min_addr */
#define LOW_2G_TOP 0x80000000UL		/* MAP_32BIT: the first 2 GiB */
#define PROT_ALL (PROT_R | PROT_W | PROT_X)

struct range {
	uintptr_t start, end;
	struct range *next;		/* the next lower range */
};

static struct range *ranges;		/* lock: lock */
static struct mutex lock = MUTEX_INIT(lock);

static bool overlaps(const struct range *r, uintptr_t start, uintptr_t end)
{
	return r->start < end && start < r->end;
}

static bool range_free(uintptr_t start, uintptr_t end)
{
	for (struct range *r = ranges; r; r = r->next)
		if (overlaps(r, start, end))
			return false;
	return true;
}

/* Whether [start, end) is wholly reserved. */
static bool range_reserved(uintptr_t start, uintptr_t end)
{
	uintptr_t covered_to = end;	/* everything in [covered_to, end) is reserved */
	for (struct range *r = ranges; r && covered_to > start; r = r->next)
		if (r->start < covered_to && r->end >= covered_to)
			covered_to = r->start;
	return covered_to <= start;
}

/* The highest hole of `len` bytes in [bottom, top), or 0. */
static uintptr_t find_hole(size_t len, uintptr_t bottom, uintptr_t top)
{
	if (len > top - bottom)
		return 0;
	uintptr_t candidate = top - len;
	for (struct range *r = ranges; r; r = r->next) {
		if (r->end <= candidate)
			break;
		if (overlaps(r, candidate, candidate + len)) {
			if (r->start < bottom + len)
				return 0;
			candidate = r->start - len;
		}
	}
	return candidate;
}

/* Removes [start, end) from the list, splitting ranges; -ENOMEM if a split needs memory. */
static long unreserve(uintptr_t start, uintptr_t end)
{
	for (struct range **link = &ranges; *link;) {
		struct range *r = *link;
		if (!overlaps(r, start, end)) {
			link = &r->next;
			continue;
		}
		if (r->start < start && r->end > end) {
			struct range *low = kmalloc(sizeof *low);
			if (!low)
				return -ENOMEM;
			*low = (struct range){ .start = r->start, .end = start, .next = r->next };
			r->start = end;
			r->next = low;
			return 0;
		}
		if (r->start >= start && r->end <= end) {
			*link = r->next;
			kfree(r);
			continue;
		}
		if (r->start < start)
			r->end = start;
		else
			r->start = end;
		link = &r->next;
	}
	return 0;
}

static long reserve(uintptr_t start, uintptr_t end)
{
	struct range **link = &ranges;
	while (*link && (*link)->start > start)
		link = &(*link)->next;
	/* Grow a neighbour rather than add a node when the ranges touch. */
	if (*link && (*link)->end == start) {
		(*link)->end = end;
		return 0;
	}
	struct range *r = kmalloc(sizeof *r);
	if (!r)
		return -ENOMEM;
	*r = (struct range){ .start = start, .end = end, .next = *link };
	*link = r;
	return 0;
}

/* Unmaps [start, end) and frees its frames. */
static void release_pages(uintptr_t start, uintptr_t end)
{
	for (uintptr_t va = start; va < end; va += PAGE_SIZE) {
		int64_t pa = paging_lookup(va, NULL);
		if (pa < 0)
			continue;
		paging_unmap(va, PAGE_SIZE);
		frame_free(phys_to_virt((phys_addr_t)pa), 0);
	}
	tlb_flush_others();
}

/* Gives every page of [start, end) without a frame a zeroed one, mapped with `prot`. */
static long populate(uintptr_t start, uintptr_t end, unsigned prot)
{
	for (uintptr_t va = start; va < end; va += PAGE_SIZE) {
		if (paging_lookup(va, NULL) >= 0)
			continue;
		void *frame = frame_alloc(0);
		if (!frame)
			return -ENOMEM;
		memset(frame, 0, PAGE_SIZE);
		if (paging_map(va, virt_to_phys(frame), PAGE_SIZE, prot)) {
			frame_free(frame, 0);
			return -ENOMEM;
		}
	}
	return 0;
}

/* Fills the (new, private) pages of [start, start + len) from the file, past its end zeros. */
static long read_file_pages(uintptr_t start, size_t len, int fd, int64_t offset)
{
	for (size_t done = 0; done < len; done += PAGE_SIZE) {
		int64_t pa = paging_lookup(start + done, NULL);
		long n = sys_pread64(fd, phys_to_virt((phys_addr_t)pa), PAGE_SIZE, offset + (int64_t)done);
		if (n < 0)
			return n == -EBADF ? -EACCES : n;	/* a descriptor not open for reading */
		if (n < (long)PAGE_SIZE)
			break;
	}
	return 0;
}

long mmap_claim(uintptr_t start, uintptr_t end)
{
	mutex_lock(&lock);
	long err = range_free(start, end) ? reserve(start, end) : -ENOMEM;
	mutex_unlock(&lock);
	return err;
}

long sys_mmap(void *addr, size_t len, int prot, int flags, int fd, int64_t offset)
{
	uintptr_t hint = (uintptr_t)addr, start;
	int type = flags & MAP_TYPE;
	bool fixed = flags & (MAP_FIXED | MAP_FIXED_NOREPLACE);

	if (!len || (offset & (PAGE_SIZE - 1)) || offset < 0 || (prot & ~PROT_ALL))
		return -EINVAL;
	if (type != MAP_SHARED && type != MAP_PRIVATE && type != MAP_SHARED_VALIDATE)
		return -EINVAL;
	if (len > USER_TOP)
		return -ENOMEM;
	len = PAGE_ALIGN_UP(len);
	if (fixed && ((hint & (PAGE_SIZE - 1)) || hint < MMAP_MIN_ADDR || hint > USER_TOP - len))
		return (hint & (PAGE_SIZE - 1)) ? -EINVAL : -EPERM;
	bool anonymous = flags & MAP_ANONYMOUS;
	if (!anonymous) {
		struct kstat st;
		long err = sys_fstat(fd, &st);
		if (err)
			return err;
		/* Shared writable file mappings need a page cache that writes back: not yet. */
		if (type != MAP_PRIVATE && (prot & PROT_W))
			return -ENODEV;
	}

	mutex_lock(&lock);
	long err = 0;
	if (fixed) {
		start = hint;
		if (!range_free(start, start + len)) {
			if (flags & MAP_FIXED_NOREPLACE)
				err = -EEXIST;
			else if (!(err = unreserve(start, start + len)))
				release_pages(start, start + len);
		}
	} else {
		hint = PAGE_ALIGN_DOWN(hint);
		if (hint >= MMAP_MIN_ADDR && hint <= USER_TOP - len && range_free(hint, hint + len))
			start = hint;
		else if (flags & MAP_32BIT)
			start = find_hole(len, MMAP_MIN_ADDR, LOW_2G_TOP);
		else
			start = find_hole(len, MMAP_MIN_ADDR, MMAP_TOP);
		if (!start)
			err = -ENOMEM;
	}
	if (!err)
		err = reserve(start, start + len);
	if (!err && (prot || !anonymous)) {
		/* File bytes go in while the pages are writable; then the asked-for permissions. */
		err = populate(start, start + len, anonymous ? (unsigned)prot : PROT_R | PROT_W);
		if (!err && !anonymous && !(err = read_file_pages(start, len, fd, offset)) && prot != (PROT_R | PROT_W))
			for (uintptr_t va = start; va < start + len; va += PAGE_SIZE)
				paging_map(va, (phys_addr_t)paging_lookup(va, NULL), PAGE_SIZE, (unsigned)prot);
		if (err) {
			release_pages(start, start + len);
			unreserve(start, start + len);
		}
	}
	mutex_unlock(&lock);
	return err ? err : (long)start;
}

static bool bad_range(uintptr_t start, size_t len)
{
	return (start & (PAGE_SIZE - 1)) || start > USER_TOP || len > USER_TOP - start;
}

long sys_munmap(void *addr, size_t len)
{
	uintptr_t start = (uintptr_t)addr;
	if (!len || bad_range(start, len))
		return -EINVAL;
	uintptr_t end = start + PAGE_ALIGN_UP(len);
	mutex_lock(&lock);
	long err = unreserve(start, end);
	if (!err)
		release_pages(start, end);
	mutex_unlock(&lock);
	return err;
}

long sys_mprotect(void *addr, size_t len, int prot)
{
	uintptr_t start = (uintptr_t)addr;
	if (bad_range(start, len) || (prot & ~PROT_ALL))
		return -EINVAL;
	uintptr_t end = start + PAGE_ALIGN_UP(len);
	mutex_lock(&lock);
	long err = range_reserved(start, end) ? 0 : -ENOMEM;
	if (!err && prot)
		err = populate(start, end, (unsigned)prot);
	for (uintptr_t va = start; !err && va < end; va += PAGE_SIZE) {
		int64_t pa = paging_lookup(va, NULL);
		if (pa >= 0)
			paging_map(va, (phys_addr_t)pa, PAGE_SIZE, (unsigned)prot);
	}
	tlb_flush_others();
	mutex_unlock(&lock);
	return err;
}

long sys_mremap(void *old, size_t old_len, size_t new_len, int flags, void *new_addr)
{
	uintptr_t start = (uintptr_t)old;
	if ((flags & ~(MREMAP_MAYMOVE | MREMAP_FIXED)) || !new_len || bad_range(start, old_len) ||
	    new_len > USER_TOP)
		return -EINVAL;
	if (flags & MREMAP_FIXED)
		return -EINVAL;	/* not yet: moving to a chosen address */
	old_len = PAGE_ALIGN_UP(old_len);
	new_len = PAGE_ALIGN_UP(new_len);
	if (new_len <= old_len) {
		long err = new_len < old_len ? sys_munmap((void *)(start + new_len), old_len - new_len) : 0;
		return err ? err : (long)start;
	}

	mutex_lock(&lock);
	long result = -EFAULT;
	unsigned prot = 0;
	if (!old_len || !range_reserved(start, start + old_len))
		goto out;
	paging_lookup(start + old_len - PAGE_SIZE, &prot);
	if (start + new_len <= USER_TOP && range_free(start + old_len, start + new_len)) {
		/* Grow in place. */
		result = reserve(start + old_len, start + new_len);
		if (!result && prot && (result = populate(start + old_len, start + new_len, prot))) {
			release_pages(start + old_len, start + new_len);
			unreserve(start + old_len, start + new_len);
		}
		result = result ? result : (long)start;
		goto out;
	}
	result = -ENOMEM;
	if (!(flags & MREMAP_MAYMOVE))
		goto out;
	uintptr_t to = find_hole(new_len, MMAP_MIN_ADDR, MMAP_TOP);
	if (!to || reserve(to, to + new_len))
		goto out;
	/* The new tail first, so that nothing can fail once frames start moving... */
	if (prot && populate(to + old_len, to + new_len, prot)) {
		release_pages(to + old_len, to + new_len);
		unreserve(to, to + new_len);
		goto out;
	}
	/* ...except a page table for the new place: then the old mapping stays. */
	for (uintptr_t off = 0; off < old_len; off += PAGE_SIZE) {
		unsigned page_prot;
		int64_t pa = paging_lookup(start + off, &page_prot);
		if (pa >= 0 && paging_map(to + off, (phys_addr_t)pa, PAGE_SIZE, page_prot)) {
			paging_unmap(to, off);
			release_pages(to + old_len, to + new_len);
			unreserve(to, to + new_len);
			goto out;
		}
	}
	paging_unmap(start, old_len);
	tlb_flush_others();
	unreserve(start, start + old_len);
	result = (long)to;
out:
	mutex_unlock(&lock);
	(void)new_addr;
	return result;
}

long sys_madvise(void *addr, size_t len, int advice)
{
	uintptr_t start = (uintptr_t)addr;
	if (bad_range(start, len))
		return -EINVAL;
	if (advice != MADV_DONTNEED && advice != MADV_FREE)
		return 0;	/* advice only: the rest changes nothing we must honour */
	/* Private anonymous memory reads back as zeros after DONTNEED. */
	mutex_lock(&lock);
	for (uintptr_t va = start; va < start + PAGE_ALIGN_UP(len); va += PAGE_SIZE) {
		int64_t pa = paging_lookup(va, NULL);
		if (pa >= 0)
			memset(phys_to_virt((phys_addr_t)pa), 0, PAGE_SIZE);
	}
	mutex_unlock(&lock);
	return 0;
}

/* No program break: brk(0) says 0 and every request fails, so libcs fall back to mmap. */
long sys_brk(void *end)
{
	(void)end;
	return 0;
}

void mmap_for_each_range(void (*fn)(uintptr_t start, uintptr_t end, void *arg), void *arg)
{
	/* The list runs from the highest range down: copied, then walked back. */
	mutex_lock(&lock);
	size_t n = 0;
	for (struct range *r = ranges; r; r = r->next)
		n++;
	struct range *copy = n ? kmalloc(n * sizeof(*copy)) : NULL;
	size_t i = 0;
	for (struct range *r = ranges; r && copy; r = r->next)
		copy[i++] = *r;
	mutex_unlock(&lock);
	while (copy && i-- > 0)
		fn(copy[i].start, copy[i].end, arg);
	kfree(copy);
}
