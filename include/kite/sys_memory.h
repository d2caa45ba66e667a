/*
 * The application's address space (libc/sys_memory.c): mmap and its family with
 * Linux's signatures, each returning its result or -errno.
 *
 * Anonymous and private file mappings get their frames when mapped (no demand
 * paging yet), except PROT_NONE reservations, whose pages get frames when
 * mprotect makes them accessible: the reserve-then-commit pattern of big
 * runtimes costs nothing until used.
 */
#ifndef KITE_SYS_MEMORY_H
#define KITE_SYS_MEMORY_H
#include <stddef.h>
#include <stdint.h>

#define MAP_SHARED 0x01
#define MAP_PRIVATE 0x02
#define MAP_SHARED_VALIDATE 0x03
#define MAP_TYPE 0x0f
#define MAP_FIXED 0x10
#define MAP_ANONYMOUS 0x20
#define MAP_32BIT 0x40
#define MAP_GROWSDOWN 0x100
#define MAP_DENYWRITE 0x800
#define MAP_EXECUTABLE 0x1000
#define MAP_LOCKED 0x2000
#define MAP_NORESERVE 0x4000
#define MAP_POPULATE 0x8000
#define MAP_NONBLOCK 0x10000
#define MAP_STACK 0x20000
#define MAP_HUGETLB 0x40000
#define MAP_FIXED_NOREPLACE 0x100000

#define MREMAP_MAYMOVE 1
#define MREMAP_FIXED 2

#define MADV_DONTNEED 4
#define MADV_FREE 8

long sys_mmap(void *addr, size_t len, int prot, int flags, int fd, int64_t offset);
long sys_munmap(void *addr, size_t len);
long sys_mprotect(void *addr, size_t len, int prot);
long sys_mremap(void *old, size_t old_len, size_t new_len, int flags, void *new_addr);
long sys_madvise(void *addr, size_t len, int advice);
long sys_brk(void *end);

/* The loader claims the ranges it maps itself (a program's segments), so that
 * mmap never places anything over them; 0 or -ENOMEM. */
long mmap_claim(uintptr_t start, uintptr_t end);
/* Calls fn for each range mmap has handed out or claimed, lowest first. */
void mmap_for_each_range(void (*fn)(uintptr_t start, uintptr_t end, void *arg), void *arg);

#endif
