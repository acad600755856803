/*
 * tests/vbd/front/response_backend.h - a blkif backend played inside the
 * test process over fake_services.h: the backend's side of the handshake
 * (the nodes it offers; the frontend's rings mapped and channels bound when
 * it is Initialised, then Connected; Closing when it is, still serving the
 * rings, as Linux's blkback; everything let go of when it is Closed),
 * requests taken off each ring and checked against the protocol, and
 * responses written exactly as the test says, right or wrong, under any
 * producer index.
 *
 * The disk's bytes are a pattern of their position: a read answered OKAY
 * gets rb_disk_byte in the pages its segments name (a read answered
 * otherwise gets RB_POISON there), and a write answered OKAY must carry
 * rb_write_byte. Every OKAY answer written for a request taken is kept
 * (struct rb_answer), so that a completion can be checked against what was
 * really answered.
 *
 * What the frontend publishes is checked (a violation aborts): the rings and
 * channels it names are grants and ports of ours, on new rings, no more
 * queues or pages than offered; no more requests published than the ring
 * holds, never without a notification when we asked for one; each request a
 * known operation the backend offered (indirect within the segments offered,
 * flush or barrier as offered, discard flags), with our handle, an id unique
 * on the connection, segments within a page and, while the device works,
 * grants of ours (writable for a read); no write or discard to a read-only
 * disk; a flush only once every request before it was answered.
 *
 * One lock (rb->lock) covers the backend and whatever the test keeps beside
 * it; these functions say whether they are called with it held.
 */
#ifndef WINPV_TESTS_VBDFRONT_RESPONSE_BACKEND_H
#define WINPV_TESTS_VBDFRONT_RESPONSE_BACKEND_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <xen/io/blkif.h>

#include "fake_services.h"

#define RB_MAX_QUEUES     8
#define RB_MAX_RING_PAGES 16
#define RB_POISON         0xee /* even: never a disk byte */

/* The disk's byte at @pos (always odd), and what a write of it carries (odd too). */
static inline uint8_t rb_disk_byte(uint64_t pos)
{
    return (uint8_t)(((pos * 0x9e3779b97f4a7c15ull) >> 56) | 1);
}

static inline uint8_t rb_write_byte(uint64_t pos)
{
    return rb_disk_byte(pos) ^ 0x40;
}

/* Loops over data go without coverage feedback: long, and nothing for a fuzzer to learn. */
#define RB_UNTRACED __attribute__((no_sanitize("coverage")))

/* @len bytes at @p as the disk's from byte @pos (a write's, with @write). */
void rb_pattern_fill(uint8_t *p, size_t len, uint64_t pos, bool write);

/* Where @len bytes at @p first differ from that pattern; @len when they do not. */
size_t rb_pattern_mismatch(const uint8_t *p, size_t len, uint64_t pos, bool write);

/* What the backend offers; read by the frontend on its next handshake. */
struct rb_offer {
    int32_t ring_order; /* max-ring-page-order; -1: no node */
    int32_t queues;     /* multi-queue-max-queues; -1: no node */
    int32_t segments;   /* feature-max-indirect-segments; -1: no node */
    bool persistent;
    bool flush, barrier;
    bool discard, discard_secure;
    bool read_only;
    uint32_t sector_size;
    uint64_t sectors; /* in 512-byte sectors */
    bool refuse;      /* the next time the frontend is Initialised: Closed, not Connected */
};

struct rb_segment {
    uint32_t gref;
    uint8_t first, last;
};

/* A ring request as it was taken off the ring. */
struct rb_request {
    uint64_t id;
    uint8_t operation;   /* as on the ring */
    uint8_t op;          /* what it does: an indirect request's inner operation */
    uint64_t start, end; /* READ, WRITE, DISCARD: bytes of the disk */
    uint32_t nr_segs;    /* READ, WRITE */
    struct rb_segment *segs;
    uint32_t indirect[BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST];
    uint32_t nr_indirect;
    uint64_t seq;  /* when taken, counted over the whole run */
    bool checked;  /* its grants were checked when taken (the device had not failed) */
    bool unlisted; /* an indirect page was gone: its segments (and end) are unknown */
    bool answered; /* a response with its id was written */
};

