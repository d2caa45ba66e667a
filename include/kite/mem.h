/* Memory start-up: page tables, the frame allocator and the heap, in that order. */
#ifndef KITE_MEM_H
#define KITE_MEM_H

void mem_init(void);

#endif
