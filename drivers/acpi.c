/*
 * ACPI tables: find the RSDP in the BIOS areas, walk the XSDT (or RSDT), read
 * the MADT for the CPU count and the FADT plus the DSDT's \_S5 package for
 * power-off. Every table's checksum is verified before it is trusted; a table
 * that fails is ignored with a warning.
 */
#include <arch/io.h>
#include <arch/relax.h>
#include <kite/acpi.h>
#include <kite/memlayout.h>
#include <kite/printk.h>
#include <string.h>
#include <stdint.h>

struct rsdp {
	char signature[8];
	uint8_t checksum;
	char oem[6];
	uint8_t revision;
	uint32_t rsdt;
	uint32_t length;
	uint64_t xsdt;
	uint8_t xchecksum;
	uint8_t reserved[3];
} __attribute__((packed));

struct sdt_header {
	char signature[4];
	uint32_t length;
	uint8_t revision, checksum;
	char oem[6], oem_table[8];
	uint32_t oem_revision, creator, creator_revision;
} __attribute__((packed));

struct fadt {
	struct sdt_header h;
	uint32_t facs, dsdt;
	uint8_t reserved, preferred_pm_profile;
	uint16_t sci_irq;
	uint32_t smi_cmd;
	uint8_t acpi_enable, acpi_disable, s4bios_req, pstate_cnt;
	uint32_t pm1a_evt, pm1b_evt, pm1a_cnt, pm1b_cnt;
	uint32_t pm2_cnt, pm_tmr;
	/* more follows; only the 32-bit block addresses are used */
} __attribute__((packed));

#define MADT_LAPIC 0
#define MADT_IOAPIC 1
#define MADT_OVERRIDE 2
#define MADT_X2APIC 9
#define LAPIC_ENABLED 1
#define LAPIC_ONLINE_CAPABLE 2
#define PM1_SCI_EN 1
#define PM1_SLP_EN (1 << 13)

static struct {
	bool found;
	unsigned cpus;
	uint32_t apic_ids[ACPI_MAX_CPUS];
	struct acpi_ioapic ioapics[ACPI_MAX_IOAPICS];
	unsigned nr_ioapics;
	struct acpi_irq_override overrides[ACPI_MAX_OVERRIDES];
	unsigned nr_overrides;
	uint16_t pm1a_cnt, pm1b_cnt;
	uint16_t pm_timer;
	uint32_t smi_cmd;
	uint8_t acpi_enable;
	bool have_s5;
	uint8_t slp_typ_a, slp_typ_b;
} acpi = { .cpus = 1 };

static bool checksum_ok(const void *p, size_t len)
{
	uint8_t sum = 0;

	for (size_t i = 0; i < len; i++)
		sum += ((const uint8_t *)p)[i];
	return sum == 0;
}

static const struct rsdp *scan_rsdp(phys_addr_t start, phys_addr_t end)
{
	for (phys_addr_t pa = start; pa + sizeof(struct rsdp) <= end; pa += 16) {
		const struct rsdp *r = phys_to_virt(pa);
		if (!memcmp(r->signature, "RSD PTR ", 8) && checksum_ok(r, 20))
			return r;
	}
	return NULL;
}

static const struct sdt_header *map_table(phys_addr_t pa)
{
	if (!pa)
		return NULL;
	const struct sdt_header *h = phys_to_virt(pa);
	if (h->length < sizeof(*h) || h->length > (1 << 24) || !checksum_ok(h, h->length)) {
		pr_warn("kite: acpi: table at %lx has a bad checksum or length, ignored\n", pa);
		return NULL;
	}
	return h;
}

static void parse_madt(const struct sdt_header *madt)
{
	const uint8_t *p = (const uint8_t *)madt + sizeof(*madt) + 8; /* LAPIC addr, flags */
	const uint8_t *end = (const uint8_t *)madt + madt->length;
	unsigned cpus = 0;

	while (p + 2 <= end && p[1] >= 2 && p + p[1] <= end) {
		uint32_t flags = 0, id = 0;
		if (p[0] == MADT_LAPIC && p[1] >= 8) {
			id = p[3];
			flags = *(const uint32_t *)(p + 4);
		} else if (p[0] == MADT_X2APIC && p[1] >= 16) {
			id = *(const uint32_t *)(p + 4);
			flags = *(const uint32_t *)(p + 8);
		}
		if ((flags & (LAPIC_ENABLED | LAPIC_ONLINE_CAPABLE)) && cpus < ACPI_MAX_CPUS)
			acpi.apic_ids[cpus++] = id;
		if (p[0] == MADT_IOAPIC && p[1] >= 12 && acpi.nr_ioapics < ACPI_MAX_IOAPICS)
			acpi.ioapics[acpi.nr_ioapics++] = (struct acpi_ioapic){
				.id = p[2],
				.address = *(const uint32_t *)(p + 4),
				.gsi_base = *(const uint32_t *)(p + 8),
			};
		if (p[0] == MADT_OVERRIDE && p[1] >= 10 && acpi.nr_overrides < ACPI_MAX_OVERRIDES)
			acpi.overrides[acpi.nr_overrides++] = (struct acpi_irq_override){
				.isa_irq = p[3],
				.gsi = *(const uint32_t *)(p + 4),
				.flags = *(const uint16_t *)(p + 8),
			};
		p += p[1];
	}
	if (cpus)
		acpi.cpus = cpus;
}

