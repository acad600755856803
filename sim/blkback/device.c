/* sim/blkback/device.c - see device.h. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <time.h>

#include "device.h"
#include "grants.h"
#include "io.h"
#include "options.h"
#include "os.h"
#include "ring/ring.h"

/* Vectors one readv/writev may take; longer requests are cut into several. */
#define IOV_PER_CALL 1024

struct queue {
    uint8_t *ring_pages; /* NULL: not set up */
    uint32_t nr_pages;
    struct ring_back ring;
    uint32_t port;
    bool bound;
    /* --misbehave: an answer to give again in place of the next, an index to overrun. */
    bool answer_again, overrun;
    struct blkif_response again;
};

/* A request being served. */
struct inflight {
    struct inflight *next_free;
    struct queue *queue;
    struct blk_op op;
    int16_t status;
    uint32_t pending;  /* completions still to come */
    uint64_t done;     /* bytes the completions moved */
    bool started;      /* its I/O was submitted */
    uint8_t **pages;   /* each segment's page */
    struct iovec *iov; /* each segment's bytes */
    struct request_maps maps;
};

struct device {
    struct dom0 *dom0;
    uint32_t domid;
    struct blk_limits limits;
    struct io_engine io;
    bool io_ready;
    struct grants grants;
    struct queue queues[BLKBACK_MAX_QUEUES];
    uint32_t nr_queues;
    struct inflight *slots;
    uint32_t nr_slots;
    struct inflight *free;
    uint32_t busy;            /* slots in use */
    struct inflight *barrier; /* a barrier waiting or running: nothing else starts */
    bool broken;
    /*
     * The last look for work before sleeping found none in its whole time:
     * the frontend is not streaming, and the next look does not spin but
     * sleeps until an event comes (device_event clears it).
     */
    bool poll_missed;
    struct misbehave *misbehave;
    /* An indirect request's segment pages, copied here to be read once. */
    uint8_t indirect[BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST * BLK_PAGE_SIZE];
};

static uint32_t max_segments(const struct blk_limits *lim)
{
    return lim->max_indirect_segments > BLKIF_MAX_SEGMENTS_PER_REQUEST
               ? lim->max_indirect_segments
               : BLKIF_MAX_SEGMENTS_PER_REQUEST;
}

static int create_slots(struct device *dev, uint32_t count)
{
    uint32_t segs = max_segments(&dev->limits);

    dev->slots = calloc(count, sizeof(*dev->slots));
    if (dev->slots == NULL)
        return -ENOMEM;
    dev->nr_slots = count;
    for (uint32_t i = 0; i < count; i++) {
        struct inflight *f = &dev->slots[i];

        f->op.segs = calloc(segs, sizeof(*f->op.segs));
        f->pages = calloc(segs, sizeof(*f->pages));
        f->iov = calloc(segs, sizeof(*f->iov));
        if (f->op.segs == NULL || f->pages == NULL || f->iov == NULL)
            return -ENOMEM;
        f->next_free = dev->free;
        dev->free = f;
    }
    return 0;
}

static void free_slots(struct device *dev)
{
    for (uint32_t i = 0; i < dev->nr_slots; i++) {
        free(dev->slots[i].op.segs);
        free(dev->slots[i].pages);
        free(dev->slots[i].iov);
    }
    free(dev->slots);
}

int device_create(const struct device_params *params, struct device **out)
{
    struct device *dev = calloc(1, sizeof(*dev));
    unsigned int entries = 64;
    int rc;

    if (dev == NULL)
        return -ENOMEM;
    dev->dom0 = params->dom0;
    dev->domid = params->domid;
    dev->limits = params->limits;
    dev->misbehave = params->misbehave;
    while (entries < 2 * params->max_inflight)
        entries *= 2;
    rc = create_slots(dev, params->max_inflight);
    if (rc == 0)
        rc = grants_init(&dev->grants, params->dom0, params->domid, params->persistent,
                         params->max_persistent_grants, max_segments(&dev->limits));
    if (rc == 0) {
        rc = io_init(&dev->io, params->disk_fd, entries);
        dev->io_ready = rc == 0;
    }
    if (rc) {
        device_destroy(dev);
        return rc;
    }
    *out = dev;
    return 0;
}

