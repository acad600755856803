/*
 * core/vbd/front_connect.c - the frontend's life: the xenbus handshake as
 * blkif.h draws it (Initialising; the backend's InitWait; rings and
 * channels published; Initialised; the backend's Connected; Connected), and
 * closing (Closing, Closed, each waiting for the backend's) with
 * everything given back.
 */
#include <string.h>

#include <xen/io/xenbus.h>

#include "vbd/front_internal.h"
#include "xenbus/node.h"
#include "xenstore/number.h"

#define STATE_BIT(state) (1u << (state))

/* How soon a wait for the backend notices that the disk is being unplugged. */
#define REMOVAL_POLL_NS (50ull * 1000 * 1000)

static void normalise(struct vbd_front_options *opt)
{
    if (opt->max_queues == 0)
        opt->max_queues = os_cpu_count();
    if (opt->max_queues == 0)
        opt->max_queues = 1;
    if (opt->max_queues > VBD_FRONT_MAX_QUEUES)
        opt->max_queues = VBD_FRONT_MAX_QUEUES;
    if (opt->max_ring_page_order == 0 || opt->max_ring_page_order > VBD_FRONT_MAX_RING_PAGE_ORDER)
        opt->max_ring_page_order = VBD_FRONT_MAX_RING_PAGE_ORDER;
    if (opt->max_segments == 0)
        opt->max_segments = VBD_FRONT_SEGMENTS_DEFAULT;
    if (opt->max_segments > VBD_FRONT_MAX_SEGMENTS)
        opt->max_segments = VBD_FRONT_MAX_SEGMENTS;
    if (opt->copy_pages > VBD_FRONT_MAX_COPY_PAGES)
        opt->copy_pages = VBD_FRONT_MAX_COPY_PAGES;
    if (opt->max_transfer == 0)
        opt->max_transfer = VBD_FRONT_MAX_TRANSFER_DEFAULT;
    if (opt->timeout_ns == 0)
        opt->timeout_ns = VBD_FRONT_TIMEOUT_NS_DEFAULT;
    if (opt->close_timeout_ns == 0)
        opt->close_timeout_ns = VBD_FRONT_CLOSE_TIMEOUT_NS_DEFAULT;
    if (opt->reconnect_timeout_ns == 0)
        opt->reconnect_timeout_ns = VBD_FRONT_RECONNECT_NS_DEFAULT;
    if (opt->request_timeout_ns == 0)
        opt->request_timeout_ns = VBD_FRONT_REQUEST_NS_DEFAULT;
}

int front_switch_state(struct vbd_front *front, uint32_t state)
{
    const struct winpv_xenbus_interface_v1 *xb = front->svc.xenbus;

    return xb->switch_state(xb->header.context, front->dev, state);
}

int front_wait_backend(struct vbd_front *front, uint32_t mask, uint64_t timeout_ns, uint32_t *state)
{
    const struct winpv_xenbus_interface_v1 *xb = front->svc.xenbus;

    return xb->wait_for_otherend(xb->header.context, front->dev, mask, timeout_ns, state);
}

/*
 * In slices, as a removal is noted by the state callback (front_reconnect.c)
 * and may leave the backend in a state the wait does not take.
 */
int front_wait_backend_present(struct vbd_front *front, uint32_t mask, uint64_t timeout_ns,
                               uint32_t *state)
{
    uint64_t start = os_time_ns();

    for (;;) {
        uint64_t waited = os_time_ns() - start;
        uint64_t left = waited < timeout_ns ? timeout_ns - waited : 0;
        int rc =
            front_wait_backend(front, mask, left < REMOVAL_POLL_NS ? left : REMOVAL_POLL_NS, state);

        if (rc != -XEN_ETIMEDOUT)
            return rc;
        if (front_life_gone(front))
            return -XEN_ENODEV;
        if (left <= REMOVAL_POLL_NS)
            return rc;
    }
}

/* XENBUS writes the error node and switches to Closing (passive, on work). */
static void tell_xenbus(void *ctx)
{
    struct vbd_front *front = ctx;
    const struct winpv_xenbus_interface_v1 *xb = front->svc.xenbus;

    xb->fail(xb->header.context, front->dev, front->fail_err, front->fail_reason);
}

/* A backend that leaves Connected, or writes it again (a resize): front_reconnect.c. */
static void otherend_changed(void *ctx, uint32_t state)
{
    front_backend_changed(ctx, state);
}

/*
 * Open device vbd/@id through XENBUS into *@dev, our node and its
 * backend's paths into @front; on failure nothing stays open.
 */
