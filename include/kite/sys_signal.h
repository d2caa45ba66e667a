/*
 * Signals (libc/sys_signal.c), with Linux's signatures; each returns its
 * result or -errno.
 *
 * What works: handlers are installed and read back, masks and the alternate
 * stack are per thread, and a signal a thread sends itself (raise, abort,
 * kill of the process) runs its handler at once on the thread's own stack, or
 * waits while blocked and runs when unblocked; a default action of "terminate"
 * ends the run with status 128 + the signal, as a shell reports it. Not yet:
 * signals to other threads (they stay pending), faults delivered as SIGSEGV.
 */
#ifndef KITE_SYS_SIGNAL_H
#define KITE_SYS_SIGNAL_H
#include <stddef.h>
#include <stdint.h>

#define NSIG 64

struct k_sigaction {
	void *handler;
	unsigned long flags;
	void *restorer;
	uint64_t mask;
};

struct signal_stack {
	void *sp;
	int flags;
	size_t size;
};

long sys_rt_sigaction(int sig, const struct k_sigaction *act, struct k_sigaction *old, size_t setsize);
long sys_rt_sigprocmask(int how, const uint64_t *set, uint64_t *old, size_t setsize);
long sys_rt_sigpending(uint64_t *set, size_t setsize);
long sys_sigaltstack(const struct signal_stack *ss, struct signal_stack *old);
long sys_kill(int pid, int sig);
long sys_tkill(int tid, int sig);
long sys_tgkill(int tgid, int tid, int sig);

#define SIGPIPE 13
/* The kernel's own signal to the calling thread, e.g. SIGPIPE for a write to
 * a pipe or socket whose other end is gone: its handler runs before the call
 * returns (EPIPE), and by default it ends the program. */
void signal_raise_self(int sig);

#endif
