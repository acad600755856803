/*
 * core/vbd/front_dump.c - the normal frontend's side of dump mode: the
 * context a dump copy writes through (core/vbd/dump.h), its pages granted
 * once at the open (and again for a restored domain's new backend
 * domain), its description of queue 0's ring kept true at each change of
 * the link or the life (front_link_move, front_life_move).
 */
#include <string.h>

#include <xen/xen.h>

#include "vbd/dump.h"
#include "vbd/front_internal.h"

int front_dump_prepare(struct vbd_front *front)
{
    struct vbd_dump_context *ctx;
    int rc;

    if (!front->opt.dump)
        return 0;
    ctx = os_alloc(sizeof(*ctx));
    if (!ctx)
        return -XEN_ENOMEM;
    memset(ctx, 0, sizeof(*ctx));
    rc = front_region_create(front->svc.gnttab, (uint16_t)front->info.backend_id, VBD_DUMP_PAGES,
                             &front->dump_pages);
    if (rc) {
        os_free(ctx);
        return rc;
    }
    ctx->magic = VBD_DUMP_MAGIC;
    ctx->pages = front->dump_pages->va;
    ctx->pages_domid = (uint16_t)front->info.backend_id;
    memcpy(ctx->refs, front->dump_pages->refs, sizeof(ctx->refs));
    os_spin_init(&front->dump_lock);
    front->dump = ctx;
    return 0;
}

void front_dump_refresh(struct vbd_front *front)
{
    struct vbd_dump_context *ctx = front->dump;
    const struct front_queue *q = &front->queues[0];
    os_irql_t irql;

    if (!ctx)
        return;
    irql = os_spin_lock(&front->dump_lock);
    os_atomic_store32(&ctx->valid, 0); /* first: a copy never takes a description half written */
    if (front_link_state(front) == FRONT_LINK_UP && front_life_state(front) == FRONT_LIFE_LIVE &&
        q->ring_pages && q->channel && ctx->pages_domid == front->info.backend_id) {
        const struct winpv_evtchn_interface_v1 *evtchn = front->svc.evtchn;
        struct vbd_scsi_disk disk = vbd_front_disk(front);

        ctx->ring = (struct vbd_dump_ring){
            .sring = q->ring_pages->va,
            .ring_pages = front->info.ring_pages,
            .port = evtchn->port(evtchn->header.context, q->channel),
            .handle = front->info.handle,
            .backend_id = (uint16_t)front->info.backend_id,
            .sector_unit = front->info.sector_unit,
            .max_segments = front->info.max_segments,
            .indirect = front->info.indirect,
            .flush_op = front->info.flush_op,
            .sectors = disk.sectors,
            .sector_size = disk.sector_size,
            .read_only = disk.read_only,
        };
        ctx->generation++;
        os_atomic_store32(&ctx->valid, 1); /* last */
    }
    os_spin_unlock(&front->dump_lock, irql);
}

void front_dump_follow_backend(struct vbd_front *front)
{
    struct vbd_dump_context *ctx = front->dump;
    uint16_t domid = (uint16_t)front->info.backend_id;
    struct front_region *pages = NULL;
    os_irql_t irql;

    if (!ctx || ctx->pages_domid == domid)
        return;
    /* Invalid, and granted to no domain, until the new grants are in place. */
    irql = os_spin_lock(&front->dump_lock);
    os_atomic_store32(&ctx->valid, 0);
    ctx->pages_domid = DOMID_INVALID;
    os_spin_unlock(&front->dump_lock, irql);
    front_region_release(front->dump_pages);
    front->dump_pages = NULL;
    if (front_region_create(front->svc.gnttab, domid, VBD_DUMP_PAGES, &pages) != 0) {
        os_log(OS_LOG_WARN, "vbd: %s: the dump pages not granted to domain %u: no dump\n",
               front->nodename, (unsigned int)domid);
        return;
    }
    front->dump_pages = pages;
    irql = os_spin_lock(&front->dump_lock);
    ctx->pages = pages->va;
    memcpy(ctx->refs, pages->refs, sizeof(ctx->refs));
    ctx->pages_domid = domid;
    os_spin_unlock(&front->dump_lock, irql);
}

void front_dump_release(struct vbd_front *front)
{
    if (!front->dump)
        return;
    os_atomic_store32(&front->dump->valid, 0);
    front->dump->magic = 0;
    front_region_release(front->dump_pages);
    front->dump_pages = NULL;
    os_free(front->dump);
    front->dump = NULL;
}

const struct vbd_dump_context *vbd_front_dump_context(const struct vbd_front *front)
{
    return front->dump;
}
