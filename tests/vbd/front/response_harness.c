/* tests/vbd/front/response_harness.c - see response_harness.h. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xen/io/xenbus.h>

#include "support/fuzz/fuzz_input.h"

#include "fake_services.h"
#include "os_posix.h"
#include "response_backend.h"
#include "response_harness.h"
/* The frontend's failure and reconnection work, waited for between operations. */
#include "vbd/front_internal.h"

#define VDEV_ID      "51712"
#define VDEV_HANDLE  51712u
#define SPAN_SECTORS 1024u /* each request's own part of the disk: 512 KiB */
#define DISK_SECTORS ((uint64_t)RH_MAX_REQUESTS * SPAN_SECTORS)
#define WAIT_NS      (20ull * 1000 * 1000) /* every wait of the frontend's: nothing else comes */

struct rh;

/* A request of the test's, its buffer and what became of it. */
struct rh_request {
    struct vbd_front_request req;
    struct rh *h;
    uint32_t index;
    uint32_t queue;
    uint64_t start, end; /* READ, WRITE: bytes of the disk */
    uint8_t *va;         /* the buffer's pages */
    uint32_t pages;
    uint64_t *gfns; /* consecutive */
    struct vbd_front_sg *sg;
    uint32_t data_at;    /* the data's first byte in the pages */
    uint64_t submit_seq; /* requests the backend had taken when it was submitted */
    bool submitted, accepted;
    bool direct; /* a ring request granted its own pages */
    int calls;
    int16_t status;
    uint32_t done_op;           /* the operation during which it completed */
    struct rh_request *chained; /* submitted from its completion */
};

struct rh {
    struct fake_services fx;
    struct rb_backend rb; /* its lock covers the requests too */
    struct vbd_front *front;
    struct vbd_front_options opt;
    uint8_t flush_op;
    struct rh_request *reqs[RH_MAX_REQUESTS];
    uint32_t nr_reqs;
    uint32_t op_index;
    bool down_seen; /* the device was broken or unplugged after an earlier operation */
    uint32_t gone_told;
    uint64_t read_bytes_checked;
    unsigned int let_go_us; /* LEAVE_LETTING_GO: how long the backend keeps its pages */
    struct fuzz_input input;
};

/* The next @n bytes of input, big-endian; zeros once it ends. */
static uint64_t take(struct rh *h, unsigned int n)
{
    return fuzz_take(&h->input, n);
}

/* -- the setup ------------------------------------------------------------ */

static const int32_t segment_offers[8] = {-1, 0, 11, 12, 16, 32, 64, 513};
static const uint32_t copy_pages[4] = {1, 8, 24, 64};

/* The owner told that the disk was unplugged (passive, on the frontend's work). */
static void told_gone(void *ctx)
{
    struct rh *h = ctx;

    pthread_mutex_lock(&h->rb.lock);
    h->gone_told++;
    pthread_mutex_unlock(&h->rb.lock);
}

/* The four setup bytes: the backend's offer into *@o, the frontend's options; the limits byte. */
static uint8_t read_setup(struct rh *h, struct rb_offer *o)
{
    uint8_t ring = (uint8_t)take(h, 1), xfer = (uint8_t)take(h, 1), disk = (uint8_t)take(h, 1);

    *o = (struct rb_offer){
        .ring_order = (ring & 7) == 7 ? -1 : ring & 7,
        .queues = ring >> 5 ? ring >> 5 : -1,
        .segments = segment_offers[xfer & 7],
        .persistent = xfer & 8,
        .sector_size = 512u << (disk & 3),
        .flush = disk & 4,
        .barrier = disk & 8,
        .discard = disk & 16,
        .discard_secure = disk & 32,
        .read_only = disk & 64,
        .sectors = DISK_SECTORS,
    };
    h->opt = (struct vbd_front_options){
        .max_queues = 4,
        .max_segments = 64, /* 256 KiB, the largest request here; 513 offered is more than taken */
        .copy_pages = copy_pages[xfer >> 6],
        .timeout_ns = WAIT_NS,
        .close_timeout_ns = WAIT_NS,
        .reconnect_timeout_ns = WAIT_NS,
        .gone = told_gone,
        .gone_ctx = h,
        .request_timeout_ns = UINT64_MAX / 2, /* never: the watchdog would race the input */
        .no_multi_page_ring = ring & 8,
        .no_multi_queue = ring & 16,
        .no_indirect = xfer & 16,
        .no_persistent = xfer & 32,
        .no_flush = disk & 128,
    };
    return (uint8_t)take(h, 1);
}

/* -- checking a completion ------------------------------------------------ */

