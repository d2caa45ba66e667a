/*
 * --selftest=syscall: raw `syscall` instructions reach the table at ring 0,
 * return the right results, keep every register the ABI says they keep, and
 * leave the caller's red zone alone; a missing call is ENOSYS.
 */
#include <kite/errno.h>
#include <kite/panic.h>
#include <kite/printk.h>
#include <kite/syscall.h>
#include <stdint.h>

static long raw_syscall3(long nr, long a0, long a1, long a2)
{
	long ret;
	register long r10 __asm__("r10") = 0;
	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(nr), "D"(a0), "S"(a1), "d"(a2), "r"(r10)
			 : "rcx", "r11", "memory");
	return ret;
}

/* Fills the registers and the 128 bytes below %rsp with known values, makes a
 * getpid system call, and returns a bit for each thing that changed. */
static uint64_t preservation(void)
{
	uint64_t bad;
	__asm__ volatile(
		"movq $0x1111, %%rdi\n\t"
		"movq $0x2222, %%rsi\n\t"
		"movq $0x3333, %%rdx\n\t"
		"movq $0x4444, %%r10\n\t"
		"movq $0x5555, %%r8\n\t"
		"movq $0x6666, %%r9\n\t"
		"movq $0x7777, %%rbx\n\t"
		"movq $0x8888, %%r12\n\t"
		"movq $0x9999, %%r13\n\t"
		"movq $0xaaaa, %%r14\n\t"
		"movq $0xbbbb, %%r15\n\t"
		/* the red zone: 16 quadwords below %rsp */
		"movq $-16, %%rax\n"
		"1:\n\t"
		"movq %%rax, 0(%%rsp,%%rax,8)\n\t"
		"incq %%rax\n\t"
		"jnz 1b\n\t"
		"movq $39, %%rax\n\t"		/* getpid */
		"syscall\n\t"
		"xorq %%rcx, %%rcx\n\t"		/* the result bits */
		"cmpq $1, %%rax\n\t"
		"je 2f\n\t"
		"orq $1, %%rcx\n"
		"2:\n\t"
		"cmpq $0x1111, %%rdi\n\tje 3f\n\torq $2, %%rcx\n3:\n\t"
		"cmpq $0x2222, %%rsi\n\tje 3f\n\torq $4, %%rcx\n3:\n\t"
		"cmpq $0x3333, %%rdx\n\tje 3f\n\torq $8, %%rcx\n3:\n\t"
		"cmpq $0x4444, %%r10\n\tje 3f\n\torq $16, %%rcx\n3:\n\t"
		"cmpq $0x5555, %%r8\n\tje 3f\n\torq $32, %%rcx\n3:\n\t"
		"cmpq $0x6666, %%r9\n\tje 3f\n\torq $64, %%rcx\n3:\n\t"
		"cmpq $0x7777, %%rbx\n\tje 3f\n\torq $128, %%rcx\n3:\n\t"
		"cmpq $0x8888, %%r12\n\tje 3f\n\torq $256, %%rcx\n3:\n\t"
		"cmpq $0x9999, %%r13\n\tje 3f\n\torq $512, %%rcx\n3:\n\t"
		"cmpq $0xaaaa, %%r14\n\tje 3f\n\torq $1024, %%rcx\n3:\n\t"
		"cmpq $0xbbbb, %%r15\n\tje 3f\n\torq $2048, %%rcx\n3:\n\t"
		"movq $-16, %%rax\n"
		"4:\n\t"
		"cmpq %%rax, 0(%%rsp,%%rax,8)\n\t"
		"je 5f\n\t"
		"orq $4096, %%rcx\n"
		"5:\n\t"
		"incq %%rax\n\t"
		"jnz 4b\n\t"
		"movq %%rcx, %0"
		: "=m"(bad)
		:
		: "rax", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11", "rbx", "r12", "r13", "r14",
		  "r15", "memory", "cc");
	return bad;
}

void selftest_syscall(void)
{
	static const char msg[] = "selftest: syscall: write through a raw syscall instruction\n";
	long n = raw_syscall3(1 /* write */, 1, (long)msg, sizeof(msg) - 1);
	if (n != (long)sizeof(msg) - 1)
		panic("selftest: syscall: write returned %ld", n);
	if (raw_syscall3(39 /* getpid */, 0, 0, 0) != 1)
		panic("selftest: syscall: getpid is not 1");
	if (raw_syscall3(246 /* kexec_load: no unikernel has it */, 0, 0, 0) != -ENOSYS)
		panic("selftest: syscall: a missing call did not return ENOSYS");
	if (raw_syscall3(9999, 0, 0, 0) != -ENOSYS || raw_syscall3(-1, 0, 0, 0) != -ENOSYS)
		panic("selftest: syscall: a number out of range did not return ENOSYS");
	if (syscall_dispatch(39, 0, 0, 0, 0, 0, 0) != 1)
		panic("selftest: syscall: the direct call path failed");
	uint64_t bad = preservation();
	if (bad)
		panic("selftest: syscall: a raw system call changed the caller's state (bits %lx: 1 result, "
		      "2-2048 registers, 4096 red zone)", bad);
	pr_info("selftest: syscall: raw and direct calls, registers and red zone kept, ENOSYS: ok\n");
}
