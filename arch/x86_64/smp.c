/*
 * Starting the application processors (APs): for each CPU in the MADT, the boot
 * CPU prepares its struct cpu and stacks, fills the trampoline's parameters and
 * sends INIT and start-up IPIs, then waits until the CPU says it is online. One
 * CPU at a time, so one parameter block suffices.
 */
#include <arch/apic.h>
#include <arch/cpu.h>
#include <arch/fpu.h>
#include <arch/irq.h>
#include <arch/smp.h>
#include <arch/stacks.h>
#include <arch/trap.h>
#include <kite/acpi.h>
#include <kite/clock.h>
#include <kite/cmdline.h>
#include <kite/errno.h>
#include <kite/format.h>
#include <kite/heap.h>
#include <kite/kstack.h>
#include <kite/kva.h>
#include <kite/paging.h>
#include <kite/panic.h>
#include <kite/printk.h>
#include <kite/sched.h>
#include <kite/smp.h>
#include <kite/thread.h>
#include <string.h>

#define AP_STACK_SIZE (16 * 1024)
#define STACKS_PER_CPU (IST_COUNT + 1) /* the IST stacks and the idle thread's own */

static unsigned max_cpus = MAX_CPUS; /* --cpus=N */

/* An AP's stacks, with their names for crash reports. */
struct ap_stacks {
	struct kstack ks[STACKS_PER_CPU];
	char names[STACKS_PER_CPU][16];
};

static bool alloc_stack(struct kstack *ks, char *name, const char *fmt, unsigned id)
{
	void *p = vmalloc(AP_STACK_SIZE, PAGE_SIZE, true);
	if (!p)
		return false;
	ksnprintf(name, 16, fmt, id);
	*ks = (struct kstack){ .name = name, .bottom = (uintptr_t)p, .top = (uintptr_t)p + AP_STACK_SIZE };
	kstack_register(ks);
	return true;
}

/* The AP's first C code, on its idle stack, with the kernel's page tables. */
static __noreturn void ap_entry(struct cpu *c)
{
	percpu_set_gs(c);
	gdt_init(c, c->arch.ist_tops);
	idt_init_cpu();
	fpu_init_cpu();
	char name[THREAD_NAME_MAX];
	ksnprintf(name, sizeof(name), "idle%u", c->id);
	struct thread *idle = thread_adopt(name, c->arch.ist_tops[IST_INTERRUPT], c->arch.ist_tops[IST_EXCEPTION]);
	idle->state = THREAD_RUNNING;
	idle->on_cpu = true;
	idle->cpus_used = 1ULL << c->id;
	idle->run_start_ns = clock_monotonic_ns();
	c->current = idle;
	arch_thread_activate(&idle->arch);
	sched_init_cpu(c, idle);
	arch_sched_start_cpu();
	__atomic_store_n(&c->online, true, __ATOMIC_RELEASE);
	local_irq_enable();
	sched_idle_loop();
}

static bool wait_online(struct cpu *c, uint64_t ns)
{
	uint64_t end = clock_monotonic_ns() + ns;
	while (!__atomic_load_n(&c->online, __ATOMIC_ACQUIRE))
		if (clock_monotonic_ns() > end)
			return false;
	return true;
}

static struct cpu *prepare_cpu(unsigned id, uint32_t apic)
{
	struct cpu *c = kzalloc(sizeof(*c));
	struct ap_stacks *st = kzalloc(sizeof(*st));
	if (!c || !st)
		return NULL;
	static const char *const formats[STACKS_PER_CPU] = {
		"idle%u", "double-fault%u", "nmi%u", "machine-check%u", "exception%u", "interrupt%u",
	};
	for (int i = 0; i < STACKS_PER_CPU; i++)
		if (!alloc_stack(&st->ks[i], st->names[i], formats[i], id))
			return NULL; /* a CPU short of memory is not started; the leak is small */
	c->self = c;
	c->id = id;
	c->arch.apic_id = apic;
	for (int slot = 1; slot <= IST_COUNT; slot++)
		c->arch.ist_tops[slot] = st->ks[slot].top;
	c->arch.start_stack_top = st->ks[0].top;
	return c;
}

static bool start_cpu(struct cpu *c)
{
	volatile struct trampoline_data *data =
		phys_to_virt(TRAMPOLINE_PHYS + (trampoline_data - trampoline_start));

	data->stack = c->arch.start_stack_top;
	data->cpu = (uint64_t)c;
	data->entry = (uint64_t)ap_entry;
	apic_send_init(c->arch.apic_id);
	clock_spin_ns(NSEC_PER_MSEC / 2);
	for (int attempt = 0; attempt < 2; attempt++) {
		apic_send_startup(c->arch.apic_id, TRAMPOLINE_PHYS >> 12);
		if (wait_online(c, attempt ? 200 * NSEC_PER_MSEC : 10 * NSEC_PER_MSEC))
			return true;
	}
	return false;
}

void smp_init(void)
{
	unsigned n = acpi_cpu_count();
	uint32_t self = apic_id();

	if (n > max_cpus)
		n = max_cpus;
	if (n < 2)
		return;
	memcpy(phys_to_virt(TRAMPOLINE_PHYS), trampoline_start, trampoline_end - trampoline_start);
	volatile struct trampoline_data *data =
		phys_to_virt(TRAMPOLINE_PHYS + (trampoline_data - trampoline_start));
	data->cr3 = read_cr3();
	data->efer = rdmsr(MSR_EFER) & ((1 << 8) | EFER_NXE);
	/* The trampoline turns paging on while it runs at its physical address. */
	if (paging_map(TRAMPOLINE_PHYS, TRAMPOLINE_PHYS, PAGE_SIZE, PROT_R | PROT_X))
		panic("smp: cannot map the trampoline");

	for (unsigned i = 0; i < acpi_cpu_count() && nr_cpus < n; i++) {
		uint32_t apic = acpi_cpu_apic_id(i);
		if (apic == self)
			continue;
		struct cpu *c = prepare_cpu(nr_cpus, apic);
		if (!c) {
			pr_warn("kite: smp: no memory to start CPU %u\n", nr_cpus);
			break;
		}
		cpus[c->id] = c;
		if (!start_cpu(c)) {
			pr_warn("kite: smp: CPU with APIC id %u did not start\n", apic);
			cpus[c->id] = NULL;
			continue;
		}
		__atomic_store_n(&nr_cpus, nr_cpus + 1, __ATOMIC_RELEASE);
	}
	paging_unmap(TRAMPOLINE_PHYS, PAGE_SIZE);
	tlb_flush_others();
	pr_debug("kite: smp: %u CPUs online\n", nr_cpus);
}

static int set_cpus(const char *value)
{
	uint64_t v;
	if (kopt_parse_u64(value, 1, MAX_CPUS, &v))
		return -EINVAL;
	max_cpus = (unsigned)v;
	return 0;
}
KOPT_VALUE("cpus", set_cpus, "1..64", "use at most this many CPUs");