static bool is_rw(const struct rh_request *r)
{
    return r->req.io.op == VBD_SCSI_OP_READ || r->req.io.op == VBD_SCSI_OP_WRITE;
}

static uint8_t blkif_op(const struct rh_request *r)
{
    return r->req.io.op == VBD_SCSI_OP_READ ? BLKIF_OP_READ : BLKIF_OP_WRITE;
}

/* What the backend answered covers it all. Lock held. */
static void check_success(struct rh *h, struct rh_request *r)
{
    const struct vbd_scsi_io *io = &r->req.io;
    bool flush = io->op == VBD_SCSI_OP_FLUSH || (io->op == VBD_SCSI_OP_WRITE && io->flush_after);

    if (is_rw(r) && !rb_covered(&h->rb, blkif_op(r), r->start, r->end, r->submit_seq))
        fake_violation("request %u completed OKAY, not every byte answered OKAY", r->index);
    for (uint32_t i = 0; io->op == VBD_SCSI_OP_DISCARD && i < io->nr_ranges; i++)
        if (!rb_covered(&h->rb, BLKIF_OP_DISCARD, io->ranges[i].sector * 512,
                        (io->ranges[i].sector + io->ranges[i].sectors) * 512, r->submit_seq))
            fake_violation("discard %u completed OKAY, range %u not answered OKAY", r->index, i);
    if (flush && (io->op == VBD_SCSI_OP_FLUSH || h->flush_op) &&
        (!h->flush_op || !rb_claim_flush(&h->rb, h->flush_op, r->submit_seq)))
        fake_violation("request %u completed OKAY without a flush answered OKAY", r->index);
}

/* Where the first byte of @len at @p that is not zero is; @len when none. */
static RB_UNTRACED size_t first_nonzero(const uint8_t *p, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (p[i])
            return i;
    return len;
}

/* The buffer holds what it may. Lock held. */
static void check_buffer(struct rh *h, const struct rh_request *r, int16_t status)
{
    size_t len = r->end - r->start, after = r->data_at + len;
    size_t total = (size_t)r->pages * OS_PAGE_SIZE, bad;
    bool read = r->req.io.op == VBD_SCSI_OP_READ;
    const uint8_t *data;

    if (!is_rw(r))
        return;
    data = r->va + r->data_at;
    if (first_nonzero(r->va, r->data_at) < r->data_at ||
        first_nonzero(r->va + after, total - after) < total - after)
        fake_violation("request %u: its pages changed outside its data", r->index);
    if (!read && (bad = rb_pattern_mismatch(data, len, r->start, true)) < len)
        fake_violation("write %u: its buffer changed at byte %zu", r->index, bad);
    if (read && status == BLKIF_RSP_OKAY &&
        (bad = rb_pattern_mismatch(data, len, r->start, false)) < len)
        fake_violation("read %u completed OKAY with %#x at byte %zu, not the disk's %#x", r->index,
                       data[bad], bad, rb_disk_byte(r->start + bad));
    if (read && status != BLKIF_RSP_OKAY && !r->direct && memchr(data, RB_POISON, len))
        fake_violation("read %u failed, yet a failed answer's data reached its buffer", r->index);
    if (read && status == BLKIF_RSP_OKAY)
        h->read_bytes_checked += len;
}

static void submit(struct rh *h, struct rh_request *r);

static void on_done(void *ctx, struct vbd_front_request *req, int16_t status)
{
    struct rh_request *r = ctx;
    struct rh *h = r->h;
    struct rh_request *next;

    pthread_mutex_lock(&h->rb.lock);
    if (req != &r->req || !r->submitted)
        fake_violation("a completion for a request not submitted");
    if (r->calls++ > 0)
        fake_violation("request %u completed twice", r->index);
    if (status != BLKIF_RSP_OKAY && status != BLKIF_RSP_ERROR && status != BLKIF_RSP_EOPNOTSUPP)
        fake_violation("request %u completed with status %d", r->index, status);
    r->status = status;
    r->done_op = h->op_index;
    if (status == BLKIF_RSP_OKAY && h->down_seen)
        fake_violation("request %u completed OKAY after the device broke or went", r->index);
    if (status == BLKIF_RSP_OKAY)
        check_success(h, r);
    check_buffer(h, r, status);
    next = r->chained;
    pthread_mutex_unlock(&h->rb.lock);
    if (next)
        submit(h, next);
}

/* -- making and submitting requests -------------------------------------- */

static const uint32_t buffer_offsets[8] = {0, 0, 512, 1024, 2048, 3584, 8, 100};
static const uint32_t io_offsets[8] = {0, 0, 0, 512, 4096, 1536, 3, 4097};

