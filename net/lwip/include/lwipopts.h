/*
 * lwIP's configuration for Kite (lwIP 2.1.3 from Debian's source package,
 * built by the top-level Makefile). lwIP runs on Kite's threads: the tcpip
 * thread, with core locking so that callers may run lwIP functions under the
 * core lock themselves. Its memory comes from Kite's heap.
 */
#ifndef KITE_LWIPOPTS_H
#define KITE_LWIPOPTS_H

#define NO_SYS 0
#define SYS_LIGHTWEIGHT_PROT 1
#define LWIP_TCPIP_CORE_LOCKING 1
#define LWIP_TCPIP_CORE_LOCKING_INPUT 0
/* The core lock, with a wake-up for lwIP's thread when a timeout added by
 * another thread falls due before it would wake (sys_arch.c). */
void kite_lock_tcpip_core(void);
void kite_unlock_tcpip_core(void);
#define LOCK_TCPIP_CORE() kite_lock_tcpip_core()
#define UNLOCK_TCPIP_CORE() kite_unlock_tcpip_core()
#define TCPIP_THREAD_NAME "lwip"
#define TCPIP_THREAD_STACKSIZE (64 * 1024)
#define TCPIP_THREAD_PRIO 0
#define TCPIP_MBOX_SIZE 512
#define DEFAULT_THREAD_STACKSIZE (64 * 1024)
#define DEFAULT_RAW_RECVMBOX_SIZE 128
#define DEFAULT_UDP_RECVMBOX_SIZE 512
#define DEFAULT_TCP_RECVMBOX_SIZE 1024	/* more than TCP_WND / TCP_MSS: a full window never backs up in lwIP */
#define DEFAULT_ACCEPTMBOX_SIZE 1024

/* Memory: the kernel heap for everything. */
#define MEM_LIBC_MALLOC 1
#define MEMP_MEM_MALLOC 1
#define MEM_ALIGNMENT 16
#define mem_clib_malloc kmalloc
#define mem_clib_free kfree
#define mem_clib_calloc kcalloc
#define PBUF_POOL_SIZE 1024
#define PBUF_POOL_BUFSIZE 1536
#define MEMP_NUM_TCP_PCB 4096
#define MEMP_NUM_TCP_PCB_LISTEN 64
#define MEMP_NUM_UDP_PCB 256
#define MEMP_NUM_NETCONN 4096
#define MEMP_NUM_TCP_SEG 8192
#define MEMP_NUM_NETBUF 1024
#define MEMP_NUM_TCPIP_MSG_INPKT 1024
#define MEMP_NUM_SYS_TIMEOUT (LWIP_NUM_SYS_TIMEOUT_INTERNAL + 16)

/* Protocols. */
#define LWIP_IPV4 1
#define LWIP_IPV6 1
#define LWIP_ARP 1
#define ETHARP_SUPPORT_STATIC_ENTRIES 1
#define LWIP_ICMP 1
#define LWIP_RAW 1
#define LWIP_UDP 1
#define LWIP_TCP 1
#define LWIP_DHCP 1
#define LWIP_DHCP_DOES_ACD_CHECK 0
#define DHCP_DOES_ARP_CHECK 0
#define LWIP_AUTOIP 0
#define LWIP_IGMP 1
#define LWIP_DNS 1	/* only for DHCP's name server (resolv.c); musl resolves */
#define LWIP_IPV6_AUTOCONFIG 1
#define LWIP_IPV6_DHCP6 0
#define LWIP_NETIF_LOOPBACK 1
#define LWIP_HAVE_LOOPIF 1
#define LWIP_LOOPBACK_MAX_PBUFS 0
#define LWIP_NETIF_STATUS_CALLBACK 1
#define LWIP_NETIF_LINK_CALLBACK 1
#define LWIP_NETIF_API 1
#define IP_REASSEMBLY 1
#define IP_FRAG 1
#define IPV6_FRAG_COPYHEADER 1	/* needed where pointers are 8 bytes */
#define IP_DEFAULT_TTL 64

/* TCP: big windows (scaled), SACK out, timestamps off (lwIP has none). */
#define TCP_MSS 1460
#define LWIP_WND_SCALE 1
#define TCP_RCV_SCALE 7
#define TCP_WND (512 * 1024)
#define TCP_SND_BUF (1024 * 1024)
#define TCP_SND_QUEUELEN 4096
#define TCP_SNDLOWAT 32768
#define TCP_OVERSIZE TCP_MSS
#define LWIP_TCP_SACK_OUT 1
#define TCP_QUEUE_OOSEQ 1
#define TCP_LISTEN_BACKLOG 1
#define LWIP_TCP_KEEPALIVE 1
#define SO_REUSE 1
#define LWIP_SO_RCVTIMEO 1
#define LWIP_SO_SNDTIMEO 1
#define LWIP_SO_RCVBUF 1
#define LWIP_SO_LINGER 1
#define LWIP_TCP_TIMESTAMPS 0
#define TCP_TMR_INTERVAL 100

/* APIs: netconn now, sockets come with Kite's own file descriptors. */
#define LWIP_NETCONN 1
#define LWIP_SOCKET 0
/* Each thread waits for its netconn calls on a semaphore of its own
 * (sys_arch.c). FIXME: with LWIP_NETCONN_FULLDUPLEX (one thread reading a
 * socket while another writes it, officially supported), closing an echoing
 * connection trips lwIP's assertion that its PCB is gone; without it, such use
 * works here (apps/sockets does it) but lwIP does not promise it. */
#define LWIP_NETCONN_FULLDUPLEX 0
#define LWIP_NETCONN_SEM_PER_THREAD 1

/* Checksums in software, except TCP's on a device that completes them
 * (NETDEV_TX_TCP_CSUM, per interface). */
#define LWIP_CHECKSUM_CTRL_PER_NETIF 1
#define CHECKSUM_GEN_IP 1
#define CHECKSUM_GEN_UDP 1
#define CHECKSUM_GEN_TCP 1
#define CHECKSUM_CHECK_IP 1
#define CHECKSUM_CHECK_UDP 1
#define CHECKSUM_CHECK_TCP 1

/* Kite's checks on what arrives (net/lwip/hooks.c). */
#define LWIP_HOOK_FILENAME "lwip_hooks.h"

#define LWIP_STATS 0
#define LWIP_DEBUG 0

#endif
