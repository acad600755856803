/*
 * core/vbd/dump.c - the polled blkif writer of a dump copy (see dump.h).
 */
#include <string.h>

#include "os.h"
#include "vbd/dump.h"

#define PAGE_BYTES 4096u

/* Ids: the base bit, the operation's sequence, the piece. */
static uint64_t piece_id(const struct vbd_dump *d, uint32_t i)
{
    return VBD_DUMP_ID_BASE | ((uint64_t)d->seq << 16) | i;
}

static void give_up(struct vbd_dump *d, const char *why)
{
    if (d->failure == NULL)
        d->failure = why;
    d->busy = false;
}

static bool ring_sane(const struct vbd_dump_ring *r)
{
    uint32_t unit = r->sector_unit;

    return r->sring && r->ring_pages >= 1 && r->ring_pages <= 16 && unit >= 512 &&
           unit <= PAGE_BYTES && (unit & (unit - 1)) == 0 && r->sector_size >= 512 &&
           (r->sector_size & (r->sector_size - 1)) == 0 && r->sectors > 0 && r->max_segments >= 1;
}

int vbd_dump_attach(struct vbd_dump *d, const struct vbd_dump_context *ctx, vbd_dump_kick_fn kick)
{
    const struct xen_sring_header *shared;
    RING_IDX req_prod, rsp_prod;
    int rc;

    memset(d, 0, sizeof(*d));
    if (ctx == NULL || ctx->magic != VBD_DUMP_MAGIC || kick == NULL)
        return -XEN_EINVAL;
    if (os_atomic_load32(&ctx->valid) != 1)
        return -XEN_ENODEV;
    d->ring = ctx->ring;
    /* Read after the copy: a context invalidated while it was copied is not taken. */
    if (os_atomic_load32(&ctx->valid) != 1)
        return -XEN_ENODEV;
    if (!ring_sane(&d->ring) || ctx->pages == NULL)
        return -XEN_EINVAL;
    if (ctx->pages_domid != d->ring.backend_id)
        return -XEN_ENODEV; /* granted to a backend domain that is not this ring's */
    rc = ring_front_attach(&d->rf, d->ring.sring, (size_t)d->ring.ring_pages * PAGE_BYTES,
                           sizeof(union blkif_sring_entry), 0);
    if (rc)
        return rc;
    shared = d->ring.sring;
    /*
     * Requests go on after the last one published; responses before the
     * backend's index now answer requests of before the crash: dropped
     * unseen, as are those still to come for them.
     */
    req_prod = os_atomic_load32(&shared->req_prod);
    rsp_prod = os_atomic_load32(&shared->rsp_prod);
    if ((RING_IDX)(req_prod - rsp_prod) > d->rf.ring.size)
        return -XEN_EOVERFLOW;
    d->rf.req_prod_pvt = d->rf.req_published = req_prod;
    d->rf.rsp_cons = d->rf.rsp_seen = rsp_prod;
    d->ctx = ctx;
    d->kick = kick;
    d->use_indirect = d->ring.indirect && d->ring.max_segments > BLKIF_MAX_SEGMENTS_PER_REQUEST &&
                      (VBD_DUMP_DATA_PAGES + d->ring.max_segments - 1) / d->ring.max_segments <=
                          VBD_DUMP_LIST_PAGES;
    d->segs_per_piece = d->use_indirect
                            ? (d->ring.max_segments < VBD_DUMP_DATA_PAGES ? d->ring.max_segments
                                                                          : VBD_DUMP_DATA_PAGES)
                            : BLKIF_MAX_SEGMENTS_PER_REQUEST;
    return 0;
}

struct vbd_scsi_disk vbd_dump_disk(const struct vbd_dump *d)
{
    return (struct vbd_scsi_disk){.sectors = d->ring.sectors,
                                  .sector_size = d->ring.sector_size,
                                  .max_transfer = VBD_DUMP_MAX_BYTES,
                                  .read_only = d->ring.read_only,
                                  .flush = d->ring.flush_op != 0};
}