static int open_device(struct vbd_front *front, const char *id, struct winpv_xenbus_device **dev)
{
    const struct winpv_xenbus_interface_v1 *xb = front->svc.xenbus;
    int rc = xb->open(xb->header.context, "vbd", id, otherend_changed, front, dev);

    if (rc)
        return rc;
    rc = xenbus_path(front->nodename, sizeof(front->nodename),
                     xb->nodename(xb->header.context, *dev), NULL);
    if (rc == 0)
        rc = xenbus_path(front->otherend, sizeof(front->otherend),
                         xb->otherend(xb->header.context, *dev), NULL);
    front->info.backend_id = xb->otherend_id(xb->header.context, *dev);
    if (rc)
        xb->close(xb->header.context, *dev);
    return rc;
}

int front_reopen_device(struct vbd_front *front)
{
    const struct winpv_xenbus_interface_v1 *xb = front->svc.xenbus;
    const char *id = strrchr(front->nodename, '/'); /* device/vbd/<id> */
    char old_otherend[FRONT_PATH_MAX];
    uint32_t old_id = front->info.backend_id;
    struct winpv_xenbus_device *dev;
    int rc;

    memcpy(old_otherend, front->otherend, sizeof(old_otherend));
    rc = id ? open_device(front, id + 1, &dev) : -XEN_EINVAL;
    if (rc == 0) {
        /* The old handle's callback is not running once it is closed. */
        xb->close(xb->header.context, front->dev);
        front->dev = dev;
        os_log(OS_LOG_INFO, "vbd: %s: backend now %s\n", front->nodename, front->otherend);
        return 0;
    }
    memcpy(front->otherend, old_otherend, sizeof(old_otherend));
    front->info.backend_id = old_id;
    os_log(OS_LOG_ERROR, "vbd: %s: no backend in the new domain (%d)\n", front->nodename, rc);
    return rc;
}

/* Start from Initialising, so that a backend left Closed by an earlier frontend waits again. */
static int start_over(struct vbd_front *front)
{
    uint64_t state = XenbusStateUnknown;
    int rc = front_read_number(front, front->nodename, "state", XenbusStateReconfigured, &state);

    if (rc && rc != -XEN_ENOENT)
        return rc;
    return state == XenbusStateInitialising ? 0
                                            : front_switch_state(front, XenbusStateInitialising);
}

static int wait_for_init_wait(struct vbd_front *front)
{
    uint32_t state;
    int rc = front_wait_backend_present(front,
                                        STATE_BIT(XenbusStateInitWait) |
                                            STATE_BIT(XenbusStateInitialised) |
                                            STATE_BIT(XenbusStateConnected),
                                        front->opt.timeout_ns, &state);

    if (rc)
        return rc;
    /* Hook: a backend still connected to an earlier frontend needs the reconnection dance. */
    if (state == XenbusStateConnected) {
        os_log(OS_LOG_ERROR, "vbd: %s: backend still connected to an earlier frontend\n",
               front->nodename);
        return -XEN_EBUSY;
    }
    return 0;
}

static int wait_for_connected(struct vbd_front *front)
{
    uint32_t state;
    int rc =
        front_wait_backend_present(front,
                                   STATE_BIT(XenbusStateConnected) | STATE_BIT(XenbusStateClosing) |
                                       STATE_BIT(XenbusStateClosed) | STATE_BIT(XenbusStateUnknown),
                                   front->opt.timeout_ns, &state);

    if (rc == 0 && state != XenbusStateConnected && front_life_gone(front))
        return -XEN_ENODEV;
    if (rc == 0 && state != XenbusStateConnected) {
        os_log(OS_LOG_ERROR, "vbd: %s: the backend closed instead of connecting\n",
               front->nodename);
        rc = -XEN_EIO;
    }
    return rc;
}

int front_handshake(struct vbd_front *front, bool *published)
{
    int rc = start_over(front);

    if (rc == 0)
        rc = wait_for_init_wait(front);
    if (rc == 0)
        rc = front_choose_transport(front);
    for (uint32_t q = 0; rc == 0 && q < front->info.queues; q++)
        rc = front_queue_open(front, q);
    if (rc == 0)
        rc = front_publish(front);
    if (rc == 0)
        rc = front_switch_state(front, XenbusStateInitialised);
    if (rc)
        return rc;
    *published = true;
    rc = wait_for_connected(front);
    if (rc == 0)
        rc = front_read_disk(front);
    for (uint32_t q = 0; rc == 0 && q < front->info.queues; q++)
        rc = front_queue_start(&front->queues[q]);
    if (rc == 0)
        rc = front_switch_state(front, XenbusStateConnected);
    return rc;
}

