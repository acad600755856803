/*
 * tests/support/sim/xs_ring_client.h - the least a guest needs to talk to xenstored
 * over its shared ring: send one request, read one message. Enough to
 * prove the simulator carries the protocol between a guest and a real
 * xenstored; the drivers' complete client lives in core/.
 */
#ifndef WINPV_TESTS_XS_RING_CLIENT_H
#define WINPV_TESTS_XS_RING_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include <xen/io/xs_wire.h>

struct xs_ring {
    struct xenstore_domain_interface *intf;
    uint32_t port;
};

/* The ring and port the toolstack gave this guest (HVM parameters). */
int xs_ring_open(struct xs_ring *ring);

/* Send a request of @type with @len bytes of @payload. */
int xs_ring_send(struct xs_ring *ring, uint32_t type, uint32_t req_id, const void *payload,
                 size_t len);

/*
 * Receive the next message (reply or watch event) within @ms: its header in
 * *msg, its payload (NUL-terminated for convenience) in @payload. A payload
 * that does not fit is read off the ring and dropped (-XEN_E2BIG); one
 * longer than the protocol allows breaks the connection (-XEN_EIO).
 */
int xs_ring_recv(struct xs_ring *ring, struct xsd_sockmsg *msg, char *payload, size_t size, int ms);

#endif /* WINPV_TESTS_XS_RING_CLIENT_H */
