/*
 * tests/qemu/blkfront.h - a small blkif frontend for tests: the xenstore
 * handshake with a backend, one single-page ring driven by core/ring, and
 * requests in, responses out. Data pages and their grants are the
 * caller's, so a test can build any request, malformed ones included.
 */
#ifndef WINPV_TESTS_BLKFRONT_H
#define WINPV_TESTS_BLKFRONT_H

#include <stdbool.h>
#include <stdint.h>

#include <xen/io/blkif.h>

#include "../sim/xs_ring_client.h"
#include "ring/ring.h"

struct blkfront {
    struct xs_ring *store;
    char frontend_path[128];
    char backend_path[128];
    domid_t backend_id;   /* where grants go */
    uint64_t sectors;     /* the disk's size in sector_size units */
    uint32_t sector_size; /* bytes */
    bool flush_cache;     /* the backend takes BLKIF_OP_FLUSH_DISKCACHE */
    void *ring_page;      /* NULL when no ring is set up */
    uint64_t ring_gfn;
    grant_ref_t ring_ref;
    uint32_t port; /* ours, for the backend to bind */
    struct ring_front ring;
};

/*
 * Connect to the backend of the guest's device @frontend_path (e.g.
 * /local/domain/N/device/vbd/51712): read the backend's details, publish a
 * fresh ring and event channel, reach state Connected on both sides. On
 * failure nothing stays granted or allocated.
 */
int blkfront_connect(struct blkfront *bf, struct xs_ring *store, const char *frontend_path);

/*
 * Close: Closing, then Closed, each answered by the backend; then take the
 * ring's grant back (-XEN_EBUSY if the backend still holds it: the page is
 * then not freed) and close the port. Nothing to do when not connected.
 */
int blkfront_close(struct blkfront *bf);

/* Publish @count requests (copied to the ring); notify the backend if it asked. */
int blkfront_submit(struct blkfront *bf, const struct blkif_request *reqs, unsigned int count);

/*
 * Wait for @count responses, in the order the backend gave them, copied
 * out of the ring. -XEN_ETIMEDOUT when they do not come, -XEN_EOVERFLOW
 * when the backend claims more responses than requests outstanding.
 */
int blkfront_collect(struct blkfront *bf, struct blkif_response *rsps, unsigned int count);

/* Read the backend's state; XenbusStateUnknown when unreadable. */
int blkfront_backend_state(struct blkfront *bf);

#endif /* WINPV_TESTS_BLKFRONT_H */
