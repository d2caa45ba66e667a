/*
 * AF_UNIX sockets inside net/: the socket object that unix.c (the file and
 * the calls), unix_names.c (addresses and the names bound), unix_stream.c
 * (connections on pipe rings) and unix_dgram.c (datagram queues) share.
 *
 * Locking: each socket's wait queue lock (`wq.lock`) protects the fields
 * marked (wq). A thread holds at most one socket's lock at a time, except
 * that it may take poll heads' locks under it. Poll heads nest one way only:
 * a connection's head (or a datagram socket's `room`) relays to a socket's
 * own `poll`, never back.
 */
#ifndef NET_UNIX_SOCK_H
#define NET_UNIX_SOCK_H
#include <kite/socket.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <kite/list.h>
#include <kite/pipe.h>
#include <kite/poll.h>
#include <kite/wait.h>

#define AF_UNSPEC 0
#define AF_UNIX 1
#define SOCK_STREAM 1
#define SOCK_DGRAM 2
#define SOCK_NONBLOCK 04000
#define SOCK_CLOEXEC 02000000
#define MSG_PEEK 0x2
#define MSG_CTRUNC 0x8
#define MSG_TRUNC 0x20
#define MSG_DONTWAIT 0x40
#define MSG_WAITALL 0x100
#define MSG_NOSIGNAL 0x4000
#define MSG_CMSG_CLOEXEC 0x40000000
#define POLLWRBAND 0x200

#define UNIX_PATH_MAX 108
/* What a socket may hold and send at once: Linux's default buffer size. */
#define UNIX_BUFFER_BYTES 212992

struct file;
struct iovec;
struct vnode;

/* Linux's struct ucred: who sent a message (SCM_CREDENTIALS). */
struct unix_ucred {
	int32_t pid;
	uint32_t uid, gid;
};

/* What one sendmsg's SCM_RIGHTS carried: its files, referenced from the
 * sendmsg until the receiver's recvmsg (so closing the sender's descriptors
 * closes none), or until the message is dropped unread. */
struct unix_rights {
	/* On a stream: the mark on the bytes sent with it. Its `refs` count
	 * the holders (the queue's, a peeking reader's) on streams and
	 * datagrams alike. */
	struct pipe_mark mark;
	int count;
	struct file *files[];
};

/* Linux's struct sockaddr_un. */
struct unix_sockaddr {
	uint16_t family;
	char path[UNIX_PATH_MAX];	/* a file's name, or after a 0 byte an abstract one */
};

/* A socket's name: `len` bytes of `addr` (0: unnamed). A file's name ends
 * in its NUL, and len counts it; an abstract name is len - 2 bytes from
 * path[0] == 0 on, with no terminator. */
struct unix_name {
	uint32_t len;
	struct unix_sockaddr addr;
	char end;			/* the NUL after a file name of all 108 bytes */
};

enum unix_state {
	UNIX_UNCONNECTED,
	UNIX_CONNECTING,	/* a stream's connect is on its way */
	UNIX_CONNECTED,		/* a stream with its rings (maybe not accepted yet) */
	UNIX_LISTENING,
	UNIX_CLOSED,		/* its file is gone; others may still hold it */
};

/* A connected stream's two rings, and the head they announce on. */
struct unix_conn {
	struct poll_head poll;
	struct pipe *rings[2];
	/* atomic: an error for the reader of each ring (ECONNRESET: the other
	 * end went with data unread), reported once, when the ring is empty. */
	int reset[2];
	int ends;			/* atomic: the sockets still on it */
};

struct unix_sock {
	int refs;			/* atomic: its file, listeners' backlogs, datagram peers */
	int type;			/* SOCK_STREAM or SOCK_DGRAM */
	struct wait_queue wq;		/* accept, connect, and datagram receivers and senders */
	struct poll_head poll;		/* its own waiters: poll, select, epoll */
	/* On the connection's head (a stream) or the peer's `room` (a
	 * datagram socket with a peer): relays their news to `poll`. */
	struct poll_entry relay;
	enum unix_state state;		/* (wq) */
	bool shut_rd, shut_wr;		/* (wq): shutdown */
	bool binding;			/* atomic: bind taken (or being taken) */
	struct unix_name name;		/* written once by bind, before it is published */
	struct vnode *node;		/* the socket file it is bound to, referenced */
	struct list bound_node;		/* in the table of names, while bound */
	int sndbuf, rcvbuf;		/* as setsockopt gave them */
	bool passcred;
	uint64_t sndtimeo_ns, rcvtimeo_ns;	/* SO_SNDTIMEO, SO_RCVTIMEO; 0: none */

	/* A stream. */
	struct unix_name peer_name;	/* (wq) the other end's, when connected */
	struct unix_conn *conn;		/* when connected */
	struct pipe *in, *out;
	bool in_shut, out_shut;		/* (wq) the rings' sides it has shut */
	struct list backlog;		/* (wq) a listener's connections not accepted yet */
	int pending, max_pending;	/* (wq) */
	struct list backlog_node;	/* in its listener's backlog */

	/* A datagram socket. */
	struct list queue;		/* (wq) struct unix_datagram */
	int queued;			/* (wq) */
	size_t queued_bytes;		/* (wq) */
	struct poll_head room;		/* its connected senders' relays: room in the queue */
	struct unix_sock *peer;		/* (wq) connect()ed to, referenced */
};

