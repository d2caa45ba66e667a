/* The local APIC: this CPU's timer, inter-processor interrupts, end of interrupt. */
#ifndef ARCH_APIC_H
#define ARCH_APIC_H
#include <stdint.h>

#define VEC_APIC_TIMER 0xec
#define VEC_TLB_SHOOTDOWN 0xfc
#define VEC_RESCHEDULE 0xfd
#define VEC_APIC_SPURIOUS 0xff

/* Maps the APIC (first call) and enables it on this CPU, with its timer. */
void apic_init_cpu(void);
uint32_t apic_id(void);
void apic_eoi(void);
void apic_send_ipi(uint32_t apic_id, uint8_t vector);
void apic_send_nmi(uint32_t apic_id);
void apic_send_init(uint32_t apic_id);
void apic_send_startup(uint32_t apic_id, uint8_t page);

/* Masks the legacy 8259 PICs, which would otherwise raise interrupts on the
 * exception vectors. */
void pic_disable(void);

#endif
