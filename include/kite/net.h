/* The network stack (net/): lwIP on Kite's network devices. */
#ifndef KITE_NET_H
#define KITE_NET_H
#include <stdbool.h>
#include <stdint.h>

/* Starts lwIP and the interfaces, once; the boot does it when there is a
 * network device, the first socket otherwise. */
void net_start(void);

/* Waits until the first interface has an IPv4 address (from DHCP or
 * --ip), at most until the deadline (monotonic ns); the address in network
 * byte order, or 0. */
uint32_t net_wait_for_address(uint64_t deadline_ns);

/* Prints the stack's counters (the console's status key). */
void net_print_state(void);

#endif
