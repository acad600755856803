/* tests/support/sim/xs_ring_client.c - see xs_ring_client.h. */
#include <string.h>
#include <unistd.h>

#include <xen/errno.h>
#include <xen/event_channel.h>
#include <xen/hvm/params.h>
#include <xen/xen.h>

#include "hv/hv.h"
#include "os.h"
#include "os_posix.h"
#include "xenstore/ring.h"
#include "xs_ring_client.h"

int xs_ring_open(struct xs_ring *ring)
{
    uint64_t gfn, port;

    if (hv_get_param(HVM_PARAM_STORE_PFN, &gfn) || hv_get_param(HVM_PARAM_STORE_EVTCHN, &port))
        return -XEN_EIO;
    ring->intf = os_posix_gfn_to_va(gfn);
    ring->port = (uint32_t)port;
    return ring->intf ? 0 : -XEN_EFAULT;
}

static void notify(struct xs_ring *ring)
{
    struct evtchn_send send = {.port = ring->port};

    os_hypercall2(__HYPERVISOR_event_channel_op, EVTCHNOP_send, (uint64_t)(uintptr_t)&send);
}

/* All @len bytes into the request ring, waiting for room. */
static int put(struct xs_ring *ring, const void *data, size_t len)
{
    for (size_t done = 0; done < len;) {
        int n = xs_ring_put(ring->intf, (const char *)data + done, len - done);

        if (n < 0)
            return n;
        if (n == 0)
            usleep(1000);
        done += (size_t)n;
    }
    return 0;
}

int xs_ring_send(struct xs_ring *ring, uint32_t type, uint32_t req_id, const void *payload,
                 size_t len)
{
    struct xsd_sockmsg msg = {.type = type, .req_id = req_id, .len = (uint32_t)len};
    int rc;

    if (len > XENSTORE_PAYLOAD_MAX)
        return -XEN_E2BIG;
    rc = put(ring, &msg, sizeof(msg));
    if (rc == 0)
        rc = put(ring, payload, len);
    notify(ring);
    return rc;
}

/* Take @len bytes from the response ring, waiting up to *ms_left. */
static int take(struct xs_ring *ring, void *data, size_t len, int *ms_left)
{
    for (size_t done = 0; done < len;) {
        int n = xs_ring_get(ring->intf, (char *)data + done, len - done);

        if (n < 0)
            return n;
        if (n == 0) {
            if ((*ms_left)-- <= 0)
                return -XEN_ETIMEDOUT;
            usleep(1000);
        }
        done += (size_t)n;
    }
    notify(ring);
    return 0;
}

int xs_ring_recv(struct xs_ring *ring, struct xsd_sockmsg *msg, char *payload, size_t size, int ms)
{
    int rc = take(ring, msg, sizeof(*msg), &ms);

    if (rc)
        return rc;
    /* No well-formed message is longer: the stream can no longer be followed. */
    if (msg->len > XENSTORE_PAYLOAD_MAX)
        return -XEN_EIO;
    if (msg->len >= size) {
        char discarded[XENSTORE_PAYLOAD_MAX];

        /* Take the payload off the ring, so the next receive starts at a header. */
        rc = take(ring, discarded, msg->len, &ms);
        return rc ? rc : -XEN_E2BIG;
    }
    rc = take(ring, payload, msg->len, &ms);
    payload[msg->len] = '\0';
    return rc;
}
