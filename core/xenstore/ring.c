/*
 * core/xenstore/ring.c - the xenstore shared page (see ring.h).
 *
 * Indices run freely (modulo 2^32) and name bytes at MASK_XENSTORE_IDX.
 * We own req_prod and rsp_cons; the daemon owns req_cons and rsp_prod.
 */
#include <string.h>

#include "os.h"
#include "xenstore/ring.h"

/* Bytes from the producer's index back to the consumer's; more than the ring is a lie. */
static int in_ring(XENSTORE_RING_IDX prod, XENSTORE_RING_IDX cons, XENSTORE_RING_IDX *used)
{
    *used = prod - cons;
    return *used > XENSTORE_RING_SIZE ? -XEN_EOVERFLOW : 0;
}

int xs_ring_put(struct xenstore_domain_interface *intf, const void *data, size_t len)
{
    /* Acquire: the daemon has finished with the bytes it consumed. */
    XENSTORE_RING_IDX cons = os_atomic_load32(&intf->req_cons);
    XENSTORE_RING_IDX prod = intf->req_prod; /* ours */
    XENSTORE_RING_IDX used, done = 0;

    if (in_ring(prod, cons, &used))
        return -XEN_EOVERFLOW;
    while (done < len && used < XENSTORE_RING_SIZE) {
        XENSTORE_RING_IDX at = MASK_XENSTORE_IDX(prod + done);
        size_t n = XENSTORE_RING_SIZE - at; /* to the end of the array */

        if (n > XENSTORE_RING_SIZE - used)
            n = XENSTORE_RING_SIZE - used;
        if (n > len - done)
            n = len - done;
        memcpy(intf->req + at, (const char *)data + done, n);
        done += (XENSTORE_RING_IDX)n;
        used += (XENSTORE_RING_IDX)n;
    }
    /* Release: the bytes are there before the index says so. */
    os_atomic_store32(&intf->req_prod, prod + done);
    return (int)done;
}

int xs_ring_get(struct xenstore_domain_interface *intf, void *buf, size_t len)
{
    /* Acquire: the bytes are read after the index that published them. */
    XENSTORE_RING_IDX prod = os_atomic_load32(&intf->rsp_prod);
    XENSTORE_RING_IDX cons = intf->rsp_cons; /* ours */
    XENSTORE_RING_IDX avail, done = 0;

    if (in_ring(prod, cons, &avail))
        return -XEN_EOVERFLOW;
    while (done < len && done < avail) {
        XENSTORE_RING_IDX at = MASK_XENSTORE_IDX(cons + done);
        size_t n = XENSTORE_RING_SIZE - at;

        if (n > avail - done)
            n = avail - done;
        if (n > len - done)
            n = len - done;
        memcpy((char *)buf + done, intf->rsp + at, n);
        done += (XENSTORE_RING_IDX)n;
    }
    /* Release: we are done with the bytes before the daemon may reuse them. */
    os_atomic_store32(&intf->rsp_cons, cons + done);
    return (int)done;
}

bool xs_ring_reply_was_full(struct xenstore_domain_interface *intf, XENSTORE_RING_IDX cons)
{
    os_mb(); /* our rsp_cons stores before the load of its rsp_prod */
    return os_atomic_load32(&intf->rsp_prod) - cons >= XENSTORE_RING_SIZE;
}

int xs_ring_discard_replies(struct xenstore_domain_interface *intf)
{
    XENSTORE_RING_IDX prod = os_atomic_load32(&intf->rsp_prod);
    XENSTORE_RING_IDX avail;

    if (in_ring(prod, intf->rsp_cons, &avail))
        return -XEN_EOVERFLOW;
    os_atomic_store32(&intf->rsp_cons, prod);
    return (int)avail;
}
