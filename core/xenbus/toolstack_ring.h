/*
 * core/xenbus/toolstack_ring.h - a ring page and port the toolstack gave
 * the guest (the store's, the console's), named by two HVM parameters, and
 * the page mapped again where a restore moved it.
 */
#ifndef WINPV_CORE_XENBUS_TOOLSTACK_RING_H
#define WINPV_CORE_XENBUS_TOOLSTACK_RING_H

#include <stdint.h>

#include "evtchn/evtchn.h"

/*
 * The frame in HVM parameter @pfn_param and the port in @port_param, as a
 * binding that adopts the port: 0, -XEN_ENODEV when either is unset, or
 * Xen's error. Context: passive.
 */
int xenbus_toolstack_ring(uint32_t pfn_param, uint32_t port_param, uint64_t *gfn,
                          struct evtchn_bind *bind);

/*
 * The page at @gfn mapped in place of *page (mapped from *page_gfn) when
 * they differ: *old is then the previous mapping, for the caller to unmap
 * once nothing uses it; NULL when the page did not move. Returns 0 or
 * -XEN_EFAULT (nothing changed). Context: passive.
 */
int xenbus_toolstack_page_move(void **page, uint64_t *page_gfn, uint64_t gfn, void **old);

#endif /* WINPV_CORE_XENBUS_TOOLSTACK_RING_H */
