/*
 * core/xenbus/suspend_served.c - winpv/suspend_interface.h served from
 * the services' suspend callbacks (xenbus/suspend_callbacks.h). A
 * consumer's registration handle is the list's entry.
 */
#include <stddef.h>

#include "winpv/suspend_interface.h"
#include "xenbus/provider.h"
#include "xenbus/suspend_callbacks.h"

static struct xenbus_suspend_callbacks *callbacks(void *context)
{
    return ((struct xenbus_provider *)context)->suspend;
}

static int su_register_early(void *context, void (*fn)(void *arg), void *arg,
                             struct winpv_suspend_callback **callback)
{
    return xenbus_suspend_callbacks_add(callbacks(context), fn, NULL, arg,
                                        (struct xenbus_suspend_callback **)callback);
}

static int su_register_late(void *context, void (*fn)(void *arg, bool cancelled), void *arg,
                            struct winpv_suspend_callback **callback)
{
    return xenbus_suspend_callbacks_add(callbacks(context), NULL, fn, arg,
                                        (struct xenbus_suspend_callback **)callback);
}

static void su_deregister(void *context, struct winpv_suspend_callback *callback)
{
    xenbus_suspend_callbacks_remove(callbacks(context), (struct xenbus_suspend_callback *)callback);
}

static uint32_t su_resume_count(void *context)
{
    return xenbus_suspend_callbacks_resumes(callbacks(context));
}

static void fill(struct xenbus_provider *provider, uint16_t version,
                 struct winpv_interface_header *header)
{
    struct winpv_suspend_interface_v1 *v1 = (struct winpv_suspend_interface_v1 *)header;

    (void)provider;
    (void)version;
    v1->register_early = su_register_early;
    v1->register_late = su_register_late;
    v1->deregister = su_deregister;
    v1->resume_count = su_resume_count;
}

const struct xenbus_served_interface xenbus_suspend_served = {
    .guid = WINPV_SUSPEND_INTERFACE_GUID,
    .version_min = WINPV_SUSPEND_INTERFACE_VERSION_MIN,
    .version_max = WINPV_SUSPEND_INTERFACE_VERSION_MAX,
    .table_sizes = (const uint16_t[]){sizeof(struct winpv_suspend_interface_v1)},
    .service_offset = offsetof(struct xenbus_provider, suspend),
    .fill = fill,
};
