/* tests/vbd/front/response_backend.c - see response_backend.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xen/io/ring.h>
#include <xen/io/xenbus.h>
#include <blkif/nodes.h>
#include <blkif/segments.h>

#include "os_posix.h"
#include "response_backend.h"
#include "ring/ring.h"

#define ENTRY_SIZE sizeof(union blkif_sring_entry)

/* Grow @array (of @cap elements of @size bytes) to hold @n + 1. */
static void *grow(void *array, size_t *cap, size_t n, size_t size)
{
    if (n < *cap)
        return array;
    *cap = *cap ? *cap * 2 : 16;
    array = realloc(array, *cap * size);
    if (!array)
        fake_violation("out of memory");
    return array;
}

RB_UNTRACED void rb_pattern_fill(uint8_t *p, size_t len, uint64_t pos, bool write)
{
    for (size_t i = 0; i < len; i++)
        p[i] = write ? rb_write_byte(pos + i) : rb_disk_byte(pos + i);
}

RB_UNTRACED size_t rb_pattern_mismatch(const uint8_t *p, size_t len, uint64_t pos, bool write)
{
    for (size_t i = 0; i < len; i++)
        if (p[i] != (write ? rb_write_byte(pos + i) : rb_disk_byte(pos + i)))
            return i;
    return len;
}

/* -- the ring, as the backend maps it: page by page -------------------------- */

/* @len bytes at byte @at of the ring's pages into @buf (@out), or from it. */
static void ring_copy(struct rb_queue *q, size_t at, void *buf, size_t len, bool out)
{
    uint8_t *b = buf;

    while (len > 0) {
        uint8_t *page = q->pages[at / OS_PAGE_SIZE];
        size_t in = at % OS_PAGE_SIZE, n = OS_PAGE_SIZE - in < len ? OS_PAGE_SIZE - in : len;

        if (out)
            memcpy(b, page + in, n);
        else
            memcpy(page + in, b, n);
        b += n;
        at += n;
        len -= n;
    }
}

static size_t entry_at(const struct rb_queue *q, uint32_t index)
{
    return sizeof(struct xen_sring_header) + (size_t)(index & (q->size - 1)) * ENTRY_SIZE;
}

static volatile uint32_t *ring_index(struct rb_queue *q, size_t offset)
{
    return (volatile uint32_t *)(void *)(q->pages[0] + offset);
}

/* -- the nodes ------------------------------------------------------------ */

static void offer_number(struct rb_backend *rb, const char *name, int64_t value)
{
    if (value < 0)
        fake_store_remove(&rb->fx->store, rb->fx->xenbus.otherend, name);
    else
        fake_store_write_number(&rb->fx->store, rb->fx->xenbus.otherend, name, (uint64_t)value);
}

/* What the frontend reads while we wait for it. */
static void write_transport(struct rb_backend *rb)
{
    offer_number(rb, BLKIF_NODE_MAX_RING_PAGE_ORDER, rb->offer.ring_order);
    offer_number(rb, BLKIF_NODE_MAX_QUEUES, rb->offer.queues);
}

/* What it reads once we are Connected. */
static void write_disk(struct rb_backend *rb)
{
    const struct rb_offer *o = &rb->offer;
    char path[128];

    rb_resize(rb, o->sectors);
    offer_number(rb, BLKIF_NODE_SECTOR_SIZE, o->sector_size);
    offer_number(rb, BLKIF_NODE_PHYSICAL_SECTOR_SIZE, o->sector_size);
    offer_number(rb, BLKIF_NODE_INFO, o->read_only ? VDISK_READONLY : 0);
    snprintf(path, sizeof(path), "%s/mode", rb->fx->xenbus.otherend);
    fake_store_write(&rb->fx->store, path, o->read_only ? "r" : "w");
    offer_number(rb, BLKIF_NODE_FLUSH_CACHE, o->flush);
    offer_number(rb, BLKIF_NODE_BARRIER, o->barrier);
    offer_number(rb, BLKIF_NODE_DISCARD, o->discard);
    offer_number(rb, BLKIF_NODE_DISCARD_SECURE, o->discard ? o->discard_secure : -1);
    offer_number(rb, BLKIF_NODE_DISCARD_GRANULARITY, o->discard ? o->sector_size : -1);
    offer_number(rb, BLKIF_NODE_PERSISTENT, o->persistent);
    offer_number(rb, BLKIF_NODE_MAX_INDIRECT_SEGMENTS, o->segments);
}

