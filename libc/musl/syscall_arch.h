/*
 * Kite's replacement for musl's arch/x86_64/syscall_arch.h, copied over it
 * when musl is built (see libc/musl.mk): a system call is a function call into
 * the kernel's table instead of a `syscall` instruction. No vDSO: reading the
 * clock is already a function call.
 */
#define __SYSCALL_LL_E(x) (x)
#define __SYSCALL_LL_O(x) (x)

long syscall_dispatch(long n, long a1, long a2, long a3, long a4, long a5, long a6);

static __inline long __syscall0(long n)
{
	return syscall_dispatch(n, 0, 0, 0, 0, 0, 0);
}

static __inline long __syscall1(long n, long a1)
{
	return syscall_dispatch(n, a1, 0, 0, 0, 0, 0);
}

static __inline long __syscall2(long n, long a1, long a2)
{
	return syscall_dispatch(n, a1, a2, 0, 0, 0, 0);
}

static __inline long __syscall3(long n, long a1, long a2, long a3)
{
	return syscall_dispatch(n, a1, a2, a3, 0, 0, 0);
}

static __inline long __syscall4(long n, long a1, long a2, long a3, long a4)
{
	return syscall_dispatch(n, a1, a2, a3, a4, 0, 0);
}

static __inline long __syscall5(long n, long a1, long a2, long a3, long a4, long a5)
{
	return syscall_dispatch(n, a1, a2, a3, a4, a5, 0);
}

static __inline long __syscall6(long n, long a1, long a2, long a3, long a4, long a5, long a6)
{
	return syscall_dispatch(n, a1, a2, a3, a4, a5, a6);
}

#define IPC_64 0
