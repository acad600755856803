/*
 * core/xenbus/gnttab_served.c - winpv/gnttab_interface.h served from
 * core/gnttab. Each function takes the provider as its context.
 */
#include <stddef.h>

#include <xen/errno.h>

#include "gnttab/gnttab.h"
#include "winpv/gnttab_interface.h"
#include "xenbus/provider.h"

_Static_assert(sizeof(struct winpv_gnttab_grant) == sizeof(struct gnttab_grant) &&
                   sizeof(bool) == sizeof(uint8_t) &&
                   offsetof(struct winpv_gnttab_grant, domid) ==
                       offsetof(struct gnttab_grant, domid) &&
                   offsetof(struct winpv_gnttab_grant, readonly) ==
                       offsetof(struct gnttab_grant, readonly) &&
                   offsetof(struct winpv_gnttab_grant, gfn) == offsetof(struct gnttab_grant, gfn),
               "a batch of grants crosses the interface as it is");
_Static_assert(sizeof(struct winpv_gnttab_deferred) >= sizeof(struct gnttab_deferred) &&
                   _Alignof(struct winpv_gnttab_deferred) >= _Alignof(struct gnttab_deferred),
               "the consumer's storage holds the engine's record");

static struct gnttab *table(void *context)
{
    return ((struct xenbus_provider *)context)->gnttab;
}

static int gt_alloc(void *context, uint32_t *ref)
{
    return gnttab_alloc(table(context), ref);
}

static void gt_free(void *context, uint32_t ref)
{
    gnttab_free(table(context), ref);
}

static int gt_grant(void *context, uint32_t ref, uint16_t domid, uint64_t gfn, bool readonly)
{
    return gnttab_grant(table(context), ref, domid, gfn, readonly);
}

static int gt_grant_many(void *context, const struct winpv_gnttab_grant *grants, uint32_t count)
{
    /* The engine reads readonly as a bool: 0 and 1 are the only values it may hold. */
    for (uint32_t i = 0; i < count; i++)
        if (grants[i].readonly > 1)
            return -XEN_EINVAL;
    return gnttab_grant_many(table(context), (const struct gnttab_grant *)grants, count);
}

static int gt_revoke(void *context, uint32_t ref)
{
    return gnttab_revoke(table(context), ref);
}

static int gt_revoke_many(void *context, const uint32_t *refs, uint32_t count, bool *busy)
{
    return gnttab_revoke_many(table(context), refs, count, busy);
}

static bool gt_end_access(void *context, uint32_t ref, struct winpv_gnttab_deferred *later,
                          void (*done)(void *ctx, int status), void *ctx)
{
    return gnttab_end_access(table(context), ref, (struct gnttab_deferred *)later, done, ctx);
}

static void fill(struct xenbus_provider *provider, uint16_t version,
                 struct winpv_interface_header *header)
{
    struct winpv_gnttab_interface_v1 *v1 = (struct winpv_gnttab_interface_v1 *)header;

    (void)provider;
    (void)version;
    v1->alloc = gt_alloc;
    v1->free = gt_free;
    v1->grant = gt_grant;
    v1->grant_many = gt_grant_many;
    v1->revoke = gt_revoke;
    v1->revoke_many = gt_revoke_many;
    v1->end_access = gt_end_access;
}

const struct xenbus_served_interface xenbus_gnttab_served = {
    .guid = WINPV_GNTTAB_INTERFACE_GUID,
    .version_min = WINPV_GNTTAB_INTERFACE_VERSION_MIN,
    .version_max = WINPV_GNTTAB_INTERFACE_VERSION_MAX,
    .table_sizes = (const uint16_t[]){sizeof(struct winpv_gnttab_interface_v1)},
    .service_offset = offsetof(struct xenbus_provider, gnttab),
    .fill = fill,
};
