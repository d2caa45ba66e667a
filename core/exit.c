/* kite_exit: the one way out of the VM. */
#include <kite/exit.h>
#include <kite/printk.h>

__noreturn void kite_exit(int status)
{
	machine_power_off(status);
	pr_err("kite: could not power off (no isa-debug-exit device, no ACPI); halting\n");
	for (;;)
		__asm__ volatile("cli; hlt");
}
