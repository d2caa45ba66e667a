/*
 * --selftest=fpu: vector registers survive preemption. Several threads per CPU
 * each load all 16 XMM (or YMM, with AVX) registers with values of their own,
 * add 1.0 to every lane many times over while the scheduler preempts them, and
 * check every lane at the end. A lost or mixed-up save area shows as a wrong lane.
 *
 * The register work is inline assembly, so that the compiler keeps nothing of
 * its own in those registers meanwhile.
 */
#include <arch/fpu.h>
#include <kite/clock.h>
#include <kite/cpu.h>
#include <kite/heap.h>
#include <kite/panic.h>
#include <kite/printk.h>
#include <kite/thread.h>

#define LANES_PER_REG 8 /* floats in a YMM register; SSE uses the first 4 */
#define REGS 16
#define ITERATIONS 100000
#define ROUNDS 4

struct fpu_job {
	int id;
	bool avx;
	float in[REGS * LANES_PER_REG] __attribute__((aligned(32)));
	float out[REGS * LANES_PER_REG] __attribute__((aligned(32)));
	float one[LANES_PER_REG] __attribute__((aligned(32)));
	int bad_lane;
};

#define LOAD16(op, sz)                                                         \
	op " 0*" sz "(%1), %%" R "0\n\t" op " 1*" sz "(%1), %%" R "1\n\t"      \
	op " 2*" sz "(%1), %%" R "2\n\t" op " 3*" sz "(%1), %%" R "3\n\t"      \
	op " 4*" sz "(%1), %%" R "4\n\t" op " 5*" sz "(%1), %%" R "5\n\t"      \
	op " 6*" sz "(%1), %%" R "6\n\t" op " 7*" sz "(%1), %%" R "7\n\t"      \
	op " 8*" sz "(%1), %%" R "8\n\t" op " 9*" sz "(%1), %%" R "9\n\t"      \
	op " 10*" sz "(%1), %%" R "10\n\t" op " 11*" sz "(%1), %%" R "11\n\t"  \
	op " 12*" sz "(%1), %%" R "12\n\t" op " 13*" sz "(%1), %%" R "13\n\t"  \
	op " 14*" sz "(%1), %%" R "14\n\t" op " 15*" sz "(%1), %%" R "15\n\t"
#define STORE16(op, sz)                                                        \
	op " %%" R "0, 0*" sz "(%2)\n\t" op " %%" R "1, 1*" sz "(%2)\n\t"      \
	op " %%" R "2, 2*" sz "(%2)\n\t" op " %%" R "3, 3*" sz "(%2)\n\t"      \
	op " %%" R "4, 4*" sz "(%2)\n\t" op " %%" R "5, 5*" sz "(%2)\n\t"      \
	op " %%" R "6, 6*" sz "(%2)\n\t" op " %%" R "7, 7*" sz "(%2)\n\t"      \
	op " %%" R "8, 8*" sz "(%2)\n\t" op " %%" R "9, 9*" sz "(%2)\n\t"      \
	op " %%" R "10, 10*" sz "(%2)\n\t" op " %%" R "11, 11*" sz "(%2)\n\t"  \
	op " %%" R "12, 12*" sz "(%2)\n\t" op " %%" R "13, 13*" sz "(%2)\n\t"  \
	op " %%" R "14, 14*" sz "(%2)\n\t" op " %%" R "15, 15*" sz "(%2)\n\t"

/* This file is built with SSE (for the C around the assembly), so the compiler
 * must be told which vector registers the assembly takes. */
#define CLOBBERS "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", \
		 "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15"

static void run_sse(struct fpu_job *j)
{
	int n = ITERATIONS;
#define R "xmm"
#define ADD(n) "addps (%3), %%xmm" #n "\n\t"
	/* The SSE layout keeps 8 floats per register slot so both variants
	 * share the arrays; only the first 4 of each slot are used. */
	__asm__ volatile(LOAD16("movups", "32")
			 "1:\n\t"
			 ADD(0) ADD(1) ADD(2) ADD(3) ADD(4) ADD(5) ADD(6) ADD(7)
			 ADD(8) ADD(9) ADD(10) ADD(11) ADD(12) ADD(13) ADD(14) ADD(15)
			 "decl %0\n\t"
			 "jnz 1b\n\t"
			 STORE16("movups", "32")
			 : "+r"(n) : "r"(j->in), "r"(j->out), "r"(j->one) : "memory", "cc", CLOBBERS);
#undef ADD
#undef R
}

