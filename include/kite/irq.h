/*
 * Device interrupts: a driver asks for its ISA IRQ (0-15) and gets its handler
 * called in interrupt context; the I/O APIC routes the line to the boot CPU.
 * Handlers must be short and must not block: they take data off the device
 * and wake a thread.
 */
#ifndef KITE_IRQ_H
#define KITE_IRQ_H

/* 0, or -EINVAL (no such IRQ), -EBUSY (taken), -ENODEV (no I/O APIC). */
int irq_request(unsigned isa_irq, void (*handler)(void *arg), void *arg);

#endif
