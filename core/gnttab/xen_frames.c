/*
 * core/gnttab/xen_frames.c - the table's frames as Xen provides them to an
 * HVM guest (see struct gnttab_frame_ops).
 */
#include <xen/memory.h>

#include "gnttab/gnttab.h"
#include "hv/hv.h"
#include "os.h"

static int xen_query_size(void *ctx, uint32_t *nr_frames, uint32_t *max_frames)
{
    struct gnttab_query_size q = {.dom = DOMID_SELF};
    int rc = hv_gnttab_op(GNTTABOP_query_size, &q, 1);

    if (rc == 0 && q.status != GNTST_okay)
        rc = -XEN_EIO;
    *nr_frames = rc == 0 ? q.nr_frames : 0;
    *max_frames = rc == 0 ? q.max_nr_frames : 0;
    return rc;
}

/* Xen grows the table when @idx is beyond its current size. */
static int xen_map(void *ctx, uint32_t idx, uint64_t gfn)
{
    return hv_add_to_physmap(XENMAPSPACE_grant_table, idx, gfn);
}

/* The frame leaves @gfn (Xen keeps it), and a new page of RAM is put there. */
static int xen_unmap(void *ctx, uint64_t gfn)
{
    struct xen_remove_from_physmap remove = {.domid = DOMID_SELF, .gpfn = gfn};
    xen_pfn_t frame = gfn;
    struct xen_memory_reservation populate = {.nr_extents = 1, .domid = DOMID_SELF};
    int64_t rc = hv_memory_op(XENMEM_remove_from_physmap, &remove);

    if (rc)
        return (int)rc;
    set_xen_guest_handle(populate.extent_start, &frame);
    rc = hv_memory_op(XENMEM_populate_physmap, &populate);
    return rc == 1 ? 0 : rc < 0 ? (int)rc : -XEN_ENOMEM;
}

const struct gnttab_frame_ops gnttab_xen_frames = {
    .query_size = xen_query_size,
    .map = xen_map,
    .unmap = xen_unmap,
};
