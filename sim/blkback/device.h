/*
 * sim/blkback/device.h - one connection of a vbd: the frontend's rings
 * (one per queue), the requests being served, the disk's I/O.
 *
 * Requests are copied out of the ring (core/ring's back end), checked
 * (request.c), their pages mapped (grants.c) and their I/O submitted
 * (io.c); several are in flight at once, from every queue, and each is
 * answered when its I/O completes, in whatever order that is, on the queue
 * it came from. A barrier waits for everything before it and holds
 * everything after it. A frontend that breaks the ring protocol (an
 * impossible producer index) marks the device broken; one bad request only
 * gets an error response. Told to (--misbehave), one answer goes wrong on
 * its ring as misbehave.h says.
 *
 * Single-threaded: the caller's event loop calls everything here.
 */
#ifndef WINPV_BLKBACK_DEVICE_H
#define WINPV_BLKBACK_DEVICE_H

#include <stdbool.h>
#include <stdint.h>

#include "dom0.h"
#include "misbehave.h"
#include "request.h"

struct device;

struct device_params {
    struct dom0 *dom0;
    uint32_t domid; /* the frontend's */
    int disk_fd;
    struct blk_limits limits;
    bool persistent; /* both sides offered feature-persistent */
    uint32_t max_persistent_grants;
    uint32_t max_inflight;
    struct misbehave *misbehave; /* what answers get wrong (misbehave.h) */
};

/* A device with no queue yet. Returns 0 or -errno. */
int device_create(const struct device_params *params, struct device **out);

/*
 * Add a queue: map the ring of @nr_pages granted pages @refs and bind to
 * the frontend's port @remote_port. Returns 0, or -errno with a reason in
 * @why (for the error node).
 */
int device_add_queue(struct device *dev, const uint32_t *refs, uint32_t nr_pages,
                     uint32_t remote_port, char *why, size_t why_size);

/* The queue whose port is @port fired (its port is unmasked again here). */
void device_event(struct device *dev, uint32_t port);

/* Take completions that are ready and answer them. */
void device_complete(struct device *dev);

/* Take and start every request the rings hold, as far as there is room. */
void device_pump(struct device *dev);

/*
 * Before the caller sleeps: look for requests and completions for up to
 * @poll_ns (a frontend busy with the last answers has more soon, and a
 * request found so comes without an event), then ask each ring for an
 * event on its next request and look once more. A look that found nothing
 * in all of @poll_ns makes the next one not spin, until an event comes:
 * a frontend that is not streaming keeps its processor. Returns true when there is
 * work (device_complete, device_pump), false when the caller may sleep
 * until an event, a completion or a watch.
 */
bool device_idle(struct device *dev, uint64_t poll_ns);

/* Readable when I/O completions wait (for the caller's poll). */
int device_io_fd(const struct device *dev);

/* The frontend broke the ring protocol: the connection must end. */
bool device_broken(const struct device *dev);

/* Requests later checked against @sectors (an online resize). */
void device_set_sectors(struct device *dev, uint64_t sectors);

/*
 * End the connection: wait for the I/O in flight and answer it, then unmap
 * every grant and the rings and unbind the ports. @dev is freed.
 */
void device_destroy(struct device *dev);

#endif /* WINPV_BLKBACK_DEVICE_H */
