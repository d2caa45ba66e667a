/*
 * The system-call table: Linux x86-64 numbers, entries that are kernel
 * functions returning -errno. Applications reach it two ways: musl's syscall
 * glue calls syscall_dispatch() directly (a function call), and a raw
 * `syscall` instruction (in assembly, in glibc-built libraries, in JIT code)
 * enters through LSTAR at ring 0 (arch/x86_64/syscall_entry.S) into the same
 * dispatcher. A number without an entry returns -ENOSYS and is logged once, by
 * name.
 */
#ifndef KITE_SYSCALL_H
#define KITE_SYSCALL_H

#define SYSCALL_TABLE_SIZE 512

long syscall_dispatch(long nr, long a0, long a1, long a2, long a3, long a4, long a5);

/* The name of a system call number ("?" when Linux has none). */
const char *syscall_name(long nr);

/* Points this CPU's LSTAR at the entry (arch). */
void syscall_init_cpu(void);

#endif
