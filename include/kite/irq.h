/*
 * Device interrupts: a driver asks for its ISA IRQ (0-15) and gets its handler
 * called in interrupt context; the I/O APIC routes the line to the boot CPU.
 * Handlers must be short and must not block: they take data off the device
 * and wake a thread.
 */
#ifndef KITE_IRQ_H
#define KITE_IRQ_H
#include <stdint.h>

/* 0, or -EINVAL (no such IRQ), -EBUSY (taken), -ENODEV (no I/O APIC). */
int irq_request(unsigned isa_irq, void (*handler)(void *arg), void *arg);

/* A PCI interrupt line routed through the I/O APIC: global system interrupt
 * `gsi`, level-triggered and active low as PCI's are; handlers of devices
 * sharing the line are all called. 0, or -ENODEV, -ENOSPC. */
int irq_request_pci(uint32_t gsi, void (*handler)(void *arg), void *arg);

/* A message-signalled interrupt: a new vector with its handler, and the
 * address and data the device must write to raise it. 0, or -ENOSPC. */
int msi_request(void (*handler)(void *arg), void *arg, uint64_t *address, uint32_t *data);

#endif
