/*
 * core/xenbus/device_served.c - winpv/xenbus_interface.h served from
 * core/xenbus/device. The device handle a consumer holds is the
 * struct xenbus_device itself.
 */
#include <stddef.h>

#include <xen/errno.h>

#include "winpv/xenbus_interface.h"
#include "xenbus/device.h"
#include "xenbus/provider.h"

static struct xenbus_device *device(struct winpv_xenbus_device *dev)
{
    return (struct xenbus_device *)dev;
}

static int dev_open(void *context, const char *class, const char *id,
                    void (*fn)(void *ctx, uint32_t state), void *ctx,
                    struct winpv_xenbus_device **dev)
{
    struct xenbus_provider *provider = context;

    return xenbus_device_open(provider->store, class, id, fn, ctx, (struct xenbus_device **)dev);
}

static void dev_close(void *context, struct winpv_xenbus_device *dev)
{
    (void)context;
    xenbus_device_close(device(dev));
}

static const char *dev_nodename(void *context, struct winpv_xenbus_device *dev)
{
    (void)context;
    return xenbus_device_nodename(device(dev));
}

static const char *dev_otherend(void *context, struct winpv_xenbus_device *dev)
{
    (void)context;
    return xenbus_device_otherend(device(dev));
}

static uint32_t dev_otherend_id(void *context, struct winpv_xenbus_device *dev)
{
    (void)context;
    return xenbus_device_otherend_id(device(dev));
}

static int dev_switch_state(void *context, struct winpv_xenbus_device *dev, uint32_t state)
{
    (void)context;
    if (state > XenbusStateReconfigured)
        return -XEN_EINVAL;
    return xenbus_switch_state(device(dev), (enum xenbus_state)state);
}

static uint32_t dev_otherend_state(void *context, struct winpv_xenbus_device *dev)
{
    (void)context;
    return xenbus_otherend_state(device(dev));
}

static int dev_wait_for_otherend(void *context, struct winpv_xenbus_device *dev, uint32_t mask,
                                 uint64_t timeout_ns, uint32_t *state)
{
    enum xenbus_state reached;
    int rc = xenbus_wait_for_otherend(device(dev), mask, timeout_ns, &reached);

    (void)context;
    *state = reached;
    return rc;
}

static void dev_fail(void *context, struct winpv_xenbus_device *dev, int err, const char *message)
{
    (void)context;
    xenbus_fail(device(dev), err, message);
}

static void fill(struct xenbus_provider *provider, uint16_t version,
                 struct winpv_interface_header *table)
{
    struct winpv_xenbus_interface_v1 *v1 = (struct winpv_xenbus_interface_v1 *)table;

    (void)provider;
    (void)version;
    v1->open = dev_open;
    v1->close = dev_close;
    v1->nodename = dev_nodename;
    v1->otherend = dev_otherend;
    v1->otherend_id = dev_otherend_id;
    v1->switch_state = dev_switch_state;
    v1->otherend_state = dev_otherend_state;
    v1->wait_for_otherend = dev_wait_for_otherend;
    v1->fail = dev_fail;
}

const struct xenbus_served_interface xenbus_device_served = {
    .guid = WINPV_XENBUS_INTERFACE_GUID,
    .version_min = WINPV_XENBUS_INTERFACE_VERSION_MIN,
    .version_max = WINPV_XENBUS_INTERFACE_VERSION_MAX,
    .table_sizes = (const uint16_t[]){sizeof(struct winpv_xenbus_interface_v1)},
    .service_offset = offsetof(struct xenbus_provider, store),
    .fill = fill,
};