int device_add_queue(struct device *dev, const uint32_t *refs, uint32_t nr_pages,
                     uint32_t remote_port, char *why, size_t why_size)
{
    struct queue *q = &dev->queues[dev->nr_queues];
    const struct xen_sring_header *shared;
    RING_IDX rsp_prod, req_prod;
    size_t bytes = (size_t)nr_pages * BLK_PAGE_SIZE;
    int rc;

    if (dev->nr_queues == BLKBACK_MAX_QUEUES)
        return -EINVAL;
    q->ring_pages = dom0_map(dev->dom0, dev->domid, refs, nr_pages, true);
    if (q->ring_pages == NULL) {
        snprintf(why, why_size, "mapping ring %u (%u pages)", dev->nr_queues, nr_pages);
        return -EFAULT;
    }
    q->nr_pages = nr_pages;
    dev->nr_queues++;
    /*
     * Attach where the frontend's responses stand, as Linux's blkback does:
     * a frontend that re-attached its ring after a resume has them not at
     * 0. What it published beyond must fit the ring.
     */
    shared = (const struct xen_sring_header *)q->ring_pages;
    rsp_prod = os_read_once32(&shared->rsp_prod);
    req_prod = os_read_once32(&shared->req_prod);
    rc =
        ring_back_attach(&q->ring, q->ring_pages, bytes, sizeof(union blkif_sring_entry), rsp_prod);
    if (rc == 0 && req_prod - rsp_prod > q->ring.ring.size)
        rc = -EINVAL;
    if (rc) {
        snprintf(why, why_size, "ring %u: indices %u/%u do not fit %u entries", dev->nr_queues - 1,
                 req_prod, rsp_prod, q->ring.ring.size);
        return -EINVAL;
    }
    rc = dom0_bind(dev->dom0, dev->domid, remote_port, &q->port);
    if (rc) {
        snprintf(why, why_size, "binding event channel %u", remote_port);
        return rc;
    }
    q->bound = true;
    return 0;
}

int device_io_fd(const struct device *dev)
{
    return io_poll_fd(&dev->io);
}

bool device_broken(const struct device *dev)
{
    return dev->broken;
}

void device_set_sectors(struct device *dev, uint64_t sectors)
{
    dev->limits.sectors = sectors;
}

/* -- answering ------------------------------------------------------------ */

static void respond(struct device *dev, struct queue *q, uint64_t id, uint8_t operation,
                    int16_t status)
{
    struct blkif_response rsp = {.id = id, .operation = operation, .status = status};
    enum misbehaviour wrong = MISBEHAVE_NONE;

    if (q->answer_again) /* --misbehave duplicate: the last answer in this one's place */
        rsp = q->again;
    else if (dev->misbehave)
        wrong = misbehave_answer(dev->misbehave, &rsp);
    q->answer_again = wrong == MISBEHAVE_DUPLICATE;
    q->again = rsp;
    q->overrun |= wrong == MISBEHAVE_OVERRUN_INDEX;
    memcpy(ring_back_next_response(&q->ring), &rsp, sizeof(rsp));
}

/* Publish the responses written on every queue, notifying where asked. */
static void push_responses(struct device *dev)
{
    for (uint32_t i = 0; i < dev->nr_queues; i++) {
        struct queue *q = &dev->queues[i];

        if (q->ring.rsp_prod_pvt != q->ring.rsp_published && ring_back_push(&q->ring) && q->bound)
            dom0_notify(dev->dom0, q->port);
        if (q->overrun && q->bound) { /* --misbehave overrun */
            os_atomic_store32(&q->ring.ring.shared->rsp_prod,
                              q->ring.rsp_published + MISBEHAVE_OVERRUN);
            dom0_notify(dev->dom0, q->port);
            q->overrun = false;
        }
    }
}

static void submit(struct device *dev, struct inflight *f);

static void finish(struct device *dev, struct inflight *f)
{
    grants_put(&dev->grants, &f->maps);
    respond(dev, f->queue, f->op.id, f->op.rsp_operation, f->status);
    if (dev->barrier == f)
        dev->barrier = NULL;
    f->next_free = dev->free;
    dev->free = f;
    dev->busy--;
    /* A barrier waiting for the requests before it: it may go now. */
    if (dev->barrier && !dev->barrier->started && dev->busy == 1)
        submit(dev, dev->barrier);
}

static void completed(void *ctx, void *tag, int32_t result)
{
    struct device *dev = ctx;
    struct inflight *f = tag;

    if (result < 0 && f->status == BLKIF_RSP_OKAY)
        f->status = result == -EOPNOTSUPP && f->op.kind == BLK_DISCARD ? BLKIF_RSP_EOPNOTSUPP
                                                                       : BLKIF_RSP_ERROR;
    else if (result > 0)
        f->done += (uint64_t)result;
    if (--f->pending > 0)
        return;
    /* A short read or write is an error: the range was checked against the disk. */
    if (f->status == BLKIF_RSP_OKAY && f->op.kind != BLK_DISCARD && f->done != f->op.length)
        f->status = BLKIF_RSP_ERROR;
    finish(dev, f);
}