static uint32_t round_up(uint32_t v, uint32_t unit)
{
    return (v + unit - 1) / unit * unit;
}

/* The sg list of bytes [from, to) of the pages, cut as @mode says. */
static void make_sg(struct rh_request *r, uint32_t from, uint32_t to, uint32_t mode)
{
    uint32_t n = 0;

    r->sg = calloc(to / 256 + 2 * r->pages + 4, sizeof(*r->sg));
    for (uint32_t at = from; at < to;) {
        uint32_t piece = OS_PAGE_SIZE - at % OS_PAGE_SIZE;

        if (mode == 1 && piece > 1024 - at % 1024)
            piece = 1024 - at % 1024;
        if (mode == 2 && piece > 700)
            piece = 700;
        if (piece > to - at)
            piece = to - at;
        r->sg[n++] = (struct vbd_front_sg){r->gfns[at / OS_PAGE_SIZE], at % OS_PAGE_SIZE, piece};
        at += piece;
    }
    r->req.sg = r->sg;
    r->req.nr_sg = n;
}

static void make_rw(struct rh_request *r, uint64_t sector, uint8_t length, uint8_t shape,
                    uint32_t per_unit)
{
    struct vbd_scsi_io *io = &r->req.io;
    uint32_t sectors = round_up(1 + 2u * length, per_unit), len = sectors * 512;
    uint32_t boff = buffer_offsets[(shape >> 2) & 7], ioff = io_offsets[shape >> 5];
    uint32_t covered = ioff + len + ((shape & 3) == 3 ? 512 : 0);

    r->pages = (boff + covered + OS_PAGE_SIZE - 1) / OS_PAGE_SIZE;
    r->gfns = calloc(r->pages, sizeof(*r->gfns));
    r->va = os_pages_alloc(r->pages, r->gfns);
    if (!r->va)
        fake_violation("no guest pages for a buffer");
    for (uint32_t i = 1; i < r->pages; i++)
        if (r->gfns[i] != r->gfns[0] + i)
            fake_violation("os_pages_alloc gave frames out of order");
    r->start = sector * 512;
    r->end = r->start + len;
    r->data_at = boff + ioff;
    if (io->op == VBD_SCSI_OP_WRITE)
        rb_pattern_fill(r->va + r->data_at, len, r->start, true);
    make_sg(r, boff, boff + covered, shape & 3);
    io->sector = sector;
    io->sectors = sectors;
    io->offset = ioff;
    r->req.buffer = r->va + boff;
}

static void make_discard(struct rh_request *r, uint64_t base, uint8_t length, uint32_t per_unit)
{
    struct vbd_scsi_io *io = &r->req.io;

    io->nr_ranges = 1u + (length & 7);
    for (uint32_t i = 0; i < io->nr_ranges; i++)
        io->ranges[i] = (struct vbd_scsi_range){
            .sector = base + 64u * i,
            .sectors = per_unit * (1u + ((length >> 3) + i) % 8),
        };
}

/* A request as SUBMIT describes it, in the next part of the disk; NULL when there is no room. */
static struct rh_request *make_request(struct rh *h, uint8_t kind, uint8_t queue, uint8_t length,
                                       uint8_t shape)
{
    struct vbd_front_info info;
    struct rh_request *r;
    uint32_t per_unit;
    uint64_t base;

    if (h->nr_reqs == RH_MAX_REQUESTS)
        return NULL;
    vbd_front_get_info(h->front, &info);
    per_unit = info.sector_unit / 512;
    r = calloc(1, sizeof(*r));
    r->h = h;
    r->index = h->nr_reqs;
    r->queue = queue;
    r->req.io.op = (enum vbd_scsi_op)(VBD_SCSI_OP_READ + (kind & 3));
    r->req.done = on_done;
    r->req.ctx = r;
    base = (uint64_t)r->index * SPAN_SECTORS;
    if (is_rw(r))
        make_rw(r, base + (32u * (kind >> 4)) / per_unit * per_unit, length, shape, per_unit);
    r->req.io.flush_after = r->req.io.op == VBD_SCSI_OP_WRITE && (kind & 4);
    if (r->req.io.op == VBD_SCSI_OP_DISCARD) {
        make_discard(r, base, length, per_unit);
        r->req.io.secure = kind & 4;
    }
    pthread_mutex_lock(&h->rb.lock);
    h->reqs[h->nr_reqs++] = r;
    pthread_mutex_unlock(&h->rb.lock);
    return r;
}

/* @count 512-byte sectors from @sector: whole units, within the disk now. */
static bool range_ok(const struct vbd_scsi_disk *disk, uint32_t per_unit, uint64_t sector,
                     uint64_t count)
{
    return count > 0 && sector % per_unit == 0 && count % per_unit == 0 &&
           sector <= disk->sectors && count <= disk->sectors - sector;
}