/* Finds Name(_S5_, Package() { a, b, ... }) in the DSDT's AML. */
static void parse_s5(const struct sdt_header *dsdt)
{
	const uint8_t *aml = (const uint8_t *)dsdt + sizeof(*dsdt);
	size_t len = dsdt->length - sizeof(*dsdt);

	for (size_t i = 0; i + 12 < len; i++) {
		if (memcmp(aml + i, "_S5_", 4) || aml[i + 4] != 0x12 /* PackageOp */)
			continue;
		const uint8_t *p = aml + i + 5;
		p += (*p >> 6) + 1; /* PkgLength: 1 to 4 bytes */
		p++;		     /* NumElements */
		uint8_t typ[2];
		for (int k = 0; k < 2; k++) {
			if (*p == 0x0a) /* BytePrefix */
				p++;
			typ[k] = *p++;
		}
		acpi.slp_typ_a = typ[0];
		acpi.slp_typ_b = typ[1];
		acpi.have_s5 = true;
		return;
	}
}

static void parse_fadt(const struct fadt *f)
{
	acpi.pm1a_cnt = f->pm1a_cnt;
	acpi.pm1b_cnt = f->pm1b_cnt;
	acpi.pm_timer = f->pm_tmr;
	acpi.smi_cmd = f->smi_cmd;
	acpi.acpi_enable = f->acpi_enable;
	const struct sdt_header *dsdt = map_table(f->dsdt);
	if (dsdt && !memcmp(dsdt->signature, "DSDT", 4))
		parse_s5(dsdt);
}

int acpi_init(void)
{
	const struct rsdp *rsdp = NULL;
	uint16_t ebda_segment = *(const uint16_t *)phys_to_virt(0x40e);

	if (ebda_segment)
		rsdp = scan_rsdp((phys_addr_t)ebda_segment << 4, ((phys_addr_t)ebda_segment << 4) + 1024);
	if (!rsdp)
		rsdp = scan_rsdp(0xe0000, 0x100000);
	if (!rsdp) {
		pr_debug("kite: acpi: no RSDP; assuming one CPU\n");
		return 0;
	}

	bool xsdt = rsdp->revision >= 2 && rsdp->xsdt && checksum_ok(rsdp, rsdp->length);
	const struct sdt_header *root = map_table(xsdt ? rsdp->xsdt : rsdp->rsdt);
	if (!root)
		return -1;
	size_t entry_size = xsdt ? 8 : 4;
	size_t n = (root->length - sizeof(*root)) / entry_size;
	const uint8_t *entries = (const uint8_t *)root + sizeof(*root);

	for (size_t i = 0; i < n; i++) {
		phys_addr_t pa = xsdt ? *(const uint64_t *)(entries + 8 * i)
				      : *(const uint32_t *)(entries + 4 * i);
		const struct sdt_header *h = map_table(pa);
		if (!h)
			continue;
		if (!memcmp(h->signature, "APIC", 4))
			parse_madt(h);
		else if (!memcmp(h->signature, "FACP", 4) && h->length >= sizeof(struct fadt))
			parse_fadt((const struct fadt *)h);
	}
	acpi.found = true;
	pr_debug("kite: acpi: %u CPUs, pm1a_cnt %x, S5 %s\n", acpi.cpus, acpi.pm1a_cnt,
		 acpi.have_s5 ? "found" : "missing");
	return 0;
}

unsigned acpi_cpu_count(void)
{
	return acpi.cpus;
}

const struct acpi_ioapic *acpi_ioapic(unsigned i)
{
	return i < acpi.nr_ioapics ? &acpi.ioapics[i] : NULL;
}

const struct acpi_irq_override *acpi_irq_override(unsigned isa_irq)
{
	for (unsigned i = 0; i < acpi.nr_overrides; i++)
		if (acpi.overrides[i].isa_irq == isa_irq)
			return &acpi.overrides[i];
	return NULL;
}

uint32_t acpi_cpu_apic_id(unsigned i)
{
	return acpi.apic_ids[i];
}

uint16_t acpi_pm_timer_port(void)
{
	return acpi.pm_timer;
}

void acpi_power_off(void)
{
	if (!acpi.found || !acpi.have_s5 || !acpi.pm1a_cnt)
		return;
	/* Switch to ACPI mode if the firmware left us in legacy mode. */
	if (!(inw(acpi.pm1a_cnt) & PM1_SCI_EN) && acpi.smi_cmd && acpi.acpi_enable) {
		outb(acpi.smi_cmd, acpi.acpi_enable);
		for (int i = 0; i < 1000000 && !(inw(acpi.pm1a_cnt) & PM1_SCI_EN); i++)
			cpu_relax();
	}
	outw(acpi.pm1a_cnt, (acpi.slp_typ_a << 10) | PM1_SLP_EN);
	if (acpi.pm1b_cnt)
		outw(acpi.pm1b_cnt, (acpi.slp_typ_b << 10) | PM1_SLP_EN);
	for (int i = 0; i < 1000000; i++)
		cpu_relax();
}
