/* The list of network devices (see netdev.h). */
#include <kite/netdev.h>
#include <kite/printk.h>
#include <kite/spinlock.h>

#define MAX_NETDEVS 8

static struct netdev *netdevs[MAX_NETDEVS];
static unsigned nr_netdevs;
static spinlock_t netdevs_lock = SPINLOCK_INIT;

void netdev_register(struct netdev *nd)
{
	spin_lock(&netdevs_lock);
	if (nr_netdevs < MAX_NETDEVS)
		netdevs[nr_netdevs++] = nd;
	spin_unlock(&netdevs_lock);
}

struct netdev *netdev_get(unsigned index)
{
	spin_lock(&netdevs_lock);
	struct netdev *nd = index < nr_netdevs ? netdevs[index] : NULL;
	spin_unlock(&netdevs_lock);
	return nd;
}

void netdev_list_print(void)
{
	for (unsigned i = 0; i < nr_netdevs; i++) {
		struct netdev *nd = netdevs[i];
		pr_report("%s: rx %lu frames, tx %lu, rx dropped %lu, tx refused (ring full) %lu\n", nd->name,
			nd->rx_frames, nd->tx_frames, nd->rx_dropped, nd->tx_busy);
		if (nd->offloads & NETDEV_RX_CSUM) {
			const struct netdev_rx_csum_stats *c = &nd->rx_csum;
			pr_report("  rx checksums: valid by device %lu, partial (device vouched) %lu, completed %lu, "
				  "verified in software %lu, dropped %lu\n",
				  c->device_valid, c->partial, c->completed, c->verified, c->dropped);
		}
		if (nd->print_state)
			nd->print_state(nd);
	}
}
