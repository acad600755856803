/*
 * core/vbd/front_reconnect.c - a backend that leaves Connected (restarted,
 * it asks us to close; or it starts over) and comes back: what was on the
 * rings is taken back, the transport given back, the handshake run again,
 * and every request in flight or waiting sent again in the order it was
 * submitted (see front.h).
 *
 * The same reset serves a ring request left unanswered (the watchdog) and
 * a restore in a new domain (front_suspend.c: the new backend is connected
 * to without closing first), and the backend writing Connected again is an
 * online resize. A backend that
 * leaves because the toolstack unplugs the disk ("online" 0) is no restart:
 * the removal closes the device instead (see front.h).
 *
 * Order is what keeps data safe: on each queue the requests go out again
 * sorted by submission, so a write that was in flight lands before a flush
 * submitted after it is answered, and a later write of the same sectors
 * lands after an earlier one.
 */
#include <xen/io/xenbus.h>

#include "vbd/front_internal.h"
#include "xenbus/node.h"

#define STATE_BIT(state) (1u << (state))

/* Time between looks at slots a backend still holds. */
#define HELD_POLL_NS (10ull * 1000 * 1000)

static void start_reconnect(struct vbd_front *front)
{
    if (!front_life_serving(front))
        return;
    if (front_link_move(front, FRONT_LINK_UP, FRONT_LINK_RECONNECTING))
        os_work_queue(&front->reconnect_work);
}

/* Connected written again: perhaps a new size. */
static void resized(struct vbd_front *front)
{
    struct vbd_scsi_disk disk = vbd_front_disk(front);
    uint64_t sectors;

    if (front_life_state(front) != FRONT_LIFE_LIVE || front_link_state(front) != FRONT_LINK_UP ||
        front_read_size(front, &sectors) != 0 || sectors == disk.sectors)
        return;
    os_log(OS_LOG_INFO, "vbd: %s: now %llu sectors\n", front->nodename,
           (unsigned long long)sectors);
    disk.sectors = sectors;
    front_publish_disk(front, &disk);
    front_dump_refresh(front);
    front->resizes++;
}

/*
 * Whether the toolstack is unplugging the disk: it writes the backend's
 * "online" 0 before (libxl: with) Closing, where a restart leaves it 1; a
 * forced removal takes the backend's directory away altogether.
 */
static bool backend_removed(struct vbd_front *front)
{
    uint64_t value;
    int rc = front_read_number(front, front->otherend, "online", UINT32_MAX, &value);

    if (rc == 0)
        return value == 0;
    return xenbus_node_absent(rc) && xenbus_node_absent(front_read_number(
                                         front, front->otherend, "state", UINT32_MAX, &value));
}

/*
 * Whether the disk is being unplugged and its removal still to be carried
 * out (UNPLUGGING), looking again while LIVE.
 */
static bool removal_seen(struct vbd_front *front)
{
    if (front_life_state(front) == FRONT_LIFE_LIVE && backend_removed(front) &&
        front_life_move(front, FRONT_LIFE_LIVE, FRONT_LIFE_UNPLUGGING))
        os_log(OS_LOG_INFO, "vbd: %s: the disk is being unplugged\n", front->nodename);
    return front_life_state(front) == FRONT_LIFE_UNPLUGGING;
}

void front_backend_changed(struct vbd_front *front, uint32_t state)
{
    enum front_link link = front_link_state(front);

    /*
     * Suspended, what changes is the old domain's backend, which the
     * toolstack retires: nothing to act on. Restored, the reconnection looks
     * at the new backend afresh.
     */
    if (link == FRONT_LINK_SUSPENDED || link == FRONT_LINK_RESTORED)
        return;
    /*
     * Noted before any waiter wakes (XENBUS calls us first), opened or not.
     * Unknown: the backend's state node is gone, perhaps its whole directory.
     */
    if (state == XenbusStateClosing || state == XenbusStateClosed || state == XenbusStateUnknown)
        removal_seen(front);
    /* Opening, a backend leaving fails the open; no longer serving, nothing follows it. */
    if (link == FRONT_LINK_OPENING || !front_life_serving(front))
        return;
    if (state == XenbusStateConnected) {
        resized(front);
        return;
    }
    if (front_life_state(front) == FRONT_LIFE_LIVE)
        os_log(OS_LOG_INFO, "vbd: %s: backend state %u: reconnecting\n", front->nodename, state);
    start_reconnect(front);
}

