/*
 * core/vbd/front_submit.c - requests onto the ring: checked, queued in
 * order, cut into ring requests as room allows (a slot, pool pages, grant
 * references), each filled in a copy on the stack and written to the ring
 * once.
 *
 * Data goes one of two ways. Direct: the caller's pages are granted (read
 * only for a write), one segment per element part; only when every part is
 * whole sectors of the unit at sector boundaries. Copied: through pages of
 * the queue's pool, which stay granted for the whole connection (what
 * persistent grants need, and what a misaligned buffer needs), filled
 * before a write and emptied after a read. An indirect request's segment
 * list goes in pool pages too.
 */
#include <string.h>

#include "vbd/front_internal.h"

enum issue_result {
    ISSUED,  /* a ring request went out */
    NO_ROOM, /* wait for a completion */
    FAILED,  /* the request failed (its status says how) */
};

/* -- completions ------------------------------------------------------------ */

void front_finish(struct front_queue *q, struct vbd_front_request *req, int16_t status,
                  struct front_list *done)
{
    if (status != BLKIF_RSP_OKAY && req->state.status == BLKIF_RSP_OKAY)
        req->state.status = status;
    q->stats.completed++;
    if (req->state.status != BLKIF_RSP_OKAY)
        q->stats.failed++;
    front_list_append(done, req);
}

void front_run_done(struct vbd_front *front, struct front_list *done)
{
    struct vbd_front_request *req = done->head;

    done->head = done->tail = NULL;
    while (req) {
        struct vbd_front_request *next = req->state.next;
        os_irql_t irql;

        /* The caller may free or reuse @req from here. */
        req->done(req->ctx, req, req->state.status);
        irql = os_spin_lock(&front->drain_lock);
        if (os_atomic_sub32(&front->outstanding, 1) == 0 && front_life_closed(front))
            os_event_set(&front->drained);
        os_spin_unlock(&front->drain_lock, irql);
        req = next;
    }
}

/* -- slots ---------------------------------------------------------------- */

static struct front_slot *slot_take(struct front_queue *q, struct vbd_front_request *req,
                                    uint8_t operation)
{
    uint32_t index = q->free_slot;
    struct front_slot *s = &q->slots[index];

    q->free_slot = s->next_free;
    q->slots_busy++;
    /*
     * A new id for each use: an answer to an earlier use names no request.
     * Below 2^31: ids with bit 63 are a dump copy's (VBD_DUMP_ID_BASE).
     */
    s->generation = (s->generation + 1) & 0x7fffffffu;
    s->id = ((uint64_t)s->generation << 32) | index;
    s->state = FRONT_SLOT_INFLIGHT;
    s->issued_ns = os_time_ns();
    s->req = req;
    s->operation = operation;
    s->indirect_op = operation;
    s->nr_grants = s->nr_data = s->nr_pool = 0;
    s->copy_out = false;
    s->offset = s->bytes = 0;
    return s;
}

static void put_on_ring(struct front_queue *q, struct front_slot *s,
                        const union blkif_sring_entry *entry)
{
    memcpy(ring_front_next_request(&q->ring), entry, sizeof(*entry));
    q->stats.ring_requests++;
    q->stats.queue_requests[q->index]++;
    s->req->state.inflight++;
}

/* -- flush and discard ---------------------------------------------------- */

static enum issue_result issue_flush(struct front_queue *q, struct vbd_front_request *req)
{
    const struct vbd_front_info *info = &q->front->info;
    struct front_slot *s = slot_take(q, req, info->flush_op);
    union blkif_sring_entry e;

    memset(&e, 0, sizeof(e));
    e.req.operation = info->flush_op;
    e.req.handle = info->handle;
    e.req.id = s->id;
    put_on_ring(q, s, &e);
    q->stats.flushes++;
    req->state.issued = req->state.total;
    return ISSUED;
}

