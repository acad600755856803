/*
 * core/xenstore/ring.h - moving bytes through the xenstore shared page:
 * requests into req[], replies and watch events out of rsp[]. No message
 * boundaries here (core/xenstore/wire does those).
 *
 * The page is shared with the daemon, which is not trusted: its indices
 * are read once per call and checked (a consumer or producer that claims
 * more than the ring holds is -XEN_EOVERFLOW: the connection is broken);
 * bytes are only copied between the ring and our buffers, never read twice.
 *
 * Context: any. The caller serialises calls on one direction.
 */
#ifndef WINPV_CORE_XENSTORE_RING_H
#define WINPV_CORE_XENSTORE_RING_H

#include <stddef.h>

#include <xen/io/xs_wire.h>

/*
 * Copy up to @len bytes of @data into the request ring. Returns how many
 * went in (0 when it is full), or -XEN_EOVERFLOW. Notify the daemon after
 * a positive result.
 */
int xs_ring_put(struct xenstore_domain_interface *intf, const void *data, size_t len);

/*
 * Copy up to @len bytes out of the reply ring into @buf. Returns how many
 * (0 when it is empty), or -XEN_EOVERFLOW. Notify the daemon after a
 * positive result (it may have been waiting for room).
 */
int xs_ring_get(struct xenstore_domain_interface *intf, void *buf, size_t len);

#endif /* WINPV_CORE_XENSTORE_RING_H */