void device_complete(struct device *dev)
{
    io_reap(&dev->io, false, completed, dev);
    push_responses(dev);
}

/* -- starting requests ---------------------------------------------------- */

/*
 * The segments of @f as vectors in f->iov, a segment that continues the
 * previous one in memory joined to it (fewer vectors for the kernel to walk
 * when a request's pages were mapped together). Returns the vector count.
 */
static uint32_t data_vectors(struct inflight *f)
{
    uint32_t n = 0;

    for (uint32_t i = 0; i < f->op.nr_segments; i++) {
        uint8_t *at = f->pages[i] + f->op.segs[i].offset;
        size_t len = f->op.segs[i].length;

        if (n > 0 && (uint8_t *)f->iov[n - 1].iov_base + f->iov[n - 1].iov_len == at)
            f->iov[n - 1].iov_len += len;
        else
            f->iov[n++] = (struct iovec){.iov_base = at, .iov_len = len};
    }
    return n;
}

/* Queue the data transfer of @f, in calls of at most IOV_PER_CALL vectors. */
static void submit_data(struct device *dev, struct inflight *f, bool then_sync)
{
    bool write = f->op.kind != BLK_READ;
    uint32_t vectors = data_vectors(f);
    uint32_t calls = (vectors + IOV_PER_CALL - 1) / IOV_PER_CALL;
    uint64_t offset = f->op.offset;

    io_reserve(&dev->io, calls + (then_sync ? 1 : 0));
    for (uint32_t c = 0; c < calls; c++) {
        uint32_t first = c * IOV_PER_CALL;
        uint32_t count = vectors - first < IOV_PER_CALL ? vectors - first : IOV_PER_CALL;
        uint64_t bytes = 0;

        for (uint32_t i = first; i < first + count; i++)
            bytes += f->iov[i].iov_len;
        /* Linked when a sync follows: it must see every byte written. */
        io_rw(&dev->io, write, &f->iov[first], count, offset, f, then_sync);
        f->pending++;
        offset += bytes;
    }
    if (then_sync) {
        io_datasync(&dev->io, f);
        f->pending++;
    }
}

static void submit(struct device *dev, struct inflight *f)
{
    bool sync = f->op.kind == BLK_FLUSH || f->op.kind == BLK_BARRIER;

    f->started = true;
    if (f->op.nr_segments > 0) {
        if (grants_get(&dev->grants, &f->op, f->op.kind == BLK_READ, f->pages, &f->maps) != 0) {
            f->status = BLKIF_RSP_ERROR;
            finish(dev, f);
            return;
        }
        submit_data(dev, f, sync);
    } else if (sync) {
        io_reserve(&dev->io, 1);
        io_datasync(&dev->io, f);
        f->pending = 1;
    } else if (f->op.kind == BLK_DISCARD && f->op.length > 0) {
        /* Reads of a punched range give zeroes; a secure discard writes them. */
        int mode =
            FALLOC_FL_KEEP_SIZE | (f->op.secure ? FALLOC_FL_ZERO_RANGE : FALLOC_FL_PUNCH_HOLE);

        io_reserve(&dev->io, 1);
        io_fallocate(&dev->io, mode, f->op.offset, f->op.length, f);
        f->pending = 1;
    } else {
        finish(dev, f); /* nothing to do: an empty discard */
    }
}

/* The segments of an indirect request, copied out of its granted pages. */
static int16_t read_indirect(struct device *dev, struct inflight *f)
{
    if (grants_copy_pages(&dev->grants, f->op.indirect_grefs, f->op.nr_indirect_pages,
                          dev->indirect) != 0)
        return BLKIF_RSP_ERROR;
    return request_parse_indirect((const struct blkif_request_segment *)dev->indirect, &dev->limits,
                                  &f->op);
}

static void start(struct device *dev, struct queue *q, const union blkif_sring_entry *entry)
{
    struct inflight *f = dev->free;
    int16_t status;

    dev->free = f->next_free;
    dev->busy++;
    f->queue = q;
    f->pending = 0;
    f->done = 0;
    f->started = false;
    status = request_parse(entry, &dev->limits, &f->op);
    if (status == BLKIF_RSP_OKAY && f->op.nr_indirect_pages > 0)
        status = read_indirect(dev, f);
    f->status = status;
    if (status != BLKIF_RSP_OKAY) {
        finish(dev, f);
        return;
    }
    if (f->op.kind == BLK_BARRIER) {
        dev->barrier = f;
        if (dev->busy > 1)
            return; /* started by the last completion before it */
    }
    submit(dev, f);
}

