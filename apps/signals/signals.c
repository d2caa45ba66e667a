/*
 * Signals a program sends itself: handlers (plain and SA_SIGINFO), blocking and
 * pending, SIG_IGN, SA_RESETHAND, the alternate stack's bookkeeping, errors,
 * and at the end death by SIGTERM's default action (exit status 143 to a shell).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int failures;
static volatile sig_atomic_t usr1_count, info_signo, info_code_is_user_sent, mask_had_usr1;

static void check(int ok, const char *what)
{
	printf("%s: %s\n", what, ok ? "ok" : "FAILED");
	failures += !ok;
}

static void on_usr1(int sig)
{
	sigset_t now;
	sigprocmask(SIG_BLOCK, NULL, &now);
	mask_had_usr1 = sigismember(&now, SIGUSR1);
	usr1_count += sig == SIGUSR1;
}

static void on_usr2_info(int sig, siginfo_t *info, void *context)
{
	(void)sig;
	(void)context;
	info_signo = info->si_signo;
	info_code_is_user_sent = info->si_code == SI_TKILL || info->si_code == SI_USER;
}

int main(void)
{
	struct sigaction sa, old;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_usr1;
	check(sigaction(SIGUSR1, &sa, NULL) == 0, "install a SIGUSR1 handler");
	check(sigaction(SIGUSR1, NULL, &old) == 0 && old.sa_handler == on_usr1, "read the handler back");
	check(raise(SIGUSR1) == 0 && usr1_count == 1, "raise runs the handler");
	check(mask_had_usr1, "the signal is blocked while its handler runs");
	check(kill(getpid(), SIGUSR1) == 0 && usr1_count == 2, "kill of the own process runs it");

	sigset_t block, was, waiting;
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	check(sigprocmask(SIG_BLOCK, &block, &was) == 0, "block SIGUSR1");
	raise(SIGUSR1);
	check(usr1_count == 2, "a blocked signal waits");
	check(sigpending(&waiting) == 0 && sigismember(&waiting, SIGUSR1), "and is pending");
	check(sigprocmask(SIG_SETMASK, &was, NULL) == 0 && usr1_count == 3, "unblocking delivers it");

	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_usr2_info;
	sa.sa_flags = SA_SIGINFO | SA_RESETHAND;
	sigaction(SIGUSR2, &sa, NULL);
	raise(SIGUSR2);
	check(info_signo == SIGUSR2 && info_code_is_user_sent, "SA_SIGINFO handler gets siginfo");
	check(sigaction(SIGUSR2, NULL, &old) == 0 && old.sa_handler == SIG_DFL, "SA_RESETHAND resets it");

	signal(SIGPIPE, SIG_IGN);
	check(raise(SIGPIPE) == 0, "an ignored signal does nothing");
	check(raise(SIGCHLD) == 0, "SIGCHLD's default is to ignore");

	check(sigaction(SIGKILL, &sa, NULL) == -1 && errno == EINVAL, "SIGKILL cannot be caught");
	check(kill(getpid(), 65) == -1 && errno == EINVAL, "signal 65: EINVAL");
	check(kill(getpid(), 0) == 0, "signal 0 checks the process exists");

	stack_t ss = { .ss_sp = malloc(65536), .ss_size = 65536, .ss_flags = 0 }, cur;
	check(sigaltstack(&ss, NULL) == 0 && sigaltstack(NULL, &cur) == 0 && cur.ss_sp == ss.ss_sp &&
	      cur.ss_size == 65536 && cur.ss_flags == 0, "sigaltstack set and read back");
	stack_t tiny = { .ss_sp = ss.ss_sp, .ss_size = 512 };
	check(sigaltstack(&tiny, NULL) == -1 && errno == ENOMEM, "a tiny alternate stack: ENOMEM");
	stack_t off = { .ss_flags = SS_DISABLE };
	check(sigaltstack(&off, NULL) == 0 && sigaltstack(NULL, &cur) == 0 && (cur.ss_flags & SS_DISABLE),
	      "SS_DISABLE");

	printf("%d failures, now SIGTERM\n", failures);
	fflush(stdout);
	raise(SIGTERM);
	printf("still alive after SIGTERM\n");
	return 1;
}
