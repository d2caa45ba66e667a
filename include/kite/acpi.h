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

/* Number of usable CPUs in the MADT; 1 when there are no ACPI tables. */
unsigned acpi_cpu_count(void);
/* The local APIC id of the i-th of them. */
uint32_t acpi_cpu_apic_id(unsigned i);

/* The ACPI power-management timer's I/O port, or 0. */
uint16_t acpi_pm_timer_port(void);

/* Enters S5; returns only when that is impossible (no ACPI, or no S5 object). */
void acpi_power_off(void);

#endif