void rb_resize(struct rb_backend *rb, uint64_t sectors)
{
    rb->offer.sectors = sectors;
    offer_number(rb, BLKIF_NODE_SECTORS, (int64_t)(sectors / (rb->offer.sector_size / 512)));
}

static void set_state(struct rb_backend *rb, uint32_t state)
{
    rb->state = state;
    fake_xenbus_set_backend_state(&rb->fx->xenbus, state);
}

void rb_init(struct rb_backend *rb, struct fake_services *fx, const struct rb_offer *offer,
             uint16_t handle)
{
    memset(rb, 0, sizeof(*rb));
    pthread_mutex_init(&rb->lock, NULL);
    rb->fx = fx;
    rb->offer = *offer;
    rb->handle = handle;
    offer_number(rb, "online", 1);
    write_transport(rb);
    set_state(rb, XenbusStateInitWait);
}

/* -- connecting ------------------------------------------------------------ */

static uint64_t front_number(struct rb_backend *rb, const char *dir, const char *name,
                             uint64_t absent)
{
    uint64_t v;

    return fake_store_read_number(&rb->fx->store, dir, name, &v) ? v : absent;
}

/* Map queue @qi's ring, named in @dir, and bind its channel. */
static void map_queue(struct rb_backend *rb, uint32_t qi, const char *dir, uint32_t pages)
{
    struct rb_queue *q = &rb->queues[qi];
    uint64_t port = front_number(rb, dir, BLKIF_NODE_EVENT_CHANNEL, UINT64_MAX);

    memset(q, 0, sizeof(*q));
    for (uint32_t i = 0; i < pages; i++) {
        char name[32];
        uint64_t ref, gfn;
        uint16_t domid;
        bool readonly;

        snprintf(name, sizeof(name), pages == 1 ? BLKIF_NODE_RING_REF : BLKIF_NODE_RING_REF "%u",
                 i);
        ref = front_number(rb, dir, name, UINT64_MAX);
        if (ref > UINT32_MAX ||
            !fake_gnttab_lookup(&rb->fx->gnttab, (uint32_t)ref, &domid, &gfn, &readonly) ||
            domid != 0 || readonly)
            fake_violation("backend: %s/%s is no writable grant to us", dir, name);
        fake_gnttab_hold(&rb->fx->gnttab, (uint32_t)ref);
        q->refs[i] = (uint32_t)ref;
        q->pages[i] = os_posix_gfn_to_va(gfn);
        q->nr_pages = i + 1;
    }
    if (port > UINT32_MAX || !fake_evtchn_lookup(&rb->fx->evtchn, (uint32_t)port, 0, &q->notified))
        fake_violation("backend: %s/event-channel is no channel for us", dir);
    q->port = (uint32_t)port;
    q->size = ring_entries_for((size_t)pages * OS_PAGE_SIZE, ENTRY_SIZE);
    if (*ring_index(q, offsetof(struct xen_sring_header, req_prod)) != 0 ||
        *ring_index(q, offsetof(struct xen_sring_header, rsp_prod)) != 0)
        fake_violation("backend: queue %u's ring is not new", qi);
    q->persistent =
        rb->offer.persistent && front_number(rb, rb->fx->xenbus.nodename, BLKIF_NODE_PERSISTENT, 0);
    q->mapped = true;
}

