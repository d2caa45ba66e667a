/*
 * ACPI: the firmware's tables. For now: how many CPUs the MADT lists, and the
 * S5 (soft-off) sleep state for power-off when isa-debug-exit is absent.
 */
#ifndef KITE_ACPI_H
#define KITE_ACPI_H
#include <stdbool.h>

/* Number of usable CPUs in the MADT; 1 when there are no ACPI tables. */
unsigned acpi_cpu_count(void);

/* Enters S5; returns only when that is impossible (no ACPI, or no S5 object). */
void acpi_power_off(void);

#endif
