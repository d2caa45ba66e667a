/*
 * The serial console on COM1 (16550 UART). Output is polled: it is the first
 * thing that starts, so every later failure can be reported. Input arrives by
 * interrupt once the I/O APIC is set up.
 */
#include <arch/io.h>
#include <arch/relax.h>
#include <kite/init.h>
#include <kite/irq.h>
#include <kite/printk.h>

#define COM1 0x3f8
#define UART_DATA 0
#define UART_IER 1
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define LSR_DATA_READY 0x01
#define LSR_THR_EMPTY 0x20
#define IER_RX_AVAILABLE 0x01
#define MCR_OUT2 0x08 /* gates the UART's interrupt line on PCs */
#define COM1_IRQ 4
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
	outb(COM1 + UART_FCR, 0xc5);		/* FIFOs on; clear the transmit one only, keeping typed-ahead input */
	outb(COM1 + UART_MCR, 0x03);		/* DTR, RTS */
	console_register(&serial_console);
	return 0;
}
INITCALL(early, serial_init);

/* Received bytes go to the console layer (which acts on Ctrl-T). */
static void serial_rx(void *arg __unused)
{
	char buf[16];
	size_t n = 0;

	while (inb(COM1 + UART_LSR) & LSR_DATA_READY) {
		buf[n++] = inb(COM1 + UART_DATA);
		if (n == sizeof(buf)) {
			console_input(buf, n);
			n = 0;
		}
	}
	if (n)
		console_input(buf, n);
}

/* Input needs interrupts, so it starts once the interrupt controllers run. */
static int serial_input_init(void)
{
	int err = irq_request(COM1_IRQ, serial_rx, NULL);
	if (err)
		return err;
	outb(COM1 + UART_MCR, 0x03 | MCR_OUT2);
	outb(COM1 + UART_IER, IER_RX_AVAILABLE);
	serial_rx(NULL); /* anything that arrived before */
	return 0;
}
INITCALL(device, serial_input_init);
