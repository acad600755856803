/*
 * sim/hv/evtchn.c - event channels: ports, binding, and delivery.
 *
 * Delivery follows Xen. For a guest using the 2-level ABI: the port's bit in
 * shared_info's evtchn_pending is set; unless it is masked, the port's word
 * is flagged in the vCPU's evtchn_pending_sel and, when evtchn_upcall_pending
 * goes from 0 to 1, the vCPU's upcall is raised. FIFO guests: see
 * evtchn_fifo.c. Dom0 is served as Linux's /dev/xen/evtchn serves user
 * space: the port number goes to the handle that bound it, which then masks
 * the port until the handle unmasks it.
 *
 * Deviation from Xen: several dom0 handles may bind the same global VIRQ
 * (xenstored and xenconsoled both want VIRQ_DOM_EXC); each gets its own port.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xen/errno.h>
#include <xen/xen.h>

#include "hv.h"

#define BITS_PER_WORD 64u

static bool global_virq(uint32_t virq)
{
    return virq != VIRQ_TIMER && virq != VIRQ_DEBUG && virq != VIRQ_XENOPROF && virq != VIRQ_XENPMU;
}

int evtchn_init(struct domain *d)
{
    d->nr_ports = HV_2L_PORTS;
    d->ports = calloc(d->nr_ports, sizeof(*d->ports));
    return d->ports ? 0 : -XEN_ENOMEM;
}

void evtchn_fini(struct domain *d)
{
    if (d->ports == NULL)
        return;
    evtchn_close_all(d);
    free(d->ports);
    d->ports = NULL;
    free(d->fifo_array_mfns);
    d->fifo_array_mfns = NULL;
}

/* Ports a guest may use now: the 2-level limit, or what its FIFO arrays cover. */
static uint32_t usable_ports(struct domain *d)
{
    return d->fifo ? evtchn_fifo_max_ports(d) : HV_2L_PORTS;
}

struct evtchn *evtchn_port(struct domain *d, uint32_t port)
{
    if (d->ports == NULL || port == 0 || port >= d->nr_ports || port >= usable_ports(d))
        return NULL;
    return &d->ports[port];
}

static int alloc_port(struct domain *d, uint32_t *port)
{
    uint32_t limit = usable_ports(d);

    for (uint32_t p = 1; p < limit && p < d->nr_ports; p++) {
        if (d->ports[p].state == EVTCHNSTAT_closed) {
            memset(&d->ports[p], 0, sizeof(d->ports[p]));
            d->ports[p].priority = EVTCHN_FIFO_PRIORITY_DEFAULT;
            *port = p;
            return 0;
        }
    }
    return -XEN_ENOSPC;
}

int evtchn_alloc_unbound(struct domain *d, uint32_t remote_domid, uint32_t *port)
{
    int rc;

    if (domain_get(remote_domid) == NULL)
        return -XEN_ESRCH;
    rc = alloc_port(d, port);
    if (rc)
        return rc;
    d->ports[*port].state = EVTCHNSTAT_unbound;
    d->ports[*port].remote_domid = remote_domid;
    return 0;
}

int evtchn_bind_interdomain(struct domain *d, uint32_t remote_domid, uint32_t remote_port,
                            struct conn *owner, uint32_t *port)
{
    struct domain *rd = domain_get(remote_domid);
    struct evtchn *rchn;
    int rc;

    if (rd == NULL)
        return -XEN_ESRCH;
    rchn = evtchn_port(rd, remote_port);
    if (rchn == NULL)
        return -XEN_EINVAL;
    if (rchn->state != EVTCHNSTAT_unbound || rchn->remote_domid != d->domid)
        return -XEN_EINVAL;
    rc = alloc_port(d, port);
    if (rc)
        return rc;
    d->ports[*port].state = EVTCHNSTAT_interdomain;
    d->ports[*port].remote_domid = remote_domid;
    d->ports[*port].remote_port = remote_port;
    d->ports[*port].owner = owner;
    rchn->state = EVTCHNSTAT_interdomain;
    rchn->remote_domid = d->domid;
    rchn->remote_port = *port;
    /* As Xen does: the binder may have missed an event sent before. */
    evtchn_set_pending(d, *port);
    return 0;
}

int evtchn_bind_virq(struct domain *d, uint32_t virq, uint32_t vcpu, uint32_t *port)
{
    int rc;

    if (virq >= HV_NR_VIRQS || vcpu >= HV_MAX_VCPUS || (d->domid != 0 && vcpu >= d->vcpus))
        return -XEN_EINVAL;
    if (global_virq(virq) && vcpu != 0)
        return -XEN_EINVAL;
    if (d->domid != SIM_DOMID_DOM0 && d->virq_port[vcpu][virq] != 0)
        return -XEN_EEXIST;
    rc = alloc_port(d, port);
    if (rc)
        return rc;
    d->ports[*port].state = EVTCHNSTAT_virq;
    d->ports[*port].virq = (uint16_t)virq;
    d->ports[*port].vcpu = vcpu;
    d->virq_port[vcpu][virq] = *port;
    return 0;
}

