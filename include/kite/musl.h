/* Kite's side of musl's internals (libc/musl/thread_desc.c). */
#ifndef KITE_MUSL_H
#define KITE_MUSL_H
#include <stddef.h>
#include <stdint.h>

size_t kite_musl_descriptor_size(void);
/* Lays out musl's thread descriptor in zeroed memory; returns the value for %fs. */
void *kite_musl_descriptor_init(void *mem, int tid, uintptr_t canary);
void kite_musl_init(void);

#endif
