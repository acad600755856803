/*
 * core/evtchn/connect.c - giving a channel a port, and taking it away: the
 * hypercall the channel's kind needs, room for the port in the ABI and the
 * port table, then the owner's vCPU, priority and mask on the new port.
 */
#include "evtchn/evtchn_impl.h"

void evtchn_close_port(uint32_t port)
{
    struct evtchn_close arg = {.port = port};

    hv_evtchn_op(EVTCHNOP_close, &arg);
}

/* The hypercall for @how: the port in *port, the vCPU Xen notifies for it in *vcpu. */
static int bind_once(const struct evtchn_bind *how, uint32_t *port, uint32_t *vcpu)
{
    int rc;

    *vcpu = 0; /* Xen's choice for unbound and interdomain ports */
    switch (how->kind) {
    case EVTCHN_UNBOUND: {
        struct evtchn_alloc_unbound arg = {.dom = DOMID_SELF, .remote_dom = how->remote_domid};

        rc = hv_evtchn_op(EVTCHNOP_alloc_unbound, &arg);
        *port = arg.port;
        return rc;
    }
    case EVTCHN_INTERDOMAIN: {
        struct evtchn_bind_interdomain arg = {.remote_dom = how->remote_domid,
                                              .remote_port = how->remote_port};

        rc = hv_evtchn_op(EVTCHNOP_bind_interdomain, &arg);
        *port = arg.local_port;
        return rc;
    }
    case EVTCHN_VIRQ: {
        struct evtchn_bind_virq arg = {.virq = how->virq, .vcpu = how->vcpu};

        rc = hv_evtchn_op(EVTCHNOP_bind_virq, &arg);
        *port = arg.port;
        *vcpu = how->vcpu;
        return rc;
    }
    case EVTCHN_IPI: {
        struct evtchn_bind_ipi arg = {.vcpu = how->vcpu};

        rc = hv_evtchn_op(EVTCHNOP_bind_ipi, &arg);
        *port = arg.port;
        *vcpu = how->vcpu;
        return rc;
    }
    case EVTCHN_ADOPTED: {
        struct evtchn_status arg = {.dom = DOMID_SELF, .port = how->port};

        rc = hv_evtchn_op(EVTCHNOP_status, &arg);
        if (rc == 0 && arg.status == EVTCHNSTAT_closed)
            rc = -XEN_EINVAL;
        *port = how->port;
        *vcpu = arg.vcpu;
        return rc;
    }
    }
    return -XEN_EINVAL;
}

static bool port_has_channel(struct evtchn_engine *e, uint32_t port)
{
    os_irql_t irql = os_spin_lock(&e->lock);
    bool taken = evtchn_table_get(e, port) != NULL;

    os_spin_unlock(&e->lock, irql);
    return taken;
}

/*
 * A port for @how that the ABI covers; ours to close again unless adopted.
 * An adopted port that already has a channel is -XEN_EBUSY: taking it over
 * would steal its owner's events (the xenstore port from the store).
 */
static int bind_port(struct evtchn_engine *e, const struct evtchn_bind *how, uint32_t *port,
                     uint32_t *vcpu)
{
    int rc = bind_once(how, port, vcpu);

    /* Xen may allocate only ports the FIFO arrays cover: add a page and ask again. */
    while (rc == -XEN_ENOSPC && how->kind != EVTCHN_ADOPTED && e->abi->grow(e) == 0)
        rc = bind_once(how, port, vcpu);
    if (rc)
        return rc;
    if (how->kind == EVTCHN_ADOPTED && port_has_channel(e, *port))
        return -XEN_EBUSY;
    if (*port == 0 || *port >= e->abi->max_ports || *vcpu >= e->nr_vcpus) {
        os_log(OS_LOG_ERROR, "evtchn: Xen bound port %u on vCPU %u: impossible\n", *port, *vcpu);
        rc = -XEN_EIO;
    }
    /* ... or allocate past them: make the port reachable. */
    while (rc == 0 && *port >= e->abi->covered(e))
        rc = e->abi->grow(e);
    if (rc == 0)
        rc = evtchn_table_reserve(e, *port);
    if (rc && how->kind != EVTCHN_ADOPTED && *port != 0 && *port < e->abi->max_ports)
        evtchn_close_port(*port);
    return rc;
}

static int move_port(uint32_t port, uint32_t vcpu)
{
    struct evtchn_bind_vcpu arg = {.port = port, .vcpu = vcpu};

    return hv_evtchn_op(EVTCHNOP_bind_vcpu, &arg);
}

int evtchn_connect(struct evtchn_engine *e, struct evtchn_channel *ch, bool first)
{
    uint32_t port, vcpu;
    os_irql_t irql, table_irql;
    int rc = bind_port(e, &ch->how, &port, &vcpu);

    if (rc)
        return rc;
    irql = os_spin_lock(&ch->mask_lock);
    e->abi->mask(e, port); /* quiet until the owner's choices are applied */
    /* A reconnected channel keeps the vCPU its owner chose. */
    if (first || (ch->vcpu != vcpu && move_port(port, ch->vcpu) != 0))
        ch->vcpu = vcpu;
    if (ch->priority != EVTCHN_FIFO_PRIORITY_DEFAULT && e->abi->kind == EVTCHN_ABI_FIFO) {
        struct evtchn_set_priority arg = {.port = port, .priority = ch->priority};

        rc = hv_evtchn_op(EVTCHNOP_set_priority, &arg);
        if (rc)
            os_log(OS_LOG_WARN, "evtchn: port %u: priority %u refused: %d\n", port, ch->priority,
                   rc);
    }
    table_irql = os_spin_lock(&e->lock);
    evtchn_table_set(e, port, ch);
    e->abi->bind(e, port, ch->vcpu);
    os_atomic_store32(&ch->port, port);
    os_spin_unlock(&e->lock, table_irql);
    rc = ch->masked ? 0 : e->abi->unmask(e, port);
    os_spin_unlock(&ch->mask_lock, irql);
    if (rc)
        os_log(OS_LOG_WARN, "evtchn: port %u: unmask failed: %d\n", port, rc);
    return 0;
}

uint32_t evtchn_disconnect(struct evtchn_engine *e, struct evtchn_channel *ch)
{
    os_irql_t irql = os_spin_lock(&ch->mask_lock);
    uint32_t port = ch->port;

    if (port) {
        os_irql_t table_irql;

        e->abi->mask(e, port);
        table_irql = os_spin_lock(&e->lock);
        evtchn_table_set(e, port, NULL);
        e->abi->unbind(e, port, ch->vcpu);
        os_atomic_store32(&ch->port, 0);
        os_spin_unlock(&e->lock, table_irql);
    }
    os_spin_unlock(&ch->mask_lock, irql);
    return port;
}