void front_catch_up(struct vbd_front *front)
{
    const struct winpv_xenbus_interface_v1 *xb = front->svc.xenbus;

    /* A removal seen before we were up; the backend may show Connected still. */
    if (front_life_state(front) == FRONT_LIFE_UNPLUGGING) {
        start_reconnect(front);
        return;
    }
    front_backend_changed(front, xb->otherend_state(xb->header.context, front->dev));
}

/* -- the watchdog ----------------------------------------------------------- */

static uint64_t watchdog_period(const struct vbd_front *front)
{
    uint64_t period = front->opt.request_timeout_ns / 4;

    return period < 1000000000ull ? period : 1000000000ull;
}

/*
 * Whether queue @q has a ring request older than @timeout. Context: any.
 *
 * The clock is read under the queue's lock, where slot_take stamps
 * issued_ns, so no slot looked at is younger than now. Read before the
 * lock (it was, once for all queues), a slot issued meanwhile on another
 * processor, or while this timer waited for the lock, was "issued" after
 * now: now - issued_ns wrapped to nearly 2^64 ns and a request a few
 * microseconds old reset a healthy connection ("unanswered for 30000 ms"
 * under load, with nothing unanswered).
 */
static bool queue_late(struct front_queue *q, uint64_t timeout)
{
    bool late = false;
    os_irql_t irql = os_spin_lock(&q->lock);
    uint64_t now = os_time_ns();

    for (uint32_t i = 0; i < q->nr_slots && !late; i++)
        late = q->slots[i].state == FRONT_SLOT_INFLIGHT && now - q->slots[i].issued_ns > timeout;
    os_spin_unlock(&q->lock, irql);
    return late;
}

/* The timer (dispatch): a request left unanswered resets the connection. */
static void watchdog(void *ctx)
{
    struct vbd_front *front = ctx;
    bool late = false;

    if (front_life_closed(front))
        return;
    for (uint32_t i = 0; i < VBD_FRONT_MAX_QUEUES && !late; i++)
        late = queue_late(&front->queues[i], front->opt.request_timeout_ns);
    if (late && front_link_state(front) == FRONT_LINK_UP && front_life_serving(front)) {
        os_log(OS_LOG_WARN, "vbd: %s: a request unanswered for %llu ms: resetting\n",
               front->nodename, (unsigned long long)(front->opt.request_timeout_ns / 1000000));
        front->timeouts++;
        start_reconnect(front);
    }
    os_timer_arm(&front->watchdog, watchdog_period(front));
}

void front_watchdog_start(struct vbd_front *front)
{
    os_timer_init(&front->watchdog, watchdog, front);
    os_timer_arm(&front->watchdog, watchdog_period(front));
}

void front_watchdog_stop(struct vbd_front *front)
{
    os_timer_sync(&front->watchdog);
}

/* -- reconnecting ----------------------------------------------------------- */

/* Into @list by submission order (mostly in order already: the tail first). */
static void insert_by_seq(struct front_list *list, struct vbd_front_request *req)
{
    struct vbd_front_request **at = &list->head;

    if (list->tail && list->tail->state.seq < req->state.seq) {
        front_list_append(list, req);
        return;
    }
    while (*at && (*at)->state.seq < req->state.seq)
        at = &(*at)->state.next;
    req->state.next = *at;
    *at = req;
    if (!req->state.next)
        list->tail = req;
}

/*
 * Stop queue @q and take back what is on its ring: each request in flight
 * back in the waiting list, with those waiting, in submission order, from
 * its first byte (one whose pages the backend still maps too: it waits for
 * them, see front_slot_take_back). Requests that already failed complete
 * into @done, or once the backend lets go of their pages.
 */
static void take_back(struct front_queue *q, struct front_list *done)
{
    struct front_list replay = {NULL, NULL};
    struct vbd_front_request *req;
    os_irql_t irql = os_spin_lock(&q->lock);
    uint32_t n = q->nr_slots;

    q->nr_slots = 0; /* the event callback leaves the ring alone from now on */
    for (uint32_t i = 0; i < n; i++) {
        struct front_slot *s = &q->slots[i];

        if (s->state != FRONT_SLOT_INFLIGHT)
            continue;
        req = s->req;
        front_slot_take_back(q, s);
        /* Decided with its last piece on the ring; listed already if it was waiting. */
        if (req->state.inflight > req->state.held || req->state.waiting)
            continue;
        if (req->state.status == BLKIF_RSP_OKAY) {
            insert_by_seq(&replay, req);
            q->stats.replayed++;
        } else if (req->state.held == 0) {
            front_finish(q, req, BLKIF_RSP_OKAY, done);
        }
    }
    while ((req = q->waiting.head) != NULL) {
        front_wait_pop(q);
        insert_by_seq(&replay, req);
    }
    for (req = replay.head; req; req = req->state.next) {
        req->state.waiting = true;
        front_request_rearm(q->front, req);
    }
    q->waiting = replay;
    os_spin_unlock(&q->lock, irql);
}

