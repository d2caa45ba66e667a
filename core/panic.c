/*
 * panic() and the common end of every crash report: a backtrace with symbols,
 * then one line with the exit status, then power-off. A fault inside the report
 * itself exits at once with the status it had, rather than recursing.
 */
#include <kite/loader.h>
#include <kite/exit.h>
#include <kite/format.h>
#include <kite/kstack.h>
#include <kite/ksyms.h>
#include <kite/panic.h>
#include <kite/printk.h>
#include <kite/cmdline.h>
#include <kite/cpu.h>
#include <kite/smp.h>
#include <kite/thread.h>
#include <stdarg.h>

#define BACKTRACE_MAX_DEPTH 32

static volatile int crashing;

bool crash_in_progress(void)
{
	return __atomic_load_n(&crashing, __ATOMIC_RELAXED);
}

bool crash_begin(void)
{
	if (__atomic_exchange_n(&crashing, 1, __ATOMIC_SEQ_CST) != 0)
		return false;
	smp_stop_others();
	return true;
}

static void print_frame(int depth, uintptr_t addr)
{
	uint64_t off, size;
	const char *name = ksym_name_size(addr, &off, &size);

	char where[160];

	if (name)
		pr_err("  #%-2d %016lx %s+0x%lx/0x%lx\n", depth, addr, name, off, size);
	else if (loader_describe(addr, where, sizeof(where)))
		pr_err("  #%-2d %016lx %s\n", depth, addr, where);
	else
		pr_err("  #%-2d %016lx ?\n", depth, addr);
}

/*
 * Follows the frame-pointer chain: [rbp] is the caller's rbp and [rbp+8] the
 * return address. Each rbp is checked against the known stacks before it is read,
 * so a corrupt chain ends the trace instead of faulting inside the report.
 */
void backtrace_print(uintptr_t rip, uintptr_t rbp)
{
	uintptr_t last = 0;
	int repeats = 0, depth = 1;

	pr_err("backtrace:\n");
	print_frame(0, rip);
	/* A deep recursion would fill the screen: runs of one return address are
	 * printed once with a count, and the walk itself is bounded. */
	for (int walked = 0; walked < 4096 && depth < BACKTRACE_MAX_DEPTH && rbp; walked++) {
		if ((rbp & 7) || !kstack_containing(rbp, 16))
			break;
		const uintptr_t *frame = (const uintptr_t *)rbp;
		uintptr_t ret = frame[1];
		if (!ret)
			break;
		if (ret == last) {
			repeats++;
		} else {
			if (repeats)
				pr_err("      (the frame above %d more times)\n", repeats);
			repeats = 0;
			/* The return address points after the call; name the call. */
			print_frame(depth++, ret - 1);
			last = ret;
		}
		if (frame[0] <= rbp)
			break;
		rbp = frame[0];
	}
	if (repeats)
		pr_err("      (the frame above %d more times)\n", repeats);
}

static const char *status_name(int status)
{
	switch (status) {
	case EXIT_PANIC: return "panic";
	case EXIT_OUT_OF_MEMORY: return "out of memory";
	case EXIT_PAGE_FAULT: return "page fault";
	case EXIT_DIVIDE_ERROR: return "divide error";
	case EXIT_INVALID_OPCODE: return "invalid opcode";
	case EXIT_STACK_OVERFLOW: return "stack overflow";
	case EXIT_GENERAL_PROTECTION: return "general protection fault";
	case EXIT_DOUBLE_FAULT: return "double fault";
	default: return "exception";
	}
}

__noreturn void crash_end(uintptr_t rip, uintptr_t rbp, int status)
{
	backtrace_print(rip, rbp);
	pr_err("kite: exit status %d (%s)\n", status, status_name(status));
	kite_exit(status);
}

static bool threads_on_panic;

void crash_print_context(void)
{
	struct cpu *c = this_cpu();
	struct thread *t = c ? c->current : NULL;

	if (t)
		pr_err("  thread '%s' (tid %u) on cpu %u\n", t->name, t->tid, c->id);
	if (threads_on_panic && t)
		thread_list_print();
}

static int set_threads_on_panic(const char *value __unused)
{
	threads_on_panic = true;
	return 0;
}
KOPT_FLAG("threads-on-panic", set_threads_on_panic, "list every thread in crash reports");

static __noreturn void report(int status, const char *what, const char *fmt, va_list ap,
				uintptr_t rip, uintptr_t rbp)
{
	char msg[256];

	if (!crash_begin())
		kite_exit(status);
	kvsnprintf(msg, sizeof(msg), fmt, ap);
	pr_err("kite: %s: %s\n", what, msg);
	crash_print_context();
	crash_end(rip, rbp, status);
}

/* Both start the backtrace at their caller: the return address and the caller's
 * frame (saved at [rbp], as every function keeps a frame pointer). */
__noreturn void panic(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	report(EXIT_PANIC, "panic", fmt, ap, (uintptr_t)__builtin_return_address(0),
	       *(uintptr_t *)__builtin_frame_address(0));
}

__noreturn void out_of_memory(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	report(EXIT_OUT_OF_MEMORY, "out of memory", fmt, ap, (uintptr_t)__builtin_return_address(0),
	       *(uintptr_t *)__builtin_frame_address(0));
}