int evtchn_bind_ipi(struct domain *d, uint32_t vcpu, uint32_t *port)
{
    int rc;

    if (vcpu >= d->vcpus)
        return -XEN_ENOENT;
    rc = alloc_port(d, port);
    if (rc)
        return rc;
    d->ports[*port].state = EVTCHNSTAT_ipi;
    d->ports[*port].vcpu = vcpu;
    return 0;
}

int evtchn_bind_vcpu(struct domain *d, uint32_t port, uint32_t vcpu)
{
    struct evtchn *chn = evtchn_port(d, port);

    if (chn == NULL)
        return -XEN_EINVAL;
    if (vcpu >= d->vcpus)
        return -XEN_ENOENT;
    switch (chn->state) {
    case EVTCHNSTAT_virq:
        if (!global_virq(chn->virq))
            return -XEN_EINVAL;
        break;
    case EVTCHNSTAT_unbound:
    case EVTCHNSTAT_interdomain:
        break;
    default:
        return -XEN_EINVAL;
    }
    chn->vcpu = vcpu;
    return 0;
}

static void clear_pending_2l(struct domain *d, uint32_t port)
{
    struct shared_info *s = domain_frame(d, d->shared_info_mfn);

    if (s)
        __atomic_fetch_and(&s->evtchn_pending[port / BITS_PER_WORD],
                           ~(1ull << (port % BITS_PER_WORD)), __ATOMIC_SEQ_CST);
}

/* Close port @port (< d->nr_ports) of @d. */
static int close_port(struct domain *d, uint32_t port)
{
    struct evtchn *chn = &d->ports[port];

    switch (chn->state) {
    case EVTCHNSTAT_closed:
        return -XEN_EINVAL;
    case EVTCHNSTAT_interdomain: {
        struct domain *rd = domain_get(chn->remote_domid);
        struct evtchn *rchn = rd ? evtchn_port(rd, chn->remote_port) : NULL;

        if (rchn && rchn->state == EVTCHNSTAT_interdomain && rchn->remote_domid == d->domid &&
            rchn->remote_port == port) {
            rchn->state = EVTCHNSTAT_unbound;
            rchn->remote_domid = d->domid;
            rchn->remote_port = 0;
        }
        break;
    }
    case EVTCHNSTAT_virq:
        if (d->virq_port[chn->vcpu][chn->virq] == port)
            d->virq_port[chn->vcpu][chn->virq] = 0;
        break;
    default:
        break;
    }
    if (d->domid != SIM_DOMID_DOM0 && !d->fifo)
        clear_pending_2l(d, port);
    memset(chn, 0, sizeof(*chn));
    return 0;
}

int evtchn_close(struct domain *d, uint32_t port)
{
    return evtchn_port(d, port) ? close_port(d, port) : -XEN_EINVAL;
}

void evtchn_close_all(struct domain *d)
{
    for (uint32_t port = 1; d->ports && port < d->nr_ports; port++)
        if (d->ports[port].state != EVTCHNSTAT_closed)
            close_port(d, port);
}

int evtchn_send(struct domain *d, uint32_t port)
{
    struct evtchn *chn = evtchn_port(d, port);
    struct domain *rd;

    if (chn == NULL)
        return -XEN_EINVAL;
    switch (chn->state) {
    case EVTCHNSTAT_interdomain:
        rd = domain_get(chn->remote_domid);
        if (rd)
            evtchn_set_pending(rd, chn->remote_port);
        return 0;
    case EVTCHNSTAT_ipi:
        evtchn_set_pending(d, port);
        return 0;
    case EVTCHNSTAT_unbound:
        return 0; /* nobody listens yet: dropped, as in Xen */
    default:
        return -XEN_EINVAL;
    }
}

/*
 * Dom0: hand the port to the handle that bound it, once until unmasked. An
 * event raised while masked stays pending and is delivered on unmask, as
 * Xen does for the masked port behind /dev/xen/evtchn.
 */
static void deliver_to_dom0(struct evtchn *chn, uint32_t port)
{
    if (chn->owner == NULL || chn->owner->event_fd < 0)
        return;
    if (chn->owner_masked) {
        chn->owner_pending = true;
        return;
    }
    chn->owner_masked = true;
    chn->owner_pending = false;
    /* The stream is non-blocking; ports are masked once sent, so it cannot fill. */
    if (write(chn->owner->event_fd, &port, sizeof(port)) != (ssize_t)sizeof(port))
        hv_log("event for dom0 port %u lost: %s", port, strerror(errno));
}