int vbd_dump_start(struct vbd_dump *d, const struct vbd_scsi_io *io, void *buffer)
{
    uint32_t per_unit = d->ring.sector_unit / 512, bytes;

    if (d->failure || d->ctx == NULL)
        return -XEN_EIO;
    if (d->busy)
        return -XEN_EBUSY;
    d->seq = (d->seq + 1) & 0xffffff;
    d->sent = d->answered = d->nr_pieces = 0;
    d->status = BLKIF_RSP_OKAY;
    d->read_to = NULL;
    d->bytes = 0;
    if (io->op == VBD_SCSI_OP_FLUSH) {
        if (d->ring.flush_op == 0)
            return -XEN_EOPNOTSUPP;
        d->op = d->ring.flush_op;
        d->piece[0] = (struct vbd_dump_piece){0};
        d->nr_pieces = 1;
        d->busy = true;
        return 0;
    }
    if ((io->op != VBD_SCSI_OP_READ && io->op != VBD_SCSI_OP_WRITE) || buffer == NULL ||
        io->sectors == 0 || io->sectors > VBD_DUMP_MAX_BYTES / 512 || io->sector % per_unit ||
        io->sectors % per_unit || io->sector >= d->ring.sectors ||
        io->sectors > d->ring.sectors - io->sector)
        return -XEN_EINVAL;
    if (io->op == VBD_SCSI_OP_WRITE && d->ring.read_only)
        return -XEN_EINVAL;
    bytes = io->sectors * 512;
    for (uint32_t page = 0; page * PAGE_BYTES < bytes; page += d->segs_per_piece) {
        struct vbd_dump_piece *p = &d->piece[d->nr_pieces++];
        uint32_t left = bytes - page * PAGE_BYTES;
        uint32_t max = d->segs_per_piece * PAGE_BYTES;

        p->first_page = page;
        p->bytes = left < max ? left : max;
        p->pages = (p->bytes + PAGE_BYTES - 1) / PAGE_BYTES;
        p->sector = (io->sector + (uint64_t)page * (PAGE_BYTES / 512)) / per_unit;
        p->sent = p->answered = false;
    }
    d->bytes = bytes;
    if (io->op == VBD_SCSI_OP_WRITE) {
        memcpy(d->ctx->pages, buffer, bytes);
        d->op = BLKIF_OP_WRITE;
    } else {
        d->read_to = buffer;
        d->op = BLKIF_OP_READ;
    }
    d->busy = true;
    return 0;
}

/* Piece @i as a ring entry at @e. */
static void build(const struct vbd_dump *d, uint32_t i, union blkif_sring_entry *e)
{
    const struct vbd_dump_piece *p = &d->piece[i];
    const struct vbd_dump_context *ctx = d->ctx;
    uint32_t unit = d->ring.sector_unit;
    struct blkif_request_segment seg[VBD_DUMP_DATA_PAGES];

    memset(e, 0, sizeof(*e));
    if (d->op != BLKIF_OP_READ && d->op != BLKIF_OP_WRITE) {
        e->req.operation = d->op;
        e->req.handle = d->ring.handle;
        e->req.id = piece_id(d, i);
        return;
    }
    for (uint32_t s = 0; s < p->pages; s++) {
        uint32_t left = p->bytes - s * PAGE_BYTES;
        uint32_t len = left < PAGE_BYTES ? left : PAGE_BYTES;

        seg[s] = (struct blkif_request_segment){.gref = ctx->refs[p->first_page + s],
                                                .first_sect = 0,
                                                .last_sect = (uint8_t)(len / unit - 1)};
    }
    if (!d->use_indirect || !blkif_segs_indirect(p->pages)) {
        e->req.operation = d->op;
        e->req.nr_segments = (uint8_t)p->pages;
        e->req.handle = d->ring.handle;
        e->req.id = piece_id(d, i);
        e->req.sector_number = p->sector;
        memcpy(e->req.seg, seg, p->pages * sizeof(seg[0]));
    } else {
        struct blkif_request_indirect ind = {.operation = BLKIF_OP_INDIRECT,
                                             .indirect_op = d->op,
                                             .nr_segments = (uint16_t)p->pages,
                                             .id = piece_id(d, i),
                                             .sector_number = p->sector,
                                             .handle = d->ring.handle};
        /* Piece i's list pages: i * (pages a list needs) onwards; at most VBD_DUMP_LIST_PAGES. */
        uint32_t lists = blkif_indirect_list_pages(p->pages);
        uint32_t first = VBD_DUMP_DATA_PAGES + i * lists;

        for (uint32_t l = 0; l < lists; l++) {
            uint32_t from = l * BLKIF_SEGS_PER_INDIRECT_PAGE;
            uint32_t n = p->pages - from < BLKIF_SEGS_PER_INDIRECT_PAGE
                             ? p->pages - from
                             : BLKIF_SEGS_PER_INDIRECT_PAGE;

            memcpy(ctx->pages + (size_t)(first + l) * PAGE_BYTES, &seg[from], n * sizeof(seg[0]));
            ind.indirect_grefs[l] = ctx->refs[first + l];
        }
        memcpy(e, &ind, sizeof(ind));
    }
}

