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
#define sys_mbox_set_invalid(b) (*(b) = NULL)

#endif