/* The frontend is Initialised: map what it published, then Connected. */
static void connect(struct rb_backend *rb)
{
    const char *front = rb->fx->xenbus.nodename;
    uint64_t queues = front_number(rb, front, BLKIF_NODE_NUM_QUEUES, 1);
    uint64_t order = front_number(rb, front, BLKIF_NODE_RING_PAGE_ORDER, 0);
    uint64_t max_queues = rb->offer.queues > 1 ? (uint64_t)rb->offer.queues : 1;
    uint64_t max_order = rb->offer.ring_order > 0 ? (uint64_t)rb->offer.ring_order : 0;

    if (queues == 0 || queues > max_queues || queues > RB_MAX_QUEUES)
        fake_violation("backend: the frontend asks for %llu queue(s), %llu offered",
                       (unsigned long long)queues, (unsigned long long)max_queues);
    if (order > max_order || (1u << order) > RB_MAX_RING_PAGES)
        fake_violation("backend: the frontend asks for ring order %llu, %llu offered",
                       (unsigned long long)order, (unsigned long long)max_order);
    for (uint32_t i = 0; i < queues; i++) {
        char dir[96];

        if (queues == 1)
            snprintf(dir, sizeof(dir), "%s", front);
        else
            snprintf(dir, sizeof(dir), "%s/queue-%u", front, i);
        map_queue(rb, i, dir, 1u << order);
    }
    rb->nr_queues = (uint32_t)queues;
    rb->connects++;
    write_disk(rb);
    set_state(rb, XenbusStateConnected);
}

void rb_disconnect(struct rb_backend *rb, uint32_t state)
{
    for (uint32_t i = 0; i < rb->nr_queues; i++) {
        struct rb_queue *q = &rb->queues[i];

        for (uint32_t p = 0; p < q->nr_pages; p++)
            fake_gnttab_release(&rb->fx->gnttab, q->refs[p]);
        for (size_t s = 0; s < q->nr_seen; s++)
            free(q->seen[s].segs);
        free(q->seen);
        memset(q, 0, sizeof(*q));
    }
    rb->nr_queues = 0;
    set_state(rb, state);
}

void rb_frontend_state(void *ctx, uint32_t state)
{
    struct rb_backend *rb = ctx;

    pthread_mutex_lock(&rb->lock);
    switch (state) {
    case XenbusStateInitialising:
        if (rb->state != XenbusStateConnected) {
            write_transport(rb);
            set_state(rb, XenbusStateInitWait);
        }
        break;
    case XenbusStateInitialised:
        if (rb->state != XenbusStateInitWait)
            break;
        if (rb->offer.refuse) {
            rb->offer.refuse = false;
            set_state(rb, XenbusStateClosed);
        } else {
            connect(rb);
        }
        break;
    case XenbusStateClosing:
        /* As Linux's blkback: the ring is served until the frontend is Closed. */
        if (rb->state != XenbusStateClosed)
            set_state(rb, XenbusStateClosing);
        break;
    case XenbusStateClosed:
        rb_disconnect(rb, XenbusStateClosed);
        break;
    default:
        break;
    }
    pthread_mutex_unlock(&rb->lock);
}

void rb_destroy(struct rb_backend *rb)
{
    pthread_mutex_lock(&rb->lock);
    rb_disconnect(rb, XenbusStateClosed);
    while (rb->nr_holds)
        rb_release(rb, 0);
    pthread_mutex_unlock(&rb->lock);
    free(rb->answers);
    free(rb->holds);
}

/* -- requests --------------------------------------------------------------- */

/* @ref is a grant to us, writable when @write; its page. */
static uint8_t *grant_page(struct rb_backend *rb, uint32_t ref, bool write)
{
    uint64_t gfn;
    uint16_t domid;
    bool readonly;

    if (!fake_gnttab_lookup(&rb->fx->gnttab, ref, &domid, &gfn, &readonly) || domid != 0 ||
        (write && readonly))
        return NULL;
    return os_posix_gfn_to_va(gfn);
}

static void check_segments(struct rb_backend *rb, struct rb_request *r, uint32_t unit)
{
    uint64_t bytes = 0;

    for (uint32_t i = 0; i < r->nr_segs; i++) {
        const struct rb_segment *s = &r->segs[i];

        if (s->first > s->last || s->last >= OS_PAGE_SIZE / unit)
            fake_violation("backend: segment %u of %#llx covers sectors %u..%u", i,
                           (unsigned long long)r->id, s->first, s->last);
        if (r->checked && !grant_page(rb, s->gref, r->op == BLKIF_OP_READ))
            fake_violation("backend: segment %u of %#llx names grant %u, not ours to %s", i,
                           (unsigned long long)r->id, s->gref,
                           r->op == BLKIF_OP_READ ? "write" : "read");
        bytes += (uint64_t)(s->last - s->first + 1) * unit;
    }
    r->end = r->start + bytes;
}

