/*
 * Signals (see sys_signal.h). One table of actions for the process; the mask
 * and the alternate stack belong to each thread. Delivery is synchronous: a
 * signal reaches a handler only when the thread sends it to itself or unblocks
 * it, so a handler always runs at a point where the thread made a call, never
 * in the middle of an instruction stream (that needs the fault path, later).
 */
#include <kite/errno.h>
#include <kite/exit.h>
#include <kite/printk.h>
#include <kite/spinlock.h>
#include <kite/sys_signal.h>
#include <kite/thread.h>
#include <string.h>

#define SIG_DFL ((void *)0)
#define SIG_IGN ((void *)1)
#define SA_SIGINFO 0x4
#define SA_ONSTACK 0x08000000
#define SA_RESETHAND 0x80000000
#define SA_NODEFER 0x40000000
#define SIG_BLOCK 0
#define SIG_UNBLOCK 1
#define SIG_SETMASK 2
#define SS_ONSTACK 1
#define SS_DISABLE 2
#define SS_AUTODISARM (1U << 31)
#define MINSIGSTKSZ 2048
#define SI_TKILL (-6)
#define SI_USER 0
#define SIGKILL 9
#define SIGSTOP 19

#define BIT(sig) (1UL << ((sig) - 1))
#define UNBLOCKABLE (BIT(SIGKILL) | BIT(SIGSTOP))
/* Signals whose default action is to do nothing: SIGCHLD, SIGCONT, SIGURG, SIGWINCH. */
#define IGNORED_BY_DEFAULT (BIT(17) | BIT(18) | BIT(23) | BIT(28))

static spinlock_t actions_lock = SPINLOCK_INIT;
static struct k_sigaction actions[NSIG + 1];	/* actions_lock */
static uint64_t pending;			/* atomic: sent while blocked */

static const char *const names[32] = {
	[1] = "SIGHUP", [2] = "SIGINT", [3] = "SIGQUIT", [4] = "SIGILL", [5] = "SIGTRAP",
	[6] = "SIGABRT", [7] = "SIGBUS", [8] = "SIGFPE", [9] = "SIGKILL", [10] = "SIGUSR1",
	[11] = "SIGSEGV", [12] = "SIGUSR2", [13] = "SIGPIPE", [14] = "SIGALRM", [15] = "SIGTERM",
	[16] = "SIGSTKFLT", [17] = "SIGCHLD", [18] = "SIGCONT", [19] = "SIGSTOP", [20] = "SIGTSTP",
	[21] = "SIGTTIN", [22] = "SIGTTOU", [23] = "SIGURG", [24] = "SIGXCPU", [25] = "SIGXFSZ",
	[26] = "SIGVTALRM", [27] = "SIGPROF", [28] = "SIGWINCH", [29] = "SIGIO", [30] = "SIGPWR",
	[31] = "SIGSYS",
};

/* Linux's siginfo_t is 128 bytes; the fields a handler of a sent signal reads. */
struct siginfo {
	int si_signo, si_errno, si_code, pad;
	int si_pid;
	unsigned si_uid;
	char rest[128 - 24];
};

_Static_assert(sizeof(struct siginfo) == 128, "Linux's siginfo_t");

static bool valid(int sig)
{
	return sig >= 1 && sig <= NSIG;
}

static void run_handler(int sig, int code)
{
	struct thread *t = current();
	spin_lock(&actions_lock);
	struct k_sigaction a = actions[sig];
	if (a.handler != SIG_DFL && a.handler != SIG_IGN && (a.flags & SA_RESETHAND))
		actions[sig].handler = SIG_DFL;
	spin_unlock(&actions_lock);

	if (a.handler == SIG_IGN || (a.handler == SIG_DFL && (BIT(sig) & IGNORED_BY_DEFAULT)))
		return;
	if (a.handler == SIG_DFL) {
		pr_err("kite: the program was killed by signal %d (%s)\n", sig,
		       sig < 32 && names[sig] ? names[sig] : "a real-time signal");
		kite_exit(128 + sig);
	}
	uint64_t saved_mask = t->signal_mask;
	t->signal_mask |= (a.mask | ((a.flags & SA_NODEFER) ? 0 : BIT(sig))) & ~UNBLOCKABLE;
	if (a.flags & SA_SIGINFO) {
		struct siginfo info = { .si_signo = sig, .si_code = code, .si_pid = 1 };
		/* No interrupted context to describe: the thread called in. A zeroed one. */
		uint64_t ucontext[128] = { 0 };
		((void (*)(int, struct siginfo *, void *))a.handler)(sig, &info, ucontext);
	} else {
		((void (*)(int))a.handler)(sig);
	}
	t->signal_mask = saved_mask;
}

