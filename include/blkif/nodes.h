/*
 * include/blkif/nodes.h - the xenstore nodes of the blkif protocol, as
 * Xen's io/blkif.h names them in its comments (it defines no macros for
 * them). One list for the frontend (core/vbd), the backend and toolstack of
 * the simulator (sim/blkback, sim/toolstack) and the tests, so that a
 * misspelt node is a build error, not a feature silently unused.
 */
#ifndef WINPV_BLKIF_NODES_H
#define WINPV_BLKIF_NODES_H

/* -- written by the toolstack in the backend's directory -------------------- */

#define BLKIF_NODE_MODE           "mode"           /* "r" or "w" */
#define BLKIF_NODE_DISCARD_ENABLE "discard-enable" /* 0: the backend offers no discard */

/* -- written by the backend --------------------------------------------------- */

#define BLKIF_NODE_SECTORS               "sectors"     /* size, in units of sector-size */
#define BLKIF_NODE_SECTOR_SIZE           "sector-size" /* bytes of a logical sector */
#define BLKIF_NODE_PHYSICAL_SECTOR_SIZE  "physical-sector-size"
#define BLKIF_NODE_INFO                  "info" /* VDISK_* bits */
#define BLKIF_NODE_FLUSH_CACHE           "feature-flush-cache"
#define BLKIF_NODE_BARRIER               "feature-barrier"
#define BLKIF_NODE_DISCARD               "feature-discard"
#define BLKIF_NODE_DISCARD_GRANULARITY   "discard-granularity"
#define BLKIF_NODE_DISCARD_ALIGNMENT     "discard-alignment"
#define BLKIF_NODE_DISCARD_SECURE        "discard-secure"
#define BLKIF_NODE_MAX_INDIRECT_SEGMENTS "feature-max-indirect-segments"
#define BLKIF_NODE_MAX_RING_PAGE_ORDER   "max-ring-page-order"
#define BLKIF_NODE_MAX_RING_PAGES        "max-ring-pages" /* the older form, in pages */
#define BLKIF_NODE_MAX_QUEUES            "multi-queue-max-queues"

/* -- written by either end: each says whether it offers them -------------------- */

#define BLKIF_NODE_PERSISTENT "feature-persistent"

/* -- written by the frontend ---------------------------------------------------- */

#define BLKIF_NODE_VIRTUAL_DEVICE    "virtual-device"
#define BLKIF_NODE_DEVICE_TYPE       "device-type"
#define BLKIF_NODE_PROTOCOL          "protocol"
#define BLKIF_NODE_LARGE_SECTOR_SIZE "feature-large-sector-size"
#define BLKIF_NODE_RING_PAGE_ORDER   "ring-page-order"
#define BLKIF_NODE_NUM_RING_PAGES    "num-ring-pages" /* the older form, in pages */
#define BLKIF_NODE_NUM_QUEUES        "multi-queue-num-queues"
/* "ring-ref" for a ring of one page; "ring-ref0", "ring-ref1" ... for more. */
#define BLKIF_NODE_RING_REF          "ring-ref"
#define BLKIF_NODE_EVENT_CHANNEL     "event-channel"
/* With several queues, each queue's ring-ref and event-channel go under "queue-0/" ... */
#define BLKIF_NODE_QUEUE             "queue-"

#endif /* WINPV_BLKIF_NODES_H */