/* unix.c */
/* A send or a receive with its control data: sendto, recvfrom and
 * sendmsg, recvmsg on u's file. A send takes the caller's reference on
 * rights (NULL: none), and uses cred for SCM_CREDENTIALS (NULL: Kite's
 * own). A receive gives the rights that came with the data in *rights (the
 * caller's to drop), the sender's credentials in *cred, and adds MSG_TRUNC
 * to *msg_flags when a datagram was cut. */
long unix_send(struct file *f, const void *buf, size_t len, int flags, const void *addr, uint32_t addrlen,
	       struct unix_rights *rights, const struct unix_ucred *cred);
long unix_recv(struct file *f, void *buf, size_t len, int flags, void *addr, uint32_t *addrlen,
	       struct unix_rights **rights, struct unix_ucred *cred, int *msg_flags);
struct unix_sock *unix_sock_new(int type);
void unix_get(struct unix_sock *u);
void unix_put(struct unix_sock *u);
/* What closing its file does: the name goes, the connection or queue, and
 * the caller's reference. */
void unix_close(struct unix_sock *u);
/* A descriptor for a new file on u, which takes the caller's reference
 * (closing u when there is no descriptor for it). */
long unix_install(struct unix_sock *u, int flags);
/* The deadline of a wait: 0 when the call must not wait. */
uint64_t unix_deadline(struct file *f, int msg_flags, uint64_t timeout_ns);
/* Hangs u's relay on `from`: what is announced there is announced on u->poll. */
void unix_relay_start(struct unix_sock *u, struct poll_head *from);

/* unix_names.c */
long unix_names_bind(struct unix_sock *u, const void *addr, uint32_t len);
/* The socket bound to a name, referenced. ENOENT, ECONNREFUSED, EINVAL. */
long unix_names_find(const void *addr, uint32_t len, struct unix_sock **out);
void unix_names_unbind(struct unix_sock *u);
/* Writes a name as a sockaddr into addr (as much as *len allows), and its
 * size into *len; an unnamed socket gives just the family, or with
 * `unnamed_empty` nothing (as recvfrom says it). */
void unix_names_copy_out(const struct unix_name *n, void *addr, uint32_t *len, bool unnamed_empty);

/* unix_stream.c */
/* Connects two new stream sockets by a pair of rings (their states are the
 * caller's to set): 0 or -ENOMEM. */
int unix_stream_join(struct unix_sock *a, struct unix_sock *b);
long unix_stream_listen(struct unix_sock *u, int backlog);
long unix_stream_accept(struct file *f, struct unix_sock *u, void *addr, uint32_t *len, int flags);
long unix_stream_connect(struct file *f, struct unix_sock *u, const void *addr, uint32_t len);
/* The rights go with the bytes: a receive stops at the end of bytes sent
 * with rights, and takes their rights when it read any of them. */
long unix_stream_send(struct file *f, struct unix_sock *u, const void *buf, size_t len, int flags,
		      struct unix_rights *rights);
long unix_stream_recv(struct file *f, struct unix_sock *u, void *buf, size_t len, int flags,
		      struct unix_rights **rights);
long unix_stream_shutdown(struct unix_sock *u, bool rd, bool wr);
unsigned unix_stream_poll(struct unix_sock *u);
size_t unix_stream_unread(struct unix_sock *u);
void unix_stream_close(struct unix_sock *u);

/* unix_dgram.c */
/* Connects two new datagram sockets to each other. */
void unix_dgram_pair(struct unix_sock *a, struct unix_sock *b);
long unix_dgram_connect(struct unix_sock *u, const void *addr, uint32_t len);
long unix_dgram_send(struct file *f, struct unix_sock *u, const void *buf, size_t len, int flags,
		     const void *addr, uint32_t addrlen, struct unix_rights *rights, const struct unix_ucred *cred);
long unix_dgram_recv(struct file *f, struct unix_sock *u, void *buf, size_t len, int flags, void *addr,
		     uint32_t *addrlen, struct unix_rights **rights, struct unix_ucred *cred, int *msg_flags);
unsigned unix_dgram_poll(struct unix_sock *u);
size_t unix_dgram_next_size(struct unix_sock *u);
void unix_dgram_close(struct unix_sock *u);

/* unix_rights.c: SCM_RIGHTS and SCM_CREDENTIALS */
/* Kite's own credentials: one process, its pid, and root. */
void unix_own_cred(struct unix_ucred *cred);
/* A sendmsg's control data: the files of its SCM_RIGHTS in *rights
 * (referenced; NULL when there are none), its SCM_CREDENTIALS in *cred
 * (else Kite's own). 0, or -EINVAL (a malformed message, an unknown type,
 * more than SCM_MAX_FD files), -EBADF, -ESRCH (another pid), -ENOMEM. */
long unix_control_in(const struct msghdr *msg, struct unix_rights **rights, struct unix_ucred *cred);
/* A recvmsg's control data, as Linux writes it: the sender's credentials
 * when the socket asked for them (SO_PASSCRED), then the files as new
 * descriptors (close-on-exec with MSG_CMSG_CLOEXEC) as far as there is
 * room; what does not fit is closed and MSG_CTRUNC said. Sets
 * msg->controllen to what was written; takes the caller's reference on
 * rights. */
void unix_control_out(struct msghdr *msg, int flags, bool passcred, const struct unix_ucred *cred,
		      struct unix_rights *rights);
void unix_rights_get(struct unix_rights *r);
/* Drops a reference; the last one closes the files. */
void unix_rights_put(struct unix_rights *r);

/* unix_msg.c: sendmsg and recvmsg (declared in unix.h for net/socket.c) */

#endif