/* Runs what is pending and no longer blocked, lowest signal first. */
static void deliver_pending(void)
{
	for (;;) {
		uint64_t ready = __atomic_load_n(&pending, __ATOMIC_ACQUIRE) & ~current()->signal_mask;
		if (!ready)
			return;
		int sig = __builtin_ctzll(ready) + 1;
		if (__atomic_fetch_and(&pending, ~BIT(sig), __ATOMIC_ACQ_REL) & BIT(sig))
			run_handler(sig, SI_TKILL);
	}
}

static long send(int sig, bool to_self, int code)
{
	if (!sig)
		return 0;	/* only "does it exist" */
	if (!valid(sig))
		return -EINVAL;
	if (to_self && !(current()->signal_mask & BIT(sig))) {
		run_handler(sig, code);
		return 0;
	}
	__atomic_fetch_or(&pending, BIT(sig), __ATOMIC_RELEASE);
	return 0;
}

void signal_raise_self(int sig)
{
	send(sig, true, SI_USER);
}

long sys_rt_sigaction(int sig, const struct k_sigaction *act, struct k_sigaction *old, size_t setsize)
{
	if (setsize != sizeof(uint64_t) || !valid(sig) || (act && (BIT(sig) & UNBLOCKABLE)))
		return -EINVAL;
	spin_lock(&actions_lock);
	struct k_sigaction was = actions[sig];
	if (act)
		actions[sig] = *act;
	spin_unlock(&actions_lock);
	if (old)
		*old = was;
	/* A signal now ignored is dropped, as Linux does with a pending one. */
	if (act && (act->handler == SIG_IGN || (act->handler == SIG_DFL && (BIT(sig) & IGNORED_BY_DEFAULT))))
		__atomic_fetch_and(&pending, ~BIT(sig), __ATOMIC_RELAXED);
	return 0;
}

long sys_rt_sigprocmask(int how, const uint64_t *set, uint64_t *old, size_t setsize)
{
	struct thread *t = current();
	if (setsize != sizeof(uint64_t))
		return -EINVAL;
	uint64_t was = t->signal_mask;
	if (set) {
		switch (how) {
		case SIG_BLOCK: t->signal_mask |= *set; break;
		case SIG_UNBLOCK: t->signal_mask &= ~*set; break;
		case SIG_SETMASK: t->signal_mask = *set; break;
		default: return -EINVAL;
		}
		t->signal_mask &= ~UNBLOCKABLE;
	}
	if (old)
		*old = was;
	if (set)
		deliver_pending();
	return 0;
}

long sys_rt_sigpending(uint64_t *set, size_t setsize)
{
	if (setsize != sizeof(uint64_t))
		return -EINVAL;
	*set = __atomic_load_n(&pending, __ATOMIC_RELAXED);
	return 0;
}

long sys_sigaltstack(const struct signal_stack *ss, struct signal_stack *old)
{
	struct thread *t = current();
	struct signal_stack was = { .sp = t->altstack_sp, .size = t->altstack_size,
				    .flags = t->altstack_size ? 0 : SS_DISABLE };
	if (ss) {
		int mode = ss->flags & ~(int)SS_AUTODISARM;
		if (mode != 0 && mode != SS_DISABLE && mode != SS_ONSTACK)
			return -EINVAL;
		if (mode == SS_DISABLE) {
			t->altstack_sp = NULL;
			t->altstack_size = 0;
		} else if (ss->size < MINSIGSTKSZ) {
			return -ENOMEM;
		} else {
			t->altstack_sp = ss->sp;
			t->altstack_size = ss->size;
		}
	}
	if (old)
		*old = was;
	return 0;
}

/* The process is pid 1; 0 and -1 (its group, everyone) are the process too. */
long sys_kill(int pid, int sig)
{
	if (pid != 1 && pid != 0 && pid != -1)
		return -ESRCH;
	return send(sig, true, SI_USER);
}

long sys_tkill(int tid, int sig)
{
	if (tid <= 0)
		return -EINVAL;
	return send(sig, (unsigned)tid == current()->tid, SI_TKILL);
}

long sys_tgkill(int tgid, int tid, int sig)
{
	if (tgid <= 0 || tid <= 0)
		return -EINVAL;
	if (tgid != 1)
		return -ESRCH;
	return send(sig, (unsigned)tid == current()->tid, SI_TKILL);
}
