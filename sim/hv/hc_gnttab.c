/* sim/hv/hc_gnttab.c - GNTTABOP_* from a guest (v1 tables set up by the guest). */
#include <xen/errno.h>

#include "hc.h"

static int64_t query_size(struct conn *c, struct domain *d, uint64_t arg)
{
    struct gnttab_query_size q;

    if (copy_from_guest(c, &q, arg, sizeof(q)))
        return -XEN_EFAULT;
    q.status = GNTST_okay;
    if (!domain_is_self(d, q.dom))
        q.status = GNTST_permission_denied;
    q.nr_frames = d->nr_grant_frames;
    q.max_nr_frames = d->max_grant_frames;
    return copy_to_guest(c, arg, &q, sizeof(q)) ? -XEN_EFAULT : 0;
}

/*
 * Grows the table to nr_frames. An HVM guest maps the frames with
 * XENMEM_add_to_physmap; the list returned names the frames as Xen does
 * for a translated guest (not usable as guest frames).
 */
static int64_t setup_table(struct conn *c, struct domain *d, uint64_t arg)
{
    struct gnttab_setup_table s;

    if (copy_from_guest(c, &s, arg, sizeof(s)))
        return -XEN_EFAULT;
    s.status = GNTST_okay;
    if (!domain_is_self(d, s.dom))
        s.status = GNTST_permission_denied;
    else if (s.nr_frames > d->max_grant_frames)
        s.status = GNTST_general_error;
    else {
        if (s.nr_frames > d->nr_grant_frames)
            d->nr_grant_frames = s.nr_frames;
        for (uint32_t i = 0; i < s.nr_frames; i++) {
            xen_pfn_t frame = d->grant_mfn_base + i;
            uint64_t va = (uint64_t)(uintptr_t)s.frame_list.p + i * sizeof(frame);

            if (copy_to_guest(c, va, &frame, sizeof(frame)))
                return -XEN_EFAULT;
        }
    }
    return copy_to_guest(c, arg, &s, sizeof(s)) ? -XEN_EFAULT : 0;
}

static int64_t set_version(struct conn *c, uint64_t arg)
{
    struct gnttab_set_version v;

    if (copy_from_guest(c, &v, arg, sizeof(v)))
        return -XEN_EFAULT;
    if (v.version != 1) {
        v.version = 1; /* the version in effect */
        copy_to_guest(c, arg, &v, sizeof(v));
        return -XEN_EINVAL; /* grant table v2 is not provided */
    }
    return 0;
}

static int64_t get_version(struct conn *c, struct domain *d, uint64_t arg)
{
    struct gnttab_get_version v;

    if (copy_from_guest(c, &v, arg, sizeof(v)))
        return -XEN_EFAULT;
    if (!domain_is_self(d, v.dom))
        return -XEN_EPERM;
    v.version = 1;
    return copy_to_guest(c, arg, &v, sizeof(v)) ? -XEN_EFAULT : 0;
}

int64_t hc_grant_table_op(struct conn *c, struct domain *d, uint64_t cmd, uint64_t arg,
                          uint64_t count)
{
    if (count != 1)
        return -XEN_EINVAL; /* batches are not used by HVM guests for these */
    switch (cmd) {
    case GNTTABOP_query_size:
        return query_size(c, d, arg);
    case GNTTABOP_setup_table:
        return setup_table(c, d, arg);
    case GNTTABOP_set_version:
        return set_version(c, arg);
    case GNTTABOP_get_version:
        return get_version(c, d, arg);
    default:
        return -XEN_ENOSYS;
    }
}
