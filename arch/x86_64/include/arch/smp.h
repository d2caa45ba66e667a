/* Starting application processors: the trampoline's place and parameters. */
#ifndef ARCH_SMP_H
#define ARCH_SMP_H

#define TRAMPOLINE_PHYS 0x8000	/* the start-up IPI's vector is this >> 12 */

#ifndef __ASSEMBLER__
#include <stdint.h>

struct trampoline_data {
	uint64_t cr3, efer, stack, cpu, entry;
};

extern const char trampoline_start[], trampoline_end[], trampoline_data[];
#endif

#endif
