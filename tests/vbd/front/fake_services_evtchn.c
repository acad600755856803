/*
 * tests/vbd/front/fake_services_evtchn.c - unbound channels, notifications
 * counted, callbacks run when the test says; see fake_services.h.
 */
#include <stdlib.h>

#include "fake_services.h"
#include "os_posix.h"

/* The open channel on @port, or NULL. Called with the lock held. */
static struct winpv_evtchn_channel *channel_on(struct fake_evtchn *ev, uint32_t port)
{
    struct winpv_evtchn_channel *ch = ev->channels;

    while (ch && ch->port != port)
        ch = ch->next;
    return ch;
}

/* @ch must be open. Called with the lock held. */
static void channel_check(struct fake_evtchn *ev, struct winpv_evtchn_channel *ch)
{
    if (!ch || channel_on(ev, ch->port) != ch)
        fake_violation("evtchn: a channel that is not open");
}

static int evtchn_open(void *context, const struct winpv_evtchn_bind *how,
                       void (*fn)(void *ctx, unsigned int vcpu), void *ctx,
                       struct winpv_evtchn_channel **channel)
{
    struct fake_evtchn *ev = context;
    struct winpv_evtchn_channel *ch;

    os_posix_require_passive(__func__);
    if (how->kind != WINPV_EVTCHN_UNBOUND || !fn)
        return -XEN_EINVAL;
    ch = fake_alloc(sizeof(*ch));
    ch->remote_domid = how->remote_domid;
    ch->fn = fn;
    ch->ctx = ctx;
    pthread_mutex_lock(&ev->lock);
    ch->port = ev->next_port++;
    ch->next = ev->channels;
    ev->channels = ch;
    ev->open++;
    pthread_mutex_unlock(&ev->lock);
    *channel = ch;
    return 0;
}

static int evtchn_reconnect(void *context, struct winpv_evtchn_channel *channel,
                            const struct winpv_evtchn_bind *how)
{
    os_posix_require_passive(__func__);
    return -XEN_ENOSYS;
}

/* Waits for a callback running, as the engine's close does. */
static void evtchn_close(void *context, struct winpv_evtchn_channel *channel)
{
    struct fake_evtchn *ev = context;
    struct winpv_evtchn_channel **at;

    os_posix_require_passive(__func__);
    pthread_mutex_lock(&ev->upcall);
    pthread_mutex_lock(&ev->lock);
    channel_check(ev, channel);
    for (at = &ev->channels; *at != channel; at = &(*at)->next)
        ;
    *at = channel->next;
    ev->open--;
    pthread_mutex_unlock(&ev->lock);
    pthread_mutex_unlock(&ev->upcall);
    free(channel);
}

static uint32_t evtchn_port(void *context, struct winpv_evtchn_channel *channel)
{
    struct fake_evtchn *ev = context;

    pthread_mutex_lock(&ev->lock);
    channel_check(ev, channel);
    pthread_mutex_unlock(&ev->lock);
    return channel->port;
}

static int evtchn_notify(void *context, struct winpv_evtchn_channel *channel)
{
    struct fake_evtchn *ev = context;

    pthread_mutex_lock(&ev->lock);
    channel_check(ev, channel);
    channel->notified++;
    pthread_mutex_unlock(&ev->lock);
    return 0;
}

static int evtchn_check_only(void *context, struct winpv_evtchn_channel *channel)
{
    evtchn_port(context, channel);
    return 0;
}

static int evtchn_bind_vcpu(void *context, struct winpv_evtchn_channel *channel, unsigned int vcpu)
{
    return evtchn_check_only(context, channel);
}

static int evtchn_set_priority(void *context, struct winpv_evtchn_channel *channel,
                               unsigned int priority)
{
    return evtchn_check_only(context, channel);
}

bool fake_evtchn_lookup(struct fake_evtchn *ev, uint32_t port, uint16_t remote_domid,
                        uint32_t *notified)
{
    struct winpv_evtchn_channel *ch;
    bool found;

    pthread_mutex_lock(&ev->lock);
    ch = channel_on(ev, port);
    found = ch && ch->remote_domid == remote_domid;
    if (found && notified)
        *notified = ch->notified;
    pthread_mutex_unlock(&ev->lock);
    return found;
}

bool fake_evtchn_fire(struct fake_evtchn *ev, uint32_t port)
{
    struct winpv_evtchn_channel *ch;

    pthread_mutex_lock(&ev->upcall);
    pthread_mutex_lock(&ev->lock);
    ch = channel_on(ev, port);
    pthread_mutex_unlock(&ev->lock);
    if (ch) {
        os_posix_dispatch_enter();
        ch->fn(ch->ctx, 0);
        os_posix_dispatch_leave();
    }
    pthread_mutex_unlock(&ev->upcall);
    return ch != NULL;
}

void fake_evtchn_init(struct fake_evtchn *ev)
{
    pthread_mutex_init(&ev->lock, NULL);
    pthread_mutex_init(&ev->upcall, NULL);
    ev->next_port = 16;
    ev->table = (struct winpv_evtchn_interface_v1){
        .header = fake_header(sizeof(ev->table), ev),
        .open = evtchn_open,
        .reconnect = evtchn_reconnect,
        .close = evtchn_close,
        .port = evtchn_port,
        .notify = evtchn_notify,
        .mask = evtchn_check_only,
        .unmask = evtchn_check_only,
        .bind_vcpu = evtchn_bind_vcpu,
        .set_priority = evtchn_set_priority,
    };
}
