/*
 * --selftest=memory: exercises the allocators inside the guest, where the host
 * unit tests cannot reach: real page tables (vmalloc maps and unmaps), the KVA,
 * and the frame allocator over the firmware's memory map. It prints the heap
 * figures before and after and fails (panics) on corruption or unless every
 * frame came back.
 */
#include <kite/clock.h>
#include <kite/cmdline.h>
#include <kite/fs_calls.h>
#include <kite/sched.h>
#include <kite/errno.h>
#include <kite/frame.h>
#include <kite/heap.h>
#include <kite/kva.h>
#include <kite/paging.h>
#include <kite/panic.h>
#include <kite/printk.h>
#include <string.h>

#define SLOTS 256

static const char *selftests; /* the --selftest value */

static uint32_t next_random(uint32_t *state)
{
	*state ^= *state << 13;
	*state ^= *state >> 17;
	*state ^= *state << 5;
	return *state;
}

static size_t random_size(uint32_t *rng)
{
	uint32_t r = next_random(rng) % 100;
	if (r < 70)
		return next_random(rng) % 512;
	if (r < 95)
		return next_random(rng) % 20000;
	return next_random(rng) % (1 << 20); /* vmalloc'ed blocks */
}

static void check_fill(const uint8_t *p, size_t size, uint8_t tag)
{
	for (size_t i = 0; i < size; i += 61)
		if (p[i] != tag)
			panic("selftest: heap object %p (size %zu) was overwritten at +%zu", p, size, i);
}

static void heap_stress(void)
{
	static struct {
		uint8_t *p;
		size_t size;
		uint8_t tag;
	} objs[SLOTS];
	uint32_t rng = 2463534242u;

	for (int op = 0; op < 20000; op++) {
		unsigned slot = next_random(&rng) % SLOTS;
		if (objs[slot].p) {
			check_fill(objs[slot].p, objs[slot].size, objs[slot].tag);
			kfree(objs[slot].p);
			objs[slot].p = NULL;
			continue;
		}
		size_t size = random_size(&rng);
		uint8_t *p = kmalloc(size);
		if (!p)
			continue; /* a small guest may run out: that is allowed, corruption is not */
		memset(p, (uint8_t)op, size);
		objs[slot].p = p;
		objs[slot].size = size;
		objs[slot].tag = (uint8_t)op;
	}
	for (int i = 0; i < SLOTS; i++) {
		if (objs[i].p) {
			check_fill(objs[i].p, objs[i].size, objs[i].tag);
			kfree(objs[i].p);
			objs[i].p = NULL;
		}
	}
}

static void vmalloc_guard(void)
{
	uint8_t *p = vmalloc(3 * PAGE_SIZE, PAGE_SIZE, true);
	if (!p)
		panic("selftest: vmalloc failed");
	if (paging_lookup((uintptr_t)p - PAGE_SIZE, NULL) >= 0)
		panic("selftest: the guard page below a vmalloc block is mapped");
	unsigned prot;
	if (paging_lookup((uintptr_t)p + 2 * PAGE_SIZE, &prot) < 0 || prot != (PROT_R | PROT_W))
		panic("selftest: a vmalloc page is missing or not read-write/NX");
	memset(p, 0x77, 3 * PAGE_SIZE);
	vfree(p, 3 * PAGE_SIZE, PAGE_SIZE, true);
	if (paging_lookup((uintptr_t)p, NULL) >= 0)
		panic("selftest: vfree left a page mapped");
}

static void print_figures(const char *when)
{
	struct heap_stats st;
	heap_get_stats(&st);
	pr_info("selftest: %s: %zu KiB free frames, heap %zu bytes in use, %zu KiB spans, %zu KiB large\n",
		when, (kernel_frames.free_frames * PAGE_SIZE) >> 10, st.in_use_bytes, st.span_bytes >> 10,
		st.large_bytes >> 10);
}

static void selftest_memory(void)
{
	/* A first round leaves what stays for good: this CPU's heap caches, page
	 * tables for the KVA, the KVA's list of free ranges. From then on every
	 * round must give back all it took. */
	heap_stress();
	vmalloc_guard();
	heap_trim();
	size_t before = kernel_frames.free_frames;
	print_figures("before");
	for (int round = 0; round < 3; round++) {
		heap_stress();
		vmalloc_guard();
	}
	heap_trim();
	print_figures("after");
	if (kernel_frames.free_frames != before)
		panic("selftest: %ld frames did not come back", (long)(before - kernel_frames.free_frames));
	pr_info("selftest: memory: ok\n");
}