/* Slots in use on the first @queues queues: in flight, or held by a backend. */
static uint32_t slots_busy(struct vbd_front *front, uint32_t queues)
{
    uint32_t busy = 0;

    for (uint32_t i = 0; i < queues; i++) {
        struct front_queue *q = &front->queues[i];
        os_irql_t irql = os_spin_lock(&q->lock);

        busy += q->slots_busy;
        os_spin_unlock(&q->lock, irql);
    }
    return busy;
}

/*
 * Wait (within close_timeout_ns) for the backend to let go of every page it
 * held, so that nothing of the requests' previous attempts can touch their
 * buffers once they go again.
 */
static int wait_held(struct vbd_front *front, uint32_t queues)
{
    uint64_t deadline = os_time_ns() + front->opt.close_timeout_ns;

    while (slots_busy(front, queues)) {
        if (os_time_ns() > deadline) {
            os_log(OS_LOG_ERROR, "vbd: %s: a backend that left still maps request pages\n",
                   front->nodename);
            return -XEN_EBUSY;
        }
        os_event_wait(&front->pause, HELD_POLL_NS);
    }
    return 0;
}

/*
 * Close our side and wait for the backend to close too (or to be waiting
 * for us already), so that it has let go of the rings before we take them
 * back. While it closes it may still answer.
 */
static int let_go(struct vbd_front *front)
{
    uint32_t state;
    int rc = front_switch_state(front, XenbusStateClosed);

    if (rc == 0)
        rc = front_wait_backend_present(
            front, STATE_BIT(XenbusStateClosed) | STATE_BIT(XenbusStateInitWait),
            front->opt.reconnect_timeout_ns, &state);
    if (rc && rc != -XEN_ENODEV)
        os_log(OS_LOG_ERROR, "vbd: %s: the backend did not close (%d)\n", front->nodename, rc);
    return rc;
}

/* Queues the new connection does not have hand their requests to queue 0. */
static void merge_queues(struct vbd_front *front, uint32_t old_queues)
{
    struct front_queue *q0 = &front->queues[0];

    for (uint32_t i = front->info.queues; i < old_queues; i++) {
        struct front_queue *q = &front->queues[i];
        os_irql_t irql = os_spin_lock(&q->lock);
        struct front_list moved = q->waiting;
        struct vbd_front_request *req, *next;

        q->waiting.head = q->waiting.tail = NULL;
        os_spin_unlock(&q->lock, irql);
        irql = os_spin_lock(&q0->lock);
        for (req = moved.head; req; req = next) {
            next = req->state.next;
            req->state.queue = 0;
            req->state.seq = q0->next_seq++;
            front_list_append(&q0->waiting, req);
        }
        os_spin_unlock(&q0->lock, irql);
    }
}

/* Connected again: the waiting requests take the new features, then go. */
static void resume(struct vbd_front *front)
{
    for (uint32_t i = 0; i < front->info.queues; i++) {
        struct front_queue *q = &front->queues[i];
        os_irql_t irql = os_spin_lock(&q->lock);

        for (struct vbd_front_request *req = q->waiting.head; req; req = req->state.next)
            if (req->state.inflight == 0)
                front_request_rearm(front, req);
        os_spin_unlock(&q->lock, irql);
    }
    front->reconnects++;
    front_link_move(front, FRONT_LINK_RECONNECTING, FRONT_LINK_UP);
    front_pump_all(front);
    os_log(OS_LOG_INFO, "vbd: %s: reconnected\n", front->nodename);
    front_catch_up(front);
}

/* -- removal ----------------------------------------------------------------- */

void front_drain(struct vbd_front *front, uint64_t timeout_ns)
{
    const struct winpv_xenbus_interface_v1 *xb = front->svc.xenbus;
    uint64_t deadline = os_time_ns() + timeout_ns;

    while (slots_busy(front, front->info.queues) && os_time_ns() < deadline &&
           front_life_serving(front)) {
        uint32_t state = xb->otherend_state(xb->header.context, front->dev);

        if (state != XenbusStateConnected && state != XenbusStateClosing)
            break;
        os_event_wait(&front->pause, HELD_POLL_NS);
    }
}

