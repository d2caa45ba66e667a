/*
 * Reads the multiboot (version 1) information into boot_info. Runs on the early
 * page tables, where physical memory below EARLY_MAP_SIZE is reachable at
 * KERNEL_VMA + phys; anything the loader put higher is refused.
 */
#include <kite/bootinfo.h>
#include <kite/cmdline.h>
#include <kite/compiler.h>
#include <string.h>

#define MB_BOOT_MAGIC 0x2BADB002
#define MB_INFO_MEMORY (1 << 0)
#define MB_INFO_CMDLINE (1 << 2)
#define MB_INFO_MODS (1 << 3)
#define MB_INFO_MEM_MAP (1 << 6)
#define MB_INFO_LOADER_NAME (1 << 9)

struct mb_info {
	uint32_t flags;
	uint32_t mem_lower, mem_upper;
	uint32_t boot_device;
	uint32_t cmdline;
	uint32_t mods_count, mods_addr;
	uint32_t syms[4];
	uint32_t mmap_length, mmap_addr;
	uint32_t drives_length, drives_addr;
	uint32_t config_table;
	uint32_t boot_loader_name;
} __attribute__((packed));

struct mb_mmap_entry {
	uint32_t size; /* of the rest of the entry */
	uint64_t addr, len;
	uint32_t type;
} __attribute__((packed));

struct mb_module {
	uint32_t start, end, cmdline, reserved;
} __attribute__((packed));

struct boot_info boot_info;
static char cmdline_copy[CMDLINE_MAX];

static const void *early_ptr(uint64_t pa, uint64_t len)
{
	if (pa == 0 || pa + len > EARLY_MAP_SIZE || pa + len < pa)
		return NULL;
	return (const void *)(pa + KERNEL_VMA);
}

static const char *early_string(uint32_t pa)
{
	/* Strings are checked a page at a time as the early map is contiguous. */
	return early_ptr(pa, 1);
}

static void add_region(phys_addr_t start, phys_addr_t end, enum boot_region_type type)
{
	if (end <= start || boot_info.nr_regions == BOOT_MAX_REGIONS)
		return;
	boot_info.regions[boot_info.nr_regions++] =
		(struct boot_region){ .start = start, .end = end, .type = type };
}

int multiboot_parse(uint32_t magic, phys_addr_t info_pa, const char **error)
{
	if (magic != MB_BOOT_MAGIC) {
		*error = "not started by a multiboot loader (bad magic in EAX)";
		return -1;
	}
	const struct mb_info *mb = early_ptr(info_pa, sizeof(*mb));
	if (!mb) {
		*error = "multiboot information is out of reach";
		return -1;
	}

	const char *loader = (mb->flags & MB_INFO_LOADER_NAME) ? early_string(mb->boot_loader_name) : NULL;
	strlcpy(boot_info.loader, loader ? loader : "unknown", sizeof(boot_info.loader));

	const char *cmd = (mb->flags & MB_INFO_CMDLINE) ? early_string(mb->cmdline) : NULL;
	if (cmd && strnlen(cmd, CMDLINE_MAX) == CMDLINE_MAX) {
		*error = "kernel command line too long (4095 bytes at most)";
		return -1;
	}
	/* QEMU's loader puts the kernel's file name first; GRUB passes only the
	 * arguments. Keep only the arguments. */
	if (cmd && !strcmp(boot_info.loader, "qemu")) {
		while (*cmd && *cmd != ' ')
			cmd++;
	}
	strlcpy(cmdline_copy, cmd ? cmd : "", sizeof(cmdline_copy));
	boot_info.cmdline = cmdline_copy;

	if (!(mb->flags & MB_INFO_MEM_MAP)) {
		*error = "the boot loader gave no memory map";
		return -1;
	}
	const uint8_t *p = early_ptr(mb->mmap_addr, mb->mmap_length);
	if (!p) {
		*error = "multiboot memory map is out of reach";
		return -1;
	}
	for (uint32_t off = 0; off + sizeof(struct mb_mmap_entry) <= mb->mmap_length;) {
		const struct mb_mmap_entry *e = (const void *)(p + off);
		add_region(e->addr, e->addr + e->len, e->type == 1 ? BOOT_RAM : BOOT_RESERVED);
		off += e->size + sizeof(e->size);
	}

	if (mb->flags & MB_INFO_MODS) {
		const struct mb_module *m = early_ptr(mb->mods_addr, mb->mods_count * sizeof(*m));
		for (uint32_t i = 0; m && i < mb->mods_count && i < BOOT_MAX_MODULES; i++) {
			const char *mod_cmd = early_string(m[i].cmdline);
			boot_info.modules[i].start = m[i].start;
			boot_info.modules[i].end = m[i].end;
			strlcpy(boot_info.modules[i].cmdline, mod_cmd ? mod_cmd : "",
				sizeof(boot_info.modules[i].cmdline));
			boot_info.nr_modules++;
		}
	}
	return 0;
}

uint64_t boot_ram_size(void)
{
	uint64_t total = 0;

	for (int i = 0; i < boot_info.nr_regions; i++)
		if (boot_info.regions[i].type == BOOT_RAM)
			total += boot_info.regions[i].end - boot_info.regions[i].start;
	return total;
}
