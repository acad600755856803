/* core/xenbus/toolstack_ring.c - see toolstack_ring.h. */
#include <xen/errno.h>

#include "hv/hv.h"
#include "os.h"
#include "xenbus/toolstack_ring.h"

int xenbus_toolstack_ring(uint32_t pfn_param, uint32_t port_param, uint64_t *gfn,
                          struct evtchn_bind *bind)
{
    uint64_t port = 0;
    int rc = hv_get_param(pfn_param, gfn);

    if (rc == 0)
        rc = hv_get_param(port_param, &port);
    if (rc == 0 && (*gfn == 0 || port == 0 || port > UINT32_MAX))
        rc = -XEN_ENODEV;
    *bind = (struct evtchn_bind){.kind = EVTCHN_ADOPTED, .port = (uint32_t)port};
    return rc;
}

int xenbus_toolstack_page_move(void **page, uint64_t *page_gfn, uint64_t gfn, void **old)
{
    void *mapped;

    *old = NULL;
    if (gfn == *page_gfn)
        return 0;
    mapped = os_map_gfn(gfn);
    if (mapped == NULL)
        return -XEN_EFAULT;
    *old = *page;
    *page = mapped;
    *page_gfn = gfn;
    return 0;
}
