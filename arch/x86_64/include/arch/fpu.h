/*
 * Vector-register state (x87, SSE, AVX, AVX-512). The kernel itself is built
 * with -mgeneral-regs-only, so it never touches these registers: the state
 * belongs to the application and is saved only when a thread is preempted.
 */
#ifndef ARCH_FPU_H
#define ARCH_FPU_H
#include <stddef.h>
#include <stdint.h>

/* Turns on SSE and XSAVE for this CPU (CR0, CR4, XCR0). */
void fpu_init_cpu(void);

/* Bytes of a save area (a multiple of 64; areas must be 64-byte aligned). */
size_t fpu_area_size(void);

/* A save area in the initial state (default MXCSR and x87 control word). */
void fpu_area_init(void *area);

void fpu_save(void *area);
void fpu_restore(const void *area);

/* What the CPU offers, for tests: "avx", "avx512f". */
int fpu_has(const char *feature);

#endif
