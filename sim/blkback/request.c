/* sim/blkback/request.c - see request.h. */
#include <string.h>

#include "request.h"

/* Whether @count units from @sector lie inside the disk (no overflow possible). */
static bool inside_disk(const struct blk_limits *lim, uint64_t sector, uint64_t count)
{
    return sector <= lim->sectors && count <= lim->sectors - sector;
}

/* Copy and check @count segments; sets op->segs, op->length and checks the range. */
static int16_t take_segments(const struct blkif_request_segment *segs, uint32_t count,
                             const struct blk_limits *lim, struct blk_op *op)
{
    uint32_t per_page = BLK_PAGE_SIZE / lim->unit;
    uint64_t bytes = 0;

    for (uint32_t i = 0; i < count; i++) {
        struct blkif_request_segment s;

        memcpy(&s, &segs[i], sizeof(s)); /* one read of each field */
        if (s.first_sect > s.last_sect || s.last_sect >= per_page)
            return BLKIF_RSP_ERROR;
        op->segs[i].gref = s.gref;
        op->segs[i].offset = (uint16_t)(s.first_sect * lim->unit);
        op->segs[i].length = (uint16_t)((s.last_sect - s.first_sect + 1u) * lim->unit);
        bytes += op->segs[i].length;
    }
    op->nr_segments = count;
    op->length = bytes;
    if (!inside_disk(lim, op->sector, bytes / lim->unit))
        return BLKIF_RSP_ERROR;
    op->offset = op->sector * lim->unit;
    return BLKIF_RSP_OKAY;
}

/* Reads and writes, and flushes or barriers that carry data. */
static int16_t parse_rw(const struct blkif_request *req, const struct blk_limits *lim,
                        struct blk_op *op)
{
    uint8_t nseg = req->nr_segments;

    op->sector = req->sector_number;
    if (op->kind != BLK_READ && lim->readonly)
        return BLKIF_RSP_ERROR;
    if (nseg > BLKIF_MAX_SEGMENTS_PER_REQUEST)
        return BLKIF_RSP_ERROR;
    if (nseg == 0) {
        /* Only a flush or a barrier may come without data. */
        op->nr_segments = 0;
        op->length = 0;
        return op->kind == BLK_FLUSH || op->kind == BLK_BARRIER ? BLKIF_RSP_OKAY : BLKIF_RSP_ERROR;
    }
    return take_segments(req->seg, nseg, lim, op);
}

static int16_t parse_discard(const struct blkif_request_discard *req, const struct blk_limits *lim,
                             struct blk_op *op)
{
    uint64_t sector = req->sector_number, count = req->nr_sectors;

    if (!lim->discard)
        return BLKIF_RSP_EOPNOTSUPP;
    if (lim->readonly || !inside_disk(lim, sector, count))
        return BLKIF_RSP_ERROR;
    op->sector = sector;
    op->offset = sector * lim->unit;
    op->length = count * lim->unit;
    /* Without discard-secure offered the flag is ignored (blkif.h). */
    op->secure = lim->discard_secure && (req->flag & BLKIF_DISCARD_SECURE);
    return BLKIF_RSP_OKAY;
}

static int16_t parse_indirect(const struct blkif_request_indirect *req,
                              const struct blk_limits *lim, struct blk_op *op)
{
    uint32_t nseg = req->nr_segments;

    if (lim->max_indirect_segments == 0)
        return BLKIF_RSP_EOPNOTSUPP;
    if (req->indirect_op == BLKIF_OP_READ)
        op->kind = BLK_READ;
    else if (req->indirect_op == BLKIF_OP_WRITE)
        op->kind = BLK_WRITE;
    else
        return BLKIF_RSP_ERROR;
    /* As Linux's blkback, the response carries the operation done. */
    op->rsp_operation = req->indirect_op;
    if (op->kind == BLK_WRITE && lim->readonly)
        return BLKIF_RSP_ERROR;
    if (nseg == 0 || nseg > lim->max_indirect_segments)
        return BLKIF_RSP_ERROR;
    op->sector = req->sector_number;
    op->nr_segments = nseg;
    op->nr_indirect_pages = blkif_indirect_list_pages(nseg);
    memcpy(op->indirect_grefs, req->indirect_grefs, op->nr_indirect_pages * sizeof(grant_ref_t));
    return BLKIF_RSP_OKAY;
}

int16_t request_parse(const union blkif_sring_entry *entry, const struct blk_limits *lim,
                      struct blk_op *op)
{
    const struct blkif_request *req = &entry->req;
    struct blk_segment *segs = op->segs;
    struct blkif_request_discard discard;
    struct blkif_request_indirect indirect;

    memset(op, 0, sizeof(*op));
    op->segs = segs;
    op->id = req->id; /* at the same place in every kind of request */
    op->rsp_operation = req->operation;
    switch (req->operation) {
    case BLKIF_OP_READ:
        op->kind = BLK_READ;
        return parse_rw(req, lim, op);
    case BLKIF_OP_WRITE:
        op->kind = BLK_WRITE;
        return parse_rw(req, lim, op);
    case BLKIF_OP_FLUSH_DISKCACHE:
        op->kind = BLK_FLUSH;
        return lim->flush ? parse_rw(req, lim, op) : BLKIF_RSP_EOPNOTSUPP;
    case BLKIF_OP_WRITE_BARRIER:
        op->kind = BLK_BARRIER;
        return lim->barrier ? parse_rw(req, lim, op) : BLKIF_RSP_EOPNOTSUPP;
    case BLKIF_OP_DISCARD:
        memcpy(&discard, entry, sizeof(discard));
        op->kind = BLK_DISCARD;
        return parse_discard(&discard, lim, op);
    case BLKIF_OP_INDIRECT:
        memcpy(&indirect, entry, sizeof(indirect));
        return parse_indirect(&indirect, lim, op);
    default:
        return BLKIF_RSP_EOPNOTSUPP;
    }
}

int16_t request_parse_indirect(const struct blkif_request_segment *segs,
                               const struct blk_limits *lim, struct blk_op *op)
{
    return take_segments(segs, op->nr_segments, lim, op);
}