/* Whether vbd_front_submit must take @r. */
static bool request_valid(struct rh *h, const struct rh_request *r)
{
    const struct vbd_scsi_disk disk = vbd_front_disk(h->front);
    const struct vbd_scsi_io *io = &r->req.io;
    struct vbd_front_info info;
    uint32_t per_unit;
    bool ok = true;

    vbd_front_get_info(h->front, &info);
    per_unit = info.sector_unit / 512;
    if (is_rw(r))
        ok = range_ok(&disk, per_unit, io->sector, io->sectors);
    for (uint32_t i = 0; io->op == VBD_SCSI_OP_DISCARD && i < io->nr_ranges; i++)
        ok = ok && range_ok(&disk, per_unit, io->ranges[i].sector, io->ranges[i].sectors);
    return ok;
}

/* Context: any (from a completion, too). */
static void submit(struct rh *h, struct rh_request *r)
{
    bool valid = request_valid(h, r);
    int rc;

    pthread_mutex_lock(&h->rb.lock);
    r->submit_seq = h->rb.seq;
    r->submitted = true;
    pthread_mutex_unlock(&h->rb.lock);
    rc = vbd_front_submit(h->front, r->queue, &r->req);
    pthread_mutex_lock(&h->rb.lock);
    if (rc == 0 && !valid)
        fake_violation("request %u accepted, not within the disk", r->index);
    if (rc != 0 && (rc != -XEN_EINVAL || valid || r->calls))
        fake_violation("request %u refused (%d)", r->index, rc);
    r->accepted = rc == 0;
    r->submitted = rc == 0;
    pthread_mutex_unlock(&h->rb.lock);
}

/* -- checking what the backend took ---------------------------------------- */

/* The request of ours ring request @t is part of: in flight, or completed in this operation. */
static struct rh_request *owner_of(struct rh *h, const struct rb_request *t)
{
    for (uint32_t i = 0; i < h->nr_reqs; i++) {
        struct rh_request *r = h->reqs[i];
        const struct vbd_scsi_io *io = &r->req.io;

        if (!r->submitted || (r->calls && r->done_op != h->op_index))
            continue;
        if ((t->op == BLKIF_OP_READ || t->op == BLKIF_OP_WRITE) && is_rw(r) &&
            t->op == blkif_op(r) && r->start <= t->start && t->end <= r->end)
            return r;
        for (uint32_t k = 0;
             t->op == BLKIF_OP_DISCARD && io->op == VBD_SCSI_OP_DISCARD && k < io->nr_ranges; k++)
            if (io->ranges[k].sector * 512 <= t->start &&
                t->end <= (io->ranges[k].sector + io->ranges[k].sectors) * 512)
                return r;
        if ((t->op == BLKIF_OP_FLUSH_DISKCACHE || t->op == BLKIF_OP_WRITE_BARRIER) &&
            (io->op == VBD_SCSI_OP_FLUSH || (io->op == VBD_SCSI_OP_WRITE && io->flush_after)))
            return r;
    }
    return NULL;
}

/* The request whose buffer holds frame @gfn, or NULL (a page of the frontend's). */
static struct rh_request *buffer_of(struct rh *h, uint64_t gfn)
{
    for (uint32_t i = 0; i < h->nr_reqs; i++) {
        struct rh_request *r = h->reqs[i];

        if (r->va && gfn >= r->gfns[0] && gfn < r->gfns[0] + r->pages)
            return r;
    }
    return NULL;
}

/* Segments that grant the caller's pages name exactly the bytes they carry. */
static void check_direct(struct rh *h, struct rh_request *r, const struct rb_request *t,
                         bool persistent)
{
    uint32_t unit = h->rb.offer.sector_size;
    uint64_t pos = t->start;

    for (uint32_t i = 0; i < t->nr_segs; i++) {
        const struct rb_segment *s = &t->segs[i];
        uint32_t len = (s->last - s->first + 1u) * unit;
        struct rh_request *owner = NULL;
        uint64_t gfn, at;
        uint16_t domid;
        bool readonly;

        if (fake_gnttab_lookup(&h->fx.gnttab, s->gref, &domid, &gfn, &readonly))
            owner = buffer_of(h, gfn);
        if (owner && persistent)
            fake_violation("persistent grants, yet request %u's own page granted", owner->index);
        if (owner && owner != r)
            fake_violation("a ring request of request %u grants request %u's page", r->index,
                           owner->index);
        pos += len;
        if (!owner)
            continue; /* a pool page */
        at = (gfn - r->gfns[0]) * OS_PAGE_SIZE + s->first * unit;
        if (at < r->data_at || at - r->data_at != pos - len - r->start ||
            at + len > r->data_at + (r->end - r->start))
            fake_violation("request %u: segment %u grants bytes %llu.., for disk byte %llu",
                           r->index, i, (unsigned long long)at, (unsigned long long)(pos - len));
        r->direct = true;
    }
}

