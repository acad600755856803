/*
 * sim/blkback/grants.h - the frontend's data pages, mapped for one request.
 *
 * Without persistent grants every request maps its segments' grants in one
 * call (read-only for a write, writable for a read) and unmaps them when it
 * completes. With them (feature-persistent on both sides), a grant once
 * mapped stays mapped, writable, until the connection ends, as Linux's
 * blkback keeps them; at most max of them per device. The grants of one
 * request not yet kept are mapped together, in one call. A grant that does
 * not fit, or that the frontend granted read-only against the protocol's
 * rule, is mapped for the request alone.
 */
#ifndef WINPV_BLKBACK_GRANTS_H
#define WINPV_BLKBACK_GRANTS_H

#include <stdbool.h>
#include <stdint.h>

#include "dom0.h"
#include "request.h"

struct persistent_grant {
    uint32_t gref;
    uint8_t *page; /* NULL: an empty slot */
};

/* One dom0_map of persistent grants, unmapped as a whole when the connection ends. */
struct persistent_mapping {
    uint8_t *pages;
    uint32_t count;
};

struct grants {
    struct dom0 *dom0;
    uint32_t domid;
    bool persistent;
    uint32_t max;      /* persistent grants at most */
    uint32_t count;    /* persistent grants mapped */
    uint32_t capacity; /* slots of table, a power of two */
    struct persistent_grant *table;
    struct persistent_mapping *mappings;
    uint32_t nr_mappings, mappings_room;
    /* Scratch: references to map, and the segment (or page) each is for. */
    uint32_t scratch_room;
    uint32_t *refs;
    uint32_t *index;
    uint8_t **found;
    uint32_t *segment_refs; /* grants_get: the request's references */
};

/* What one request mapped for itself, to unmap when it completes. */
struct request_maps {
    uint8_t *pages; /* NULL: nothing */
    uint32_t count;
};

/* @max_segments: the most segments a request may have. Returns 0 or -ENOMEM. */
int grants_init(struct grants *g, struct dom0 *dom0, uint32_t domid, bool persistent,
                uint32_t max_persistent, uint32_t max_segments);

/* Unmap every persistent grant and free the table. No request may be using them. */
void grants_release(struct grants *g);

/*
 * The page of each segment of @op in @pages[i]; @writable: the backend
 * writes them (a read). Returns 0, or -EFAULT when a grant cannot be mapped
 * (nothing is then left mapped for the request).
 */
int grants_get(struct grants *g, const struct blk_op *op, bool writable, uint8_t **pages,
               struct request_maps *maps);

/* Unmap what grants_get mapped for the request alone. */
void grants_put(struct grants *g, struct request_maps *maps);

/*
 * Copy the @count granted pages @refs (an indirect request's segment
 * lists) to @dst, @count pages long: through the persistent mappings where
 * there are (as Linux's blkback keeps indirect pages too), the rest mapped
 * for the copy alone. Returns 0 or -EFAULT.
 */
int grants_copy_pages(struct grants *g, const uint32_t *refs, uint32_t count, uint8_t *dst);

#endif /* WINPV_BLKBACK_GRANTS_H */