static void run_avx(struct fpu_job *j)
{
	int n = ITERATIONS;
#define R "ymm"
#define ADD(n) "vaddps (%3), %%ymm" #n ", %%ymm" #n "\n\t"
	__asm__ volatile(LOAD16("vmovups", "32")
			 "1:\n\t"
			 ADD(0) ADD(1) ADD(2) ADD(3) ADD(4) ADD(5) ADD(6) ADD(7)
			 ADD(8) ADD(9) ADD(10) ADD(11) ADD(12) ADD(13) ADD(14) ADD(15)
			 "decl %0\n\t"
			 "jnz 1b\n\t"
			 STORE16("vmovups", "32")
			 "vzeroupper\n\t"
			 : "+r"(n) : "r"(j->in), "r"(j->out), "r"(j->one) : "memory", "cc", CLOBBERS);
#undef ADD
#undef R
}

static void *fpu_worker(void *arg)
{
	struct fpu_job *j = arg;
	int lanes = j->avx ? 8 : 4;

	for (int l = 0; l < LANES_PER_REG; l++)
		j->one[l] = 1.0f;
	for (int round = 0; round < ROUNDS; round++) {
		/* Distinct, exactly representable values per thread, round, register, lane. */
		for (int r = 0; r < REGS; r++)
			for (int l = 0; l < lanes; l++)
				j->in[r * LANES_PER_REG + l] = (float)(j->id * 4096 + round * 1024 + r * 16 + l);
		if (j->avx)
			run_avx(j);
		else
			run_sse(j);
		for (int r = 0; r < REGS; r++)
			for (int l = 0; l < lanes; l++)
				if (j->out[r * LANES_PER_REG + l] != j->in[r * LANES_PER_REG + l] + ITERATIONS)
					j->bad_lane = r * LANES_PER_REG + l + 1;
		if (j->bad_lane)
			break;
	}
	return NULL;
}

void selftest_fpu(void)
{
	enum { PER_CPU = 3 };
	unsigned n = nr_cpus * PER_CPU;
	struct fpu_job *jobs[3 * MAX_CPUS];
	struct thread *t[3 * MAX_CPUS];
	bool avx = fpu_has("avx");
	uint64_t switches_before = 0, switches_after = 0;

	for (unsigned i = 0; i < nr_cpus; i++)
		switches_before += cpus[i]->context_switches;
	for (unsigned i = 0; i < n; i++) {
		jobs[i] = kzalloc(sizeof(struct fpu_job));
		if (!jobs[i])
			panic("selftest: fpu: out of memory");
		jobs[i]->id = i + 1;
		/* Half the threads use SSE even with AVX around: mixed users. */
		jobs[i]->avx = avx && (i % 2 == 0);
		struct thread_attr attr = { .name = jobs[i]->avx ? "fpu-avx" : "fpu-sse" };
		t[i] = thread_create(&attr, fpu_worker, jobs[i]);
		if (!t[i])
			panic("selftest: fpu: cannot create a thread");
	}
	for (unsigned i = 0; i < n; i++) {
		thread_join(t[i]);
		if (jobs[i]->bad_lane)
			panic("selftest: fpu: thread %u (%s) found register %d lane %d wrong", i + 1,
			      jobs[i]->avx ? "avx" : "sse", (jobs[i]->bad_lane - 1) / LANES_PER_REG,
			      (jobs[i]->bad_lane - 1) % LANES_PER_REG);
		kfree(jobs[i]);
	}
	for (unsigned i = 0; i < nr_cpus; i++)
		switches_after += cpus[i]->context_switches;
	pr_info("selftest: fpu: %u threads (%s) x %d rounds intact across %lu context switches: ok\n", n,
		avx ? "AVX and SSE" : "SSE; this CPU has no AVX", ROUNDS, switches_after - switches_before);
}
