/*
 * The local APIC (xAPIC, memory-mapped: QEMU's TCG lacks x2APIC before 8.x).
 * Its timer runs in TSC-deadline mode where the CPU has it (one MSR write per
 * event), else in one-shot mode calibrated against the TSC.
 */
#include <arch/apic.h>
#include <arch/cpu.h>
#include <arch/io.h>
#include <arch/relax.h>
#include <arch/trap.h>
#include <kite/clock.h>
#include <kite/cpu.h>
#include <kite/paging.h>
#include <kite/panic.h>
#include <kite/printk.h>
#include <kite/sched.h>
#include <kite/syscall.h>
#include <kite/timer.h>

#define MSR_APIC_BASE 0x1b
#define MSR_TSC_DEADLINE 0x6e0
#define APIC_BASE_ENABLE (1UL << 11)

#define APIC_ID 0x20
#define APIC_TPR 0x80
#define APIC_EOI 0xb0
#define APIC_SVR 0xf0
#define APIC_ICR_LOW 0x300
#define APIC_ICR_HIGH 0x310
#define APIC_LVT_TIMER 0x320
#define APIC_TIMER_INITIAL 0x380
#define APIC_TIMER_CURRENT 0x390
#define APIC_TIMER_DIVIDE 0x3e0

#define SVR_ENABLE (1 << 8)
#define LVT_MASKED (1 << 16)
#define LVT_TSC_DEADLINE (2 << 17)
#define ICR_PENDING (1 << 12)
#define ICR_ASSERT (1 << 14)
#define ICR_LEVEL (1 << 15)
#define ICR_INIT (5 << 8)
#define ICR_STARTUP (6 << 8)

void tlb_init(void); /* tlb.c */

static volatile uint8_t *apic;
static bool tsc_deadline;
static uint64_t apic_timer_hz; /* one-shot mode, divide by 16 */

static uint32_t apic_read(uint32_t reg)
{
	return mmio_read32(apic + reg);
}

static void apic_write(uint32_t reg, uint32_t v)
{
	mmio_write32(apic + reg, v);
}

uint32_t apic_id(void)
{
	return apic_read(APIC_ID) >> 24;
}

void apic_eoi(void)
{
	apic_write(APIC_EOI, 0);
}

static void wait_icr_idle(void)
{
	for (int i = 0; i < 1000000 && (apic_read(APIC_ICR_LOW) & ICR_PENDING); i++)
		cpu_relax();
}

static void send_icr(uint32_t dest, uint32_t low)
{
	unsigned long flags = local_irq_save();
	wait_icr_idle();
	apic_write(APIC_ICR_HIGH, dest << 24);
	apic_write(APIC_ICR_LOW, low);
	wait_icr_idle();
	local_irq_restore(flags);
}

void apic_send_ipi(uint32_t dest, uint8_t vector)
{
	send_icr(dest, vector | ICR_ASSERT);
}

void apic_send_nmi(uint32_t dest)
{
	send_icr(dest, (4 << 8) | ICR_ASSERT);
}

void apic_send_init(uint32_t dest)
{
	send_icr(dest, ICR_INIT | ICR_ASSERT | ICR_LEVEL);
}

void apic_send_startup(uint32_t dest, uint8_t page)
{
	send_icr(dest, ICR_STARTUP | page);
}

void arch_send_reschedule(struct cpu *c)
{
	apic_send_ipi(c->arch.apic_id, VEC_RESCHEDULE);
}

