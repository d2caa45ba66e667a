/* Pipe rings (fs/pipe.c): a pipe's, and each direction of an AF_UNIX socket
 * pair's (net/unix.c). A new ring has one reader and one writer; each end
 * closes its side once, and the ring goes with the last. */
#ifndef KITE_PIPE_H
#define KITE_PIPE_H
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct pipe;
struct poll_entry;
struct poll_head;

/* A ring that announces its changes on its own poll head, or on `shared`
 * (which must outlive it). */
struct pipe *pipe_new(struct poll_head *shared);
/* As read and write on a pipe: 0 at EOF, -EPIPE without readers, -EAGAIN
 * instead of waiting when nonblock. */
ssize_t pipe_read_data(struct pipe *p, void *buf, size_t len, bool nonblock);
ssize_t pipe_write_data(struct pipe *p, const void *buf, size_t len, bool nonblock);
/* The POLL* events of the reader's or the writer's side. */
unsigned pipe_poll_end(struct pipe *p, bool reader, struct poll_entry *e);
void pipe_close_end(struct pipe *p, bool reader);

#endif