/* Closing, then Closed, each time waiting (within reason) for the backend to follow. */
static void close_handshake(struct vbd_front *front)
{
    uint32_t gone = STATE_BIT(XenbusStateClosed) | STATE_BIT(XenbusStateUnknown) |
                    STATE_BIT(XenbusStateInitWait);
    uint32_t state;

    front_switch_state(front, XenbusStateClosing);
    if (front_wait_backend(front, gone | STATE_BIT(XenbusStateClosing), front->opt.close_timeout_ns,
                           &state) != 0)
        os_log(OS_LOG_WARN, "vbd: %s: the backend did not start closing\n", front->nodename);
    front_switch_state(front, XenbusStateClosed);
    if (front_wait_backend(front, gone, front->opt.close_timeout_ns, &state) != 0)
        os_log(OS_LOG_WARN, "vbd: %s: the backend did not close\n", front->nodename);
}

/*
 * Give everything back. With @leave_memory (requests a backend never let
 * go of) the queues and the device stay allocated for the completions
 * still to come.
 */
static void teardown(struct vbd_front *front, bool published, bool leave_memory)
{
    const struct winpv_xenbus_interface_v1 *xb = front->svc.xenbus;

    front_suspend_deregister(front);
    for (uint32_t q = 0; q < VBD_FRONT_MAX_QUEUES; q++)
        front_queue_stop(&front->queues[q]);
    os_work_flush(&front->reconnect_work);
    os_work_flush(&front->fail_work);
    /* Closed before the pages go, so the backend has unmapped them (a removal closed already). */
    if (published && front_life_state(front) != FRONT_LIFE_UNPLUGGED)
        close_handshake(front);
    front_dump_release(front);
    if (!leave_memory)
        for (uint32_t q = 0; q < VBD_FRONT_MAX_QUEUES; q++)
            front_queue_free(&front->queues[q]);
    xb->close(xb->header.context, front->dev);
    if (!leave_memory)
        os_free(front);
}

static bool services_complete(const struct vbd_front_services *svc)
{
    return svc && svc->store && svc->xenbus && svc->gnttab && svc->evtchn;
}

int vbd_front_open(const struct vbd_front_services *svc, const char *id,
                   const struct vbd_front_options *opt, struct vbd_front **out)
{
    struct vbd_front *front;
    const struct winpv_xenbus_interface_v1 *xb;
    bool published = false;
    uint64_t vdev;
    int rc;

    if (!services_complete(svc) || !id || xs_number_parse(id, strlen(id), UINT32_MAX, &vdev))
        return -XEN_EINVAL;
    front = os_alloc(sizeof(*front));
    if (!front)
        return -XEN_ENOMEM;
    front->svc = *svc;
    if (opt)
        front->opt = *opt;
    normalise(&front->opt);
    /* Requests carry the low 16 bits of the virtual device, as Linux's blkfront sends. */
    front->info.handle = (uint16_t)vdev;
    os_spin_init(&front->drain_lock);
    os_spin_init(&front->disk_lock);
    os_event_init(&front->drained);
    os_work_init(&front->fail_work, tell_xenbus, front);
    os_work_init(&front->reconnect_work, front_reconnect, front);
    os_event_init(&front->pause);
    for (uint32_t q = 0; q < VBD_FRONT_MAX_QUEUES; q++) {
        front->queues[q].front = front;
        front->queues[q].index = q;
        os_spin_init(&front->queues[q].lock);
    }
    xb = svc->xenbus;
    rc = open_device(front, id, &front->dev);
    if (rc) {
        os_free(front);
        return rc;
    }
    rc = front_handshake(front, &published);
    if (rc == -XEN_EINVAL && front->fail_reason)
        xb->fail(xb->header.context, front->dev, rc, front->fail_reason);
    /* Unplugged before the rings were published: Closed, so the toolstack need not wait. */
    if (rc == -XEN_ENODEV && !published)
        front_switch_state(front, XenbusStateClosed);
    if (rc == 0)
        rc = front_suspend_register(front);
    if (rc == 0 && front_dump_prepare(front) != 0)
        os_log(OS_LOG_WARN, "vbd: %s: no dump context (its pages not granted): no dump\n",
               front->nodename);
    if (rc) {
        teardown(front, published, false);
        return rc;
    }
    os_log(OS_LOG_INFO,
           "vbd: %s: %u queue(s) of %u page(s), %u segments, persistent %u, sectors of %u\n",
           front->nodename, front->info.queues, front->info.ring_pages, front->info.max_segments,
           front->info.persistent, front->info.sector_unit);
    front_link_move(front, FRONT_LINK_OPENING, FRONT_LINK_UP);
    front_watchdog_start(front);
    *out = front;
    front_catch_up(front);
    return 0;
}

