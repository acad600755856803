/* tests/qemu/blkfront.c - see blkfront.h. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <xen/errno.h>
#include <xen/event_channel.h>
#include <xen/io/xenbus.h>
#include <xen/xen.h>

#include "blkfront.h"
#include "guest_grants.h"
#include "guest_store.h"
#include "os.h"

#define PAGE_SIZE           4096
#define STATE_TIMEOUT_MS    10000
#define RESPONSE_TIMEOUT_MS 10000
#define POLL_US             1000

/* The ring layout this frontend uses (Xen's XEN_IO_PROTO_ABI_X86_64). */
#define PROTOCOL_X86_64 "x86_64-abi"

static int read_u64(struct blkfront *bf, const char *dir, const char *node, uint64_t *value)
{
    char path[192];

    snprintf(path, sizeof(path), "%s/%s", dir, node);
    return guest_store_read_u64(bf->store, path, value);
}

static int write_frontend(struct blkfront *bf, const char *node, const char *fmt, ...)
{
    char path[192], value[64];
    va_list args;

    va_start(args, fmt);
    vsnprintf(value, sizeof(value), fmt, args);
    va_end(args);
    snprintf(path, sizeof(path), "%s/%s", bf->frontend_path, node);
    return guest_store_write(bf->store, path, value);
}

int blkfront_backend_state(struct blkfront *bf)
{
    uint64_t state;

    if (read_u64(bf, bf->backend_path, "state", &state) != 0 || state > XenbusStateReconfigured)
        return XenbusStateUnknown;
    return (int)state;
}

/* Wait for the backend to reach @want; give up at once if it closes instead of connecting. */
static int wait_backend_state(struct blkfront *bf, int want)
{
    uint64_t deadline = os_time_ns() + STATE_TIMEOUT_MS * 1000000ull;
    int state;

    for (;;) {
        state = blkfront_backend_state(bf);
        if (state == want)
            return 0;
        if (want <= XenbusStateConnected &&
            (state == XenbusStateClosing || state == XenbusStateClosed))
            break;
        if (os_time_ns() > deadline)
            break;
        usleep(10 * POLL_US);
    }
    fprintf(stderr, "blkfront: %s/state is %d, waited for %d\n", bf->backend_path, state, want);
    return state == XenbusStateClosing || state == XenbusStateClosed ? -XEN_EIO : -XEN_ETIMEDOUT;
}

/* Where the backend is and what it offers; all of it comes from the other end, so is checked. */
static int read_backend_details(struct blkfront *bf)
{
    char path[192];
    uint64_t backend_id, sector_size, flush = 0;
    int rc;

    snprintf(path, sizeof(path), "%s/backend", bf->frontend_path);
    rc = guest_store_read(bf->store, path, bf->backend_path, sizeof(bf->backend_path));
    if (rc == 0 && bf->backend_path[0] != '/')
        rc = -XEN_EINVAL;
    if (rc == 0)
        rc = read_u64(bf, bf->frontend_path, "backend-id", &backend_id);
    if (rc == 0 && backend_id >= DOMID_FIRST_RESERVED)
        rc = -XEN_EINVAL;
    if (rc == 0)
        rc = read_u64(bf, bf->backend_path, "sectors", &bf->sectors);
    if (rc == 0)
        rc = read_u64(bf, bf->backend_path, "sector-size", &sector_size);
    /* A sector is a power of two that fits in the page a segment names. */
    if (rc == 0 &&
        (sector_size < 512 || sector_size > PAGE_SIZE || (sector_size & (sector_size - 1)) != 0))
        rc = -XEN_EINVAL;
    if (rc) {
        fprintf(stderr, "blkfront: %s: unusable backend details (%d)\n", bf->frontend_path, rc);
        return rc;
    }
    /* Optional: absent means not offered. */
    if (read_u64(bf, bf->backend_path, "feature-flush-cache", &flush) != 0)
        flush = 0;
    bf->backend_id = (domid_t)backend_id;
    bf->sector_size = (uint32_t)sector_size;
    bf->flush_cache = flush != 0;
    return 0;
}

/* Take back what set_up_ring took. The page stays if the backend still has it mapped. */
static int release_ring(struct blkfront *bf)
{
    int rc = 0;

    if (bf->port != 0) {
        struct evtchn_close close_arg = {.port = bf->port};

        os_hypercall2(__HYPERVISOR_event_channel_op, EVTCHNOP_close,
                      (uint64_t)(uintptr_t)&close_arg);
        bf->port = 0;
    }
    if (bf->ring_ref != 0) {
        rc = guest_grant_end(bf->ring_ref);
        if (rc)
            return rc;
        bf->ring_ref = 0;
    }
    if (bf->ring_page)
        os_pages_free(bf->ring_page, 1);
    bf->ring_page = NULL;
    return 0;
}

