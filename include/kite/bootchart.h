/*
 * Boot timing: stages record the cycle counter; with --bootchart the kernel
 * prints the milliseconds from the first instruction to each stage.
 */
#ifndef KITE_BOOTCHART_H
#define KITE_BOOTCHART_H

void bootchart_mark(const char *stage);
void bootchart_print(void);

#endif
