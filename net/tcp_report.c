/*
 * The status key's view of lwIP's TCP connections: for each one, where its
 * sequence numbers, windows and timers stand, so that a connection that
 * stopped moving shows which side waits for what.
 *
 * This runs in the console's interrupt handler, which may not sleep on
 * lwIP's core lock (a mutex): it only tries it, and shows nothing while
 * another thread holds it (reading the connections then could meet one being
 * freed). On a system that stopped moving, the lock is free.
 */
#include <kite/printk.h>
#include <kite/sync.h>
#include "lwip/api.h"
#include "lwip/priv/tcp_priv.h"
#include "lwip/tcp.h"
#include "lwip/tcpip.h"
#include "net.h"

#define PCBS_SHOWN 8

/* A queue of segments: how many, where it starts, and where its sequence
 * numbers first fail to follow on (a hole or disorder; 0 if none). */
struct queue_shape {
	unsigned count;
	u32_t first, break_after;
};

static struct queue_shape shape(const struct tcp_seg *seg)
{
	struct queue_shape q = { 0, seg ? lwip_ntohl(seg->tcphdr->seqno) : 0, 0 };
	for (; seg && q.count < 100000; seg = seg->next, q.count++) {
		u32_t end = lwip_ntohl(seg->tcphdr->seqno) + TCP_TCPLEN(seg);
		if (!q.break_after && seg->next && lwip_ntohl(seg->next->tcphdr->seqno) != end)
			q.break_after = end;
	}
	return q;
}

static void print_pcb(const struct tcp_pcb *pcb)
{
	struct queue_shape unsent = shape(pcb->unsent), unacked = shape(pcb->unacked), ooseq = shape(pcb->ooseq);
	const struct netconn *conn = pcb->callback_arg;
	pr_report("  tcp %u <- %u %s flags 0x%x: snd una %u nxt %u lbb %u wnd %u (wl1 %u wl2 %u) cwnd %u buf %u "
		  "queue %u\n",
		  pcb->local_port, pcb->remote_port, tcp_debug_state_str(pcb->state), (unsigned)pcb->flags,
		  pcb->lastack, pcb->snd_nxt, pcb->snd_lbb, (unsigned)pcb->snd_wnd, pcb->snd_wl1, pcb->snd_wl2,
		  (unsigned)pcb->cwnd, (unsigned)pcb->snd_buf, pcb->snd_queuelen);
	pr_report("    unsent %u from %u (broken after %u), unacked %u from %u (broken after %u)\n", unsent.count,
		  unsent.first, unsent.break_after, unacked.count, unacked.first, unacked.break_after);
	pr_report("    rtime %d rto %d nrtx %u persist %u/%u probes %u dupacks %u rto_end %u\n", pcb->rtime, pcb->rto,
		  pcb->nrtx, pcb->persist_backoff, pcb->persist_cnt, pcb->persist_probe, pcb->dupacks, pcb->rto_end);
	pr_report("    rcv nxt %u wnd %u announced %u (right edge %u) ooseq %u from %u, refused %u bytes, "
		  "mailbox %u\n",
		  pcb->rcv_nxt, (unsigned)pcb->rcv_wnd, (unsigned)pcb->rcv_ann_wnd, pcb->rcv_ann_right_edge,
		  ooseq.count, ooseq.first, pcb->refused_data ? pcb->refused_data->tot_len : 0,
		  conn && conn->pcb.tcp == pcb ? lwip_mbox_waiting(&((struct netconn *)conn)->recvmbox) : 0);
}

void tcp_print_pcbs(void)
{
	if (!lock_tcpip_core || !mutex_trylock(lock_tcpip_core)) {
		pr_report("  (TCP connections not shown: lwIP's core lock is held)\n");
		return;
	}
	unsigned n = 0;
	for (const struct tcp_pcb *pcb = tcp_active_pcbs; pcb; pcb = pcb->next, n++) {
		if (n == PCBS_SHOWN) {
			pr_report("  ... and more TCP connections\n");
			break;
		}
		print_pcb(pcb);
	}
	/* Not UNLOCK_TCPIP_CORE: that one is for threads (it may post to
	 * lwIP's thread); nothing here changed a timeout. */
	mutex_unlock(lock_tcpip_core);
}
