/*
 * printk: format a message into a stack buffer and hand it to every registered
 * console. No allocation, so it works in a panic and before the heap exists.
 * FIXME: take a console lock (that a panic may break) once other CPUs run.
 */
#include <kite/heap.h>
#include <kite/net.h>
#include <kite/netdev.h>
#include <kite/printk.h>
#include <kite/format.h>
#include <kite/cmdline.h>
#include <kite/panic.h>
#include <kite/spinlock.h>
#include <kite/thread.h>
#include <kite/wait.h>

#define MAX_CONSOLES 4
#define PRINTK_BUF 512

static const struct console *consoles[MAX_CONSOLES];
static int nr_consoles;
static enum log_level console_level = LOG_INFO;

void console_register(const struct console *con)
{
	if (nr_consoles < MAX_CONSOLES)
		consoles[nr_consoles++] = con;
}

/* One writer at a time, so that one message (or one write() to the console)
 * comes out whole. A crash report does not wait: the lock may be held by a CPU
 * that the crash has stopped. */
static spinlock_t console_lock = SPINLOCK_INIT;

void console_write(const char *s, size_t len)
{
	unsigned long flags = 0;
	bool locked = !crash_in_progress();

	if (locked)
		spin_lock_irqsave(&console_lock, &flags);
	for (int i = 0; i < nr_consoles; i++)
		consoles[i]->write(s, len);
	if (locked)
		spin_unlock_irqrestore(&console_lock, flags);
}

#define INPUT_RING 256
static char input_ring[INPUT_RING];
static unsigned input_head, input_tail; /* input_wq.lock */
static struct wait_queue input_wq = WAIT_QUEUE_INIT(input_wq); /* readers waiting for input */
static unsigned status_requests;

/* The heap's figures, for the status key (heap_get_stats takes no lock). */
static void heap_print_stats(void)
{
	struct heap_stats st;
	heap_get_stats(&st);
	pr_report("heap: %zu KiB in use, spans %zu KiB, large blocks %zu KiB; %zu allocations, %zu frees\n",
		  st.in_use_bytes / 1024, st.span_bytes / 1024, st.large_bytes / 1024, st.allocs, st.frees);
}

void console_input(const char *buf, size_t len)
{
	unsigned long flags;

	for (size_t i = 0; i < len; i++) {
		if (buf[i] == CONSOLE_STATUS_KEY) {
			heap_print_stats();
			thread_list_print();
			thread_stacks_print();
			netdev_list_print();
			net_print_state();
			__atomic_add_fetch(&status_requests, 1, __ATOMIC_RELEASE);
			continue;
		}
		spin_lock_irqsave(&input_wq.lock, &flags);
		if (input_tail - input_head < INPUT_RING)
			input_ring[input_tail++ % INPUT_RING] = buf[i];
		wait_queue_wake_locked(&input_wq, -1);
		spin_unlock_irqrestore(&input_wq.lock, flags);
	}
}

unsigned console_status_requests(void)
{
	return __atomic_load_n(&status_requests, __ATOMIC_ACQUIRE);
}

size_t console_read(char *buf, size_t len, bool wait)
{
	unsigned long flags;
	size_t n = 0;

	spin_lock_irqsave(&input_wq.lock, &flags);
	while (wait && len && input_head == input_tail)
		wait_queue_sleep(&input_wq, &flags, DEADLINE_NONE);
	while (n < len && input_head != input_tail)
		buf[n++] = input_ring[input_head++ % INPUT_RING];
	spin_unlock_irqrestore(&input_wq.lock, flags);
	return n;
}

void printk_set_level(enum log_level level)
{
	console_level = level;
}

void vprintk(enum log_level level, const char *fmt, va_list ap)
{
	char buf[PRINTK_BUF];

	if (level > console_level)
		return;
	int n = kvsnprintf(buf, sizeof(buf), fmt, ap);
	if (n >= (int)sizeof(buf))
		n = sizeof(buf) - 1;
	console_write(buf, n);
}

void printk(enum log_level level, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vprintk(level, fmt, ap);
	va_end(ap);
}

static int set_verbose(const char *value __unused)
{
	printk_set_level(LOG_DEBUG);
	return 0;
}

static int set_quiet(const char *value __unused)
{
	printk_set_level(LOG_WARN);
	return 0;
}

KOPT_FLAG("verbose", set_verbose, "show debug messages while booting");
KOPT_FLAG("quiet", set_quiet, "show only warnings and errors");
