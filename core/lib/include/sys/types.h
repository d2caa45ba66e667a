/* The few POSIX types the kernel uses, until musl provides them. */
#ifndef KLIBC_SYS_TYPES_H
#define KLIBC_SYS_TYPES_H

typedef long ssize_t;
typedef long off_t;

#endif