/* Put what fits on the ring; kick once if anything went. */
static void send_pieces(struct vbd_dump *d)
{
    bool any = false;

    while (d->sent < d->nr_pieces && ring_front_free_slots(&d->rf) > 0) {
        union blkif_sring_entry e;

        build(d, d->sent, &e);
        memcpy(ring_front_next_request(&d->rf), &e, sizeof(e));
        d->piece[d->sent++].sent = true;
        any = true;
    }
    if (any) {
        ring_front_push(&d->rf);
        d->kick(d->ring.port); /* always: the backend's req_event is not trusted to say */
    }
}

/* One response copied out of the ring: ours, checked, or one of before the crash. */
static int answer(struct vbd_dump *d, const struct blkif_response *rsp)
{
    uint64_t id = rsp->id;
    uint32_t i = (uint32_t)(id & 0xffff);
    struct vbd_dump_piece *p;

    if (!(id & VBD_DUMP_ID_BASE)) {
        d->dropped++;
        return 0;
    }
    if (!d->busy || ((id >> 16) & 0xffffff) != d->seq || (id >> 40) != (1ull << 23) ||
        i >= d->nr_pieces || !d->piece[i].sent || d->piece[i].answered) {
        give_up(d, "a response names no request of ours in flight");
        return -XEN_EIO;
    }
    p = &d->piece[i];
    /* Linux's blkback answers an indirect request with the inner operation, others with this. */
    if (rsp->operation != d->op && !(d->use_indirect && blkif_segs_indirect(p->pages) &&
                                     rsp->operation == BLKIF_OP_INDIRECT)) {
        give_up(d, "a response has an operation not the one asked");
        return -XEN_EIO;
    }
    if (rsp->status != BLKIF_RSP_OKAY && rsp->status != BLKIF_RSP_ERROR &&
        rsp->status != BLKIF_RSP_EOPNOTSUPP) {
        give_up(d, "a response has a status outside the protocol");
        return -XEN_EIO;
    }
    p->answered = true;
    d->answered++;
    if (rsp->status != BLKIF_RSP_OKAY && d->status == BLKIF_RSP_OKAY)
        d->status = rsp->status;
    return 0;
}

int vbd_dump_poll(struct vbd_dump *d, int16_t *status)
{
    union blkif_sring_entry e;
    int ready;

    if (d->failure)
        return -XEN_EIO;
    if (!d->busy)
        return -XEN_EINVAL;
    send_pieces(d);
    ready = ring_front_poll(&d->rf);
    if (ready < 0) {
        give_up(d, "the backend's response index is beyond what was requested");
        return ready;
    }
    while (ring_front_take(&d->rf, &e)) {
        int rc = answer(d, &e.rsp);

        if (rc)
            return rc;
    }
    send_pieces(d); /* room freed by answers */
    if (d->answered < d->nr_pieces)
        return 0;
    if (d->read_to && d->status == BLKIF_RSP_OKAY)
        memcpy(d->read_to, d->ctx->pages, d->bytes);
    *status = d->status;
    d->busy = false;
    return 1;
}

void vbd_dump_abandon(struct vbd_dump *d, const char *why)
{
    give_up(d, why);
}
