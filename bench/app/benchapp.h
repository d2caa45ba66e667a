/*
 * What the application benchmarks (bench/files, bench/syscall) share: one
 * ordinary Linux program, built once as a PIE with the host's compiler, runs
 * unchanged as a Kite app and as a Linux guest's /init.
 *
 * As the Linux guest's init (argument --linux-init, which the kernel passes
 * after "--" on its command line) it first mounts /proc and a tmpfs on /tmp,
 * and at the end powers the machine off; in Kite, and on the host, it simply
 * exits. Results are lines "NAME: METRIC VALUE" on stdout, then "NAME: done";
 * a failure prints "NAME: error: ..." and exits non-zero without "done".
 */
#ifndef BENCHAPP_H
#define BENCHAPP_H

#include <stdint.h>

/* Parses and removes --linux-init from argv; returns the new argc. */
int bench_begin(const char *name, int argc, char **argv);

/* One result line; metric names end with their unit, e.g. "getpid-ns". */
void bench_report(const char *metric, double value);

/* Ends the run: "NAME: done", then exit 0 (or power off as init). */
__attribute__((noreturn)) void bench_end(void);

/* A failure: "NAME: error: WHAT: strerror(err)" and exit 1 (power off as init). */
__attribute__((noreturn)) void bench_fail(const char *what, int err);

/* CLOCK_MONOTONIC in nanoseconds. */
uint64_t bench_now_ns(void);

#endif
