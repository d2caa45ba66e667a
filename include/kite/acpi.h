/*
 * ACPI: the firmware's tables. For now: how many CPUs the MADT lists, and the
 * S5 (soft-off) sleep state for power-off when isa-debug-exit is absent.
 */
#ifndef KITE_ACPI_H
#define KITE_ACPI_H
#include <stdbool.h>

#include <stdint.h>

/* Reads the tables (the MADT, the FADT and the DSDT's \_S5). 0, or -1 when the
 * tables are unusable; without tables Kite assumes one CPU and no ACPI. */
int acpi_init(void);

#define ACPI_MAX_CPUS 64
#define ACPI_MAX_IOAPICS 4
#define ACPI_MAX_OVERRIDES 16

struct acpi_ioapic {
	uint8_t id;
	uint32_t address;
	uint32_t gsi_base;
};

/* An ISA IRQ wired to another global system interrupt, or with other polarity. */
struct acpi_irq_override {
	uint8_t isa_irq;
	uint32_t gsi;
	uint16_t flags;		/* MPS INTI flags: bits 0-1 polarity, 2-3 trigger */
};

/* The i-th I/O APIC, or NULL. */
const struct acpi_ioapic *acpi_ioapic(unsigned i);
/* The override for an ISA IRQ, or NULL (then GSI = IRQ, edge, active high). */
const struct acpi_irq_override *acpi_irq_override(unsigned isa_irq);

/* Number of usable CPUs in the MADT; 1 when there are no ACPI tables. */
unsigned acpi_cpu_count(void);
/* The local APIC id of the i-th of them. */
uint32_t acpi_cpu_apic_id(unsigned i);

/* The ACPI power-management timer's I/O port, or 0. */
uint16_t acpi_pm_timer_port(void);

/* Enters S5; returns only when that is impossible (no ACPI, or no S5 object). */
void acpi_power_off(void);

#endif