static enum issue_result issue_discard(struct front_queue *q, struct vbd_front_request *req)
{
    const struct vbd_front_info *info = &q->front->info;
    const struct vbd_scsi_range *r = &req->io.ranges[req->state.issued];
    uint32_t per_unit = info->sector_unit / 512;
    struct front_slot *s = slot_take(q, req, BLKIF_OP_DISCARD);
    struct blkif_request_discard d = {
        .operation = BLKIF_OP_DISCARD,
        .flag = req->io.secure && info->discard_secure ? BLKIF_DISCARD_SECURE : 0,
        .handle = info->handle,
        .id = s->id,
        .sector_number = r->sector / per_unit,
        .nr_sectors = r->sectors / per_unit,
    };
    union blkif_sring_entry e;

    memset(&e, 0, sizeof(e));
    memcpy(&e, &d, sizeof(d));
    put_on_ring(q, s, &e);
    q->stats.discards++;
    req->state.issued++;
    return ISSUED;
}

/* -- reads and writes ----------------------------------------------------- */

/* Segment @i of @nseg: in the request itself, or in the slot's indirect list pages. */
static void put_segment(const struct front_queue *q, const struct front_slot *s,
                        union blkif_sring_entry *e, uint32_t nseg, uint32_t i,
                        struct blkif_request_segment seg)
{
    struct blkif_request_segment *list;

    if (!blkif_segs_indirect(nseg)) {
        e->req.seg[i] = seg;
        return;
    }
    list = (struct blkif_request_segment *)front_region_page(
        q->copy, s->pool[s->nr_data + i / BLKIF_SEGS_PER_INDIRECT_PAGE]);
    list[i % BLKIF_SEGS_PER_INDIRECT_PAGE] = seg;
}

static struct blkif_request_segment make_segment(uint32_t gref, uint32_t offset, uint32_t length,
                                                 uint32_t unit)
{
    return (struct blkif_request_segment){.gref = gref,
                                          .first_sect = (uint8_t)(offset / unit),
                                          .last_sect = (uint8_t)((offset + length) / unit - 1)};
}

/* The request's head: plain for up to BLKIF_MAX_SEGMENTS_PER_REQUEST, else indirect. */
static void put_rw(struct front_queue *q, struct front_slot *s, union blkif_sring_entry *e,
                   uint32_t nseg, uint64_t sector)
{
    const struct vbd_front_info *info = &q->front->info;
    uint8_t op = s->operation;

    if (!blkif_segs_indirect(nseg)) {
        e->req.operation = op;
        e->req.nr_segments = (uint8_t)nseg;
        e->req.handle = info->handle;
        e->req.id = s->id;
        e->req.sector_number = sector;
    } else {
        struct blkif_request_indirect ind = {
            .operation = BLKIF_OP_INDIRECT,
            .indirect_op = op,
            .nr_segments = (uint16_t)nseg,
            .id = s->id,
            .sector_number = sector,
            .handle = info->handle,
        };

        for (uint32_t p = s->nr_data; p < s->nr_pool; p++)
            ind.indirect_grefs[p - s->nr_data] = q->copy->refs[s->pool[p]];
        memcpy(e, &ind, sizeof(ind));
        /* Linux's blkback answers with the inner operation, others with this one. */
        s->operation = BLKIF_OP_INDIRECT;
        s->indirect_op = op;
        q->stats.indirect_requests++;
    }
    put_on_ring(q, s, e);
}

static void take_pool_pages(struct front_queue *q, struct front_slot *s, uint32_t count)
{
    for (uint32_t i = 0; i < count; i++)
        s->pool[s->nr_pool++] = q->copy_free[--q->copy_nr_free];
}

/* The most data pages a copied piece can use now with its list pages, at most @want. */
static uint32_t copy_segments_fitting(const struct front_queue *q, uint32_t want)
{
    uint32_t n = want < q->copy_nr_free ? want : q->copy_nr_free;

    while (n > 0 && n + front_indirect_pages(n) > q->copy_nr_free)
        n--;
    return n;
}

