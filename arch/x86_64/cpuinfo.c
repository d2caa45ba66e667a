/* What /proc/cpuinfo says about the CPU: vendor, model name, a few flags. */
#include <arch/cpu.h>
#include <kite/textbuf.h>
#include <string.h>

void arch_cpuinfo(struct textbuf *tb, unsigned cpu, uint64_t hz)
{
	uint32_t a, b, c, d, regs[12];
	char vendor[13], brand[49] = "unknown";

	cpuid(0, 0, &a, &b, &c, &d);
	memcpy(vendor, &b, 4);
	memcpy(vendor + 4, &d, 4);
	memcpy(vendor + 8, &c, 4);
	vendor[12] = '\0';
	cpuid(0x80000000, 0, &a, &b, &c, &d);
	if (a >= 0x80000004) {
		for (uint32_t i = 0; i < 3; i++)
			cpuid(0x80000002 + i, 0, &regs[4 * i], &regs[4 * i + 1], &regs[4 * i + 2], &regs[4 * i + 3]);
		memcpy(brand, regs, 48);
		brand[48] = '\0';
	}
	uint32_t ecx1, edx1, ebx7, unused;
	cpuid(1, 0, &unused, &unused, &ecx1, &edx1);
	cpuid(7, 0, &unused, &ebx7, &unused, &unused);
	tb_printf(tb, "processor\t: %u\nvendor_id\t: %s\nmodel name\t: %s\ncpu MHz\t\t: %lu.%03lu\n", cpu,
		  vendor, brand, hz / 1000000, hz / 1000 % 1000);
	tb_printf(tb, "flags\t\t: fpu tsc%s%s%s%s%s%s%s%s\n\n", (edx1 & (1 << 25)) ? " sse" : "",
		  (edx1 & (1 << 26)) ? " sse2" : "", (ecx1 & 1) ? " pni" : "", (ecx1 & (1 << 19)) ? " sse4_1" : "",
		  (ecx1 & (1 << 20)) ? " sse4_2" : "", (ecx1 & (1 << 26)) ? " xsave" : "",
		  (ecx1 & (1 << 28)) ? " avx" : "", (ebx7 & (1 << 5)) ? " avx2" : "");
}
