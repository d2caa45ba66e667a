/* Starting the other CPUs. */
#ifndef KITE_SMP_H
#define KITE_SMP_H

/* Starts every CPU the MADT lists (or those --cpus allows) and waits until each
 * is online and scheduling. */
void smp_init(void);

/* A crash on one CPU halts the others (by NMI), so the report stands alone. */
void smp_stop_others(void);

#endif
