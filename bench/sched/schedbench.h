/*
 * The scheduler benchmark, one source for both systems: schedbench.c measures,
 * and an OS layer supplies threads, locks and time: os_linux.c (pthreads, a
 * static binary run as a Linux guest's init) and os_kite.c (Kite's kernel API).
 */
#ifndef SCHEDBENCH_H
#define SCHEDBENCH_H
#include <stdint.h>

struct os_thread;
struct os_mutex;
struct os_sem;

uint64_t os_now_ns(void);			/* monotonic */
unsigned os_cpu_count(void);
/* A thread running fn(arg), on CPU `cpu` only (or anywhere for -1). */
struct os_thread *os_thread_create(void *(*fn)(void *), void *arg, int cpu);
void os_thread_join(struct os_thread *t);
void os_yield(void);

struct os_mutex *os_mutex_new(void);
void os_mutex_lock(struct os_mutex *m);
void os_mutex_unlock(struct os_mutex *m);

struct os_sem *os_sem_new(void);
void os_sem_post(struct os_sem *s);
void os_sem_wait(struct os_sem *s);

/* Prints "schedbench: NAME VALUE" with VALUE in nanoseconds, one decimal. */
void os_report(const char *name, uint64_t tenths_of_ns);
/* Prints a line of text. */
void os_print(const char *line);

/* Runs every measurement; 0 on success. */
int schedbench_main(void);

#endif
