/* Pipe rings (fs/pipe.c): a pipe's, and each direction of a connected
 * AF_UNIX stream socket's (net/unix_stream.c). A new ring has one reader and
 * one writer. A pipe's ends close their side with pipe_close_end, and the
 * ring goes with the last; a socket's ends shut their sides with pipe_shut
 * and its connection frees the rings with pipe_free once neither end can
 * touch them any more (a thread may still be inside a read when its own
 * socket shuts the ring's other side). */
#ifndef KITE_PIPE_H
#define KITE_PIPE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <kite/list.h>

struct pipe;
struct poll_entry;
struct poll_head;

/* A ring that announces its changes on its own poll head, or on `shared`
 * (which must outlive it). */
struct pipe *pipe_new(struct poll_head *shared);
/* As read and write on a pipe: 0 at EOF, -EPIPE without readers. They wait
 * until the deadline (DEADLINE_NONE: for ever; 0: not at all), then give
 * -EAGAIN. A peek leaves what it read in the ring. */
ssize_t pipe_read_data(struct pipe *p, void *buf, size_t len, uint64_t deadline, bool peek);
ssize_t pipe_write_data(struct pipe *p, const void *buf, size_t len, uint64_t deadline);
/* A mark on the bytes of one write, for a socket's ancillary data (the
 * descriptors sent with them, net/unix_stream.c): a read that reaches into
 * marked bytes hands the mark over and stops at their end, so that it never
 * joins them with what was written after. The mark covers what the write put
 * in the ring before it first had to wait for room. */
struct pipe_mark {
	struct list node;	/* in the ring's marks, oldest first (its lock) */
	uint64_t start, end;	/* the stream offsets of its first byte and past its last */
	int refs;		/* atomic: the ring's, and each peeking reader's */
};
/* pipe_write_data that marks its bytes with m: m is in the ring when it
 * returns more than 0, and must not be touched by the writer then (a reader
 * may have it already). */
ssize_t pipe_write_marked(struct pipe *p, const void *buf, size_t len, uint64_t deadline, struct pipe_mark *m);
/* pipe_read_data that stops at the end of marked bytes it reads, and gives
 * their mark in *m (NULL when none) with one reference for the caller: the
 * ring's own, or with a peek a new one. */
ssize_t pipe_read_marked(struct pipe *p, void *buf, size_t len, uint64_t deadline, bool peek, struct pipe_mark **m);
/* Takes the oldest mark out of the ring, with the ring's reference (NULL
 * when none is left): for the owner to drop those no one will read. */
struct pipe_mark *pipe_unmark(struct pipe *p);
/* The POLL* events of the reader's or the writer's side. */
unsigned pipe_poll_end(struct pipe *p, bool reader, struct poll_entry *e);
/* Bytes waiting to be read. */
size_t pipe_unread(struct pipe *p);
/* A side goes: true when it was the last (no reader and no writer left). */
bool pipe_shut(struct pipe *p, bool reader);
void pipe_free(struct pipe *p);
/* pipe_shut, and pipe_free after the last side. */
void pipe_close_end(struct pipe *p, bool reader);

#endif
