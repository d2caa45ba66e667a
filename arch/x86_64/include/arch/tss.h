/* The 64-bit task-state segment: only its IST and RSP0 fields matter here. */
#ifndef ARCH_TSS_H
#define ARCH_TSS_H
#include <stdint.h>

struct tss {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
} __attribute__((packed, aligned(16)));

#endif
