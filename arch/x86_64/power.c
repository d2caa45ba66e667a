/*
 * Power-off: QEMU's isa-debug-exit device (port 0xf4) ends the VM with exit code
 * (status << 1) | 1, which run.sh maps back to status. Without that device the
 * write is ignored and ACPI S5 takes over (the status is then lost, so it is
 * printed first).
 *
 * QEMU's own exit code has 7 bits for the status, so statuses from 128 up (a
 * program killed by a signal is 128 + the signal, exit(255)) would be cut; the
 * whole status is therefore also written as a line to the second serial port,
 * which run.sh connects to a file and prefers.
 */
#include <arch/io.h>
#include <kite/acpi.h>
#include <kite/exit.h>
#include <kite/printk.h>

#define DEBUG_EXIT_PORT 0xf4
#define COM2 0x2f8

/* Polled writes to the UART's data register; QEMU's takes them without setup. */
static void status_port_write(int status)
{
	char line[16];
	int n = 0;
	unsigned v = (unsigned)status & 0xff;
	char digits[4];
	int d = 0;
	do
		digits[d++] = (char)('0' + v % 10);
	while ((v /= 10));
	while (d)
		line[n++] = digits[--d];
	line[n++] = '\n';
	for (int i = 0; i < n; i++) {
		for (int spin = 0; spin < 100000 && !(inb(COM2 + 5) & 0x20); spin++)
			;
		outb(COM2, (uint8_t)line[i]);
	}
}

void machine_power_off(int status)
{
	status_port_write(status);
	outl(DEBUG_EXIT_PORT, (uint32_t)status);
	if (status != 0)
		pr_err("kite: exit status %d (no isa-debug-exit device; powering off by ACPI)\n", status);
	acpi_power_off();
}
