/*
 * core/vbd/front.h - the blkif frontend of a PV disk (XENVBD): the xenbus
 * handshake with the backend, the rings, and the block operations the SCSI
 * layer (core/vbd/scsi.h) produces, carried to the backend and back.
 *
 * XENVBD is a driver of its own: it reaches xenstore, the xenbus handshake,
 * grants and event channels only through the interface tables XENBUS
 * serves (include/winpv), given in struct vbd_front_services.
 *
 * Negotiation (vbd_front_open). The backend's nodes are read and checked
 * (each is optional; what does not parse, or makes no sense, refuses the
 * device): ring size, queues, indirect segments, persistent grants, flush
 * or barrier, discard, sector sizes, size, info bits and mode. Of what the
 * backend offers we use what vbd_front_options does not switch off, up to
 * our own limits. Each queue gets a ring of granted pages and an unbound
 * event channel; the nodes for them (protocol x86_64-abi,
 * feature-persistent, feature-large-sector-size: sector numbers in the
 * backend's sector-size) go out in one transaction; then Initialised, and
 * the device is ours once the backend is Connected. vbd_front_disk() is
 * then the description the SCSI layer answers from.
 *
 * Requests (vbd_front_submit). The caller owns a struct vbd_front_request
 * (an SRB extension on Windows), names the block operation and the data
 * buffer both by address (for copies) and as guest pages (for grants), and
 * is called back exactly once with a blkif status. A request bigger than
 * one ring slot carries goes out as several, at page and sector
 * boundaries; data goes by grants of the caller's pages, or is copied
 * through a pool of pages the backend keeps granted (persistent grants, and
 * buffers not on sector boundaries); requests the ring has no room for wait
 * in order and go as slots free. FUA is a write then a flush; DISCARD one
 * ring request per range.
 *
 * The backend is not trusted. Responses are copied out of the ring; a
 * response index past what was asked, an id that names no request in
 * flight (unknown, answered already, or of an earlier use of its slot), an
 * operation or status outside the protocol, or a grant the backend still
 * holds after answering marks the device broken: everything in flight and
 * waiting fails (BLKIF_RSP_ERROR), once, after its grants are revoked (a
 * request whose pages the backend still maps completes only when it lets
 * go), later submissions fail at once, and XENBUS writes the error node and
 * switches to Closing.
 *
 * Reconnection (front_reconnect.c). A backend that leaves Connected (a
 * restart asks us to close, or it starts over) stops the rings: what was on
 * them is taken back (grants revoked), the rings and channels are given
 * back, the handshake runs again (features may differ), and every request
 * that was in flight or waiting goes out again on the new rings, each
 * queue in the order it was submitted, from its first byte. Requests
 * submitted meanwhile wait behind them. A backend not back within
 * reconnect_timeout_ns breaks the device: everything fails
 * (BLKIF_RSP_ERROR).
 *
 * A request whose pages the departed backend still maps (it is frozen,
 * or slow to unmap) goes out again too, but only once every grant of its
 * previous attempt is released: the handshake waits for that, at most
 * close_timeout_ns (after which the device breaks and such a request fails
 * once the backend lets go). Sending it again is sound: a write's pages
 * were granted read-only, so its data is still the caller's (and data
 * copied through the pool is copied again from the caller's buffer); what
 * the old backend wrote into a read's pages is read over; and as nothing of
 * the old attempt can touch the buffer any more, the new attempt's answer
 * is the one the caller sees. So no acknowledged write is lost and none is
 * failed that could have been done.
 *
 * A ring request not answered within request_timeout_ns resets the
 * connection the same way: we close, the backend closes, we connect again
 * and replay. A flush goes out only once everything before it on its queue
 * was answered, so it never overtakes a write, replayed or not.
 *
 * Removal. The toolstack unplugs a disk (xl block-detach; libxl's
 * libxl__initiate_device_generic_remove) by writing the backend's "online"
 * 0 and its state Closing in one transaction, then waits (10 s) for the
 * backend to reach Closed, which a backend does once its frontend is
 * Closed, and forces the removal after that. A restart leaves "online" 1.
 * So a backend that leaves Connected with "online" 0 (or whose directory is
 * gone) is a removal, not a restart: nothing waits for reconnect_timeout_ns
 * and nothing is sent again. We switch to Closing at once; the ring
 * requests in flight get close_timeout_ns to be answered (a backend serves
 * its ring until we are Closed), requests not yet on a ring are not sent;
 * then what is left fails (BLKIF_RSP_ERROR, once, a request whose pages
 * the backend still maps when it lets go), later submissions fail at once,
 * and we switch to Closed, waiting (close_timeout_ns) for the backend's
 * Closed, so the toolstack finishes without forcing. We close even while
 * the disk is in use, as Linux's blkfront does: the toolstack would force
 * it anyway, and a disk whose backend is gone serves nothing. The owner
 * is told through vbd_front_options.gone and vbd_front_gone(); it still
 * calls vbd_front_close, which then has nothing left to close. A removal
 * while we wait for a backend to come back ends the wait the same way; one
 * while vbd_front_open waits for the backend makes it fail with
 * -XEN_ENODEV, the frontend Closed (or, if the backend connected first,
 * the owner is told from another thread as soon as the open has set its
 * handle, which may be before the open returns).
 *
 * Dump mode (vbd_front_options.dump): the frontend keeps a context a
 * dump copy of the driver writes a crash dump or a hibernation file
 * through, on queue 0's live ring (core/vbd/dump.h).
 *
 * Online resize: a backend that writes its state (Connected) again with a
 * new "sectors" changes what vbd_front_disk() says from then on.
 *
 * Suspend and resume of the domain (front_suspend.c), given the SUSPEND
 * table: before the domain suspends nothing new goes on the rings and what
 * is on them gets 100 ms to be answered; requests submitted meanwhile wait.
 * A cancelled suspend goes on in place. Restored as a new domain, the
 * device's backend is found again (the toolstack made one for the new
 * domain) and connected to as after a restart: every request not answered
 * before the suspend goes out again, in order, so no acknowledged write is
 * lost; one the old backend did apply is applied again with the same data,
 * before anything submitted after it. A suspend while vbd_front_open runs
 * is not followed (the open fails, or the reconnection finds the old
 * backend gone).
 */
