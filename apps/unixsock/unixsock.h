/* What unixsock.c shares with rights.c. */
#ifndef UNIXSOCK_H
#define UNIXSOCK_H
#include <sys/socket.h>
#include <sys/un.h>

extern int failures;
extern char dir[64];	/* the test's directory under /tmp */

/* Counts a failure, with what failed and errno, unless ok. */
void check(int ok, const char *what);
/* "ok", or the name of errno. */
const char *outcome(long r);
socklen_t path_addr(struct sockaddr_un *a, const char *name);
int listening_socket(const char *name, int backlog);
int connect_to(const char *name, int type);

/* rights.c */
void passing_rights(void);

#endif
