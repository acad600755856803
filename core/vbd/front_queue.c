/*
 * core/vbd/front_queue.c - a queue's ring and event channel (before the
 * backend connects), its request slots and copy pool (after, when the
 * number of segments and persistent grants are known).
 */
#include <string.h>

#include "vbd/front_internal.h"

int front_queue_open(struct vbd_front *front, uint32_t index)
{
    const struct winpv_evtchn_interface_v1 *evtchn = front->svc.evtchn;
    struct front_queue *q = &front->queues[index];
    struct winpv_evtchn_bind how = {.kind = WINPV_EVTCHN_UNBOUND,
                                    .remote_domid = (uint16_t)front->info.backend_id};
    int rc;

    q->free_slot = FRONT_NO_SLOT;
    rc = front_region_create(front->svc.gnttab, (uint16_t)front->info.backend_id,
                             front->info.ring_pages, &q->ring_pages);
    if (rc == 0)
        rc = ring_front_init(&q->ring, q->ring_pages->va,
                             (size_t)front->info.ring_pages * OS_PAGE_SIZE,
                             sizeof(union blkif_sring_entry));
    if (rc == 0)
        rc = evtchn->open(evtchn->header.context, &how, front_queue_event, q, &q->channel);
    front->info.ring_slots = q->ring.ring.size;
    return rc;
}

/* Each slot's arrays, carved from one allocation. */
static void init_slots(struct front_queue *q, struct front_slot *slots, uint32_t *arrays,
                       uint32_t grants_per_slot, uint32_t pool_per_slot)
{
    for (uint32_t i = 0; i < q->ring.ring.size; i++) {
        struct front_slot *s = &slots[i];

        s->queue = q;
        s->grants = arrays;
        arrays += grants_per_slot;
        s->pool = arrays;
        arrays += pool_per_slot;
        s->next_free = i + 1 < q->ring.ring.size ? i + 1 : FRONT_NO_SLOT;
    }
}

int front_queue_start(struct front_queue *q)
{
    const struct vbd_front_info *info = &q->front->info;
    uint32_t nr_slots = q->ring.ring.size;
    uint32_t pool_per_slot = info->max_segments + front_indirect_pages(info->max_segments);
    uint32_t grants_per_slot = info->persistent ? 0 : info->max_segments;
    struct front_slot *slots = os_alloc(nr_slots * sizeof(*slots));
    uint32_t *arrays = os_alloc((size_t)nr_slots * (grants_per_slot + pool_per_slot) * 4);
    uint32_t *copy_free = os_alloc((size_t)info->copy_pages * 4);
    struct front_region *copy = NULL;
    int rc = slots && arrays && copy_free ? 0 : -XEN_ENOMEM;
    os_irql_t irql;

    if (rc == 0)
        rc = front_region_create(q->front->svc.gnttab, (uint16_t)info->backend_id, info->copy_pages,
                                 &copy);
    if (rc) {
        os_free(slots);
        os_free(arrays);
        os_free(copy_free);
        return rc;
    }
    init_slots(q, slots, arrays, grants_per_slot, pool_per_slot);
    /* LIFO, page 0 on top: the backend sees the same few pages while load is light. */
    for (uint32_t i = 0; i < info->copy_pages; i++)
        copy_free[i] = info->copy_pages - 1 - i;
    irql = os_spin_lock(&q->lock);
    q->slots = slots;
    q->slot_arrays = arrays;
    q->free_slot = 0;
    q->copy = copy;
    q->copy_free = copy_free;
    q->copy_nr_free = info->copy_pages;
    q->nr_slots = nr_slots; /* last: the event callback serves the queue from now on */
    os_spin_unlock(&q->lock, irql);
    return 0;
}

void front_queue_stop(struct front_queue *q)
{
    const struct winpv_evtchn_interface_v1 *evtchn;

    if (!q->channel)
        return;
    evtchn = q->front->svc.evtchn;
    evtchn->close(evtchn->header.context, q->channel);
    q->channel = NULL;
}

/* Give back the transport; the caller has made sure no slot is busy. */
static void release_transport(struct front_queue *q)
{
    front_region_release(q->ring_pages);
    front_region_release(q->copy);
    os_free(q->slots);
    os_free(q->slot_arrays);
    os_free(q->copy_free);
}

void front_queue_free(struct front_queue *q)
{
    release_transport(q);
    memset(q, 0, sizeof(*q));
}

void front_queue_reset(struct front_queue *q)
{
    os_irql_t irql = os_spin_lock(&q->lock);

    q->nr_slots = 0; /* first: neither the event callback nor a submission touches the ring */
    q->free_slot = FRONT_NO_SLOT;
    os_spin_unlock(&q->lock, irql);
    release_transport(q);
    q->ring_pages = q->copy = NULL;
    q->slots = NULL;
    q->slot_arrays = q->copy_free = NULL;
    q->copy_nr_free = 0;
    q->slots_busy = 0;
    memset(&q->ring, 0, sizeof(q->ring));
}
