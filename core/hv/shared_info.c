/* core/hv/shared_info.c - see shared_info.h. */
#include <xen/memory.h>

#include "hv/hv.h"
#include "hv/shared_info.h"
#include "os.h"

struct hv_shared_info {
    struct shared_info *page;
    uint64_t gfn;
};

int hv_shared_info_map(struct hv_shared_info **out)
{
    struct hv_shared_info *si = os_alloc(sizeof(*si));
    int rc;

    if (si == NULL)
        return -XEN_ENOMEM;
    si->page = os_pages_alloc(1, &si->gfn);
    if (si->page == NULL) {
        os_free(si);
        return -XEN_ENOMEM;
    }
    rc = hv_shared_info_resume(si);
    if (rc) {
        /* Not shown: the page is still our RAM. */
        os_pages_free(si->page, 1);
        os_free(si);
        return rc;
    }
    *out = si;
    return 0;
}

struct shared_info *hv_shared_info_page(const struct hv_shared_info *si)
{
    return si->page;
}

int hv_shared_info_resume(struct hv_shared_info *si)
{
    int rc = hv_add_to_physmap(XENMAPSPACE_shared_info, 0, si->gfn);

    if (rc)
        os_log(OS_LOG_ERROR, "shared_info: showing it at gfn %#llx failed: %d\n",
               (unsigned long long)si->gfn, rc);
    return rc;
}

/* Put a RAM frame back at @gfn, which shows nothing now. */
static int populate(uint64_t gfn)
{
    xen_pfn_t frame = gfn;
    struct xen_memory_reservation r = {.nr_extents = 1, .extent_order = 0, .domid = DOMID_SELF};
    int64_t done;

    set_xen_guest_handle(r.extent_start, &frame);
    done = hv_memory_op(XENMEM_populate_physmap, &r);
    return done == 1 ? 0 : done < 0 ? (int)done : -XEN_ENOMEM;
}

void hv_shared_info_unmap(struct hv_shared_info *si)
{
    struct xen_remove_from_physmap xrfp = {.domid = DOMID_SELF, .gpfn = si->gfn};
    int rc = (int)hv_memory_op(XENMEM_remove_from_physmap, &xrfp);

    if (rc == 0)
        rc = populate(si->gfn);
    if (rc == 0)
        os_pages_free(si->page, 1);
    else
        os_log(OS_LOG_ERROR, "shared_info: gfn %#llx could not be given back (%d): page leaked\n",
               (unsigned long long)si->gfn, rc);
    os_free(si);
}
