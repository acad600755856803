/*
 * sim/blkback/request.h - a blkif request, copied out of the ring, checked
 * and turned into what the backend does: an operation on a byte range of
 * the disk, with the granted pages (and the part of each) it moves.
 *
 * Nothing from the frontend is trusted: every field is checked here against
 * the disk and the features offered, and a request that fails a check gets
 * the status to answer it with, before anything is mapped or done.
 */
#ifndef WINPV_BLKBACK_REQUEST_H
#define WINPV_BLKBACK_REQUEST_H

#include <stdbool.h>
#include <stdint.h>

#include <blkif/segments.h>
#include <xen/io/blkif.h>

#define BLK_PAGE_SIZE 4096u

enum blk_kind {
    BLK_READ,
    BLK_WRITE,
    BLK_FLUSH,   /* write the segments (if any), then fdatasync */
    BLK_BARRIER, /* as flush, after every earlier request completed */
    BLK_DISCARD,
};

/* What requests may ask for on this connection. */
struct blk_limits {
    uint64_t sectors; /* the disk's size in units */
    uint32_t unit;    /* bytes of one sector as requests count them */
    bool readonly;
    bool flush, barrier, discard, discard_secure;
    uint32_t max_indirect_segments; /* 0: BLKIF_OP_INDIRECT not offered */
};

/* Part of one granted page: bytes [offset, offset + length). */
struct blk_segment {
    uint32_t gref;
    uint16_t offset;
    uint16_t length;
};

struct blk_op {
    uint64_t id;           /* echoed in the response */
    uint8_t rsp_operation; /* the response's operation */
    enum blk_kind kind;
    uint64_t sector; /* in units, as the request gave it */
    uint64_t offset; /* bytes on the disk */
    uint64_t length; /* bytes: the segments' total, or the range discarded */
    bool secure;     /* a secure discard */
    uint32_t nr_segments;
    uint32_t nr_indirect_pages; /* > 0: segments are in these granted pages */
    uint32_t indirect_grefs[BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST];
    struct blk_segment *segs; /* the caller's array, room for the most segments allowed */
};

/*
 * Check the request in @entry (already copied from the ring) and describe
 * it in @op (whose segs the caller provides). Returns BLKIF_RSP_OKAY, or the
 * status to answer with: BLKIF_RSP_EOPNOTSUPP for an operation not offered,
 * BLKIF_RSP_ERROR for anything malformed. op->id and op->rsp_operation are
 * set either way. An indirect request comes back with nr_indirect_pages set
 * and its segments still to be read: see request_parse_indirect.
 */
int16_t request_parse(const union blkif_sring_entry *entry, const struct blk_limits *lim,
                      struct blk_op *op);

/*
 * The segments of an indirect request, copied from its pages: check them
 * and complete @op. Returns BLKIF_RSP_OKAY or BLKIF_RSP_ERROR.
 */
int16_t request_parse_indirect(const struct blkif_request_segment *segs,
                               const struct blk_limits *lim, struct blk_op *op);

#endif /* WINPV_BLKBACK_REQUEST_H */