#ifndef WINPV_CORE_VBD_FRONT_H
#define WINPV_CORE_VBD_FRONT_H

#include <stdbool.h>
#include <stdint.h>

#include "vbd/scsi.h"
#include "winpv/evtchn_interface.h"
#include "winpv/gnttab_interface.h"
#include "winpv/store_interface.h"
#include "winpv/suspend_interface.h"
#include "winpv/xenbus_interface.h"

/* Our limits, whatever the backend offers. */
#define VBD_FRONT_MAX_QUEUES          16u
#define VBD_FRONT_MAX_RING_PAGE_ORDER 4u     /* 16 pages: 512 requests a queue */
#define VBD_FRONT_MAX_SEGMENTS        4096u  /* 8 indirect pages of 512 segments */
#define VBD_FRONT_MAX_COPY_PAGES      65536u /* pool pages a queue */

/* Defaults for what vbd_front_options leaves 0. */
#define VBD_FRONT_SEGMENTS_DEFAULT          256u /* indirect segments a request: 1 MiB */
/* Pool pages of the disk, shared by its queues: 32 pieces of the largest size with their list page ... */
#define VBD_FRONT_COPY_PAGES_PERSISTENT     (32u * (VBD_FRONT_SEGMENTS_DEFAULT + 1u))
#define VBD_FRONT_COPY_PAGES_PERSISTENT_MIN 512u /* ... each of which has at least these */
#define VBD_FRONT_COPY_PAGES_DEFAULT        128u
#define VBD_FRONT_MAX_TRANSFER_DEFAULT      (1024u * 1024u)
#define VBD_FRONT_TIMEOUT_NS_DEFAULT        (30ull * 1000 * 1000 * 1000)
#define VBD_FRONT_CLOSE_TIMEOUT_NS_DEFAULT  (5ull * 1000 * 1000 * 1000)
#define VBD_FRONT_RECONNECT_NS_DEFAULT      (60ull * 1000 * 1000 * 1000)
#define VBD_FRONT_REQUEST_NS_DEFAULT        (30ull * 1000 * 1000 * 1000)

/*
 * The disk was unplugged by the toolstack (see Removal above): every
 * request accepted before has completed (but one whose pages a backend
 * still maps, which completes when it lets go), the frontend is Closed,
 * and what is submitted from now on fails at once. Called once, in passive
 * context on the frontend's work item. It must not call vbd_front_close
 * (which waits for that work item): a Storport shell reports the target
 * gone (XENBUS's device ejected, or the bus rescanned) and closes on the
 * PnP removal that follows. Not called for a device broken before or
 * during the removal (it failed everything and XENBUS switched it to
 * Closing): it stays broken, and vbd_front_gone says false.
 */
typedef void (*vbd_front_gone_fn)(void *ctx);

/* The tables XENBUS served the driver; they must outlive the frontend. */
struct vbd_front_services {
    const struct winpv_store_interface_v1 *store;
    const struct winpv_xenbus_interface_v1 *xenbus;
    const struct winpv_gnttab_interface_v1 *gnttab;
    const struct winpv_evtchn_interface_v1 *evtchn;
    const struct winpv_suspend_interface_v1 *suspend; /* NULL: suspends are not followed */
};

