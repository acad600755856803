/*
 * sim/hv/hc_memory.c - XENMEM_* for an HVM guest: Xen's frames shown in the
 * guest's physical map, and RAM given back (balloon) or populated again.
 * Frames leave the map again with XENMEM_remove_from_physmap. Each change
 * of the map is reported to the guest's transport as a remap.
 */
#include <xen/errno.h>
#include <xen/memory.h>

#include "hc.h"

static void add_remap(struct sim_hypercall_reply *out, struct domain *d, uint64_t gfn)
{
    uint64_t mfn = domain_p2m(d, gfn);

    out->remaps[out->remap_count].gfn = gfn;
    out->remaps[out->remap_count].offset = mfn == HV_NO_MFN ? SIM_NO_FRAME : mfn * 4096;
    out->remap_count++;
}

static int64_t add_to_physmap(struct conn *c, struct domain *d, uint64_t arg,
                              struct sim_hypercall_reply *out)
{
    struct xen_add_to_physmap xatp;
    uint64_t mfn, old_gfn, vacated = HV_NO_MFN;
    int rc = copy_from_guest(c, &xatp, arg, sizeof(xatp));

    if (rc)
        return rc;
    if (!domain_is_self(d, xatp.domid))
        return -XEN_EPERM;
    switch (xatp.space) {
    case XENMAPSPACE_shared_info:
        if (xatp.idx != 0)
            return -XEN_EINVAL;
        rc = domain_physmap_set(d, xatp.gpfn, d->shared_info_mfn, &vacated);
        break;
    case XENMAPSPACE_grant_table:
        if (xatp.idx & XENMAPIDX_grant_table_status)
            return -XEN_EINVAL; /* grant table v2 only */
        if (xatp.idx >= d->max_grant_frames)
            return -XEN_EINVAL;
        rc = domain_physmap_set(d, xatp.gpfn, d->grant_mfn_base + xatp.idx, &vacated);
        if (rc == 0 && xatp.idx >= d->nr_grant_frames)
            d->nr_grant_frames = (uint32_t)xatp.idx + 1;
        break;
    case XENMAPSPACE_gmfn:
        old_gfn = xatp.idx;
        mfn = domain_p2m(d, old_gfn);
        if (mfn == HV_NO_MFN || xatp.gpfn >= d->max_gfn)
            return -XEN_EINVAL;
        d->p2m[old_gfn] = HV_NO_MFN; /* moves, so it is not released */
        rc = domain_physmap_set(d, xatp.gpfn, mfn, &vacated);
        if (rc == 0)
            add_remap(out, d, old_gfn);
        break;
    default:
        return -XEN_EINVAL;
    }
    if (rc == 0)
        add_remap(out, d, xatp.gpfn);
    /* The guest stops seeing a Xen frame where it was before. */
    if (rc == 0 && vacated != HV_NO_MFN)
        add_remap(out, d, vacated);
    return rc;
}

/* The frame at gpfn leaves the map, as Xen's XENMEM_remove_from_physmap (e.g. a grant frame). */
static int64_t remove_from_physmap(struct conn *c, struct domain *d, uint64_t arg,
                                   struct sim_hypercall_reply *out)
{
    struct xen_remove_from_physmap xrfp;
    int rc = copy_from_guest(c, &xrfp, arg, sizeof(xrfp));

    if (rc)
        return rc;
    if (!domain_is_self(d, xrfp.domid))
        return -XEN_EPERM;
    rc = domain_physmap_unmap(d, xrfp.gpfn);
    if (rc == 0)
        add_remap(out, d, xrfp.gpfn);
    return rc;
}

/*
 * increase/decrease_reservation and populate_physmap: order-0 extents only.
 * The result is the number of extents done, at most SIM_MAX_REMAPS a call
 * (each changes the guest's map, reported in the reply); the guest's
 * transport asks for the rest, as Xen's continuations would, so the
 * guest's code sees one complete result.
 */
static int64_t reservation(struct conn *c, struct domain *d, uint32_t cmd, uint64_t arg,
                           struct sim_hypercall_reply *out)
{
    struct xen_memory_reservation r;
    uint64_t done = 0;
    int rc = copy_from_guest(c, &r, arg, sizeof(r));

    if (rc)
        return rc;
    if (!domain_is_self(d, r.domid))
        return -XEN_EPERM;
    if (r.extent_order != 0)
        return -XEN_EINVAL;
    for (; done < r.nr_extents && done < SIM_MAX_REMAPS; done++) {
        uint64_t va = (uint64_t)(uintptr_t)r.extent_start.p + done * sizeof(xen_pfn_t);
        xen_pfn_t gfn;

        if (copy_from_guest(c, &gfn, va, sizeof(gfn)))
            break;
        rc = cmd == XENMEM_decrease_reservation ? domain_physmap_remove(d, gfn)
                                                : domain_physmap_populate(d, gfn);
        if (rc)
            break;
        add_remap(out, d, gfn);
    }
    return (int64_t)done;
}

int64_t hc_memory_op(struct conn *c, struct domain *d, uint64_t cmd, uint64_t arg,
                     struct sim_hypercall_reply *out)
{
    domid_t domid;

    switch (cmd) {
    case XENMEM_add_to_physmap:
        return add_to_physmap(c, d, arg, out);
    case XENMEM_remove_from_physmap:
        return remove_from_physmap(c, d, arg, out);
    case XENMEM_increase_reservation:
    case XENMEM_decrease_reservation:
    case XENMEM_populate_physmap:
        return reservation(c, d, (uint32_t)cmd, arg, out);
    case XENMEM_current_reservation:
    case XENMEM_maximum_reservation:
    case XENMEM_maximum_gpfn:
        if (copy_from_guest(c, &domid, arg, sizeof(domid)))
            return -XEN_EFAULT;
        if (!domain_is_self(d, domid))
            return -XEN_EPERM;
        if (cmd == XENMEM_current_reservation)
            return (int64_t)d->nr_pages;
        if (cmd == XENMEM_maximum_reservation)
            return (int64_t)d->max_pages;
        return (int64_t)d->max_gfn - 1;
    case XENMEM_maximum_ram_page:
        return (int64_t)d->mem_frames - 1;
    default:
        return -XEN_ENOSYS;
    }
}
