/* core/xenbus/provider.c - see provider.h. */
#include <string.h>

#include <xen/errno.h>

#include "os.h"
#include "xenbus/provider.h"

static const struct xenbus_served_interface *const served[] = {
    &xenbus_store_served,  &xenbus_device_served,  &xenbus_gnttab_served,
    &xenbus_evtchn_served, &xenbus_suspend_served, &xenbus_console_served,
};

static void reference(void *context)
{
    struct xenbus_provider *provider = context;

    os_atomic_add32(&provider->references, 1);
}

static void dereference(void *context)
{
    struct xenbus_provider *provider = context;

    /* A consumer that dereferences more than it was given is our bug to catch. */
    OS_ASSERT_CMP(os_atomic_load32(&provider->references), >, 0);
    os_atomic_sub32(&provider->references, 1);
}

uint32_t xenbus_provider_references(const struct xenbus_provider *provider)
{
    return os_atomic_load32(&provider->references);
}

int xenbus_query_interface(struct xenbus_provider *provider, const struct winpv_guid *guid,
                           uint16_t version, struct winpv_interface_header *table, uint16_t size)
{
    for (size_t i = 0; i < sizeof(served) / sizeof(served[0]); i++) {
        const struct xenbus_served_interface *s = served[i];
        uint16_t needed;

        if (memcmp(&s->guid, guid, sizeof(*guid)) != 0)
            continue;
        if (!*(void **)((char *)provider + s->service_offset))
            return -XEN_ENOENT;
        if (version < s->version_min || version > s->version_max)
            return -XEN_EOPNOTSUPP;
        needed = s->table_sizes[version - s->version_min];
        if (size < needed)
            return -XEN_EINVAL;
        memset(table, 0, size);
        table->size = needed;
        table->version = version;
        table->context = provider;
        table->reference = reference;
        table->dereference = dereference;
        s->fill(provider, version, table);
        reference(provider);
        return 0;
    }
    return -XEN_ENOENT;
}