/* The console's status key (Ctrl-T) arrives by interrupt through the I/O APIC
 * and lists the threads; the test harness types it. */
static void selftest_console(void)
{
	uint64_t deadline = clock_monotonic_ns() + 10 * NSEC_PER_SEC;
	while (!console_status_requests()) {
		if (clock_monotonic_ns() > deadline)
			panic("selftest: console: no status key (Ctrl-T) within 10 s");
		thread_sleep_until(clock_monotonic_ns() + NSEC_PER_MSEC);
	}
	/* Other keys reach a reader of the console, woken by the interrupt. */
	char buf[8];
	long n = sys_read(0, buf, sizeof(buf));
	if (n < 1 || buf[0] != 'k')
		panic("selftest: console: reading the console gave %ld bytes, not the typed 'k'", n);
	pr_info("selftest: console: the status key listed the threads, a read got the typed key: ok\n");
}

/* The real-time clock against the host's time (--test-epoch=SECONDS, given by
 * the harness), and the TSC's calibration against the ACPI timer. */
static uint64_t test_epoch;

static void selftest_clock(void)
{
	uint64_t now_s = clock_realtime_ns() / NSEC_PER_SEC;
	if (test_epoch && (now_s + 10 < test_epoch || now_s > test_epoch + 10))
		panic("selftest: clock: real time %lu s, the host said %lu s", now_s, test_epoch);
	uint64_t t0 = clock_monotonic_ns();
	thread_sleep_until(t0 + 100 * NSEC_PER_MSEC);
	uint64_t slept = clock_monotonic_ns() - t0;
	if (slept < 100 * NSEC_PER_MSEC)
		panic("selftest: clock: a 100 ms sleep took %lu us", slept / 1000);
	pr_info("selftest: clock: real time %lu s (host %lu s), 100 ms sleep took %lu us: ok\n", now_s,
		test_epoch, slept / 1000);
}

static int set_test_epoch(const char *value)
{
	return kopt_parse_u64(value, 0, UINT64_MAX / NSEC_PER_SEC, &test_epoch) ? -EINVAL : 0;
}
KOPT_VALUE("test-epoch", set_test_epoch, "SECONDS", "the host's time, for --selftest=clock");

void selftest_threads(void);	/* core/threadtest.c */
void selftest_fpu(void);	/* arch/x86_64/fputest.c */
void selftest_files(void);	/* fs/filetest.c */
void selftest_net(void);	/* drivers/nettest.c */
void selftest_tcp(void);	/* net/nettest_tcp.c */
void selftest_tree(void);	/* fs/treelist.c */
void selftest_syscall(void);	/* arch/x86_64/syscalltest.c */
void selftest_libc(void);	/* libc/libctest.c */

static const struct {
	const char *name;
	void (*run)(void);
} tests[] = {
	{ "memory", selftest_memory },
	{ "threads", selftest_threads },
	{ "fpu", selftest_fpu },
	{ "console", selftest_console },
	{ "clock", selftest_clock },
	{ "files", selftest_files },
	{ "net", selftest_net },
	{ "tcp", selftest_tcp },
	{ "tree", selftest_tree },
	{ "syscall", selftest_syscall },
	{ "libc", selftest_libc },
};

/* Calls fn for each name in a comma-separated list; stops at the first it returns nonzero for. */
static bool each_name(const char *list, bool (*fn)(const char *name, size_t len))
{
	while (*list) {
		const char *comma = strchr(list, ',');
		size_t len = comma ? (size_t)(comma - list) : strlen(list);
		if (!fn(list, len))
			return false;
		list += len + (comma ? 1 : 0);
	}
	return true;
}

static bool known(const char *name, size_t len)
{
	for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++)
		if (strlen(tests[i].name) == len && !strncmp(tests[i].name, name, len))
			return true;
	return false;
}

static bool run_one(const char *name, size_t len)
{
	for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++)
		if (strlen(tests[i].name) == len && !strncmp(tests[i].name, name, len))
			tests[i].run();
	return true;
}

void selftest_run(void)
{
	if (selftests)
		each_name(selftests, run_one);
}

static int set_selftest(const char *value)
{
	if (!*value || !each_name(value, known))
		return -EINVAL;
	selftests = value;
	return 0;
}
KOPT_VALUE("selftest", set_selftest, "memory,threads,fpu,console,clock,files,tree,syscall,libc (any of them)",
	   "run in-guest self-tests after the banner");