static enum issue_result issue_copied(struct front_queue *q, struct vbd_front_request *req,
                                      uint8_t op, uint64_t sector)
{
    const struct vbd_front_info *info = &q->front->info;
    struct vbd_front_request_state *st = &req->state;
    uint32_t left = st->total - st->issued, pages = (left + OS_PAGE_SIZE - 1) / OS_PAGE_SIZE;
    uint32_t nseg =
        copy_segments_fitting(q, pages < info->max_segments ? pages : info->max_segments);
    uint32_t bytes = nseg * OS_PAGE_SIZE < left ? nseg * OS_PAGE_SIZE : left;
    uint8_t *data = (uint8_t *)req->buffer + req->io.offset + st->issued;
    union blkif_sring_entry e;
    struct front_slot *s;

    if (nseg == 0)
        return NO_ROOM;
    s = slot_take(q, req, op);
    take_pool_pages(q, s, nseg);
    s->nr_data = nseg;
    take_pool_pages(q, s, front_indirect_pages(nseg));
    s->copy_out = op == BLKIF_OP_READ;
    s->offset = req->io.offset + st->issued;
    s->bytes = bytes;
    memset(&e, 0, sizeof(e));
    for (uint32_t i = 0; i < nseg; i++) {
        uint32_t len =
            bytes - i * OS_PAGE_SIZE < OS_PAGE_SIZE ? bytes - i * OS_PAGE_SIZE : OS_PAGE_SIZE;

        if (op == BLKIF_OP_WRITE)
            memcpy(front_region_page(q->copy, s->pool[i]), data + (size_t)i * OS_PAGE_SIZE, len);
        put_segment(q, s, &e, nseg, i,
                    make_segment(q->copy->refs[s->pool[i]], 0, len, info->sector_unit));
    }
    put_rw(q, s, &e, nseg, sector);
    q->stats.copied_requests++;
    if (!info->persistent)
        q->stats.bounced_requests++;
    st->issued += bytes;
    return ISSUED;
}

/* Grant the caller's pages of @nseg segments from the request's cursor. */
static int grant_direct(struct front_queue *q, struct vbd_front_request *req, struct front_slot *s,
                        union blkif_sring_entry *e, uint32_t nseg, uint32_t *bytes)
{
    const struct winpv_gnttab_interface_v1 *gt = q->front->svc.gnttab;
    const struct vbd_front_info *info = &q->front->info;
    struct vbd_front_request_state *st = &req->state;
    struct front_sg_cursor cursor = {st->sg_index, st->sg_skip};
    bool readonly = s->operation == BLKIF_OP_WRITE;
    uint32_t left = st->total - st->issued;
    int rc = 0;

    *bytes = 0;
    for (uint32_t i = 0; rc == 0 && i < nseg; i++) {
        struct front_seg seg;
        uint32_t ref;

        *bytes += front_sg_next(req->sg, req->nr_sg, &cursor, left - *bytes, &seg);
        rc = gt->alloc(gt->header.context, &ref);
        if (rc)
            break;
        rc = gt->grant(gt->header.context, ref, (uint16_t)info->backend_id, seg.gfn, readonly);
        if (rc) {
            gt->free(gt->header.context, ref);
            break;
        }
        s->grants[s->nr_grants++] = ref;
        put_segment(q, s, e, nseg, i, make_segment(ref, seg.offset, seg.length, info->sector_unit));
    }
    if (rc) {
        /* Never published, so normally revoked at once. */
        uint32_t kept = front_revoke_now(q, s);

        /* A backend that maps what it was never told about: the device fails. */
        return kept ? -XEN_EBUSY : rc;
    }
    st->sg_index = cursor.index;
    st->sg_skip = cursor.skip;
    return 0;
}

static enum issue_result issue_direct(struct front_queue *q, struct vbd_front_request *req,
                                      uint8_t op, uint64_t sector)
{
    const struct vbd_front_info *info = &q->front->info;
    struct vbd_front_request_state *st = &req->state;
    struct front_sg_cursor cursor = {st->sg_index, st->sg_skip};
    uint32_t left = st->total - st->issued, bytes;
    uint32_t nseg = front_sg_count(req->sg, req->nr_sg, cursor, left, info->max_segments);
    union blkif_sring_entry e;
    struct front_slot *s;
    int rc;

    /* No pool page for an indirect list: as much as a plain request carries. */
    if (front_indirect_pages(nseg) > q->copy_nr_free)
        nseg = front_sg_count(req->sg, req->nr_sg, cursor, left, BLKIF_MAX_SEGMENTS_PER_REQUEST);
    s = slot_take(q, req, op);
    take_pool_pages(q, s, front_indirect_pages(nseg));
    memset(&e, 0, sizeof(e));
    rc = grant_direct(q, req, s, &e, nseg, &bytes);
    if (rc == -XEN_EBUSY) {
        /* Left in flight: failing the device ends it once the backend lets go. */
        front_break(q->front, -XEN_EIO, "backend mapped a grant before its request");
        st->inflight++;
        st->status = BLKIF_RSP_ERROR;
        return FAILED;
    }
    if (rc) {
        front_slot_free(q, s);
        /* Out of grant references: wait for ours to come back, if any will. */
        if (rc == -XEN_ENOSPC && q->slots_busy > 0)
            return NO_ROOM;
        os_log(OS_LOG_ERROR, "vbd: cannot grant a request's pages (%d)\n", rc);
        st->status = BLKIF_RSP_ERROR;
        return FAILED;
    }
    put_rw(q, s, &e, nseg, sector);
    st->issued += bytes;
    return ISSUED;
}

