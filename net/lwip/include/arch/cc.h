/* lwIP's compiler and platform glue for Kite. */
#ifndef KITE_LWIP_CC_H
#define KITE_LWIP_CC_H
#include <stddef.h>
#include <stdint.h>
#include <kite/heap.h>
#include <kite/random.h>

/* No libc headers in the kernel: lwIP gets what it needs from here. */
#define LWIP_NO_INTTYPES_H 1
#define LWIP_NO_LIMITS_H 1
#define LWIP_NO_CTYPE_H 1
#define LWIP_NO_UNISTD_H 1
#define X8_F "02x"
#define U16_F "u"
#define S16_F "d"
#define X16_F "x"
#define U32_F "u"
#define S32_F "d"
#define X32_F "x"
#define SZT_F "zu"
#define INT_MAX 0x7fffffff
#define SSIZE_MAX 0x7fffffffffffffffL
typedef long ssize_t;

#define LWIP_ERRNO_INCLUDE <kite/errno.h>
#define LWIP_ERR_T int
#define BYTE_ORDER LITTLE_ENDIAN
#define LWIP_RAND() ((uint32_t)random_u64())

void lwip_platform_assert(const char *message, const char *file, int line) __attribute__((noreturn));
void lwip_platform_diag(const char *fmt, ...);
#define LWIP_PLATFORM_ASSERT(x) lwip_platform_assert((x), __FILE__, __LINE__)
#define LWIP_PLATFORM_DIAG(x) lwip_platform_diag x


#endif
