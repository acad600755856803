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

#include <stdbool.h>
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
 * (0 when it is empty), or -XEN_EOVERFLOW. Then ask
 * xs_ring_reply_was_full whether the daemon needs a notification.
 */
int xs_ring_get(struct xenstore_domain_interface *intf, void *buf, size_t len);

/*
 * After taking bytes out of the reply ring, the consumer index having been
 * @cons (intf->rsp_cons, ours) before the first xs_ring_get: whether the
 * daemon may have found the ring full meanwhile, and so be waiting for
 * room. Notify it then, and only then: otherwise it needs no word from us
 * (it notifies after each write, and looks at our consumer index again
 * before it waits). A full barrier puts our consumer update before this
 * look at its producer index: either we see the ring it filled, or it sees
 * the room we made.
 */
bool xs_ring_reply_was_full(struct xenstore_domain_interface *intf, XENSTORE_RING_IDX cons);

/*
 * Drop what the reply ring holds, unread (what a connection that has ended
 * left there, perhaps half a message). Returns the bytes dropped, or
 * -XEN_EOVERFLOW (then nothing is).
 */
int xs_ring_discard_replies(struct xenstore_domain_interface *intf);

#endif /* WINPV_CORE_XENSTORE_RING_H */
