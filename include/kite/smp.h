/* Starting the other CPUs. */
#ifndef KITE_SMP_H
#define KITE_SMP_H

/* Starts every CPU the MADT lists (or those --cpus allows) and waits until each
 * is online and scheduling. */
void smp_init(void);

#endif