static enum issue_result issue_rw(struct front_queue *q, struct vbd_front_request *req)
{
    uint8_t op = req->io.op == VBD_SCSI_OP_READ ? BLKIF_OP_READ : BLKIF_OP_WRITE;
    uint64_t sector = (req->io.sector * 512 + req->state.issued) / q->front->info.sector_unit;

    return req->state.copy ? issue_copied(q, req, op, sector) : issue_direct(q, req, op, sector);
}

static enum issue_result issue(struct front_queue *q, struct vbd_front_request *req)
{
    if (ring_front_free_slots(&q->ring) == 0 || q->free_slot == FRONT_NO_SLOT)
        return NO_ROOM;
    /*
     * A flush goes out once everything before it was answered: the backend
     * may serve ring requests in any order, and after a reconnection the
     * writes before it are sent again and must land first.
     */
    if ((req->state.phase == FRONT_PHASE_FLUSH || req->io.op == VBD_SCSI_OP_FLUSH) &&
        q->slots_busy > 0)
        return NO_ROOM;
    if (req->state.phase == FRONT_PHASE_FLUSH)
        return issue_flush(q, req);
    switch (req->io.op) {
    case VBD_SCSI_OP_READ:
    case VBD_SCSI_OP_WRITE:
        return issue_rw(q, req);
    case VBD_SCSI_OP_FLUSH:
        return issue_flush(q, req);
    default:
        return issue_discard(q, req);
    }
}

bool front_pump(struct front_queue *q, struct front_list *done)
{
    struct vbd_front_request *req;
    bool wrote = false;

    /* No transport, or one not to use now (reconnecting, suspended): requests wait. */
    if (q->nr_slots == 0 || front_link_state(q->front) != FRONT_LINK_UP)
        return false;
    while ((req = q->waiting.head) != NULL) {
        struct vbd_front_request_state *st = &req->state;
        enum issue_result r = st->status == BLKIF_RSP_OKAY ? issue(q, req) : FAILED;

        if (r == NO_ROOM) {
            q->stats.waits++;
            break;
        }
        wrote |= r == ISSUED;
        if (r == FAILED || st->issued == st->total) {
            front_wait_pop(q);
            /* A failed request with pieces out completes with the last of them. */
            if (r == FAILED && st->inflight == 0)
                front_finish(q, req, BLKIF_RSP_OKAY, done);
        }
    }
    return wrote && ring_front_push(&q->ring);
}

/* -- submission ----------------------------------------------------------- */

/* @count 512-byte sectors from @sector: whole units of the ring, within the disk. */
static bool range_ok(const struct vbd_front *front, uint64_t sector, uint64_t count)
{
    uint32_t per_unit = front->info.sector_unit / 512;

    return count > 0 && sector % per_unit == 0 && count % per_unit == 0 &&
           sector <= front->disk.sectors && count <= front->disk.sectors - sector;
}

