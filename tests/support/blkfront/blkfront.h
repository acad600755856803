/*
 * tests/support/blkfront/blkfront.h - a small blkif frontend for tests: the xenstore
 * handshake with a backend, rings driven by core/ring (one or several
 * queues, each of one or several pages), and requests in, responses out.
 * Data pages and their grants are the caller's, so a test can build any
 * request, malformed ones included. Used against QEMU (tests/sim/toolstack) and
 * winpv-blkback (tests/sim/blkback).
 */
#ifndef WINPV_TESTS_BLKFRONT_H
#define WINPV_TESTS_BLKFRONT_H

#include <stdbool.h>
#include <stdint.h>

#include <xen/io/blkif.h>

#include "support/sim/xs_ring_client.h"
#include "ring/ring.h"

#define BLKFRONT_MAX_QUEUES     4
#define BLKFRONT_MAX_RING_ORDER 4
#define BLKFRONT_MAX_RING_PAGES (1u << BLKFRONT_MAX_RING_ORDER)

/* What the frontend asks for; all zero: one queue of one page, no features. */
struct blkfront_options {
    unsigned int ring_page_order; /* > 0: ring-page-order and ring-ref0..N */
    unsigned int queues;          /* > 1: multi-queue-num-queues and queue-N/ */
    bool persistent;              /* feature-persistent = 1 */
    bool large_sectors;           /* feature-large-sector-size = 1 */
    const char *protocol;         /* NULL: x86_64-abi */
};

struct blkfront_queue {
    void *ring_pages; /* NULL when not set up */
    unsigned int nr_pages;
    uint64_t gfns[BLKFRONT_MAX_RING_PAGES];
    grant_ref_t refs[BLKFRONT_MAX_RING_PAGES];
    uint32_t port; /* ours, for the backend to bind */
    struct ring_front ring;
};

struct blkfront {
    struct xs_ring *store;
    char frontend_path[128];
    char backend_path[128];
    domid_t backend_id;   /* where grants go */
    uint64_t sectors;     /* the disk's size in sector_size units */
    uint32_t sector_size; /* bytes */
    bool flush_cache;     /* the backend takes BLKIF_OP_FLUSH_DISKCACHE */
    struct blkfront_options opt;
    unsigned int nr_queues; /* 0 when not connected */
    struct blkfront_queue queue[BLKFRONT_MAX_QUEUES];
};

/*
 * Connect to the backend of the guest's device @frontend_path (e.g.
 * /local/domain/N/device/vbd/51712): state Initialising, read the backend's
 * details, publish fresh rings and event channels as @opt asks (NULL: the
 * defaults), reach state Connected on both sides. On failure nothing stays
 * granted or allocated, and a backend that had started is closed.
 */
int blkfront_connect_with(struct blkfront *bf, struct xs_ring *store, const char *frontend_path,
                          const struct blkfront_options *opt);
int blkfront_connect(struct blkfront *bf, struct xs_ring *store, const char *frontend_path);

/*
 * Close: Closing, then Closed, each answered by the backend; then take the
 * rings' grants back (-XEN_EBUSY if the backend still holds one: its pages
 * are then not freed) and close the ports. Nothing to do when not connected.
 */
int blkfront_close(struct blkfront *bf);

/* Publish @count requests (copied to queue @q's ring); notify the backend if it asked. */
int blkfront_submit_to(struct blkfront *bf, unsigned int q, const struct blkif_request *reqs,
                       unsigned int count);
int blkfront_submit(struct blkfront *bf, const struct blkif_request *reqs, unsigned int count);

/*
 * Wait for @count responses on queue @q, in the order the backend gave
 * them, copied out of the ring. -XEN_ETIMEDOUT when they do not come,
 * -XEN_EOVERFLOW when the backend claims more responses than requests
 * outstanding.
 */
int blkfront_collect_from(struct blkfront *bf, unsigned int q, struct blkif_response *rsps,
                          unsigned int count);
int blkfront_collect(struct blkfront *bf, struct blkif_response *rsps, unsigned int count);

/* Read the backend's state; XenbusStateUnknown when unreadable. */
int blkfront_backend_state(struct blkfront *bf);

#endif /* WINPV_TESTS_BLKFRONT_H */