static void take_rw(struct rb_backend *rb, const union blkif_sring_entry *e, struct rb_request *r,
                    uint32_t unit)
{
    const struct blkif_request *req = &e->req;

    if (req->nr_segments == 0 || req->nr_segments > BLKIF_MAX_SEGMENTS_PER_REQUEST)
        fake_violation("backend: %u segments in a request", req->nr_segments);
    r->op = req->operation;
    r->start = req->sector_number * unit;
    r->nr_segs = req->nr_segments;
    r->segs = calloc(r->nr_segs, sizeof(*r->segs));
    for (uint32_t i = 0; i < r->nr_segs; i++)
        r->segs[i] =
            (struct rb_segment){req->seg[i].gref, req->seg[i].first_sect, req->seg[i].last_sect};
}

static void take_indirect(struct rb_backend *rb, const union blkif_sring_entry *e,
                          struct rb_request *r, uint32_t unit)
{
    struct blkif_request_indirect ind;
    uint32_t max = rb->offer.segments > 0 ? (uint32_t)rb->offer.segments : 0;

    memcpy(&ind, e, sizeof(ind));
    if (ind.indirect_op != BLKIF_OP_READ && ind.indirect_op != BLKIF_OP_WRITE)
        fake_violation("backend: indirect operation %u", ind.indirect_op);
    if (ind.nr_segments <= BLKIF_MAX_SEGMENTS_PER_REQUEST || ind.nr_segments > max)
        fake_violation("backend: %u indirect segments, %u offered", ind.nr_segments, max);
    r->op = ind.indirect_op;
    r->start = ind.sector_number * unit;
    r->nr_segs = ind.nr_segments;
    r->nr_indirect = blkif_indirect_list_pages(r->nr_segs);
    if (r->nr_indirect > BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST)
        fake_violation("backend: %u indirect pages", r->nr_indirect);
    if (ind.handle != rb->handle)
        fake_violation("backend: handle %u, not %u", ind.handle, rb->handle);
    r->segs = calloc(r->nr_segs, sizeof(*r->segs));
    for (uint32_t p = 0; p < r->nr_indirect; p++) {
        const struct blkif_request_segment *list;

        r->indirect[p] = ind.indirect_grefs[p];
        list = (const void *)grant_page(rb, ind.indirect_grefs[p], false);
        if (!list && r->checked)
            fake_violation("backend: indirect page %u names grant %u, not ours", p,
                           ind.indirect_grefs[p]);
        r->unlisted |= !list;
        for (uint32_t i = p * BLKIF_SEGS_PER_INDIRECT_PAGE;
             list && i < r->nr_segs && i < (p + 1) * BLKIF_SEGS_PER_INDIRECT_PAGE; i++) {
            const struct blkif_request_segment *s = &list[i % BLKIF_SEGS_PER_INDIRECT_PAGE];

            r->segs[i] = (struct rb_segment){s->gref, s->first_sect, s->last_sect};
        }
    }
}

static void take_discard(struct rb_backend *rb, const union blkif_sring_entry *e,
                         struct rb_request *r, uint32_t unit)
{
    struct blkif_request_discard d;

    memcpy(&d, e, sizeof(d));
    if (!rb->offer.discard)
        fake_violation("backend: a discard, never offered");
    if (d.flag & ~BLKIF_DISCARD_SECURE || (d.flag && !rb->offer.discard_secure))
        fake_violation("backend: discard flag %#x", d.flag);
    if (d.nr_sectors == 0)
        fake_violation("backend: a discard of nothing");
    r->op = BLKIF_OP_DISCARD;
    r->start = d.sector_number * unit;
    r->end = r->start + d.nr_sectors * unit;
}

/* A flush goes out only once every request before it on its queue was answered. */
static void check_flush(struct rb_backend *rb, const struct rb_queue *q, uint8_t op)
{
    if ((op == BLKIF_OP_FLUSH_DISKCACHE && !rb->offer.flush) ||
        (op == BLKIF_OP_WRITE_BARRIER && !rb->offer.barrier))
        fake_violation("backend: flush operation %u, never offered", op);
    for (size_t i = 0; i < q->nr_seen; i++)
        if (!q->seen[i].answered)
            fake_violation("backend: a flush with request %#llx unanswered before it",
                           (unsigned long long)q->seen[i].id);
}

