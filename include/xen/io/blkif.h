/*
 * xen/io/blkif.h - the block device protocol: one shared ring of requests
 * and responses per queue.
 *
 * Sector numbers count 512-byte sectors unless the backend offers and the
 * frontend accepts "feature-large-sector-size". Data moves through granted
 * pages, each a segment naming the sectors of the page that take part.
 */
#ifndef WINPV_XEN_IO_BLKIF_H
#define WINPV_XEN_IO_BLKIF_H

#include <stdint.h>

#include "../grant_table.h"
#include "ring.h"

typedef uint16_t blkif_vdev_t;   /* the virtual device a request is for */
typedef uint64_t blkif_sector_t; /* a sector number on the device */

#define BLKIF_OP_READ            0
#define BLKIF_OP_WRITE           1
#define BLKIF_OP_WRITE_BARRIER   2 /* earlier writes complete first ("feature-barrier") */
#define BLKIF_OP_FLUSH_DISKCACHE 3 /* commit the device's write cache ("feature-flush-cache") */
#define BLKIF_OP_RESERVED_1      4
#define BLKIF_OP_DISCARD         5 /* struct blkif_request_discard ("feature-discard") */
#define BLKIF_OP_INDIRECT        6 /* struct blkif_request_indirect */

/* Segments a request carries in its own slot (more need BLKIF_OP_INDIRECT). */
#define BLKIF_MAX_SEGMENTS_PER_REQUEST 11

/* Pages of segments an indirect request may list. */
#define BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST 8

/* A granted page, of which sectors first_sect..last_sect (inclusive) move. */
struct blkif_request_segment {
    grant_ref_t gref;
    uint8_t first_sect, last_sect;
};

/* A read or write; also the start of every other request. */
struct blkif_request {
    uint8_t operation; /* BLKIF_OP_* */
    uint8_t nr_segments;
    blkif_vdev_t handle;
    uint64_t id; /* the frontend's own, echoed in the response */
    blkif_sector_t sector_number;
    struct blkif_request_segment seg[BLKIF_MAX_SEGMENTS_PER_REQUEST];
};
typedef struct blkif_request blkif_request_t;

/* The same slot when operation is BLKIF_OP_DISCARD. */
struct blkif_request_discard {
    uint8_t operation;
    uint8_t flag; /* BLKIF_DISCARD_SECURE or 0 */
    blkif_vdev_t handle;
    uint64_t id;
    blkif_sector_t sector_number;
    uint64_t nr_sectors;
};
typedef struct blkif_request_discard blkif_request_discard_t;

/* Make the discarded data unrecoverable (only with "discard-secure"). */
#define BLKIF_DISCARD_SECURE (1 << 0)

/*
 * The same slot when operation is BLKIF_OP_INDIRECT: the segments
 * (struct blkif_request_segment, 512 to a page) are in the pages granted in
 * indirect_grefs. nr_segments may go up to the backend's
 * "feature-max-indirect-segments".
 */
struct blkif_request_indirect {
    uint8_t operation;
    uint8_t indirect_op; /* BLKIF_OP_READ or BLKIF_OP_WRITE */
    uint16_t nr_segments;
    uint64_t id;
    blkif_sector_t sector_number;
    blkif_vdev_t handle;
    grant_ref_t indirect_grefs[BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST];
};
typedef struct blkif_request_indirect blkif_request_indirect_t;

struct blkif_response {
    uint64_t id;       /* the request's */
    uint8_t operation; /* the request's */
    int16_t status;    /* BLKIF_RSP_* */
};
typedef struct blkif_response blkif_response_t;

#define BLKIF_RSP_EOPNOTSUPP (-2) /* the operation is not supported */
#define BLKIF_RSP_ERROR      (-1)
#define BLKIF_RSP_OKAY       (0)

/* A ring slot holds any request or a response. */
union blkif_sring_entry {
    struct blkif_request req;
    struct blkif_response rsp;
};

/* Bits of the backend's "info" node. */
#define VDISK_CDROM     0x1
#define VDISK_REMOVABLE 0x2
#define VDISK_READONLY  0x4

#endif /* WINPV_XEN_IO_BLKIF_H */
