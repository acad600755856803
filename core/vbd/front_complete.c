/*
 * core/vbd/front_complete.c - responses off the ring, checked before they
 * touch anything; the end of a ring request (data copied out, grants
 * revoked, the slot free again); a broken device failing what it holds.
 *
 * A slot's id carries a generation, so an answer to an earlier use of the
 * slot, or a second answer, names no request in flight. A response is
 * trusted for nothing but its status: the request it completes is the one
 * our slot recorded.
 */
#include <string.h>

#include "vbd/front_internal.h"

void front_wait_pop(struct front_queue *q)
{
    struct vbd_front_request *req = q->waiting.head;

    q->waiting.head = req->state.next;
    if (!q->waiting.head)
        q->waiting.tail = NULL;
    req->state.next = NULL;
    req->state.waiting = false;
}

void front_slot_free(struct front_queue *q, struct front_slot *s)
{
    /*
     * Pushed last page first, so that the next piece pops them in the order
     * this one had: a piece of the same shape then uses the same pages in the
     * same order, which keeps a backend's mapping of them in address order.
     */
    for (uint32_t i = s->nr_pool; i-- > 0;)
        q->copy_free[q->copy_nr_free++] = s->pool[i];
    s->nr_pool = s->nr_data = 0;
    s->state = FRONT_SLOT_FREE;
    s->req = NULL;
    s->next_free = q->free_slot;
    q->free_slot = (uint32_t)(s - q->slots);
    q->slots_busy--;
}

void front_piece_done(struct front_queue *q, struct vbd_front_request *req, int16_t status,
                      struct front_list *done)
{
    struct vbd_front_request_state *st = &req->state;

    st->inflight--;
    if (status != BLKIF_RSP_OKAY && st->status == BLKIF_RSP_OKAY)
        st->status = status;
    if (st->inflight > 0 || st->waiting)
        return;
    /* FUA: the write is in; a flush makes it stable before we say so. */
    if (st->status == BLKIF_RSP_OKAY && st->phase == FRONT_PHASE_DATA &&
        req->io.op == VBD_SCSI_OP_WRITE && req->io.flush_after && q->front->info.flush_op) {
        st->phase = FRONT_PHASE_FLUSH;
        st->issued = 0;
        st->total = 1;
        st->waiting = true;
        front_list_push(&q->waiting, req);
        return;
    }
    front_finish(q, req, BLKIF_RSP_OKAY, done);
}

/*
 * A piece taken back from a departed backend is released: the request may
 * go again (the reconnection waits for that). One failed meanwhile (the
 * device broke or closes) is no longer waiting: its last piece completes it.
 */
static void released_for_replay(struct front_queue *q, struct vbd_front_request *req,
                                struct front_list *done)
{
    req->state.held--;
    req->state.inflight--;
    if (req->state.inflight == 0 && !req->state.waiting)
        front_finish(q, req, BLKIF_RSP_ERROR, done);
}

/* A revoke that waited is over (passive): the last ends the slot. */
static void grant_released(void *ctx, int status)
{
    struct front_slot *s = ctx;
    struct front_queue *q = s->queue;
    struct front_list done = {NULL, NULL};
    os_irql_t irql;

    if (status != 0)
        os_log(OS_LOG_ERROR, "vbd: a backend kept a request's page past XENBUS; it stays mapped\n");
    irql = os_spin_lock(&q->lock);
    if (--s->held_pending == 0) {
        struct vbd_front_request *req = s->req;
        bool replay = s->replay;

        os_free(s->held);
        s->held = NULL;
        s->nr_grants = 0;
        s->replay = false;
        front_slot_free(q, s);
        if (replay)
            released_for_replay(q, req, &done);
        else
            front_piece_done(q, req, BLKIF_RSP_ERROR, &done);
    }
    os_spin_unlock(&q->lock, irql);
    front_run_done(q->front, &done);
}

/*
 * Take back the caller's pages granted for @s. Returns true when the
 * backend still has some: the slot is held until it lets go.
 */
