/*
 * include/blkif/segments.h - how a blkif request's segments are laid out
 * (Xen's io/blkif.h, BLKIF_OP_INDIRECT): up to BLKIF_MAX_SEGMENTS_PER_REQUEST
 * in the request itself, more only in an indirect request, whose segment
 * list fills granted pages of BLKIF_SEGS_PER_INDIRECT_PAGE entries each.
 * One rule for the frontend that cuts requests (core/vbd), and the backends
 * that take them (sim/blkback, the tests' hostile ones).
 */
#ifndef WINPV_BLKIF_SEGMENTS_H
#define WINPV_BLKIF_SEGMENTS_H

#include <stdbool.h>
#include <stdint.h>

#include <xen/io/blkif.h>

/* Bytes of a page granted for an indirect list (Xen's page, whatever the guest's). */
#define BLKIF_INDIRECT_PAGE_SIZE 4096u

/* Segments one indirect page lists. */
#define BLKIF_SEGS_PER_INDIRECT_PAGE \
    ((uint32_t)(BLKIF_INDIRECT_PAGE_SIZE / sizeof(struct blkif_request_segment)))

/* Whether @segs segments need an indirect request. */
static inline bool blkif_segs_indirect(uint32_t segs)
{
    return segs > BLKIF_MAX_SEGMENTS_PER_REQUEST;
}

/* Pages an indirect request's list of @segs segments fills. */
static inline uint32_t blkif_indirect_list_pages(uint32_t segs)
{
    return (segs + BLKIF_SEGS_PER_INDIRECT_PAGE - 1) / BLKIF_SEGS_PER_INDIRECT_PAGE;
}

#endif /* WINPV_BLKIF_SEGMENTS_H */