/* No two ring requests of one connection carry the same bytes (requests' disk parts differ). */
static void check_overlap(const struct rb_queue *q, const struct rb_request *t)
{
    for (size_t i = 0; i < q->nr_seen && &q->seen[i] != t; i++) {
        const struct rb_request *o = &q->seen[i];

        if (o->op == t->op && o->start < t->end && t->start < o->end)
            fake_violation("ring requests %#llx and %#llx both carry disk bytes %llu..",
                           (unsigned long long)o->id, (unsigned long long)t->id,
                           (unsigned long long)(o->start > t->start ? o->start : t->start));
    }
}

/* Ring request @t, just taken off @q. Lock held. */
static void check_taken(struct rh *h, const struct rb_queue *q, const struct rb_request *t)
{
    struct rh_request *r;

    if (t->unlisted)
        return;
    r = owner_of(h, t);
    if (!r)
        fake_violation("ring request %#llx (operation %u, bytes %llu..%llu) for no request in "
                       "flight",
                       (unsigned long long)t->id, t->op, (unsigned long long)t->start,
                       (unsigned long long)t->end);
    if (t->op == BLKIF_OP_READ || t->op == BLKIF_OP_WRITE || t->op == BLKIF_OP_DISCARD)
        check_overlap(q, t);
    if (t->checked && (t->op == BLKIF_OP_READ || t->op == BLKIF_OP_WRITE))
        check_direct(h, r, t, q->persistent);
}

/* After each operation: wait for the frontend's work, take and check what it published. */
static void after_op(struct rh *h)
{
    bool down;

    os_work_flush(&h->front->fail_work);
    fake_gnttab_settle(&h->fx.gnttab);
    down = vbd_front_broken(h->front) || vbd_front_gone(h->front);
    pthread_mutex_lock(&h->rb.lock);
    for (uint32_t qi = 0; qi < h->rb.nr_queues; qi++) {
        const struct rb_queue *q = &h->rb.queues[qi];
        size_t first, n = rb_poll(&h->rb, qi, !down, &first);

        if (n && h->down_seen)
            fake_violation("%zu request(s) on queue %u after the device broke or went", n, qi);
        for (size_t i = first; i < first + n; i++)
            check_taken(h, q, &q->seen[i]);
    }
    for (uint32_t i = 0; down && h->rb.nr_holds == 0 && i < h->nr_reqs; i++)
        if (h->reqs[i]->accepted && h->reqs[i]->calls == 0)
            fake_violation("the device broke or went, yet request %u is not completed", i);
    if (h->gone_told > 1 || (h->gone_told && !vbd_front_gone(h->front)))
        fake_violation("the owner told %u time(s) of a removal", h->gone_told);
    h->down_seen = down;
    pthread_mutex_unlock(&h->rb.lock);
}

/* -- operations ------------------------------------------------------------ */

/* The queue @b names, if the backend has any. Lock held. */
static bool queue_of(struct rh *h, uint8_t b, uint32_t *qi)
{
    if (h->rb.nr_queues == 0)
        return false;
    *qi = b % h->rb.nr_queues;
    return true;
}

/* The @pick-th request taken on @q: of those not answered, unless bit 7 says any. */
static struct rb_request *pick_taken(struct rb_queue *q, uint8_t pick)
{
    size_t open = 0, k;

    for (size_t i = 0; i < q->nr_seen; i++)
        open += !q->seen[i].answered;
    if (q->nr_seen == 0)
        return NULL;
    if ((pick & 0x80) || open == 0)
        return &q->seen[pick % q->nr_seen];
    k = pick % open;
    for (size_t i = 0;; i++)
        if (!q->seen[i].answered && k-- == 0)
            return &q->seen[i];
}

static void op_submit(struct rh *h)
{
    uint8_t kind = (uint8_t)take(h, 1), queue = (uint8_t)take(h, 1);
    uint8_t length = (uint8_t)take(h, 1), shape = (uint8_t)take(h, 1);
    struct rh_request *r = make_request(h, kind, queue, length, shape);

    if (!r)
        return;
    if (kind & 8)
        r->chained = make_request(h, kind & ~8u, queue, length, shape);
    submit(h, r);
}