uint32_t front_revoke_now(struct front_queue *q, struct front_slot *s)
{
    const struct winpv_gnttab_interface_v1 *gt = q->front->svc.gnttab;
    void *ctx = gt->header.context;
    uint32_t kept = 0;

    for (uint32_t i = 0; i < s->nr_grants; i++) {
        if (gt->revoke(ctx, s->grants[i]) == 0)
            gt->free(ctx, s->grants[i]);
        else
            s->grants[kept++] = s->grants[i];
    }
    s->nr_grants = kept;
    return kept;
}

static bool revoke_grants(struct front_queue *q, struct front_slot *s)
{
    const struct winpv_gnttab_interface_v1 *gt = q->front->svc.gnttab;
    void *ctx = gt->header.context;
    uint32_t kept = front_revoke_now(q, s);

    if (kept == 0)
        return false;
    s->held = os_alloc(kept * sizeof(*s->held));
    if (!s->held) {
        /* Nothing to wait with: the pages stay the backend's, the request never completes. */
        os_log(OS_LOG_ERROR, "vbd: a backend holds %u page(s) of a request; no memory to wait\n",
               kept);
        return true;
    }
    /* Completions take the queue lock we hold: none runs before the count is right. */
    for (uint32_t i = 0; i < kept; i++)
        if (gt->end_access(ctx, s->grants[i], &s->held[i], grant_released, s))
            s->held_pending++;
    if (s->held_pending == 0) {
        os_free(s->held);
        s->held = NULL;
        return false;
    }
    return true;
}

bool front_slot_take_back(struct front_queue *q, struct front_slot *s)
{
    struct vbd_front_request *req = s->req;

    if (revoke_grants(q, s)) {
        /* grant_released ends the piece (under the lock we hold: not before this). */
        s->state = FRONT_SLOT_HELD;
        s->replay = true;
        req->state.held++;
        return false;
    }
    front_slot_free(q, s);
    req->state.inflight--;
    return true;
}

static void copy_out(const struct front_queue *q, const struct front_slot *s)
{
    uint8_t *to = (uint8_t *)s->req->buffer + s->offset;

    for (uint32_t i = 0; i < s->nr_data; i++) {
        uint32_t at = i * OS_PAGE_SIZE;
        uint32_t len = s->bytes - at < OS_PAGE_SIZE ? s->bytes - at : OS_PAGE_SIZE;

        memcpy(to + at, front_region_page(q->copy, s->pool[i]), len);
    }
}

/*
 * Ring request @s ended with @status (answered, or failed by us). Returns
 * true when the backend still holds a page of the caller's. Context: any,
 * queue lock held.
 */
static bool slot_end(struct front_queue *q, struct front_slot *s, int16_t status,
                     struct front_list *done)
{
    struct vbd_front_request *req = s->req;

    if (status == BLKIF_RSP_OKAY && s->copy_out)
        copy_out(q, s);
    if (revoke_grants(q, s)) {
        s->state = FRONT_SLOT_HELD;
        return true;
    }
    front_slot_free(q, s);
    front_piece_done(q, req, status, done);
    return false;
}

/* One response, copied out of the ring. Returns why it breaks the protocol, or NULL. */
static const char *take_response(struct front_queue *q, const struct blkif_response *rsp,
                                 struct front_list *done)
{
    uint32_t index = (uint32_t)rsp->id;
    struct front_slot *s;

    if (index >= q->nr_slots)
        return "response with an id we never used";
    s = &q->slots[index];
    if (s->state != FRONT_SLOT_INFLIGHT || s->id != rsp->id)
        return "response for a request not in flight";
    if (rsp->operation != s->operation && rsp->operation != s->indirect_op)
        return "response with another operation";
    if (rsp->status != BLKIF_RSP_OKAY && rsp->status != BLKIF_RSP_ERROR &&
        rsp->status != BLKIF_RSP_EOPNOTSUPP)
        return "response with an unknown status";
    if (slot_end(q, s, rsp->status, done))
        return "backend kept a granted page after answering";
    return NULL;
}