void arch_timer_program(uint64_t deadline_ns)
{
	if (tsc_deadline) {
		uint64_t tsc = 0;
		if (deadline_ns) {
			extern uint64_t boot_entry_tsc;
			tsc = boot_entry_tsc + (uint64_t)(((unsigned __int128)deadline_ns * cycles_per_second()) / NSEC_PER_SEC);
			if (!tsc)
				tsc = 1;
		}
		wrmsr(MSR_TSC_DEADLINE, tsc);
		return;
	}
	if (!deadline_ns) {
		apic_write(APIC_TIMER_INITIAL, 0);
		return;
	}
	uint64_t now = clock_monotonic_ns();
	uint64_t delta = deadline_ns > now ? deadline_ns - now : 0;
	uint64_t ticks = (uint64_t)(((unsigned __int128)delta * apic_timer_hz) / NSEC_PER_SEC);
	apic_write(APIC_TIMER_INITIAL, ticks == 0 ? 1 : ticks > 0xffffffff ? 0xffffffff : (uint32_t)ticks);
}

static void timer_irq(struct trap_frame *f __unused)
{
	apic_eoi();
	timer_interrupt();
}

static void reschedule_irq(struct trap_frame *f __unused)
{
	apic_eoi(); /* need_resched is already set; the interrupt exit acts on it */
}

static void spurious_irq(struct trap_frame *f __unused)
{
	/* A spurious interrupt takes no EOI. */
}

static void calibrate_one_shot(void)
{
	apic_write(APIC_TIMER_DIVIDE, 0x3); /* divide by 16 */
	apic_write(APIC_LVT_TIMER, LVT_MASKED | VEC_APIC_TIMER);
	apic_write(APIC_TIMER_INITIAL, 0xffffffff);
	uint64_t start = clock_monotonic_ns();
	clock_spin_ns(NSEC_PER_MSEC / 2);
	uint32_t left = apic_read(APIC_TIMER_CURRENT);
	uint64_t elapsed = clock_monotonic_ns() - start;
	apic_write(APIC_TIMER_INITIAL, 0);
	apic_timer_hz = (uint64_t)(0xffffffffu - left) * NSEC_PER_SEC / elapsed;
}

void apic_init_cpu(void)
{
	uint64_t base_msr = rdmsr(MSR_APIC_BASE);
	if (!apic) {
		apic = ioremap(base_msr & ~0xfffUL, PAGE_SIZE);
		if (!apic)
			panic("cannot map the local APIC");
		uint32_t a, b, c, d;
		cpuid(1, 0, &a, &b, &c, &d);
		tsc_deadline = c & (1 << 24);
		trap_set_handler(VEC_APIC_TIMER, timer_irq);
		trap_set_handler(VEC_RESCHEDULE, reschedule_irq);
		trap_set_handler(VEC_APIC_SPURIOUS, spurious_irq);
		tlb_init();
	}
	wrmsr(MSR_APIC_BASE, base_msr | APIC_BASE_ENABLE);
	apic_write(APIC_TPR, 0);
	apic_write(APIC_SVR, SVR_ENABLE | VEC_APIC_SPURIOUS);
	if (tsc_deadline) {
		apic_write(APIC_LVT_TIMER, LVT_TSC_DEADLINE | VEC_APIC_TIMER);
	} else {
		if (!apic_timer_hz)
			calibrate_one_shot();
		apic_write(APIC_TIMER_DIVIDE, 0x3);
		apic_write(APIC_LVT_TIMER, VEC_APIC_TIMER); /* one-shot */
	}
	pr_debug("kite: cpu%u: local APIC %u, timer in %s mode\n", cpu_current_id(), apic_id(),
		 tsc_deadline ? "TSC-deadline" : "one-shot");
}

void pic_disable(void)
{
	/* Remap to 0x20-0x2f first (an interrupt already latched then lands on a
	 * harmless vector), then mask everything. */
	outb(0x20, 0x11);
	outb(0xa0, 0x11);
	outb(0x21, 0x20);
	outb(0xa1, 0x28);
	outb(0x21, 4);
	outb(0xa1, 2);
	outb(0x21, 1);
	outb(0xa1, 1);
	outb(0x21, 0xff);
	outb(0xa1, 0xff);
}

void arch_sched_start_cpu(void)
{
	if (cpu_current_id() == 0)
		pic_disable();
	apic_init_cpu();
	this_cpu()->arch.apic_id = apic_id();
	syscall_init_cpu();
}