uint32_t front_wait_completed(struct vbd_front *front)
{
    for (;;) {
        uint32_t left;
        os_irql_t irql = os_spin_lock(&front->drain_lock);

        left = os_atomic_load32(&front->outstanding);
        if (left)
            os_event_clear(&front->drained);
        os_spin_unlock(&front->drain_lock, irql);
        if (left == 0 || os_event_wait(&front->drained, front->opt.close_timeout_ns) != 0)
            return left;
    }
}

/*
 * The owner closes: CLOSING, unless a removal is under way (it closes the
 * handshake itself, and the flush in vbd_front_close waits for it) or done.
 */
static void close_life(struct vbd_front *front)
{
    for (;;) {
        enum front_life life = front_life_state(front);

        if (life != FRONT_LIFE_LIVE && life != FRONT_LIFE_BROKEN)
            return;
        if (front_life_move(front, life, FRONT_LIFE_CLOSING))
            return;
    }
}

void vbd_front_close(struct vbd_front *front)
{
    struct front_list done = {NULL, NULL};
    uint32_t left;

    close_life(front);
    /* No suspend callback queues a reconnection after the flush below. */
    front_suspend_deregister(front);
    front_watchdog_stop(front);
    /* A reconnection sees CLOSING and stops; what it put back on a ring fails below. A removal finishes. */
    os_work_flush(&front->reconnect_work);
    /* Seen, yet its work never ran (a suspend came between): closed here as any device. */
    if (front_life_state(front) == FRONT_LIFE_UNPLUGGING)
        front_life_move(front, FRONT_LIFE_UNPLUGGING, FRONT_LIFE_CLOSING);
    front_fail_all(front, &done);
    front_run_done(front, &done);
    left = front_wait_completed(front);
    if (left)
        os_log(OS_LOG_ERROR,
               "vbd: %s: %u request(s) whose pages a backend holds; their memory stays\n",
               front->nodename, left);
    teardown(front, true, left != 0);
}

/* -- what the device is ----------------------------------------------------- */

void front_publish_disk(struct vbd_front *front, const struct vbd_scsi_disk *disk)
{
    os_irql_t irql = os_spin_lock(&front->disk_lock);

    os_atomic_add32(&front->disk_seq, 1); /* a full barrier, as the second */
    front->disk = *disk;
    os_atomic_add32(&front->disk_seq, 1);
    os_spin_unlock(&front->disk_lock, irql);
}

struct vbd_scsi_disk vbd_front_disk(const struct vbd_front *front)
{
    struct vbd_scsi_disk disk;
    uint32_t seq;

    /* A copy taken while no change was under way; a change is a few stores, so retries are rare. */
    do {
        seq = os_atomic_load32(&front->disk_seq);
        os_rmb();
        disk = front->disk;
        os_rmb();
    } while ((seq & 1) || os_atomic_load32(&front->disk_seq) != seq);
    return disk;
}

void vbd_front_get_info(const struct vbd_front *front, struct vbd_front_info *info)
{
    *info = front->info;
}

bool vbd_front_broken(const struct vbd_front *front)
{
    return front_life_state(front) == FRONT_LIFE_BROKEN;
}

bool vbd_front_gone(const struct vbd_front *front)
{
    return front_life_gone(front);
}

void vbd_front_get_stats(struct vbd_front *front, struct vbd_front_stats *stats)
{
    memset(stats, 0, sizeof(*stats));
    stats->reconnects = front->reconnects;
    stats->timeouts = front->timeouts;
    stats->resizes = front->resizes;
    /* Every queue: one a reconnection dropped keeps what it counted. */
    for (uint32_t i = 0; i < VBD_FRONT_MAX_QUEUES; i++) {
        struct front_queue *q = &front->queues[i];
        os_irql_t irql = os_spin_lock(&q->lock);
        const struct vbd_front_stats *s = &q->stats;

        stats->submitted += s->submitted;
        stats->completed += s->completed;
        stats->failed += s->failed;
        stats->ring_requests += s->ring_requests;
        stats->indirect_requests += s->indirect_requests;
        stats->copied_requests += s->copied_requests;
        stats->bounced_requests += s->bounced_requests;
        stats->flushes += s->flushes;
        stats->discards += s->discards;
        stats->waits += s->waits;
        stats->replayed += s->replayed;
        stats->queue_requests[i] = s->queue_requests[i];
        os_spin_unlock(&q->lock, irql);
    }
}
