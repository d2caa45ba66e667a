/* lwIP's operating-system types on Kite's (net/lwip/sys_arch.c). */
#ifndef KITE_LWIP_SYS_ARCH_H
#define KITE_LWIP_SYS_ARCH_H
#include <kite/sync.h>

struct thread;
struct sys_mbox_state;

typedef struct semaphore *sys_sem_t;
typedef struct mutex *sys_mutex_t;
typedef struct sys_mbox_state *sys_mbox_t;
typedef struct thread *sys_thread_t;
typedef unsigned long sys_prot_t;

#define sys_sem_valid(s) ((s) && *(s))
#define sys_sem_set_invalid(s) (*(s) = NULL)
#define sys_mutex_valid(m) ((m) && *(m))
#define sys_mutex_set_invalid(m) (*(m) = NULL)
#define sys_mbox_valid(b) ((b) && *(b))

/* The calling thread's semaphore for netconn calls, made on first use and
 * freed with the thread. */
sys_sem_t *lwip_thread_semaphore(void);
#define LWIP_NETCONN_THREAD_SEM_GET() lwip_thread_semaphore()
#define LWIP_NETCONN_THREAD_SEM_ALLOC() ((void)lwip_thread_semaphore())
#define LWIP_NETCONN_THREAD_SEM_FREE() ((void)0)
#define sys_mbox_set_invalid(b) (*(b) = NULL)

#endif
