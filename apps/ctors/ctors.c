/*
 * Constructors, destructors and atexit handlers in the order a C program sees
 * them on Linux: constructors (by priority) before main, then atexit handlers
 * in reverse order of registration, then destructors.
 */
#include <stdio.h>
#include <stdlib.h>

static int constructed;

__attribute__((constructor(101))) static void first(void)
{
	constructed = constructed * 10 + 1;
	printf("constructor 101\n");
}

__attribute__((constructor(202))) static void second(void)
{
	constructed = constructed * 10 + 2;
	printf("constructor 202\n");
}

__attribute__((destructor)) static void destroy(void)
{
	printf("destructor\n");
}

static void handler_a(void) { printf("atexit a\n"); }
static void handler_b(void) { printf("atexit b\n"); }

int main(void)
{
	printf("main sees constructors in order: %d\n", constructed);
	atexit(handler_a);
	atexit(handler_b);
	return constructed == 12 ? 0 : 1;
}