struct rb_queue {
    bool mapped;
    bool persistent; /* both ends said feature-persistent */
    uint32_t nr_pages;
    uint32_t refs[RB_MAX_RING_PAGES];
    uint8_t *pages[RB_MAX_RING_PAGES];
    uint32_t size; /* entries */
    uint32_t port;
    uint32_t req_cons; /* requests taken */
    uint32_t rsp_prod; /* where the next response goes */
    uint32_t notified; /* the channel's notifications when we last asked for one */
    struct rb_request *seen;
    size_t nr_seen, cap_seen;
};

/* An OKAY answer written for a request taken. */
struct rb_answer {
    uint8_t op;
    uint64_t start, end;
    uint64_t seq; /* the request's */
    bool claimed; /* a flush a completed request counted */
};

struct rb_backend {
    pthread_mutex_t lock;
    struct fake_services *fx;
    struct rb_offer offer;
    uint16_t handle; /* what requests must carry */
    uint32_t state;
    uint32_t nr_queues; /* of the connection */
    struct rb_queue queues[RB_MAX_QUEUES];
    struct rb_answer *answers;
    size_t nr_answers, cap_answers;
    uint32_t *holds; /* grants the test made us keep mapped */
    size_t nr_holds, cap_holds;
    uint64_t seq;
    uint32_t connects;
};

/*
 * The backend of @fx's device: its nodes, InitWait. fake_services_init must
 * have been given rb_frontend_state and @rb.
 */
void rb_init(struct rb_backend *rb, struct fake_services *fx, const struct rb_offer *offer,
             uint16_t handle);

/* Let go of everything and free. Takes the lock. */
void rb_destroy(struct rb_backend *rb);

/* The frontend switched to @state: the backend's part (fake_xenbus's backend). Takes the lock. */
void rb_frontend_state(void *ctx, uint32_t state);

/* A new size in 512-byte sectors, written to "sectors" (then Connected again). Lock held. */
void rb_resize(struct rb_backend *rb, uint64_t sectors);

/* The backend leaves the connection: rings let go of, its state @state. Lock held. */
void rb_disconnect(struct rb_backend *rb, uint32_t state);

/*
 * Take the requests published on queue @qi, checking each against the
 * protocol (and, when @check_grants, that every grant it names is ours to
 * use). Returns how many; they are queues[qi].seen[*first ..]. Lock held.
 */
size_t rb_poll(struct rb_backend *rb, uint32_t qi, bool check_grants, size_t *first);

/*
 * Write a response into queue @qi's ring at the backend's own index, not
 * yet published. When @id names a request taken and not yet answered, its
 * data moves first (see above). Lock held.
 */
void rb_respond(struct rb_backend *rb, uint32_t qi, uint64_t id, uint8_t operation, int16_t status);

/* Publish @rsp_prod as the ring's response index (whatever it is). Lock held. */
void rb_publish(struct rb_backend *rb, uint32_t qi, uint32_t rsp_prod);

/* Keep grant @ref mapped (false when it grants nothing); let go of hold @i. Lock held. */
bool rb_hold(struct rb_backend *rb, uint32_t ref);
void rb_release(struct rb_backend *rb, size_t i);

/*
 * Whether OKAY answers of @op to requests taken after @after cover the
 * bytes [@start, @end). Lock held.
 */
bool rb_covered(const struct rb_backend *rb, uint8_t op, uint64_t start, uint64_t end,
                uint64_t after);

/*
 * Count an OKAY answer to a flush (@op) taken after @after, the earliest not
 * yet counted; false when there is none. Lock held.
 */
bool rb_claim_flush(struct rb_backend *rb, uint8_t op, uint64_t after);

#endif /* WINPV_TESTS_VBDFRONT_RESPONSE_BACKEND_H */