/*
 * How many responses to wait for before the next event: half of what the
 * backend holds, so completions come in batches (an event costs more than
 * a response) while the backend still has work to overlap with ours; the
 * backend answers all it holds, so the event comes.
 */
static uint32_t completion_batch(const struct front_queue *q)
{
    uint32_t held = q->ring.req_published - q->ring.rsp_cons;

    return held > 2 ? held / 2 : 1;
}

/* Responses, then waiting requests, until the ring is quiet. Queue lock held. */
static bool service(struct front_queue *q, struct front_list *done)
{
    union blkif_sring_entry entry;
    bool notify = false;

    /* Requests left unanswered are the watchdog's (front_reconnect.c). */
    do {
        const char *why = NULL;

        if (ring_front_poll(&q->ring) < 0)
            why = "response index beyond the requests";
        while (!why && ring_front_take(&q->ring, &entry))
            why = take_response(q, &entry.rsp, done);
        if (why) {
            front_break(q->front, -XEN_EIO, why);
            return notify;
        }
        notify |= front_pump(q, done);
    } while (ring_front_final_check_after(&q->ring, completion_batch(q)));
    return notify;
}

/* Tell the backend there are requests on @q's ring. */
static void kick(struct front_queue *q)
{
    const struct winpv_evtchn_interface_v1 *evtchn = q->front->svc.evtchn;

    evtchn->notify(evtchn->header.context, q->channel);
}

void front_queue_event(void *ctx, unsigned int vcpu)
{
    struct front_queue *q = ctx;
    const struct vbd_front *front = q->front;
    struct front_list done = {NULL, NULL};
    bool notify = false;
    os_irql_t irql;

    (void)vcpu;
    irql = os_spin_lock(&q->lock);
    if (q->nr_slots && front_life_serving(front))
        notify = service(q, &done);
    q->kick_deferred = notify;
    q->batching = true;
    os_spin_unlock(&q->lock, irql);
    front_unlocked(q, false, &done);
    irql = os_spin_lock(&q->lock);
    q->batching = false;
    notify = q->kick_deferred;
    q->kick_deferred = false;
    os_spin_unlock(&q->lock, irql);
    if (notify)
        kick(q);
}

void front_unlocked(struct front_queue *q, bool notify, struct front_list *done)
{
    struct vbd_front *front = q->front;

    if (notify)
        kick(q);
    if (front_life_state(front) == FRONT_LIFE_BROKEN)
        front_fail_all(front, done);
    front_run_done(front, done);
}

static void fail_queue(struct front_queue *q, struct front_list *done)
{
    for (uint32_t i = 0; i < q->nr_slots; i++)
        if (q->slots[i].state == FRONT_SLOT_INFLIGHT)
            slot_end(q, &q->slots[i], BLKIF_RSP_ERROR, done);
    while (q->waiting.head) {
        struct vbd_front_request *req = q->waiting.head;

        front_wait_pop(q);
        if (req->state.inflight == 0)
            front_finish(q, req, BLKIF_RSP_ERROR, done);
        else if (req->state.status == BLKIF_RSP_OKAY)
            req->state.status = BLKIF_RSP_ERROR; /* its held pieces complete it */
    }
}

void front_fail_all(struct vbd_front *front, struct front_list *done)
{
    for (uint32_t i = 0; i < front->info.queues; i++) {
        struct front_queue *q = &front->queues[i];
        os_irql_t irql = os_spin_lock(&q->lock);

        fail_queue(q, done);
        os_spin_unlock(&q->lock, irql);
    }
}

void front_break(struct vbd_front *front, int err, const char *reason)
{
    /* Only a device that serves breaks: one closing or unplugged trusts its rings no more already. */
    if (!front_life_move(front, FRONT_LIFE_LIVE, FRONT_LIFE_BROKEN) &&
        !front_life_move(front, FRONT_LIFE_UNPLUGGING, FRONT_LIFE_BROKEN))
        return;
    os_log(OS_LOG_ERROR, "vbd: %s: %s: the device is broken\n", front->nodename, reason);
    front->fail_err = err;
    front->fail_reason = reason;
    os_work_queue(&front->fail_work);
}