static const int16_t statuses[8] = {BLKIF_RSP_OKAY,
                                    BLKIF_RSP_OKAY,
                                    BLKIF_RSP_OKAY,
                                    BLKIF_RSP_OKAY,
                                    BLKIF_RSP_ERROR,
                                    BLKIF_RSP_EOPNOTSUPP,
                                    1,
                                    -3};

static void op_answer(struct rh *h)
{
    uint8_t qb = (uint8_t)take(h, 1), pick = (uint8_t)take(h, 1), how = (uint8_t)take(h, 1);
    struct rb_request *t;
    uint32_t qi, port = 0;
    uint8_t operation;

    pthread_mutex_lock(&h->rb.lock);
    t = queue_of(h, qb, &qi) ? pick_taken(&h->rb.queues[qi], pick) : NULL;
    if (t) {
        operation = t->operation == BLKIF_OP_INDIRECT && !(how & 16) ? t->op : t->operation;
        if (how & 8)
            operation = (uint8_t)(operation + 1) % 7;
        if ((how & 32) && t->nr_segs)
            rb_hold(&h->rb, t->segs[0].gref);
        rb_respond(&h->rb, qi, t->id, operation, statuses[how & 7]);
        if (how >> 6)
            rb_publish(&h->rb, qi, h->rb.queues[qi].rsp_prod);
        port = h->rb.queues[qi].port;
    }
    pthread_mutex_unlock(&h->rb.lock);
    if (t && how >> 7)
        fake_evtchn_fire(&h->fx.evtchn, port);
}

static void op_raw(struct rh *h)
{
    uint8_t qb = (uint8_t)take(h, 1), pick = (uint8_t)take(h, 1);
    uint64_t delta = take(h, 4), id = 0;
    uint8_t operation = (uint8_t)take(h, 1);
    int16_t status = (int16_t)take(h, 2);
    uint32_t qi;

    pthread_mutex_lock(&h->rb.lock);
    if (queue_of(h, qb, &qi)) {
        struct rb_queue *q = &h->rb.queues[qi];

        if (q->nr_seen)
            id = q->seen[pick % q->nr_seen].id;
        id ^= delta << (pick & 0x80 ? 32 : 0);
        rb_respond(&h->rb, qi, id, operation, status);
    }
    pthread_mutex_unlock(&h->rb.lock);
}

static void op_publish(struct rh *h)
{
    uint8_t qb = (uint8_t)take(h, 1), mode = (uint8_t)take(h, 1);
    int8_t delta = (int8_t)take(h, 1);
    uint32_t qi, port = 0;
    bool found;

    pthread_mutex_lock(&h->rb.lock);
    found = queue_of(h, qb, &qi);
    if (found) {
        struct rb_queue *q = &h->rb.queues[qi];

        switch (mode & 3) {
        case 0:
            rb_publish(&h->rb, qi, q->rsp_prod);
            break;
        case 1:
            rb_publish(&h->rb, qi, q->rsp_prod + (uint32_t)(int32_t)delta);
            break;
        case 2:
            q->rsp_prod += (uint32_t)(int32_t)delta;
            rb_publish(&h->rb, qi, q->rsp_prod);
            break;
        default:
            rb_publish(&h->rb, qi, q->req_cons + (uint32_t)(int32_t)delta);
            break;
        }
        port = q->port;
    }
    pthread_mutex_unlock(&h->rb.lock);
    if (found && (mode & 4))
        fake_evtchn_fire(&h->fx.evtchn, port);
}

static void op_event(struct rh *h)
{
    uint8_t qb = (uint8_t)take(h, 1);
    uint32_t qi, port = 0;
    bool found;

    pthread_mutex_lock(&h->rb.lock);
    found = queue_of(h, qb, &qi);
    if (found)
        port = h->rb.queues[qi].port;
    pthread_mutex_unlock(&h->rb.lock);
    if (found)
        fake_evtchn_fire(&h->fx.evtchn, port);
}

static void op_hold(struct rh *h)
{
    uint8_t qb = (uint8_t)take(h, 1), pick = (uint8_t)take(h, 1), which = (uint8_t)take(h, 1);
    struct rb_request *t;
    uint32_t qi;

    pthread_mutex_lock(&h->rb.lock);
    t = queue_of(h, qb, &qi) ? pick_taken(&h->rb.queues[qi], pick | 0x80) : NULL;
    if (t && t->nr_segs + t->nr_indirect > 0) {
        uint32_t k = which % (t->nr_segs + t->nr_indirect);

        rb_hold(&h->rb, k < t->nr_segs ? t->segs[k].gref : t->indirect[k - t->nr_segs]);
    }
    pthread_mutex_unlock(&h->rb.lock);
}