static void take(struct rb_backend *rb, struct rb_queue *q, const union blkif_sring_entry *e,
                 bool check_grants)
{
    uint32_t unit = rb->offer.sector_size;
    struct rb_request r = {.id = e->req.id, .operation = e->req.operation, .checked = check_grants};

    for (size_t i = 0; i < q->nr_seen; i++)
        if (q->seen[i].id == r.id)
            fake_violation("backend: id %#llx used twice on one connection",
                           (unsigned long long)r.id);
    if (r.operation != BLKIF_OP_INDIRECT && e->req.handle != rb->handle)
        fake_violation("backend: handle %u, not %u", e->req.handle, rb->handle);
    switch (r.operation) {
    case BLKIF_OP_READ:
    case BLKIF_OP_WRITE:
        take_rw(rb, e, &r, unit);
        break;
    case BLKIF_OP_INDIRECT:
        if (rb->offer.segments <= BLKIF_MAX_SEGMENTS_PER_REQUEST)
            fake_violation("backend: an indirect request, never offered");
        take_indirect(rb, e, &r, unit);
        break;
    case BLKIF_OP_FLUSH_DISKCACHE:
    case BLKIF_OP_WRITE_BARRIER:
        check_flush(rb, q, r.operation);
        r.op = r.operation;
        break;
    case BLKIF_OP_DISCARD:
        take_discard(rb, e, &r, unit);
        break;
    default:
        fake_violation("backend: operation %u", r.operation);
    }
    if (r.op == BLKIF_OP_READ || r.op == BLKIF_OP_WRITE)
        check_segments(rb, &r, unit);
    if ((r.op == BLKIF_OP_WRITE || r.op == BLKIF_OP_DISCARD) && rb->offer.read_only)
        fake_violation("backend: a write to a read-only disk");
    r.seq = ++rb->seq;
    q->seen = grow(q->seen, &q->cap_seen, q->nr_seen, sizeof(*q->seen));
    q->seen[q->nr_seen++] = r;
}

size_t rb_poll(struct rb_backend *rb, uint32_t qi, bool check_grants, size_t *first)
{
    struct rb_queue *q = &rb->queues[qi];
    uint32_t prod, notified = 0, n;

    *first = q->nr_seen;
    if (qi >= rb->nr_queues || !q->mapped)
        return 0;
    prod = __atomic_load_n(ring_index(q, offsetof(struct xen_sring_header, req_prod)),
                           __ATOMIC_ACQUIRE);
    n = prod - q->req_cons;
    if (n > q->size)
        fake_violation("backend: %u requests published on a ring of %u", n, q->size);
    fake_evtchn_lookup(&rb->fx->evtchn, q->port, 0, &notified);
    if (n > 0 && notified == q->notified)
        fake_violation("backend: %u request(s) published on queue %u without a notification", n,
                       qi);
    for (; q->req_cons != prod; q->req_cons++) {
        union blkif_sring_entry e;

        ring_copy(q, entry_at(q, q->req_cons), &e, sizeof(e), true);
        take(rb, q, &e, check_grants);
    }
    /* Ask for an event on the next request (RING_FINAL_CHECK_FOR_REQUESTS). */
    __atomic_store_n(ring_index(q, offsetof(struct xen_sring_header, req_event)), prod + 1,
                     __ATOMIC_SEQ_CST);
    q->notified = notified;
    return n;
}

/* -- responses ------------------------------------------------------------ */

/* A read's data into its segments: the disk's bytes, or RB_POISON. */
static void fill_read(struct rb_backend *rb, const struct rb_request *r, bool ok)
{
    uint32_t unit = rb->offer.sector_size;
    uint64_t pos = r->start;

    for (uint32_t i = 0; i < r->nr_segs; i++) {
        const struct rb_segment *s = &r->segs[i];
        uint8_t *page = grant_page(rb, s->gref, true);
        uint32_t from = s->first * unit, len = (s->last + 1u) * unit - from;

        if (page && ok)
            rb_pattern_fill(page + from, len, pos, false);
        else if (page)
            memset(page + from, RB_POISON, len);
        pos += len;
    }
}

