/*
 * Checksum offload for network drivers: a TCP segment in an Ethernet frame
 * made ready for a device that completes its checksum (as Linux's
 * CHECKSUM_PARTIAL).
 */
#ifndef DRIVERS_TCP_CHECKSUM_H
#define DRIVERS_TCP_CHECKSUM_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* If the frame holds a whole TCP segment over IPv4 or IPv6 (no fragment, no
 * IPv6 extension header), puts its pseudo-header's sum in the TCP checksum
 * field and returns true with where the device starts summing (*start, from
 * the frame's first byte) and where it puts the result (*offset, from
 * *start). The device sums from *start to the end, complements, and stores
 * the result there. Anything else: false, the frame unchanged. */
bool tcp_checksum_partial(uint8_t *frame, size_t len, uint16_t *start, uint16_t *offset);

#endif
