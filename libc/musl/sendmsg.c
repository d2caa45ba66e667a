/*
 * sendmsg, without musl's copy of the message. For a 64-bit program musl
 * copies the msghdr and its control data to clear the padding beside its
 * int-sized fields, into a buffer of 1024 bytes, and fails with ENOMEM past
 * it: SCM_RIGHTS with more than 250 descriptors, which Linux takes (up to
 * SCM_MAX_FD, 253). Programs built against glibc have size_t fields there,
 * and Kite's sendmsg reads them as such: there is no padding to clear.
 */
#include <sys/socket.h>
#include "syscall.h"

ssize_t sendmsg(int fd, const struct msghdr *msg, int flags)
{
	return socketcall_cp(sendmsg, fd, msg, flags, 0, 0, 0);
}