/* A write answered OKAY must have carried the bytes it was given. */
static void check_write(struct rb_backend *rb, const struct rb_request *r)
{
    uint32_t unit = rb->offer.sector_size;
    uint64_t pos = r->start;

    for (uint32_t i = 0; i < r->nr_segs; i++) {
        const struct rb_segment *s = &r->segs[i];
        const uint8_t *page = grant_page(rb, s->gref, false);
        uint32_t from = s->first * unit, len = (s->last + 1u) * unit - from;
        size_t bad = page ? rb_pattern_mismatch(page + from, len, pos, true) : len;

        if (bad < len)
            fake_violation("backend: write %#llx carries %#x at disk byte %llu, not %#x",
                           (unsigned long long)r->id, page[from + bad],
                           (unsigned long long)(pos + bad), rb_write_byte(pos + bad));
        pos += len;
    }
}

static void answered(struct rb_backend *rb, struct rb_request *r, int16_t status)
{
    if (!r->answered && r->checked && r->op == BLKIF_OP_READ)
        fill_read(rb, r, status == BLKIF_RSP_OKAY);
    if (!r->answered && r->checked && r->op == BLKIF_OP_WRITE && status == BLKIF_RSP_OKAY)
        check_write(rb, r);
    r->answered = true;
    if (status != BLKIF_RSP_OKAY)
        return;
    rb->answers = grow(rb->answers, &rb->cap_answers, rb->nr_answers, sizeof(*rb->answers));
    rb->answers[rb->nr_answers++] = (struct rb_answer){r->op, r->start, r->end, r->seq, false};
}

void rb_respond(struct rb_backend *rb, uint32_t qi, uint64_t id, uint8_t operation, int16_t status)
{
    struct rb_queue *q = &rb->queues[qi];
    union blkif_sring_entry e;

    if (qi >= rb->nr_queues || !q->mapped)
        return;
    for (size_t i = 0; i < q->nr_seen; i++)
        if (q->seen[i].id == id)
            answered(rb, &q->seen[i], status);
    memset(&e, 0, sizeof(e));
    e.rsp = (struct blkif_response){.id = id, .operation = operation, .status = status};
    ring_copy(q, entry_at(q, q->rsp_prod), &e, sizeof(e), false);
    q->rsp_prod++;
}

void rb_publish(struct rb_backend *rb, uint32_t qi, uint32_t rsp_prod)
{
    struct rb_queue *q = &rb->queues[qi];

    if (qi < rb->nr_queues && q->mapped)
        __atomic_store_n(ring_index(q, offsetof(struct xen_sring_header, rsp_prod)), rsp_prod,
                         __ATOMIC_RELEASE);
}

/* -- grants kept ------------------------------------------------------------ */

bool rb_hold(struct rb_backend *rb, uint32_t ref)
{
    for (size_t i = 0; i < rb->nr_holds; i++)
        if (rb->holds[i] == ref)
            return true;
    if (!fake_gnttab_hold(&rb->fx->gnttab, ref))
        return false;
    rb->holds = grow(rb->holds, &rb->cap_holds, rb->nr_holds, sizeof(*rb->holds));
    rb->holds[rb->nr_holds++] = ref;
    return true;
}

void rb_release(struct rb_backend *rb, size_t i)
{
    uint32_t ref = rb->holds[i];

    rb->holds[i] = rb->holds[--rb->nr_holds];
    fake_gnttab_release(&rb->fx->gnttab, ref);
}

/* -- what was answered ---------------------------------------------------- */

bool rb_covered(const struct rb_backend *rb, uint8_t op, uint64_t start, uint64_t end,
                uint64_t after)
{
    uint64_t at = start;
    bool moved = true;

    while (at < end && moved) {
        moved = false;
        for (size_t i = 0; i < rb->nr_answers; i++) {
            const struct rb_answer *a = &rb->answers[i];

            if (a->op == op && a->seq > after && a->start <= at && at < a->end) {
                at = a->end;
                moved = true;
            }
        }
    }
    return at >= end;
}

bool rb_claim_flush(struct rb_backend *rb, uint8_t op, uint64_t after)
{
    struct rb_answer *best = NULL;

    for (size_t i = 0; i < rb->nr_answers; i++) {
        struct rb_answer *a = &rb->answers[i];

        if (a->op == op && a->seq > after && !a->claimed && (!best || a->seq < best->seq))
            best = a;
    }
    if (best)
        best->claimed = true;
    return best != NULL;
}
