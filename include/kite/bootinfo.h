/*
 * What the boot loader told us, copied out of the loader's structures (which the
 * kernel's own page tables no longer map), in a form independent of the boot protocol
 * (multiboot today, PVH later). Filled once by the arch entry code.
 */
#ifndef KITE_BOOTINFO_H
#define KITE_BOOTINFO_H
#include <stdint.h>
#include <kite/memlayout.h>

#define BOOT_MAX_REGIONS 64
#define BOOT_MAX_MODULES 8

enum boot_region_type {
	BOOT_RAM = 1,		/* usable */
	BOOT_RESERVED = 2,	/* firmware, ACPI, anything else: mapped, never allocated */
};

struct boot_region {
	phys_addr_t start, end; /* [start, end) */
	enum boot_region_type type;
};

struct boot_module {
	phys_addr_t start, end;
	char cmdline[128];
};

struct boot_info {
	char loader[64];	/* boot loader's name, or "unknown" */
	char *cmdline;		/* options and program, without the kernel's path; modifiable */
	struct boot_region regions[BOOT_MAX_REGIONS];
	int nr_regions;
	struct boot_module modules[BOOT_MAX_MODULES];
	int nr_modules;
};

extern struct boot_info boot_info;

/* Fills boot_info from the multiboot information; fails with a message. */
int multiboot_parse(uint32_t magic, phys_addr_t info_pa, const char **error);

/* Sum of the BOOT_RAM regions, in bytes. */
uint64_t boot_ram_size(void);

#endif