static int check_request(const struct vbd_front *front, struct vbd_front_request *req)
{
    const struct vbd_scsi_io *io = &req->io;
    struct vbd_front_request_state *st = &req->state;

    if (!req->done)
        return -XEN_EINVAL;
    memset(st, 0, sizeof(*st));
    st->status = BLKIF_RSP_OKAY;
    switch (io->op) {
    case VBD_SCSI_OP_READ:
    case VBD_SCSI_OP_WRITE:
        if (!range_ok(front, io->sector, io->sectors) || io->sectors > UINT32_MAX / 512 ||
            !req->buffer)
            return -XEN_EINVAL;
        return front_request_rearm(front, req);
    case VBD_SCSI_OP_FLUSH:
        st->total = 1;
        return 0;
    case VBD_SCSI_OP_DISCARD:
        if (io->nr_ranges == 0 || io->nr_ranges > VBD_SCSI_MAX_DISCARD_RANGES)
            return -XEN_EINVAL;
        for (uint32_t i = 0; i < io->nr_ranges; i++)
            if (!range_ok(front, io->ranges[i].sector, io->ranges[i].sectors))
                return -XEN_EINVAL;
        st->total = io->nr_ranges;
        return 0;
    default:
        return -XEN_EINVAL;
    }
}

int front_request_rearm(const struct vbd_front *front, struct vbd_front_request *req)
{
    struct vbd_front_request_state *st = &req->state;
    struct front_sg_cursor cursor;

    st->issued = 0;
    st->phase = FRONT_PHASE_DATA;
    if (req->io.op != VBD_SCSI_OP_READ && req->io.op != VBD_SCSI_OP_WRITE)
        return 0;
    st->total = req->io.sectors * 512;
    if (front_sg_locate(req->sg, req->nr_sg, req->io.offset, st->total, &cursor) != 0)
        return -XEN_EINVAL;
    st->sg_index = cursor.index;
    st->sg_skip = cursor.skip;
    st->copy = front->info.persistent ||
               !front_sg_aligned(req->sg, req->nr_sg, cursor, st->total, front->info.sector_unit);
    return 0;
}

/* What a valid request gets without reaching the ring. */
static int16_t refused_status(const struct vbd_front *front, const struct vbd_scsi_io *io)
{
    if (!front_life_serving(front))
        return BLKIF_RSP_ERROR;
    if ((io->op == VBD_SCSI_OP_WRITE || io->op == VBD_SCSI_OP_DISCARD) && front->disk.read_only)
        return BLKIF_RSP_ERROR;
    if ((io->op == VBD_SCSI_OP_FLUSH && !front->info.flush_op) ||
        (io->op == VBD_SCSI_OP_DISCARD && !front->info.discard))
        return BLKIF_RSP_EOPNOTSUPP;
    return BLKIF_RSP_OKAY;
}

int vbd_front_submit(struct vbd_front *front, unsigned int queue, struct vbd_front_request *req)
{
    struct front_queue *q;
    struct front_list done = {NULL, NULL};
    bool notify = false;
    int16_t status;
    os_irql_t irql;
    int rc = check_request(front, req);

    if (rc)
        return rc;
    os_atomic_add32(&front->outstanding, 1);
    /* A reconnection may leave fewer queues: one it dropped sends us to another. */
    for (;;) {
        q = &front->queues[queue % *(volatile const uint32_t *)&front->info.queues];
        irql = os_spin_lock(&q->lock);
        if (q->index < *(volatile const uint32_t *)&front->info.queues)
            break;
        os_spin_unlock(&q->lock, irql);
    }
    req->state.queue = q->index;
    q->stats.submitted++;
    /* Checked under the lock: whoever breaks the device fails this queue after. */
    status = refused_status(front, &req->io);
    if (status != BLKIF_RSP_OKAY) {
        front_finish(q, req, status, &done);
    } else {
        req->state.seq = q->next_seq++;
        req->state.waiting = true;
        front_list_append(&q->waiting, req);
        notify = front_pump(q, &done);
        if (notify && q->batching) {
            q->kick_deferred = true; /* the event callback kicks for the batch */
            notify = false;
        }
    }
    os_spin_unlock(&q->lock, irql);
    front_unlocked(q, notify, &done);
    return 0;
}

void front_pump_all(struct vbd_front *front)
{
    for (uint32_t i = 0; i < front->info.queues; i++) {
        struct front_queue *q = &front->queues[i];
        struct front_list done = {NULL, NULL};
        os_irql_t irql = os_spin_lock(&q->lock);
        bool notify = front_pump(q, &done);

        os_spin_unlock(&q->lock, irql);
        front_unlocked(q, notify, &done);
    }
}
