/*
 * Vector-register state (see arch/fpu.h): XSAVE with every component the CPU
 * has (x87, SSE, AVX, AVX-512), or FXSAVE where XSAVE is missing.
 */
#include <arch/cpu.h>
#include <arch/fpu.h>
#include <kite/compiler.h>
#include <stdbool.h>
#include <string.h>

#define CR0_MP (1UL << 1)
#define CR0_EM (1UL << 2)
#define CR0_TS (1UL << 3)
#define CR4_OSFXSR (1UL << 9)
#define CR4_OSXMMEXCPT (1UL << 10)
#define CR4_OSXSAVE (1UL << 18)
#define XCR0_X87 (1UL << 0)
#define XCR0_SSE (1UL << 1)
#define XCR0_AVX (1UL << 2)
#define XCR0_AVX512 (7UL << 5) /* opmask, ZMM_Hi256, Hi16_ZMM: all or none */
#define FXSAVE_SIZE 512

static bool use_xsave;
static uint64_t xcr0;
static size_t area_size = FXSAVE_SIZE;

static void xsetbv(uint32_t reg, uint64_t v)
{
	__asm__ volatile("xsetbv" : : "c"(reg), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

void fpu_init_cpu(void)
{
	uint32_t a, b, c, d;

	write_cr0((read_cr0() & ~(CR0_EM | CR0_TS)) | CR0_MP);
	uint64_t cr4 = read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT;
	cpuid(1, 0, &a, &b, &c, &d);
	use_xsave = c & (1 << 26);
	if (use_xsave)
		cr4 |= CR4_OSXSAVE;
	write_cr4(cr4);
	if (!use_xsave)
		return;
	cpuid(0xd, 0, &a, &b, &c, &d);
	uint64_t supported = ((uint64_t)d << 32) | a;
	xcr0 = supported & (XCR0_X87 | XCR0_SSE | XCR0_AVX);
	if ((supported & XCR0_AVX512) == XCR0_AVX512)
		xcr0 |= XCR0_AVX512;
	xsetbv(0, xcr0);
	cpuid(0xd, 0, &a, &b, &c, &d); /* EBX: the size for what XCR0 enables now */
	area_size = ALIGN_UP((size_t)b, 64);
}

size_t fpu_area_size(void)
{
	return area_size;
}

void fpu_area_init(void *area)
{
	memset(area, 0, area_size);
	/* With XSTATE_BV zero every component restores to its initial state;
	 * MXCSR and the control word are read from the legacy area anyway. */
	*(uint16_t *)area = 0x037f;
	*(uint32_t *)((char *)area + 24) = 0x1f80;
}

void fpu_save(void *area)
{
	if (use_xsave)
		__asm__ volatile("xsave64 (%0)" : : "r"(area), "a"(~0u), "d"(~0u) : "memory");
	else
		__asm__ volatile("fxsave64 (%0)" : : "r"(area) : "memory");
}

void fpu_restore(const void *area)
{
	if (use_xsave)
		__asm__ volatile("xrstor64 (%0)" : : "r"(area), "a"(~0u), "d"(~0u) : "memory");
	else
		__asm__ volatile("fxrstor64 (%0)" : : "r"(area) : "memory");
}

int fpu_has(const char *feature)
{
	if (!strcmp(feature, "avx"))
		return (xcr0 & XCR0_AVX) != 0;
	if (!strcmp(feature, "avx512f"))
		return (xcr0 & XCR0_AVX512) == XCR0_AVX512;
	return 0;
}
