/*
 * The registry of kernel stacks: each has a guard page just below it. The crash
 * reporter uses it to tell a stack overflow from any other page fault and to
 * check frame pointers before following them.
 */
#ifndef KITE_KSTACK_H
#define KITE_KSTACK_H
#include <stdbool.h>
#include <stdint.h>

struct kstack {
	const char *name;
	uintptr_t bottom;	/* lowest usable address; the guard page is below */
	uintptr_t top;		/* one past the highest usable address */
};

/* Registers a stack; returns false when the table is full. */
bool kstack_register(const struct kstack *stack);

/* The stack whose guard page holds addr, or NULL. */
const struct kstack *kstack_guard_hit(uintptr_t addr);

/* The stack that holds all of [addr, addr + len), or NULL. */
const struct kstack *kstack_containing(uintptr_t addr, uintptr_t len);

#endif
