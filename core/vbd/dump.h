/*
 * core/vbd/dump.h - writing a crash dump or a hibernation file on a PV
 * disk's live connection, from a second copy of the driver that runs
 * polled, at the highest interrupt level, with the rest of the machine
 * frozen (docs/ARCHITECTURE.md, "XENVBD's dump mode").
 *
 * Two halves:
 *
 * The context (front_dump.c), made by the normal frontend when its owner
 * asks for it (vbd_front_options.dump): the description of queue 0's live
 * ring and of the connection (ring pages, size, the event channel the
 * backend listens on, what was negotiated, the disk), rewritten at each
 * (re)connection and marked valid last, invalid first whenever the rings
 * stop (reconnection, suspend, removal, a broken device, the owner's
 * close); and pages of its own, granted once to the backend's domain when
 * the frontend opens: VBD_DUMP_DATA_PAGES data pages (1 MiB, the normal
 * path's largest transfer) and VBD_DUMP_LIST_PAGES indirect-list pages.
 * Nothing is granted at crash time, and the same reference always names
 * the same frame (persistent grants stay right).
 *
 * The writer (dump.c), in the dump copy: vbd_dump_attach takes the
 * context (refused when not valid, or when its pages are granted to
 * another domain than the ring's backend), and takes the ring from its
 * published indices, never from the frozen frontend's private ones.
 * vbd_dump_start begins one operation (a READ or WRITE of at most 1 MiB,
 * its data copied through the context's pages, or a flush);
 * vbd_dump_poll puts its pieces on the ring as room frees, kicks the
 * backend, and consumes responses: those of requests from before the
 * crash (ids without VBD_DUMP_ID_BASE) are dropped; one naming an id of
 * ours that is not outstanding, an operation not the one asked, or a
 * response index beyond what was requested fails the dump for good. A
 * transfer goes as indirect requests when the backend offers enough
 * segments, else as several requests of BLKIF_MAX_SEGMENTS_PER_REQUEST
 * out at once. The writer allocates nothing, takes no lock and never
 * waits: the caller polls, and bounds how long it does.
 *
 * The backend is not trusted: responses are copied out of the ring before
 * use, its indices checked; its data reaches the caller's buffer only
 * from a read it answered OKAY.
 */
#ifndef WINPV_CORE_VBD_DUMP_H
#define WINPV_CORE_VBD_DUMP_H

#include <stdbool.h>
#include <stdint.h>

#include <blkif/segments.h>
#include <xen/io/blkif.h>

#include "ring/ring.h"
#include "vbd/scsi.h"

#define VBD_DUMP_MAGIC      0x706d754444425600ull /* "\0VBDDump" */
#define VBD_DUMP_MAX_BYTES  (1024u * 1024u)       /* the largest transfer, as the normal path's */
#define VBD_DUMP_DATA_PAGES (VBD_DUMP_MAX_BYTES / 4096u)
/* Indirect requests only when at most this many carry 1 MiB (their list pages are pre-granted). */
#define VBD_DUMP_LIST_PAGES 2u
#define VBD_DUMP_PAGES      (VBD_DUMP_DATA_PAGES + VBD_DUMP_LIST_PAGES)
/* Ring requests of one transfer: 1 MiB in pieces of BLKIF_MAX_SEGMENTS_PER_REQUEST pages. */
#define VBD_DUMP_MAX_PIECES \
    ((VBD_DUMP_DATA_PAGES + BLKIF_MAX_SEGMENTS_PER_REQUEST - 1) / BLKIF_MAX_SEGMENTS_PER_REQUEST)
/*
 * Ids of the writer's requests have this bit; the normal frontend's never
 * do (a slot's generation stays below 2^31).
 */
#define VBD_DUMP_ID_BASE (1ull << 63)

/* Queue 0's ring and the connection, as the normal frontend has them now. */
struct vbd_dump_ring {
    void *sring;           /* the shared ring: ring_pages consecutive pages (virtual) */
    uint32_t ring_pages;   /* pages of the ring */
    uint32_t port;         /* our end of its event channel (EVTCHNOP_send) */
    uint16_t handle;       /* the virtual device number requests carry */
    uint16_t backend_id;   /* the backend's domain */
    uint32_t sector_unit;  /* bytes of a ring sector (the backend's sector-size) */
    uint32_t max_segments; /* segments a ring request (above 11: indirect) */
    bool indirect;         /* BLKIF_OP_INDIRECT negotiated */
    uint8_t flush_op;      /* BLKIF_OP_FLUSH_DISKCACHE, BLKIF_OP_WRITE_BARRIER or 0 */
    uint64_t sectors;      /* the disk's size in 512-byte sectors */
    uint32_t sector_size;  /* its logical block */
    bool read_only;
};

