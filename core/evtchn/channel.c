/* core/evtchn/channel.c - what an owner does to its channel (see evtchn.h). */
#include "evtchn/gate.h"
#include "evtchn/evtchn_impl.h"

static bool valid_bind(const struct evtchn_engine *e, const struct evtchn_bind *how)
{
    switch (how->kind) {
    case EVTCHN_VIRQ:
        return how->virq < NR_VIRQS && how->vcpu < e->nr_vcpus;
    case EVTCHN_IPI:
        return how->vcpu < e->nr_vcpus;
    case EVTCHN_UNBOUND:
    case EVTCHN_INTERDOMAIN:
    case EVTCHN_ADOPTED:
        return true;
    }
    return false;
}

int evtchn_open_locked(struct evtchn_engine *e, const struct evtchn_bind *how, evtchn_fn fn,
                       void *ctx, uint32_t priority, struct evtchn_channel **out)
{
    struct evtchn_channel *ch;
    int rc;

    if (!valid_bind(e, how))
        return -XEN_EINVAL;
    ch = os_alloc(sizeof(*ch));
    if (ch == NULL)
        return -XEN_ENOMEM;
    ch->engine = e;
    ch->how = *how;
    ch->fn = fn;
    ch->ctx = ctx;
    ch->priority = priority;
    os_spin_init(&ch->mask_lock);
    os_event_init(&ch->idle);
    rc = evtchn_connect(e, ch, true);
    if (rc) {
        os_free(ch);
        return rc;
    }
    ch->next = e->channels;
    if (ch->next)
        ch->next->prev = ch;
    e->channels = ch;
    *out = ch;
    return 0;
}

int evtchn_open(struct evtchn_engine *e, const struct evtchn_bind *how, evtchn_fn fn, void *ctx,
                struct evtchn_channel **out)
{
    int rc;

    os_mutex_lock(&e->mutex);
    rc = evtchn_open_locked(e, how, fn, ctx, EVTCHN_FIFO_PRIORITY_DEFAULT, out);
    os_mutex_unlock(&e->mutex);
    return rc;
}

int evtchn_reconnect(struct evtchn_channel *ch, const struct evtchn_bind *how)
{
    struct evtchn_engine *e = ch->engine;
    struct evtchn_bind was = ch->how;
    int rc;

    if (!valid_bind(e, how))
        return -XEN_EINVAL;
    os_mutex_lock(&e->mutex);
    if (ch->port) {
        rc = -XEN_EISCONN;
    } else {
        ch->how = *how;
        rc = evtchn_connect(e, ch, false);
        if (rc)
            ch->how = was;
    }
    os_mutex_unlock(&e->mutex);
    return rc;
}

void evtchn_close_locked(struct evtchn_engine *e, struct evtchn_channel *ch)
{
    uint32_t port = evtchn_disconnect(e, ch);

    /* Out of the table: no new call starts. One under way ends first. */
    if (gate_close(&ch->gate))
        os_event_wait(&ch->idle, OS_WAIT_FOREVER);
    /*
     * Closed, and no event left pending for whoever gets the port next (Xen
     * clears it too; a FIFO word may still sit in a queue: the pass that
     * takes it finds nothing pending).
     */
    if (port && ch->how.kind != EVTCHN_ADOPTED) {
        evtchn_close_port(port);
        e->abi->clear_pending(e, port);
    }
    if (ch->prev)
        ch->prev->next = ch->next;
    else
        e->channels = ch->next;
    if (ch->next)
        ch->next->prev = ch->prev;
    os_free(ch);
}

void evtchn_close(struct evtchn_channel *ch)
{
    struct evtchn_engine *e = ch->engine;

    os_mutex_lock(&e->mutex);
    evtchn_close_locked(e, ch);
    os_mutex_unlock(&e->mutex);
}

uint32_t evtchn_port(const struct evtchn_channel *ch)
{
    return os_atomic_load32(&ch->port);
}

int evtchn_notify(struct evtchn_channel *ch)
{
    struct evtchn_send arg = {.port = os_atomic_load32(&ch->port)};

    return arg.port ? hv_evtchn_op(EVTCHNOP_send, &arg) : -XEN_ENOTCONN;
}

int evtchn_mask(struct evtchn_channel *ch)
{
    struct evtchn_engine *e = ch->engine;
    os_irql_t irql = os_spin_lock(&ch->mask_lock);

    ch->masked = true;
    if (ch->port)
        e->abi->mask(e, ch->port);
    os_spin_unlock(&ch->mask_lock, irql);
    return 0;
}

int evtchn_unmask(struct evtchn_channel *ch)
{
    struct evtchn_engine *e = ch->engine;
    os_irql_t irql = os_spin_lock(&ch->mask_lock);
    int rc = 0;

    ch->masked = false;
    if (ch->port)
        rc = e->abi->unmask(e, ch->port);
    os_spin_unlock(&ch->mask_lock, irql);
    return rc;
}

int evtchn_bind_vcpu(struct evtchn_channel *ch, unsigned int vcpu)
{
    struct evtchn_engine *e = ch->engine;
    struct evtchn_bind_vcpu arg = {.vcpu = vcpu};
    os_irql_t irql;
    int rc, unmask_rc = 0;

    if (vcpu >= e->nr_vcpus)
        return -XEN_EINVAL;
    irql = os_spin_lock(&ch->mask_lock);
    arg.port = ch->port;
    if (arg.port == 0) {
        os_spin_unlock(&ch->mask_lock, irql);
        return -XEN_ENOTCONN;
    }
    /*
     * Masked while it moves: Xen flags a pending port for its new vCPU only
     * when it is unmasked, which brings along an event left on the old one.
     */
    e->abi->mask(e, arg.port);
    rc = hv_evtchn_op(EVTCHNOP_bind_vcpu, &arg);
    if (rc == 0) {
        os_irql_t table_irql = os_spin_lock(&e->lock);

        e->abi->unbind(e, arg.port, ch->vcpu);
        ch->vcpu = vcpu;
        e->abi->bind(e, arg.port, vcpu);
        os_spin_unlock(&e->lock, table_irql);
    }
    if (!ch->masked)
        unmask_rc = e->abi->unmask(e, arg.port);
    os_spin_unlock(&ch->mask_lock, irql);
    return rc ? rc : unmask_rc;
}

int evtchn_set_priority(struct evtchn_channel *ch, unsigned int priority)
{
    struct evtchn_engine *e = ch->engine;
    struct evtchn_set_priority arg = {.priority = priority};
    os_irql_t irql;
    int rc = 0;

    if (priority == EVTCHN_KICK_PRIORITY || priority > EVTCHN_FIFO_PRIORITY_MIN)
        return -XEN_EINVAL;
    irql = os_spin_lock(&ch->mask_lock);
    arg.port = ch->port;
    if (arg.port && e->abi->kind == EVTCHN_ABI_FIFO)
        rc = hv_evtchn_op(EVTCHNOP_set_priority, &arg);
    if (rc == 0)
        ch->priority = priority;
    os_spin_unlock(&ch->mask_lock, irql);
    return rc;
}

uint64_t evtchn_channel_events(const struct evtchn_channel *ch)
{
    return __atomic_load_n(&ch->events, __ATOMIC_RELAXED);
}
