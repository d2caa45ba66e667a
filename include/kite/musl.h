/* Kite's side of musl's internals (libc/musl/thread_desc.c). */
#ifndef KITE_MUSL_H
#define KITE_MUSL_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A thread's stack when the program does not say: musl's pthread_create, and
 * the program's main thread (include/kite/sys_limits.h). */
#define KITE_THREAD_STACK_SIZE (1024 * 1024)

void kite_musl_init(void);

/* The bytes a thread's descriptor and static TLS need (they grow once, when the
 * loader has laid out the TLS), and their layout in such an area, zeroed:
 * returns the value for %fs. */
size_t kite_musl_area_size(void);
void *kite_musl_descriptor_init(void *area, int tid, uintptr_t canary);

/* The program's main thread, on it: its thread-specific data. */
void kite_musl_main_thread(void);

/*
 * Static TLS. The loader adds the program's and its libraries' TLS segments
 * (image: the initial data of len bytes, size bytes in all); each gets a
 * module id (the return value) and a fixed offset below %fs in every thread.
 * kite_tls_freeze then sets the area size of threads made from then on, with
 * `reserve` bytes for modules dlopen adds, whose blocks the caller must then
 * fill in every existing thread (kite_tls_copy_block). Errors: -ENOMEM (too
 * many modules), -EINVAL (bad alignment), -ENOSPC (the reserve is full).
 */
long kite_tls_add_module(const void *image, size_t len, size_t size, size_t align, size_t *offset);
void kite_tls_freeze(size_t reserve);
void kite_tls_copy_block(void *thread_pointer, long module);
bool kite_tls_frozen(void);

/* Runs the calling thread's thread_local destructors (libc/thread_dtors.c). */
void kite_run_thread_dtors(void);

#endif
