/*
 * The registry of kernel stacks: each has a guard page just below it. The crash
 * reporter uses it to tell a stack overflow from any other page fault, to name
 * the stack, and to check frame pointers before following them.
 */
#ifndef KITE_KSTACK_H
#define KITE_KSTACK_H
#include <stdbool.h>
#include <stdint.h>
#include <kite/list.h>

struct kstack {
	struct list node;
	const char *name;	/* the owner: a thread's name, "boot", "nmi" */
	const char *what;	/* "thread", "interrupt", "exception", or NULL */
	uintptr_t bottom;	/* lowest usable address; the guard page is below */
	uintptr_t top;		/* one past the highest usable address */
};

/* Registers a stack; s must stay valid until it is unregistered. */
void kstack_register(struct kstack *s);
void kstack_unregister(struct kstack *s);

/* The stack whose guard page holds addr, or NULL. */
const struct kstack *kstack_guard_hit(uintptr_t addr);

/* The stack that holds all of [addr, addr + len), or NULL. */
const struct kstack *kstack_containing(uintptr_t addr, uintptr_t len);

/* Calls fn for every registered stack (no lock: for listings). */
void kstack_for_each(void (*fn)(const struct kstack *s, void *arg), void *arg);

#endif
