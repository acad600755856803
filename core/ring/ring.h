/*
 * core/ring/ring.h - the shared-ring engine for every Xen ring protocol.
 *
 * One engine serves blkif, netif tx/rx/ctrl and any other protocol laid out
 * as Xen's shared rings are: a header of four indices, then a power-of-two
 * array of fixed-size entries, each the size of the protocol's
 * request/response union. A protocol hands the engine the shared pages and
 * the entry size; the engine never looks inside an entry.
 *
 * Both sides are here: the front end (a driver) produces requests and
 * consumes responses, the back end (our test backends) does the reverse.
 *
 * The other end is not trusted:
 *  - its producer index is read once per poll and checked before use; an
 *    index that claims more entries than can exist is reported as
 *    -XEN_EOVERFLOW (the caller marks the device broken);
 *  - entries are copied out of shared memory before the caller sees them, so
 *    the other end cannot change a request or response after validation;
 *  - no read or write ever falls outside the ring's entries.
 *
 * Notification hold-off: each side publishes the index at which it wants an
 * event (req_event / rsp_event). push() tells the caller whether the other
 * end asked to be notified for what was just published; final_check()
 * re-arms our own event index and closes the race with a last look.
 *
 * Context: every function is "any" (no blocking, no allocation). A ring side
 * is not locked here: the caller serialises all calls on one side.
 */
#ifndef WINPV_CORE_RING_H
#define WINPV_CORE_RING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <xen/io/ring.h>

/* The part of a ring both sides share the layout of. */
struct ring_geometry {
    struct xen_sring_header *shared; /* the first shared page */
    uint8_t *entries;                /* the entry array inside it */
    uint32_t size;                   /* number of entries, a power of two */
    uint32_t entry_size;             /* bytes per entry */
};

struct ring_front {
    struct ring_geometry ring;
    RING_IDX req_prod_pvt;  /* requests written, not all published */
    RING_IDX req_published; /* requests published (our copy, not the shared one) */
    RING_IDX rsp_cons;      /* responses consumed */
    RING_IDX rsp_seen;      /* the back end's producer index, as last validated */
};

struct ring_back {
    struct ring_geometry ring;
    RING_IDX rsp_prod_pvt;  /* responses written, not all published */
    RING_IDX rsp_published; /* responses published (our copy, not the shared one) */
    RING_IDX req_cons;      /* requests consumed */
    RING_IDX req_seen;      /* the front end's producer index, as last validated */
};

/*
 * Number of entries in a ring of @bytes (header included) for entries of
 * @entry_size bytes: the largest power of two that fits, 0 if none fits.
 */
uint32_t ring_entries_for(size_t bytes, size_t entry_size);

/*
 * Front end: set up a new ring in @shared (@bytes long, zeroed here) with
 * entries of @entry_size bytes. Returns 0, or -XEN_EINVAL when not even
 * one entry fits.
 */
int ring_front_init(struct ring_front *front, void *shared, size_t bytes, size_t entry_size);

/*
 * Front end: take over a ring whose indices already stand at @start, every
 * request answered (a ring re-attached after resume). Nothing is zeroed.
 */
int ring_front_attach(struct ring_front *front, void *shared, size_t bytes, size_t entry_size,
                      RING_IDX start);

/* Request slots free for ring_front_next_request. */
uint32_t ring_front_free_slots(const struct ring_front *front);

/*
 * The next request slot, to be filled by the caller; it is published by the
 * next ring_front_push. The caller must have checked that a slot is free.
 */
void *ring_front_next_request(struct ring_front *front);

/* Publish the requests written so far. Returns true when the back end must be notified. */
bool ring_front_push(struct ring_front *front);

/*
 * Read the back end's response index and check it. Returns the number of
 * responses ready (0 or more), or -XEN_EOVERFLOW when the back end claims
 * more responses than requests published and not yet answered.
 */
int ring_front_poll(struct ring_front *front);

/*
 * Copy the next validated response into @response (entry_size bytes) and
 * consume it. Returns false when no validated response is left (call
 * ring_front_poll first).
 */
bool ring_front_take(struct ring_front *front, void *response);

/*
 * Ask for an event when @count more responses have arrived (1: the next
 * one). Larger values batch completions.
 */
void ring_front_arm(struct ring_front *front, uint32_t count);

/*
 * Before going idle: arm for the next response, then look once more.
 * Returns true when responses arrived meanwhile (poll again, no event will
 * come for them).
 */
bool ring_front_final_check(struct ring_front *front);

/*
 * The same, armed for the @count-th response from now: completions in
 * batches. @count must not exceed the requests the back end holds
 * unanswered, or the event never comes.
 */
bool ring_front_final_check_after(struct ring_front *front, uint32_t count);

/*
 * Back end: attach to a ring the front end initialised, both indices at
 * @start (0 for a new ring).
 */
int ring_back_attach(struct ring_back *back, void *shared, size_t bytes, size_t entry_size,
                     RING_IDX start);

/*
 * Read the front end's request index and check it. Returns the number of
 * requests that may be taken now (limited by free response slots), or
 * -XEN_EOVERFLOW when the front end claims more requests than fit.
 */
int ring_back_poll(struct ring_back *back);

/* Copy the next validated request into @request and consume it. */
bool ring_back_take(struct ring_back *back, void *request);

/*
 * The next response slot, to be filled by the caller. A response may only
 * answer a request taken: the caller must not have more responses than
 * requests taken.
 */
void *ring_back_next_response(struct ring_back *back);

/* Publish the responses written. Returns true when the front end must be notified. */
bool ring_back_push(struct ring_back *back);

/* Ask for an event on the next request. */
void ring_back_arm(struct ring_back *back);

/* Before going idle: arm, then look once more; true when requests arrived. */
bool ring_back_final_check(struct ring_back *back);

#endif /* WINPV_CORE_RING_H */