/*
 * What the normal frontend hands its dump copy (the Storport
 * MiniportPrivateDumpData). Written by the normal frontend only; the dump
 * copy reads it.
 */
struct vbd_dump_context {
    uint64_t magic;          /* VBD_DUMP_MAGIC */
    volatile uint32_t valid; /* 1: ring describes a live connection; written last, cleared first */
    uint32_t generation;     /* counts rewrites of ring */
    struct vbd_dump_ring ring;
    uint8_t *pages;       /* VBD_DUMP_PAGES pages: data first, then the indirect lists */
    uint16_t pages_domid; /* the domain they are granted to */
    uint32_t refs[VBD_DUMP_PAGES];
};

/* A piece of a transfer on the ring. */
struct vbd_dump_piece {
    uint32_t first_page; /* its first data page */
    uint32_t pages;
    uint32_t bytes;
    uint64_t sector; /* in ring sectors */
    bool sent, answered;
};

/* kick: notify the backend on event channel @port (EVTCHNOP_send). Context: as the caller's. */
typedef int (*vbd_dump_kick_fn)(uint32_t port);

/* The writer's state: lives in the dump copy's own memory, no allocation. */
struct vbd_dump {
    const struct vbd_dump_context *ctx;
    struct vbd_dump_ring ring; /* copied once at attach */
    struct ring_front rf;
    vbd_dump_kick_fn kick;
    uint32_t seq; /* of the operation now, in the ids */
    bool busy;    /* an operation under way */
    uint8_t op;   /* its BLKIF_OP_READ, _WRITE or flush op */
    bool use_indirect;
    uint32_t segs_per_piece;
    uint32_t nr_pieces, sent, answered;
    struct vbd_dump_piece piece[VBD_DUMP_MAX_PIECES];
    void *read_to; /* a READ's destination, filled once all pieces are answered OKAY */
    uint32_t bytes;
    int16_t status;      /* the first failure of the operation, else BLKIF_RSP_OKAY */
    uint64_t dropped;    /* responses to requests from before the crash */
    const char *failure; /* why the writer gave up, for good; NULL while it works */
};

/*
 * Take @ctx's ring for writing, kicking the backend with @kick. Returns 0,
 * or -XEN_ENODEV when @ctx is not a valid context (a connection being
 * made or gone, a device broken or closed: no dump rather than a wrong
 * one), -XEN_EINVAL when it makes no sense, -XEN_EOVERFLOW when the
 * ring's indices already claim more than the ring holds. Context: any.
 */
int vbd_dump_attach(struct vbd_dump *d, const struct vbd_dump_context *ctx, vbd_dump_kick_fn kick);

/* The disk as the SCSI layer answers for it in dump mode. Context: any. */
struct vbd_scsi_disk vbd_dump_disk(const struct vbd_dump *d);

/*
 * Begin @io (READ or WRITE of @buffer, at most VBD_DUMP_MAX_BYTES, or a
 * FLUSH; nothing else). A WRITE's data is copied now. Returns 0, or
 * -XEN_EINVAL (not such an operation, not whole ring sectors, beyond the
 * disk), -XEN_EBUSY (one under way), -XEN_EIO (the writer gave up), or
 * -XEN_EOPNOTSUPP (a flush the backend does not offer). Context: any.
 */
int vbd_dump_start(struct vbd_dump *d, const struct vbd_scsi_io *io, void *buffer);

/*
 * Move the operation on: send what fits, consume what was answered.
 * Returns 1 when it is over (its blkif status in *status; a READ's data in
 * its buffer if OKAY), 0 while it is not, or -XEN_EIO / -XEN_EOVERFLOW
 * when the backend broke the protocol (the writer gives up for good:
 * d->failure says why). Context: any.
 */
int vbd_dump_poll(struct vbd_dump *d, int16_t *status);

/* Give up the operation under way (the caller's bound ran out); the writer is done for. */
void vbd_dump_abandon(struct vbd_dump *d, const char *why);

#endif /* WINPV_CORE_VBD_DUMP_H */
