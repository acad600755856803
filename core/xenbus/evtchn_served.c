/*
 * core/xenbus/evtchn_served.c - winpv/evtchn_interface.h served from
 * core/evtchn. A consumer's channel handle is the engine's channel object.
 */
#include <stddef.h>

#include <xen/errno.h>

#include "evtchn/evtchn.h"
#include "winpv/evtchn_interface.h"
#include "xenbus/provider.h"

_Static_assert(sizeof(struct winpv_evtchn_bind) == sizeof(struct evtchn_bind) &&
                   offsetof(struct winpv_evtchn_bind, remote_domid) ==
                       offsetof(struct evtchn_bind, remote_domid) &&
                   offsetof(struct winpv_evtchn_bind, remote_port) ==
                       offsetof(struct evtchn_bind, remote_port) &&
                   offsetof(struct winpv_evtchn_bind, virq) == offsetof(struct evtchn_bind, virq) &&
                   offsetof(struct winpv_evtchn_bind, port) == offsetof(struct evtchn_bind, port) &&
                   offsetof(struct winpv_evtchn_bind, vcpu) == offsetof(struct evtchn_bind, vcpu),
               "a binding crosses the interface as it is");
_Static_assert(WINPV_EVTCHN_UNBOUND == EVTCHN_UNBOUND &&
                   WINPV_EVTCHN_INTERDOMAIN == EVTCHN_INTERDOMAIN &&
                   WINPV_EVTCHN_VIRQ == EVTCHN_VIRQ && WINPV_EVTCHN_IPI == EVTCHN_IPI &&
                   WINPV_EVTCHN_ADOPTED == EVTCHN_ADOPTED,
               "the kinds are the engine's");

static struct evtchn_channel *channel(struct winpv_evtchn_channel *ch)
{
    return (struct evtchn_channel *)ch;
}

/* The engine takes the kind as its enum: only values it knows pass. */
static const struct evtchn_bind *binding(const struct winpv_evtchn_bind *how)
{
    return how->kind <= WINPV_EVTCHN_ADOPTED ? (const struct evtchn_bind *)how : NULL;
}

static int ev_open(void *context, const struct winpv_evtchn_bind *how,
                   void (*fn)(void *ctx, unsigned int vcpu), void *ctx,
                   struct winpv_evtchn_channel **out)
{
    struct xenbus_provider *provider = context;
    const struct evtchn_bind *bind = binding(how);

    if (!bind)
        return -XEN_EINVAL;
    return evtchn_open(provider->evtchn, bind, fn, ctx, (struct evtchn_channel **)out);
}

static int ev_reconnect(void *context, struct winpv_evtchn_channel *ch,
                        const struct winpv_evtchn_bind *how)
{
    const struct evtchn_bind *bind = binding(how);

    (void)context;
    return bind ? evtchn_reconnect(channel(ch), bind) : -XEN_EINVAL;
}

static void ev_close(void *context, struct winpv_evtchn_channel *ch)
{
    (void)context;
    evtchn_close(channel(ch));
}

static uint32_t ev_port(void *context, struct winpv_evtchn_channel *ch)
{
    (void)context;
    return evtchn_port(channel(ch));
}

static int ev_notify(void *context, struct winpv_evtchn_channel *ch)
{
    (void)context;
    return evtchn_notify(channel(ch));
}

static int ev_mask(void *context, struct winpv_evtchn_channel *ch)
{
    (void)context;
    return evtchn_mask(channel(ch));
}

static int ev_unmask(void *context, struct winpv_evtchn_channel *ch)
{
    (void)context;
    return evtchn_unmask(channel(ch));
}

static int ev_bind_vcpu(void *context, struct winpv_evtchn_channel *ch, unsigned int vcpu)
{
    (void)context;
    return evtchn_bind_vcpu(channel(ch), vcpu);
}

static int ev_set_priority(void *context, struct winpv_evtchn_channel *ch, unsigned int priority)
{
    (void)context;
    return evtchn_set_priority(channel(ch), priority);
}

static void fill(struct xenbus_provider *provider, uint16_t version,
                 struct winpv_interface_header *header)
{
    struct winpv_evtchn_interface_v1 *v1 = (struct winpv_evtchn_interface_v1 *)header;

    (void)provider;
    (void)version;
    v1->open = ev_open;
    v1->reconnect = ev_reconnect;
    v1->close = ev_close;
    v1->port = ev_port;
    v1->notify = ev_notify;
    v1->mask = ev_mask;
    v1->unmask = ev_unmask;
    v1->bind_vcpu = ev_bind_vcpu;
    v1->set_priority = ev_set_priority;
}

const struct xenbus_served_interface xenbus_evtchn_served = {
    .guid = WINPV_EVTCHN_INTERFACE_GUID,
    .version_min = WINPV_EVTCHN_INTERFACE_VERSION_MIN,
    .version_max = WINPV_EVTCHN_INTERFACE_VERSION_MAX,
    .table_sizes = (const uint16_t[]){sizeof(struct winpv_evtchn_interface_v1)},
    .service_offset = offsetof(struct xenbus_provider, evtchn),
    .fill = fill,
};