static void op_release(struct rh *h)
{
    uint8_t pick = (uint8_t)take(h, 1);

    pthread_mutex_lock(&h->rb.lock);
    if (pick == 0xff)
        while (h->rb.nr_holds)
            rb_release(&h->rb, 0);
    else if (h->rb.nr_holds)
        rb_release(&h->rb, pick % h->rb.nr_holds);
    pthread_mutex_unlock(&h->rb.lock);
}

/* The backend that left lets go of every page it kept, after a moment (its own thread). */
static void *let_go_later(void *arg)
{
    struct rh *h = arg;

    usleep(h->let_go_us);
    pthread_mutex_lock(&h->rb.lock);
    while (h->rb.nr_holds)
        rb_release(&h->rb, 0);
    pthread_mutex_unlock(&h->rb.lock);
    return NULL;
}

/*
 * The backend leaves (in @state); the frontend reconnects, or fails, before
 * we go on. With @let_go, the pages it kept are let go of while the frontend
 * waits for them.
 */
static void backend_leave(struct rh *h, uint32_t state, bool let_go)
{
    pthread_t thread;

    pthread_mutex_lock(&h->rb.lock);
    rb_disconnect(&h->rb, state);
    pthread_mutex_unlock(&h->rb.lock);
    if (let_go && pthread_create(&thread, NULL, let_go_later, h) != 0)
        fake_violation("no thread");
    fake_xenbus_backend_changed(&h->fx.xenbus, state);
    os_work_flush(&h->front->reconnect_work);
    if (let_go)
        pthread_join(thread, NULL);
}

enum backend_change {
    LEAVE_CLOSING,
    LEAVE_INIT_WAIT,
    LEAVE_LETTING_GO,
    RESIZE,
    NEW_FEATURES,
    REFUSE_ONCE,
    NEW_SECTOR_SIZE,
    UNPLUG,
    BACKEND_CHANGES,
};

static void op_backend(struct rh *h)
{
    uint8_t what = (uint8_t)(take(h, 1) % BACKEND_CHANGES);
    uint8_t arg = (uint8_t)take(h, 1), arg2 = (uint8_t)take(h, 1);
    struct rb_offer *o = &h->rb.offer;
    bool connected;

    pthread_mutex_lock(&h->rb.lock);
    connected = h->rb.state == XenbusStateConnected;
    if (what == RESIZE && connected)
        rb_resize(&h->rb, (uint64_t)(arg % 72) * SPAN_SECTORS);
    if (what == NEW_FEATURES || what == NEW_SECTOR_SIZE) {
        o->ring_order = (arg & 7) == 7 ? -1 : arg & 7;
        o->queues = (arg >> 3) & 7 ? (arg >> 3) & 7 : -1;
        o->segments = segment_offers[arg2 & 7];
        o->persistent = arg2 & 8;
    }
    if (what == NEW_SECTOR_SIZE)
        o->sector_size = 512u << ((arg2 >> 4) & 3);
    o->refuse = what == REFUSE_ONCE;
    pthread_mutex_unlock(&h->rb.lock);
    if (what == RESIZE && connected) {
        fake_xenbus_backend_changed(&h->fx.xenbus, XenbusStateConnected);
    } else if (what == UNPLUG) {
        /* As libxl: "online" 0 and Closing; the backend serves its rings until we close. */
        fake_store_write_number(&h->fx.store, h->fx.xenbus.otherend, "online", 0);
        fake_xenbus_backend_changed(&h->fx.xenbus, XenbusStateClosing);
        os_work_flush(&h->front->reconnect_work);
    } else if (what != RESIZE) {
        h->let_go_us = 1000u * (arg % 4);
        backend_leave(h, what == LEAVE_INIT_WAIT ? XenbusStateInitWait : XenbusStateClosing,
                      what == LEAVE_LETTING_GO);
    }
}

/*
 * An opcode is a byte modulo 16: 0-7 as response_harness.h lists them,
 * 8-15 the cheap ones again, so that a run of 0xff (or of any byte) is
 * rarely a reconnection each time.
 */
static void run_op(struct rh *h)
{
    static void (*const ops[16])(struct rh *h) = {
        op_submit, op_answer, op_raw,    op_publish, op_event,  op_hold,   op_release, op_backend,
        op_submit, op_answer, op_answer, op_publish, op_submit, op_answer, op_raw,     op_event,
    };

    ops[take(h, 1) % 16](h);
}

/* -- the end ------------------------------------------------------------------ */

