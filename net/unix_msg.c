/*
 * sendmsg and recvmsg on AF_UNIX sockets: their pieces (iovecs) and their
 * control data, around unix_send and unix_recv (unix.c).
 *
 * A datagram is one send and one receive, whatever the pieces: gathered
 * before it is sent, scattered after it is received. A stream's pieces go
 * one by one, as writev and readv would, except where control data must
 * stay with all the bytes of the call: a send with rights gathers its
 * pieces, so that the rights are on all of them, and a receive with more
 * than one piece goes through one buffer, so that it stops where the
 * stream says (at the end of bytes sent with rights) and a peek reads each
 * byte once.
 */
#include <kite/errno.h>
#include <kite/file.h>
#include <kite/fs_calls.h>
#include <kite/heap.h>
#include <string.h>
#include "unix.h"
#include "unix_sock.h"

/* The most a receive through one buffer takes at once (a stream's read may
 * always be short; a datagram is never bigger than a socket's buffer). */
#define BOUNCE_MAX (1u << 20)

static size_t total_len(const struct msghdr *msg)
{
	size_t len = 0;
	for (size_t i = 0; i < msg->iovlen; i++)
		len += msg->iov[i].iov_len;
	return len;
}

/* A stream's pieces without control data: stops at the first short one. */
static long send_pieces(struct file *f, const struct msghdr *msg, int flags)
{
	long total = 0;
	for (size_t i = 0; i < msg->iovlen; i++) {
		const struct iovec *v = &msg->iov[i];
		long n = unix_send(f, v->iov_base, v->iov_len, flags, msg->name, msg->namelen, NULL, NULL);
		if (n < 0)
			return total ? total : n;
		total += n;
		if ((size_t)n < v->iov_len)
			break;
	}
	return total;
}

long unix_sendmsg(struct file *f, const struct msghdr *msg, int flags)
{
	struct unix_rights *rights;
	struct unix_ucred cred;
	long err = unix_control_in(msg, &rights, &cred);
	if (err)
		return err;
	if (!rights && !unix_is_datagram(f) && msg->iovlen != 1)
		return send_pieces(f, msg, flags);
	size_t len = total_len(msg);
	const void *buf = msg->iovlen == 1 ? msg->iov[0].iov_base : NULL;
	char *gathered = NULL;
	if (msg->iovlen != 1) {
		gathered = kmalloc(len ? len : 1);
		if (!gathered) {
			unix_rights_put(rights);
			return -ENOMEM;
		}
		for (size_t i = 0, at = 0; i < msg->iovlen; at += msg->iov[i].iov_len, i++)
			memcpy(gathered + at, msg->iov[i].iov_base, msg->iov[i].iov_len);
		buf = gathered;
	}
	long n = unix_send(f, buf, len, flags, msg->name, msg->namelen, rights, &cred);
	kfree(gathered);
	return n;
}

long unix_recvmsg(struct file *f, struct msghdr *msg, int flags)
{
	size_t len = msg->iovlen == 1 ? msg->iov[0].iov_len : total_len(msg);
	char *buf = msg->iovlen == 1 ? msg->iov[0].iov_base : NULL, *bounce = NULL;
	if (msg->iovlen > 1) {
		if (len > BOUNCE_MAX)
			len = BOUNCE_MAX;
		buf = bounce = kmalloc(len ? len : 1);
		if (!bounce)
			return -ENOMEM;
	}
	struct unix_rights *rights;
	struct unix_ucred cred;
	int msg_flags = 0;
	long n = unix_recv(f, buf, len, flags, msg->name, msg->name ? &msg->namelen : NULL, &rights, &cred,
			   &msg_flags);
	if (n >= 0 && bounce) {
		/* n may be a datagram's whole length (MSG_TRUNC): only what was read is copied. */
		size_t left = (size_t)n < len ? (size_t)n : len;
		for (size_t i = 0, at = 0; left && i < msg->iovlen; i++) {
			size_t piece = msg->iov[i].iov_len < left ? msg->iov[i].iov_len : left;
			memcpy(msg->iov[i].iov_base, bounce + at, piece);
			at += piece;
			left -= piece;
		}
	}
	kfree(bounce);
	if (n < 0)
		return n; /* as Linux: msg_flags and msg_controllen as they were */
	/* Linux gives back the MSG_CMSG_CLOEXEC it was asked for. */
	msg->flags = msg_flags | (flags & MSG_CMSG_CLOEXEC);
	unix_control_out(msg, flags, __atomic_load_n(&((struct unix_sock *)f->priv)->passcred, __ATOMIC_RELAXED),
			 &cred, rights);
	return n;
}