/* A fresh ring page granted to the backend, and a port for it to bind. */
static int set_up_ring(struct blkfront *bf)
{
    struct evtchn_alloc_unbound alloc = {.dom = DOMID_SELF, .remote_dom = bf->backend_id};
    int64_t rc;

    bf->ring_page = os_pages_alloc(1, &bf->ring_gfn);
    if (bf->ring_page == NULL)
        return -XEN_ENOMEM;
    rc = ring_front_init(&bf->ring, bf->ring_page, PAGE_SIZE, sizeof(union blkif_sring_entry));
    if (rc == 0)
        rc = guest_grant(bf->ring_gfn, bf->backend_id, false, &bf->ring_ref);
    if (rc == 0)
        rc = os_hypercall2(__HYPERVISOR_event_channel_op, EVTCHNOP_alloc_unbound,
                           (uint64_t)(uintptr_t)&alloc);
    if (rc) {
        release_ring(bf);
        return (int)rc;
    }
    bf->port = alloc.port;
    return 0;
}

static int publish_ring(struct blkfront *bf)
{
    int rc = write_frontend(bf, "ring-ref", "%u", bf->ring_ref);

    if (rc == 0)
        rc = write_frontend(bf, "event-channel", "%u", bf->port);
    if (rc == 0)
        rc = write_frontend(bf, "protocol", "%s", PROTOCOL_X86_64);
    /* The state last: the backend reads the rest when it sees it. */
    if (rc == 0)
        rc = write_frontend(bf, "state", "%d", XenbusStateInitialised);
    return rc;
}

int blkfront_connect(struct blkfront *bf, struct xs_ring *store, const char *frontend_path)
{
    int rc;

    memset(bf, 0, sizeof(*bf));
    bf->store = store;
    if (strlen(frontend_path) >= sizeof(bf->frontend_path))
        return -XEN_ENAMETOOLONG;
    strcpy(bf->frontend_path, frontend_path);
    rc = read_backend_details(bf);
    if (rc == 0)
        rc = wait_backend_state(bf, XenbusStateInitWait);
    if (rc == 0)
        rc = set_up_ring(bf);
    if (rc)
        return rc;
    rc = publish_ring(bf);
    if (rc == 0)
        rc = wait_backend_state(bf, XenbusStateConnected);
    if (rc == 0)
        rc = write_frontend(bf, "state", "%d", XenbusStateConnected);
    if (rc) {
        /* The backend may have mapped the ring already: close properly. */
        blkfront_close(bf);
        return rc;
    }
    return 0;
}

int blkfront_close(struct blkfront *bf)
{
    int rc, released;

    if (bf->ring_page == NULL)
        return 0;
    rc = write_frontend(bf, "state", "%d", XenbusStateClosing);
    if (rc == 0)
        rc = wait_backend_state(bf, XenbusStateClosing);
    if (rc == 0)
        rc = write_frontend(bf, "state", "%d", XenbusStateClosed);
    if (rc == 0)
        rc = wait_backend_state(bf, XenbusStateClosed);
    released = release_ring(bf);
    return rc ? rc : released;
}

int blkfront_submit(struct blkfront *bf, const struct blkif_request *reqs, unsigned int count)
{
    if (bf->ring_page == NULL)
        return -XEN_ENOTCONN;
    if (count > ring_front_free_slots(&bf->ring))
        return -XEN_ENOSPC;
    for (unsigned int i = 0; i < count; i++)
        memcpy(ring_front_next_request(&bf->ring), &reqs[i], sizeof(reqs[i]));
    if (ring_front_push(&bf->ring)) {
        struct evtchn_send send = {.port = bf->port};

        return (int)os_hypercall2(__HYPERVISOR_event_channel_op, EVTCHNOP_send,
                                  (uint64_t)(uintptr_t)&send);
    }
    return 0;
}

int blkfront_collect(struct blkfront *bf, struct blkif_response *rsps, unsigned int count)
{
    uint64_t deadline = os_time_ns() + RESPONSE_TIMEOUT_MS * 1000000ull;
    union blkif_sring_entry entry;
    unsigned int got = 0;

    if (bf->ring_page == NULL)
        return -XEN_ENOTCONN;
    while (got < count) {
        int ready = ring_front_poll(&bf->ring);

        if (ready < 0)
            return ready;
        while (got < count && ring_front_take(&bf->ring, &entry))
            rsps[got++] = entry.rsp;
        if (got < count && ready == 0) {
            if (os_time_ns() > deadline)
                return -XEN_ETIMEDOUT;
            usleep(POLL_US);
        }
    }
    return 0;
}