/* The backend lets go of the caller's pages it kept (its own pool pages it keeps). Lock held. */
static void release_buffers(struct rh *h)
{
    for (size_t i = h->rb.nr_holds; i-- > 0;) {
        uint64_t gfn;
        uint16_t domid;
        bool readonly;

        if (fake_gnttab_lookup(&h->fx.gnttab, h->rb.holds[i], &domid, &gfn, &readonly) &&
            buffer_of(h, gfn))
            rb_release(&h->rb, i);
    }
}

static void finish(struct rh *h, struct rh_outcome *out)
{
    uint32_t accepted = 0, calls = 0;

    pthread_mutex_lock(&h->rb.lock);
    release_buffers(h);
    pthread_mutex_unlock(&h->rb.lock);
    fake_gnttab_settle(&h->fx.gnttab);
    out->broken = vbd_front_broken(h->front);
    out->unplugged = vbd_front_gone(h->front);
    vbd_front_get_info(h->front, &out->info);
    vbd_front_get_stats(h->front, &out->stats);
    pthread_mutex_lock(&h->rb.lock);
    for (uint32_t i = 0; i < h->nr_reqs; i++) {
        accepted += h->reqs[i]->accepted;
        calls += (uint32_t)h->reqs[i]->calls;
    }
    pthread_mutex_unlock(&h->rb.lock);
    if (out->stats.submitted != accepted || out->stats.completed != calls)
        fake_violation("counted %llu submitted and %llu completed; %u accepted, %u completions",
                       (unsigned long long)out->stats.submitted,
                       (unsigned long long)out->stats.completed, accepted, calls);
    vbd_front_close(h->front);
    /* Pool pages it kept: given back to the frontend's regions now. */
    pthread_mutex_lock(&h->rb.lock);
    while (h->rb.nr_holds)
        rb_release(&h->rb, 0);
    pthread_mutex_unlock(&h->rb.lock);
    fake_gnttab_settle(&h->fx.gnttab);
    out->requests = h->nr_reqs;
    for (uint32_t i = 0; i < h->nr_reqs; i++) {
        const struct rh_request *r = h->reqs[i];

        if (r->calls != (r->accepted ? 1 : 0))
            fake_violation("request %u: %s, completed %d times", i,
                           r->accepted ? "accepted" : "refused", r->calls);
        out->accepted[i] = r->accepted;
        out->op[i] = r->req.io.op;
        out->status[i] = r->status;
        out->calls[i] = (uint8_t)r->calls;
    }
    out->fails = h->fx.xenbus.fails;
    out->gone = h->gone_told;
    out->read_bytes_checked = h->read_bytes_checked;
    out->connects = h->rb.connects;
    if (out->broken != (out->fails > 0))
        fake_violation("broken %d, yet XENBUS told %u time(s)", out->broken, out->fails);
}

static void free_requests(struct rh *h)
{
    for (uint32_t i = 0; i < h->nr_reqs; i++) {
        struct rh_request *r = h->reqs[i];

        if (r->va)
            os_pages_free(r->va, r->pages);
        free(r->gfns);
        free(r->sg);
        free(r);
    }
}

void rh_run(const uint8_t *data, size_t size, struct rh_outcome *out)
{
    struct rh *h = calloc(1, sizeof(*h));
    size_t pages = os_posix_guest_pages_in_use();
    struct rb_offer offer;
    uint8_t limits;

    memset(out, 0, sizeof(*out));
    h->input = (struct fuzz_input){data, size};
    limits = read_setup(h, &offer);
    fake_services_init(&h->fx, "vbd", VDEV_ID, rb_frontend_state, &h->rb);
    rb_init(&h->rb, &h->fx, &offer, (uint16_t)VDEV_HANDLE);
    if (limits & 0x40)
        h->fx.store.conflicts = 2;
    out->open_rc = vbd_front_open(&h->fx.svc, VDEV_ID, &h->opt, &h->front);
    if (out->open_rc != 0)
        fake_violation("vbd_front_open: %d, against a backend that offers nothing wrong",
                       out->open_rc);
    vbd_front_get_info(h->front, &out->info);
    h->flush_op = out->info.flush_op;
    if (limits & 0x80)
        h->fx.gnttab.limit = h->fx.gnttab.in_use + (limits & 63u);
    after_op(h);
    while (h->input.size > 0 && h->op_index < RH_MAX_OPS) {
        pthread_mutex_lock(&h->rb.lock);
        h->op_index++;
        pthread_mutex_unlock(&h->rb.lock);
        run_op(h);
        after_op(h);
    }
    finish(h, out);
    rb_destroy(&h->rb);
    fake_services_destroy(&h->fx);
    free_requests(h);
    if (os_posix_guest_pages_in_use() != pages)
        fake_violation("%zu guest page(s) left", os_posix_guest_pages_in_use() - pages);
    free(h);
}