/*
 * What to use of what the backend offers. All zero: everything, at the
 * defaults. The no_* switches exist so tests can run each combination.
 */
struct vbd_front_options {
    uint32_t max_queues;           /* 0: one per processor (at most VBD_FRONT_MAX_QUEUES) */
    uint32_t max_ring_page_order;  /* 0: VBD_FRONT_MAX_RING_PAGE_ORDER */
    uint32_t max_segments;         /* indirect segments; 0: VBD_FRONT_SEGMENTS_DEFAULT */
    uint32_t copy_pages;           /* pool pages a queue; 0: a default (see above) */
    uint32_t max_transfer;         /* bytes a SCSI command may move; 0: the default */
    uint64_t timeout_ns;           /* each wait of the handshake; 0: the default */
    uint64_t close_timeout_ns;     /* each wait of closing; 0: the default */
    uint64_t reconnect_timeout_ns; /* for a backend that left to come back; 0: the default */
    uint64_t request_timeout_ns;   /* for an answer, before a reset; 0: the default */
    bool no_multi_queue;           /* one queue */
    bool no_multi_page_ring;       /* one-page rings */
    bool no_indirect;              /* BLKIF_MAX_SEGMENTS_PER_REQUEST at most */
    bool no_persistent;            /* grant the caller's pages for each request */
    bool no_flush;                 /* ignore feature-flush-cache */
    bool no_barrier;               /* ignore feature-barrier */
    bool no_discard;               /* ignore feature-discard */
    bool dump;                     /* prepare a dump context (vbd_front_dump_context) */
    vbd_front_gone_fn gone;        /* told of a removal (may be NULL) ... */
    void *gone_ctx;                /* ... with this */
};

/* What was negotiated. */
struct vbd_front_info {
    uint16_t handle;       /* the virtual device number requests carry */
    uint32_t backend_id;   /* the backend's domain */
    uint32_t queues;       /* rings */
    uint32_t ring_pages;   /* pages a ring */
    uint32_t ring_slots;   /* requests in flight a ring */
    uint32_t max_segments; /* segments a ring request (BLKIF_MAX_SEGMENTS_PER_REQUEST or more) */
    uint32_t copy_pages;   /* pool pages a queue */
    uint32_t sector_unit;  /* bytes of a sector on the ring: the backend's sector-size */
    bool indirect;         /* BLKIF_OP_INDIRECT in use */
    bool persistent;       /* every data byte copied through the pool */
    uint8_t flush_op;      /* BLKIF_OP_FLUSH_DISKCACHE, BLKIF_OP_WRITE_BARRIER or 0 (none) */
    bool discard;
    bool discard_secure;
};

/* Counters, summed over the queues (queue_requests per queue). */
struct vbd_front_stats {
    uint64_t submitted;         /* requests accepted */
    uint64_t completed;         /* completions called, successes and failures */
    uint64_t failed;            /* ... of which with a status other than OKAY */
    uint64_t ring_requests;     /* ring slots filled, every kind */
    uint64_t indirect_requests; /* ... BLKIF_OP_INDIRECT */
    uint64_t copied_requests;   /* ... whose data went through the pool */
    uint64_t bounced_requests;  /* ... because the buffer was not on sector boundaries */
    uint64_t flushes;           /* ... flush or barrier */
    uint64_t discards;          /* ... discard */
    uint64_t waits;             /* times the first waiting request found no room */
    uint64_t reconnects;        /* times the rings were set up again for a returning backend */
    uint64_t replayed;          /* requests sent again after a reconnection */
    uint64_t timeouts;          /* resets because a ring request went unanswered */
    uint64_t resizes;           /* new sizes taken while connected */
    uint64_t queue_requests[VBD_FRONT_MAX_QUEUES];
};

/*
 * One part of a data buffer, within one guest page (a Windows
 * scatter-gather element is cut into these at page boundaries).
 */
struct vbd_front_sg {
    uint64_t gfn;
    uint32_t offset; /* bytes into the page */
    uint32_t length; /* 1 .. 4096 - offset */
};

struct vbd_front_request;

/*
 * The request is done: @status is BLKIF_RSP_OKAY, BLKIF_RSP_ERROR or
 * BLKIF_RSP_EOPNOTSUPP (what vbd_scsi_io_failed takes). Called once per
 * accepted request, in any context: from the event callback (dispatch), or
 * from vbd_front_submit itself, or in passive context when the request
 * waited for a backend to let go of its pages. The caller may submit
 * again from it, and free or reuse @req.
 */
typedef void (*vbd_front_done_fn)(void *ctx, struct vbd_front_request *req, int16_t status);

