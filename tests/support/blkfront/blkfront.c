/* tests/support/blkfront/blkfront.c - see blkfront.h. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <xen/errno.h>
#include <xen/event_channel.h>
#include <xen/io/xenbus.h>
#include <xen/xen.h>
#include <blkif/nodes.h>

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

/*
 * Wait for the backend to reach @want; give up at once if it closes instead
 * of connecting. A backend still Closed from the last connection, waited
 * on for InitWait, has not yet seen the frontend start over: it is given
 * the time to.
 */
static int wait_backend_state(struct blkfront *bf, int want)
{
    uint64_t deadline = os_time_ns() + STATE_TIMEOUT_MS * 1000000ull;
    int state;

    for (;;) {
        state = blkfront_backend_state(bf);
        if (state == want)
            return 0;
        if (want <= XenbusStateConnected &&
            (state == XenbusStateClosing ||
             (state == XenbusStateClosed && want != XenbusStateInitWait)))
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
        rc = read_u64(bf, bf->backend_path, BLKIF_NODE_SECTORS, &bf->sectors);
    if (rc == 0)
        rc = read_u64(bf, bf->backend_path, BLKIF_NODE_SECTOR_SIZE, &sector_size);
    /* A sector is a power of two that fits in the page a segment names. */
    if (rc == 0 &&
        (sector_size < 512 || sector_size > PAGE_SIZE || (sector_size & (sector_size - 1)) != 0))
        rc = -XEN_EINVAL;
    if (rc) {
        fprintf(stderr, "blkfront: %s: unusable backend details (%d)\n", bf->frontend_path, rc);
        return rc;
    }
    /* Optional: absent means not offered. */
    if (read_u64(bf, bf->backend_path, BLKIF_NODE_FLUSH_CACHE, &flush) != 0)
        flush = 0;
    bf->backend_id = (domid_t)backend_id;
    bf->sector_size = (uint32_t)sector_size;
    bf->flush_cache = flush != 0;
    return 0;
}

/* Take back what set_up_queue took. The pages stay if the backend still has one mapped. */
static int release_queue(struct blkfront_queue *q)
{
    if (q->port != 0) {
        struct evtchn_close close_arg = {.port = q->port};

        os_hypercall2(__HYPERVISOR_event_channel_op, EVTCHNOP_close,
                      (uint64_t)(uintptr_t)&close_arg);
        q->port = 0;
    }
    for (unsigned int i = 0; i < q->nr_pages; i++) {
        if (q->refs[i] != 0) {
            int rc = guest_grant_end(q->refs[i]);

            if (rc)
                return rc;
            q->refs[i] = 0;
        }
    }
    if (q->ring_pages)
        os_pages_free(q->ring_pages, q->nr_pages);
    q->ring_pages = NULL;
    return 0;
}

static int release_rings(struct blkfront *bf)
{
    int rc = 0;

    for (unsigned int i = 0; i < bf->nr_queues; i++) {
        int err = release_queue(&bf->queue[i]);

        if (rc == 0)
            rc = err;
    }
    if (rc == 0)
        bf->nr_queues = 0;
    return rc;
}

/* A fresh ring of @pages pages, each granted to the backend, and a port for it to bind. */
static int set_up_queue(struct blkfront *bf, struct blkfront_queue *q, unsigned int pages)
{
    struct evtchn_alloc_unbound alloc = {.dom = DOMID_SELF, .remote_dom = bf->backend_id};
    int64_t rc;

    q->nr_pages = pages;
    q->ring_pages = os_pages_alloc(pages, q->gfns);
    if (q->ring_pages == NULL)
        return -XEN_ENOMEM;
    rc = ring_front_init(&q->ring, q->ring_pages, (size_t)pages * PAGE_SIZE,
                         sizeof(union blkif_sring_entry));
    for (unsigned int i = 0; i < pages && rc == 0; i++)
        rc = guest_grant(q->gfns[i], bf->backend_id, false, &q->refs[i]);
    if (rc == 0)
        rc = os_hypercall2(__HYPERVISOR_event_channel_op, EVTCHNOP_alloc_unbound,
                           (uint64_t)(uintptr_t)&alloc);
    if (rc == 0)
        q->port = alloc.port;
    return (int)rc;
}

static int set_up_rings(struct blkfront *bf)
{
    unsigned int queues = bf->opt.queues > 1 ? bf->opt.queues : 1;
    int rc = 0;

    if (queues > BLKFRONT_MAX_QUEUES || bf->opt.ring_page_order > BLKFRONT_MAX_RING_ORDER)
        return -XEN_EINVAL;
    for (unsigned int i = 0; i < queues && rc == 0; i++) {
        bf->nr_queues = i + 1;
        rc = set_up_queue(bf, &bf->queue[i], 1u << bf->opt.ring_page_order);
    }
    if (rc)
        release_rings(bf);
    return rc;
}

/* One queue's nodes in @dir ("" for the device's own directory, else "queue-N/"). */
static int publish_queue(struct blkfront *bf, const struct blkfront_queue *q, const char *dir)
{
    char node[48];
    int rc = 0;

    for (unsigned int i = 0; i < q->nr_pages && rc == 0; i++) {
        if (bf->opt.ring_page_order == 0)
            snprintf(node, sizeof(node), "%sring-ref", dir);
        else
            snprintf(node, sizeof(node), "%sring-ref%u", dir, i);
        rc = write_frontend(bf, node, "%u", q->refs[i]);
    }
    snprintf(node, sizeof(node), "%sevent-channel", dir);
    return rc ? rc : write_frontend(bf, node, "%u", q->port);
}

/* Nodes a previous connection may have left that would say more than this one means. */
static void remove_stale_nodes(struct blkfront *bf)
{
    char path[192];

    if (bf->opt.ring_page_order == 0) {
        snprintf(path, sizeof(path), "%s/ring-page-order", bf->frontend_path);
        guest_store_remove(bf->store, path);
    }
    if (bf->nr_queues == 1) {
        snprintf(path, sizeof(path), "%s/multi-queue-num-queues", bf->frontend_path);
        guest_store_remove(bf->store, path);
        for (unsigned int i = 0; i < BLKFRONT_MAX_QUEUES; i++) {
            snprintf(path, sizeof(path), "%s/queue-%u", bf->frontend_path, i);
            guest_store_remove(bf->store, path);
        }
    }
}

static int publish_rings(struct blkfront *bf)
{
    const char *protocol = bf->opt.protocol ? bf->opt.protocol : PROTOCOL_X86_64;
    int rc = 0;

    remove_stale_nodes(bf);

    if (bf->opt.ring_page_order > 0)
        rc = write_frontend(bf, BLKIF_NODE_RING_PAGE_ORDER, "%u", bf->opt.ring_page_order);
    if (rc == 0 && bf->nr_queues > 1)
        rc = write_frontend(bf, BLKIF_NODE_NUM_QUEUES, "%u", bf->nr_queues);
    for (unsigned int i = 0; i < bf->nr_queues && rc == 0; i++) {
        char dir[16] = "";

        if (bf->nr_queues > 1)
            snprintf(dir, sizeof(dir), BLKIF_NODE_QUEUE "%u/", i);
        rc = publish_queue(bf, &bf->queue[i], dir);
    }
    if (rc == 0)
        rc = write_frontend(bf, BLKIF_NODE_PROTOCOL, "%s", protocol);
    if (rc == 0)
        rc = write_frontend(bf, BLKIF_NODE_PERSISTENT, "%d", bf->opt.persistent);
    if (rc == 0)
        rc = write_frontend(bf, BLKIF_NODE_LARGE_SECTOR_SIZE, "%d", bf->opt.large_sectors);
    /* The state last: the backend reads the rest when it sees it. */
    if (rc == 0)
        rc = write_frontend(bf, "state", "%d", XenbusStateInitialised);
    return rc;
}

int blkfront_connect_with(struct blkfront *bf, struct xs_ring *store, const char *frontend_path,
                          const struct blkfront_options *opt)
{
    int rc;

    memset(bf, 0, sizeof(*bf));
    bf->store = store;
    if (opt)
        bf->opt = *opt;
    if (strlen(frontend_path) >= sizeof(bf->frontend_path))
        return -XEN_ENAMETOOLONG;
    strcpy(bf->frontend_path, frontend_path);
    /* A closed backend starts over when the frontend does. */
    rc = write_frontend(bf, "state", "%d", XenbusStateInitialising);
    if (rc == 0)
        rc = read_backend_details(bf);
    if (rc == 0)
        rc = wait_backend_state(bf, XenbusStateInitWait);
    if (rc == 0)
        rc = set_up_rings(bf);
    if (rc)
        return rc;
    rc = publish_rings(bf);
    if (rc == 0)
        rc = wait_backend_state(bf, XenbusStateConnected);
    if (rc == 0)
        rc = write_frontend(bf, "state", "%d", XenbusStateConnected);
    if (rc) {
        /* The backend may have mapped the rings already: close properly. */
        blkfront_close(bf);
        return rc;
    }
    return 0;
}

int blkfront_connect(struct blkfront *bf, struct xs_ring *store, const char *frontend_path)
{
    return blkfront_connect_with(bf, store, frontend_path, NULL);
}

int blkfront_close(struct blkfront *bf)
{
    int rc, released;

    if (bf->nr_queues == 0)
        return 0;
    rc = write_frontend(bf, "state", "%d", XenbusStateClosing);
    if (rc == 0)
        rc = wait_backend_state(bf, XenbusStateClosing);
    if (rc == 0)
        rc = write_frontend(bf, "state", "%d", XenbusStateClosed);
    if (rc == 0)
        rc = wait_backend_state(bf, XenbusStateClosed);
    released = release_rings(bf);
    return rc ? rc : released;
}

int blkfront_submit_to(struct blkfront *bf, unsigned int q, const struct blkif_request *reqs,
                       unsigned int count)
{
    struct blkfront_queue *queue = &bf->queue[q];

    if (q >= bf->nr_queues)
        return -XEN_ENOTCONN;
    if (count > ring_front_free_slots(&queue->ring))
        return -XEN_ENOSPC;
    for (unsigned int i = 0; i < count; i++)
        memcpy(ring_front_next_request(&queue->ring), &reqs[i], sizeof(reqs[i]));
    if (ring_front_push(&queue->ring)) {
        struct evtchn_send send = {.port = queue->port};

        return (int)os_hypercall2(__HYPERVISOR_event_channel_op, EVTCHNOP_send,
                                  (uint64_t)(uintptr_t)&send);
    }
    return 0;
}

int blkfront_submit(struct blkfront *bf, const struct blkif_request *reqs, unsigned int count)
{
    return blkfront_submit_to(bf, 0, reqs, count);
}

int blkfront_collect_from(struct blkfront *bf, unsigned int q, struct blkif_response *rsps,
                          unsigned int count)
{
    uint64_t deadline = os_time_ns() + RESPONSE_TIMEOUT_MS * 1000000ull;
    union blkif_sring_entry entry;
    unsigned int got = 0;

    if (q >= bf->nr_queues)
        return -XEN_ENOTCONN;
    while (got < count) {
        int ready = ring_front_poll(&bf->queue[q].ring);

        if (ready < 0)
            return ready;
        while (got < count && ring_front_take(&bf->queue[q].ring, &entry))
            rsps[got++] = entry.rsp;
        if (got < count && ready == 0) {
            if (os_time_ns() > deadline)
                return -XEN_ETIMEDOUT;
            usleep(POLL_US);
        }
    }
    return 0;
}

int blkfront_collect(struct blkfront *bf, struct blkif_response *rsps, unsigned int count)
{
    return blkfront_collect_from(bf, 0, rsps, count);
}