/* Start up to @max requests of @q's ring while there is room; stop on a broken ring. */
static uint32_t pump_queue(struct device *dev, struct queue *q, uint32_t max)
{
    union blkif_sring_entry entry;
    uint32_t started = 0;

    while (started < max && dev->free && !dev->barrier && !dev->broken) {
        if (ring_back_take(&q->ring, &entry)) {
            start(dev, q, &entry);
            started++;
            continue;
        }
        int ready = ring_back_poll(&q->ring);

        if (ready < 0) {
            fprintf(stderr,
                    "winpv-blkback: queue %ld: the frontend's request index is impossible\n",
                    (long)(q - dev->queues));
            dev->broken = true;
        } else if (ready == 0) {
            break; /* device_idle asks for an event before the caller sleeps */
        }
    }
    return started;
}

/*
 * Requests go to the kernel a few at a time, and what completed at once (a
 * read from the page cache) is answered before the next few are taken: the
 * frontend gets its first responses while we go on with the rest, instead
 * of all of them after the last.
 */
#define PUMP_BATCH 8u

void device_pump(struct device *dev)
{
    bool more;

    do {
        more = false;
        for (uint32_t i = 0; i < dev->nr_queues; i++)
            more |= pump_queue(dev, &dev->queues[i], PUMP_BATCH) == PUMP_BATCH;
        io_submit(&dev->io);
        /* Completions free slots and end barriers: look at the rings again after them. */
        more |= io_reap(&dev->io, false, completed, dev) > 0;
        push_responses(dev);
    } while (more);
    io_submit(&dev->io); /* what the completions started (a barrier) */
}

/* Requests to start, or completions to answer. */
static bool has_work(struct device *dev)
{
    if (dev->broken)
        return false;
    if (io_completions_ready(&dev->io))
        return true;
    if (!dev->free || dev->barrier)
        return false; /* nothing may start before a completion */
    for (uint32_t i = 0; i < dev->nr_queues; i++)
        if (dev->queues[i].bound && ring_back_poll(&dev->queues[i].ring) != 0)
            return true;
    return false;
}

static uint64_t now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Looks at the rings between two readings of the clock, which cost more than a look. */
#define LOOKS_PER_CLOCK 32u

bool device_idle(struct device *dev, uint64_t poll_ns)
{
    uint64_t until;

    /* Spinning pays only while requests stream; else it takes a processor from the frontend. */
    if (dev->poll_missed)
        poll_ns = 0;
    until = now_ns() + poll_ns;
    do {
        for (unsigned int i = 0; i < LOOKS_PER_CLOCK; i++) {
            if (has_work(dev)) {
                dev->poll_missed = false;
                return true;
            }
            if (!poll_ns)
                break;
            __builtin_ia32_pause();
        }
    } while (poll_ns && now_ns() < until);
    dev->poll_missed = poll_ns != 0;
    for (uint32_t i = 0; i < dev->nr_queues; i++)
        if (dev->queues[i].bound && ring_back_final_check(&dev->queues[i].ring))
            return true;
    return has_work(dev);
}

void device_event(struct device *dev, uint32_t port)
{
    dev->poll_missed = false; /* requests come again: look for the next ones before sleeping */
    for (uint32_t i = 0; i < dev->nr_queues; i++)
        if (dev->queues[i].bound && dev->queues[i].port == port)
            dom0_unmask(dev->dom0, port);
    device_pump(dev);
}

/* -- ending --------------------------------------------------------------- */

void device_destroy(struct device *dev)
{
    if (dev == NULL)
        return;
    /* The kernel may still be moving data to or from the pages: wait for it. */
    while (dev->io_ready && dev->busy > 0) {
        io_submit(&dev->io);
        io_reap(&dev->io, true, completed, dev);
    }
    push_responses(dev);
    grants_release(&dev->grants);
    for (uint32_t i = 0; i < dev->nr_queues; i++) {
        struct queue *q = &dev->queues[i];

        if (q->bound)
            dom0_unbind(dev->dom0, q->port);
        if (q->ring_pages)
            dom0_unmap(dev->dom0, q->ring_pages, q->nr_pages);
    }
    if (dev->io_ready)
        io_exit(&dev->io);
    if (dev->slots)
        free_slots(dev);
    free(dev);
}
