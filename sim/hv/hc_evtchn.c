/* sim/hv/hc_evtchn.c - EVTCHNOP_* from a guest: argument handling around evtchn.c. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <xen/errno.h>

#include "hc.h"

static int64_t alloc_unbound(struct domain *d, void *arg)
{
    struct evtchn_alloc_unbound *a = arg;

    if (!domain_is_self(d, a->dom))
        return -XEN_EPERM;
    return evtchn_alloc_unbound(d, a->remote_dom == DOMID_SELF ? d->domid : a->remote_dom,
                                &a->port);
}

static int64_t status(struct domain *d, void *arg)
{
    struct evtchn_status *a = arg;
    struct evtchn *chn;

    if (!domain_is_self(d, a->dom))
        return -XEN_EPERM;
    chn = evtchn_port(d, a->port);
    if (chn == NULL)
        return -XEN_EINVAL;
    a->status = chn->state;
    a->vcpu = chn->vcpu;
    memset(&a->u, 0, sizeof(a->u));
    if (chn->state == EVTCHNSTAT_unbound)
        a->u.unbound.dom = (domid_t)chn->remote_domid;
    else if (chn->state == EVTCHNSTAT_interdomain) {
        a->u.interdomain.dom = (domid_t)chn->remote_domid;
        a->u.interdomain.port = chn->remote_port;
    } else if (chn->state == EVTCHNSTAT_virq)
        a->u.virq = chn->virq;
    return 0;
}

static int64_t reset(struct domain *d, void *arg)
{
    struct evtchn_reset *a = arg;

    if (!domain_is_self(d, a->dom))
        return -XEN_EPERM;
    evtchn_close_all(d);
    /* As Xen's: the FIFO ABI ends too; the domain is back to 2-level and may set FIFO up again. */
    d->fifo = false;
    d->fifo_array_pages = 0;
    for (uint32_t v = 0; v < HV_MAX_VCPUS; v++)
        d->fifo_vcpu[v].control_mfn = HV_NO_MFN;
    return 0;
}

static int64_t init_control(struct domain *d, void *arg)
{
    struct evtchn_init_control *a = arg;

    /* $WINPV_SIMD_NO_FIFO: answer as a Xen without the FIFO ABI (tests of 2-level guests). */
    if (getenv("WINPV_SIMD_NO_FIFO"))
        return -XEN_ENOSYS;
    a->link_bits = EVTCHN_FIFO_LINK_BITS;
    return evtchn_fifo_init_control(d, a->control_gfn, a->offset, a->vcpu);
}

static int64_t bind_interdomain(struct domain *d, void *arg)
{
    struct evtchn_bind_interdomain *a = arg;

    return evtchn_bind_interdomain(d, a->remote_dom, a->remote_port, NULL, &a->local_port);
}

static int64_t bind_virq(struct domain *d, void *arg)
{
    struct evtchn_bind_virq *a = arg;

    return evtchn_bind_virq(d, a->virq, a->vcpu, &a->port);
}

static int64_t bind_ipi(struct domain *d, void *arg)
{
    struct evtchn_bind_ipi *a = arg;

    return evtchn_bind_ipi(d, a->vcpu, &a->port);
}

static int64_t close_port(struct domain *d, void *arg)
{
    return evtchn_close(d, ((struct evtchn_close *)arg)->port);
}

static int64_t send_event(struct domain *d, void *arg)
{
    return evtchn_send(d, ((struct evtchn_send *)arg)->port);
}

static int64_t bind_vcpu(struct domain *d, void *arg)
{
    struct evtchn_bind_vcpu *a = arg;

    return evtchn_bind_vcpu(d, a->port, a->vcpu);
}

static int64_t unmask(struct domain *d, void *arg)
{
    return evtchn_unmask(d, ((struct evtchn_unmask *)arg)->port);
}

static int64_t expand_array(struct domain *d, void *arg)
{
    return evtchn_fifo_expand_array(d, ((struct evtchn_expand_array *)arg)->array_gfn);
}

static int64_t set_priority(struct domain *d, void *arg)
{
    struct evtchn_set_priority *a = arg;

    return evtchn_fifo_set_priority(d, a->port, a->priority);
}

/*
 * Each operation: its argument's size, the function that carries it out,
 * and whether it has fields Xen writes back (the others are not copied
 * back: one system call less for the commonest, EVTCHNOP_send).
 */
static const struct {
    size_t size;
    int64_t (*run)(struct domain *d, void *arg);
    bool out;
} ops[] = {
    [EVTCHNOP_bind_interdomain] = {sizeof(struct evtchn_bind_interdomain), bind_interdomain, true},
    [EVTCHNOP_bind_virq] = {sizeof(struct evtchn_bind_virq), bind_virq, true},
    [EVTCHNOP_close] = {sizeof(struct evtchn_close), close_port, false},
    [EVTCHNOP_send] = {sizeof(struct evtchn_send), send_event, false},
    [EVTCHNOP_status] = {sizeof(struct evtchn_status), status, true},
    [EVTCHNOP_alloc_unbound] = {sizeof(struct evtchn_alloc_unbound), alloc_unbound, true},
    [EVTCHNOP_bind_ipi] = {sizeof(struct evtchn_bind_ipi), bind_ipi, true},
    [EVTCHNOP_bind_vcpu] = {sizeof(struct evtchn_bind_vcpu), bind_vcpu, false},
    [EVTCHNOP_unmask] = {sizeof(struct evtchn_unmask), unmask, false},
    [EVTCHNOP_reset] = {sizeof(struct evtchn_reset), reset, false},
    [EVTCHNOP_init_control] = {sizeof(struct evtchn_init_control), init_control, true},
    [EVTCHNOP_expand_array] = {sizeof(struct evtchn_expand_array), expand_array, false},
    [EVTCHNOP_set_priority] = {sizeof(struct evtchn_set_priority), set_priority, false},
};

int64_t hc_event_channel_op(struct conn *c, struct domain *d, uint64_t cmd, uint64_t arg)
{
    uint8_t buf[64] __attribute__((aligned(8)));
    int64_t result;

    if (cmd >= sizeof(ops) / sizeof(ops[0]) || ops[cmd].run == NULL)
        return -XEN_ENOSYS;
    _Static_assert(sizeof(struct evtchn_status) <= sizeof(buf), "argument buffer too small");
    if (copy_from_guest(c, buf, arg, ops[cmd].size))
        return -XEN_EFAULT;
    result = ops[cmd].run(d, buf);
    /* Results go back into the argument, as Xen writes its out fields. */
    if (result == 0 && ops[cmd].out && copy_to_guest(c, arg, buf, ops[cmd].size))
        return -XEN_EFAULT;
    return result;
}