/*
 * The disk is unplugged (UNPLUGGING): fail what is left, once, and close,
 * so that the toolstack finishes; then tell the owner. With @connected the
 * rings are still up: Closing first, and what is on them may be answered
 * still. Broken meanwhile, everything failed already and XENBUS closes; the
 * owner, who sees it broken, closes the rest. Context: passive, on the
 * reconnection work.
 */
static void unplugged(struct vbd_front *front, bool connected)
{
    struct front_list done = {NULL, NULL};
    uint32_t state;

    os_log(OS_LOG_INFO, "vbd: %s: unplugged: closing\n", front->nodename);
    if (connected) {
        front_switch_state(front, XenbusStateClosing);
        front_drain(front, front->opt.close_timeout_ns);
    }
    /* Submissions check it under their queue's lock: what comes after fails at once. */
    if (!front_life_move(front, FRONT_LIFE_UNPLUGGING, FRONT_LIFE_UNPLUGGED)) {
        front_link_move(front, FRONT_LINK_RECONNECTING, FRONT_LINK_UP);
        return;
    }
    front_fail_all(front, &done);
    front_run_done(front, &done);
    front_switch_state(front, XenbusStateClosed);
    if (front_wait_backend(front, STATE_BIT(XenbusStateClosed) | STATE_BIT(XenbusStateUnknown),
                           front->opt.close_timeout_ns, &state) != 0)
        os_log(OS_LOG_WARN, "vbd: %s: the backend did not close\n", front->nodename);
    /* Closed, it unmapped what it held; completions running elsewhere finish. */
    if (front_wait_completed(front))
        os_log(OS_LOG_WARN, "vbd: %s: requests whose pages a backend holds wait for it\n",
               front->nodename);
    /* UNPLUGGED: vbd_front_close has no handshake left to close, nothing more to follow. */
    front_link_move(front, FRONT_LINK_RECONNECTING, FRONT_LINK_UP);
    if (front->opt.gone)
        front->opt.gone(front->opt.gone_ctx);
}

/* -- the reconnection work ------------------------------------------------------ */

void front_reconnect(void *ctx)
{
    struct vbd_front *front = ctx;
    struct front_list done = {NULL, NULL};
    uint32_t old_queues = front->info.queues, old_unit = front->info.sector_unit;
    /* In a new domain: its backend never saw our rings, the old one's are gone with the old domain. */
    bool restored = front_link_move(front, FRONT_LINK_RESTORED, FRONT_LINK_RECONNECTING);
    bool published = false;
    int rc;

    /* Closed by the owner since it was queued: vbd_front_close fails what is left. */
    if (front_life_state(front) == FRONT_LIFE_CLOSING) {
        front_link_move(front, FRONT_LINK_RECONNECTING, FRONT_LINK_UP);
        return;
    }
    if (front_life_state(front) == FRONT_LIFE_UNPLUGGING) {
        unplugged(front, !restored);
        return;
    }
    rc = restored ? 0 : let_go(front);
    /* Unplugged while it closed: nothing goes again. */
    if (removal_seen(front)) {
        unplugged(front, false);
        return;
    }
    for (uint32_t i = 0; i < old_queues; i++)
        take_back(&front->queues[i], &done);
    front_run_done(front, &done);
    for (uint32_t i = 0; i < old_queues; i++)
        front_queue_stop(&front->queues[i]);
    if (rc == 0)
        rc = wait_held(front, old_queues);
    if (rc == 0) {
        for (uint32_t i = 0; i < old_queues; i++)
            front_queue_reset(&front->queues[i]);
        rc = front_life_serving(front) ? front_handshake(front, &published) : -XEN_EIO;
    }
    if (rc == 0 && front->info.sector_unit != old_unit) {
        os_log(OS_LOG_ERROR, "vbd: %s: the backend came back with sectors of %u bytes\n",
               front->nodename, front->info.sector_unit);
        rc = -XEN_EINVAL;
    }
    if (rc == 0 && !front_life_serving(front))
        rc = -XEN_EIO;
    if (rc == 0) {
        merge_queues(front, old_queues);
        resume(front);
        return;
    }
    /* Everything fails, on every queue that may hold a request. */
    if (front->info.queues < old_queues)
        front->info.queues = old_queues;
    if (removal_seen(front)) {
        unplugged(front, false);
        return;
    }
    /* Closing: vbd_front_close fails what is left and closes as usual. */
    if (front_life_state(front) != FRONT_LIFE_CLOSING)
        front_break(front, -XEN_EIO, "the backend did not come back");
    front_fail_all(front, &done);
    front_run_done(front, &done);
    front_link_move(front, FRONT_LINK_RECONNECTING, FRONT_LINK_UP);
}
