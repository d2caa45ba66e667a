/*
 * The serial console on COM1 (16550 UART), polled. It is the first thing that
 * starts, so every later failure can be reported.
 */
#include <arch/io.h>
#include <arch/relax.h>
#include <kite/init.h>
#include <kite/printk.h>

#define COM1 0x3f8
#define UART_DATA 0
#define UART_IER 1
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define LSR_THR_EMPTY 0x20
#define LCR_DLAB 0x80
#define LCR_8N1 0x03

static void serial_putc(char c)
{
	/* Bounded wait: a missing UART reads 0xff, a stuck one must not hang us. */
	for (int i = 0; i < 100000 && !(inb(COM1 + UART_LSR) & LSR_THR_EMPTY); i++)
		cpu_relax();
	outb(COM1 + UART_DATA, c);
}

static void serial_write(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		serial_putc(s[i]);
}

static const struct console serial_console = {
	.name = "ttyS0",
	.write = serial_write,
};

static int serial_init(void)
{
	outb(COM1 + UART_IER, 0);		/* no interrupts: we poll */
	outb(COM1 + UART_LCR, LCR_DLAB);
	outb(COM1 + UART_DATA, 1);		/* divisor 1: 115200 baud */
	outb(COM1 + UART_IER, 0);
	outb(COM1 + UART_LCR, LCR_8N1);
	outb(COM1 + UART_FCR, 0xc7);		/* enable and clear FIFOs */
	outb(COM1 + UART_MCR, 0x03);		/* DTR, RTS */
	console_register(&serial_console);
	return 0;
}
INITCALL(early, serial_init);