/* The frontend's bookkeeping of a request; the caller leaves it alone. */
struct vbd_front_request_state {
    struct vbd_front_request *next; /* in the waiting or the done list */
    uint64_t seq;                   /* order of submission on its queue */
    uint32_t queue;
    uint32_t issued;   /* READ/WRITE: bytes sent; FLUSH: 0/1; DISCARD: ranges sent */
    uint32_t total;    /* the same, in all */
    uint32_t inflight; /* ring requests not answered */
    uint32_t held;     /* ... of which taken back from a departed backend that still maps them */
    uint32_t sg_index; /* READ/WRITE: where the next piece starts in sg */
    uint32_t sg_skip;  /* ... bytes into that element */
    int16_t status;    /* the first failure, else BLKIF_RSP_OKAY */
    uint8_t phase;     /* the data, then a flush after (FUA) */
    bool waiting;      /* in the waiting list */
    bool copy;         /* data through the pool */
};

struct vbd_front_request {
    /* The caller's, set before vbd_front_submit. */
    struct vbd_scsi_io io;
    void *buffer;                  /* READ/WRITE: the data buffer's address */
    const struct vbd_front_sg *sg; /* READ/WRITE: the same buffer, from its byte 0 */
    uint32_t nr_sg;
    vbd_front_done_fn done;
    void *ctx;
    /* The frontend's. */
    struct vbd_front_request_state state;
};

struct vbd_front;

/*
 * Connect to the backend of device vbd/@id (its virtual-device number) as
 * above, waiting for each step at most @opt->timeout_ns (@opt may be
 * NULL). Returns 0 with the frontend in *out, or: -XEN_ENOENT (no such
 * device), -XEN_EINVAL (the backend's nodes make no sense: logged, and the
 * device failed through XENBUS), -XEN_ENOMEM, -XEN_ETIMEDOUT, -XEN_EIO
 * (the backend closed instead of connecting), -XEN_ENODEV (the disk is
 * being unplugged), or an error of the interfaces. Context: passive.
 */
int vbd_front_open(const struct vbd_front_services *svc, const char *id,
                   const struct vbd_front_options *opt, struct vbd_front **out);

/*
 * Requests still outstanding fail (BLKIF_RSP_ERROR, their grants revoked
 * first); waits up to close_timeout_ns for those whose pages a backend
 * still holds; closes the handshake (Closing, Closed, waiting for the
 * backend's; a removal did that already) and frees everything. Pages a
 * backend still maps are freed when it lets go (or leaked, if XENBUS stops
 * first). Context: passive.
 */
void vbd_front_close(struct vbd_front *front);

/*
 * The disk as negotiated now, checked by vbd_scsi_disk_check: a copy, whole
 * even while a resize or a reconnection changes it (take one for each
 * command, for vbd_scsi_attention_check and vbd_scsi_execute). Context: any.
 */
struct vbd_scsi_disk vbd_front_disk(const struct vbd_front *front);

/* What was negotiated. Context: any. */
void vbd_front_get_info(const struct vbd_front *front, struct vbd_front_info *info);

/* The counters now. Context: any. */
void vbd_front_get_stats(struct vbd_front *front, struct vbd_front_stats *stats);

/* Whether the device is broken (see above). Context: any. */
bool vbd_front_broken(const struct vbd_front *front);

/*
 * Whether the toolstack is unplugging the disk or has (see Removal above):
 * true from when the frontend sees it, before options->gone is called;
 * false for a device broken first, or closed by its owner first. Context: any.
 */
bool vbd_front_gone(const struct vbd_front *front);

/*
 * Start @req on queue @queue (taken modulo the number of queues: a
 * processor number will do). Returns 0 when accepted: @req->done will be
 * called once. Returns -XEN_EINVAL, and never calls it, for a request that
 * is malformed: an operation or range the SCSI layer never produces (not
 * within the disk, not whole sectors of the backend's size, no ranges), a
 * READ or WRITE without a buffer or whose sg does not cover it, an sg
 * element that leaves its page. A valid request the device cannot serve
 * completes with a status: a WRITE or DISCARD on a read-only disk and
 * anything on a broken, closing or unplugged device BLKIF_RSP_ERROR, a FLUSH or
 * DISCARD the backend does not offer BLKIF_RSP_EOPNOTSUPP. Context: any.
 */
int vbd_front_submit(struct vbd_front *front, unsigned int queue, struct vbd_front_request *req);

/*
 * The context a dump copy of the driver writes through (core/vbd/dump.h),
 * when vbd_front_options.dump asked for one and its pages could be
 * granted at the open; else NULL. It stays at this address until
 * vbd_front_close; its valid flag says whether it describes a live ring
 * now. Context: any.
 */
struct vbd_dump_context;
const struct vbd_dump_context *vbd_front_dump_context(const struct vbd_front *front);

#endif /* WINPV_CORE_VBD_FRONT_H */
