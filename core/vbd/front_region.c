/* core/vbd/front_region.c - pages of ours granted to the backend; see front_internal.h. */
#include "vbd/front_internal.h"

static void region_free(struct front_region *r)
{
    if (r->va && !r->leaked)
        os_pages_free(r->va, r->count);
    else if (r->va)
        os_log(OS_LOG_ERROR, "vbd: %u page(s) left to a backend that never let go\n", r->count);
    os_free(r);
}

/* Drop one hold; the last frees the region. */
static void region_put(struct front_region *r)
{
    if (os_atomic_sub32(&r->holds, 1) == 0)
        region_free(r);
}

static void region_revoked(void *ctx, int status)
{
    struct front_region *r = ctx;

    if (status != 0)
        os_atomic_store32(&r->leaked, 1);
    region_put(r);
}

int front_region_create(const struct winpv_gnttab_interface_v1 *gnttab, uint16_t domid,
                        uint32_t count, struct front_region **out)
{
    size_t bytes = sizeof(struct front_region) + count * (sizeof(struct winpv_gnttab_deferred) +
                                                          sizeof(uint64_t) + sizeof(uint32_t));
    struct front_region *r = os_alloc(bytes);
    void *ctx = gnttab->header.context;
    int rc = 0;

    if (!r)
        return -XEN_ENOMEM;
    /* The arrays follow the structure, the most aligned first. */
    r->later = (struct winpv_gnttab_deferred *)(r + 1);
    r->gfns = (uint64_t *)(r->later + count);
    r->refs = (uint32_t *)(r->gfns + count);
    r->gnttab = gnttab;
    r->count = count;
    r->holds = 1;
    r->va = os_pages_alloc(count, r->gfns);
    if (!r->va)
        rc = -XEN_ENOMEM;
    for (uint32_t i = 0; rc == 0 && i < count; i++) {
        rc = gnttab->alloc(ctx, &r->refs[i]);
        if (rc == 0) {
            rc = gnttab->grant(ctx, r->refs[i], domid, r->gfns[i], false);
            if (rc)
                gnttab->free(ctx, r->refs[i]);
        }
        if (rc == 0)
            r->granted = i + 1;
    }
    if (rc) {
        front_region_release(r);
        return rc;
    }
    *out = r;
    return 0;
}

void front_region_release(struct front_region *r)
{
    void *ctx;

    if (!r)
        return;
    ctx = r->gnttab->header.context;
    for (uint32_t i = 0; i < r->granted; i++) {
        /* Held before asking, so a completion that comes at once finds it. */
        os_atomic_add32(&r->holds, 1);
        if (!r->gnttab->end_access(ctx, r->refs[i], &r->later[i], region_revoked, r))
            os_atomic_sub32(&r->holds, 1);
    }
    region_put(r);
}