/*
 * 2-level: a pending, unmasked port's word is flagged for its vCPU; the
 * upcall is raised when evtchn_upcall_pending goes from 0 to 1.
 */
static void flag_word_for_vcpu(struct domain *d, struct shared_info *s, uint32_t vcpu,
                               uint32_t port)
{
    struct vcpu_info *v = &s->vcpu_info[vcpu];
    uint64_t word_bit = 1ull << (port / BITS_PER_WORD);

    if (__atomic_fetch_or(&v->evtchn_pending_sel, word_bit, __ATOMIC_SEQ_CST) & word_bit)
        return;
    if (__atomic_exchange_n(&v->evtchn_upcall_pending, 1, __ATOMIC_SEQ_CST) == 0)
        upcall_raise(d, vcpu);
}

static void set_pending_2l(struct domain *d, struct evtchn *chn, uint32_t port)
{
    struct shared_info *s = domain_frame(d, d->shared_info_mfn);
    uint64_t bit = 1ull << (port % BITS_PER_WORD);

    if (__atomic_fetch_or(&s->evtchn_pending[port / BITS_PER_WORD], bit, __ATOMIC_SEQ_CST) & bit)
        return;
    if (__atomic_load_n(&s->evtchn_mask[port / BITS_PER_WORD], __ATOMIC_SEQ_CST) & bit)
        return;
    flag_word_for_vcpu(d, s, chn->vcpu, port);
}

void evtchn_set_pending(struct domain *d, uint32_t port)
{
    struct evtchn *chn = evtchn_port(d, port);

    if (chn == NULL || chn->state == EVTCHNSTAT_closed)
        return;
    if (d->domid == SIM_DOMID_DOM0)
        deliver_to_dom0(chn, port);
    else if (d->fifo) {
        if (evtchn_fifo_set_pending(d, port))
            upcall_raise(d, chn->vcpu);
    } else
        set_pending_2l(d, chn, port);
    upcall_wake_blocked(d);
}

bool evtchn_2l_is_pending(struct domain *d, uint32_t port)
{
    struct shared_info *s = domain_frame(d, d->shared_info_mfn);

    return port < HV_2L_PORTS && s &&
           (__atomic_load_n(&s->evtchn_pending[port / BITS_PER_WORD], __ATOMIC_SEQ_CST) &
            (1ull << (port % BITS_PER_WORD)));
}

bool evtchn_is_pending(struct domain *d, uint32_t port)
{
    if (evtchn_port(d, port) == NULL)
        return false;
    return d->fifo ? evtchn_fifo_is_pending(d, port) : evtchn_2l_is_pending(d, port);
}

int evtchn_unmask(struct domain *d, uint32_t port)
{
    struct evtchn *chn = evtchn_port(d, port);
    struct shared_info *s;
    uint64_t bit = 1ull << (port % BITS_PER_WORD);

    if (chn == NULL)
        return -XEN_EINVAL;
    if (d->domid == SIM_DOMID_DOM0) {
        chn->owner_masked = false;
        if (chn->owner_pending)
            deliver_to_dom0(chn, port);
        return 0;
    }
    if (d->fifo) {
        if (evtchn_fifo_unmask(d, port))
            upcall_raise(d, chn->vcpu);
        return 0;
    }
    s = domain_frame(d, d->shared_info_mfn);
    if ((__atomic_fetch_and(&s->evtchn_mask[port / BITS_PER_WORD], ~bit, __ATOMIC_SEQ_CST) & bit) &&
        (__atomic_load_n(&s->evtchn_pending[port / BITS_PER_WORD], __ATOMIC_SEQ_CST) & bit))
        flag_word_for_vcpu(d, s, chn->vcpu, port);
    return 0;
}

void evtchn_raise_virq(struct domain *d, uint32_t virq)
{
    if (d->ports == NULL)
        return;
    if (d->domid == SIM_DOMID_DOM0) {
        for (uint32_t port = 1; port < d->nr_ports; port++)
            if (d->ports[port].state == EVTCHNSTAT_virq && d->ports[port].virq == virq)
                evtchn_set_pending(d, port);
        return;
    }
    if (virq < HV_NR_VIRQS && d->virq_port[0][virq])
        evtchn_set_pending(d, d->virq_port[0][virq]);
}

void evtchn_close_owned_by(struct conn *c)
{
    struct domain *dom0 = &hv.domains[SIM_DOMID_DOM0];

    for (uint32_t port = 1; dom0->ports && port < dom0->nr_ports; port++)
        if (dom0->ports[port].state != EVTCHNSTAT_closed && dom0->ports[port].owner == c)
            close_port(dom0, port);
}

uint32_t evtchn_open_ports(struct domain *d)
{
    uint32_t open = 0;

    for (uint32_t port = 1; d->ports && port < d->nr_ports; port++)
        open += d->ports[port].state != EVTCHNSTAT_closed;
    return open;
}
