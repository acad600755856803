/*
 * sim/hv/requests.c - the requests of sim/proto.h past HELLO, each checked
 * and carried out. conn.c has already checked the role may send it.
 */
#include <string.h>
#include <unistd.h>

#include <xen/errno.h>
#include <xen/sched.h>
#include <xen/xen.h>

#include "hv.h"

static void reply(struct conn *c, struct sim_reply *r, int error)
{
    r->error = error;
    conn_reply(c, r, NULL, 0);
}

static int domain_info(uint32_t from, struct sim_domain_info *info)
{
    for (uint32_t id = from; id < HV_MAX_DOMAINS; id++) {
        struct domain *d = domain_get(id);

        if (d) {
            domain_fill_info(d, info);
            return 0;
        }
    }
    return -XEN_ESRCH;
}

static void domain_memory(struct conn *c, uint32_t domid, struct sim_reply *r)
{
    struct domain *d = domain_get(domid);

    if (d == NULL || d->mem_fd < 0) {
        reply(c, r, -XEN_ESRCH);
        return;
    }
    r->body.memory.size = d->mem_frames * 4096;
    conn_reply(c, r, &d->mem_fd, 1);
}

static int p2m_lookup(const struct sim_p2m_lookup *q, struct sim_offsets *out)
{
    struct domain *d = domain_get(q->domid);

    if (d == NULL || d->p2m == NULL)
        return -XEN_ESRCH;
    if (q->count > SIM_MAX_FRAMES)
        return -XEN_EINVAL;
    out->count = q->count;
    for (uint32_t i = 0; i < q->count; i++) {
        uint64_t mfn = domain_p2m(d, q->gfns[i]);

        out->offsets[i] = mfn == HV_NO_MFN ? SIM_NO_FRAME : mfn * 4096;
    }
    return 0;
}

/* A port's state, as EVTCHNOP_status from dom0: DOMID_SELF is dom0 (xenconsoled asks so of its own ports). */
static int evtchn_status(uint32_t domid, uint32_t port, struct sim_evtchn_status_reply *out)
{
    struct domain *d = domain_get(domid == DOMID_SELF ? SIM_DOMID_DOM0 : domid);
    struct evtchn *chn = d ? evtchn_port(d, port) : NULL;

    if (d == NULL)
        return -XEN_ESRCH;
    if (chn == NULL)
        return -XEN_EINVAL;
    out->status = chn->state;
    out->vcpu = chn->vcpu;
    out->remote_domid = chn->remote_domid;
    out->remote_port = chn->remote_port;
    out->virq = chn->virq;
    return 0;
}

/* A dom0 handle's own port: it may only touch ports it bound. */
static struct evtchn *owned_port(struct conn *c, uint32_t port)
{
    struct evtchn *chn = evtchn_port(&hv.domains[SIM_DOMID_DOM0], port);

    return chn && chn->state != EVTCHNSTAT_closed && chn->owner == c ? chn : NULL;
}

static int dom0_bind(struct conn *c, uint32_t type, const struct sim_evtchn_bind *b, uint32_t *port)
{
    struct domain *dom0 = &hv.domains[SIM_DOMID_DOM0];
    int rc;

    switch (type) {
    case SIM_EVTCHN_BIND_INTERDOMAIN:
        rc = evtchn_bind_interdomain(dom0, b->remote_domid, b->remote_port, c, port);
        break;
    case SIM_EVTCHN_BIND_UNBOUND:
        rc = evtchn_alloc_unbound(dom0, b->remote_domid, port);
        break;
    default:
        rc = evtchn_bind_virq(dom0, b->virq, 0, port);
        break;
    }
    if (rc == 0)
        dom0->ports[*port].owner = c;
    return rc;
}

static int dom0_port_op(struct conn *c, uint32_t type, uint32_t port)
{
    struct domain *dom0 = &hv.domains[SIM_DOMID_DOM0];

    if (owned_port(c, port) == NULL)
        return -XEN_EINVAL;
    switch (type) {
    case SIM_EVTCHN_NOTIFY:
        return evtchn_send(dom0, port);
    case SIM_EVTCHN_UNMASK:
        return evtchn_unmask(dom0, port);
    default:
        return evtchn_close(dom0, port);
    }
}

static int set_param(const struct sim_param *p, struct sim_param *out, bool set)
{
    struct domain *d = domain_get(p->domid);

    if (d == NULL)
        return -XEN_ESRCH;
    if (p->index >= HV_NR_HVM_PARAMS)
        return -XEN_EINVAL;
    if (set)
        d->params[p->index] = p->value;
    *out = *p;
    out->value = d->params[p->index];
    return 0;
}

static void guest_hypercall(struct conn *c, const struct sim_hypercall *call, struct sim_reply *r)
{
    bool deferred;
    int rc = hypercall(c, call, &r->body.hypercall, &deferred);

    if (!deferred)
        reply(c, r, rc);
}

static int evtchn_alloc_for(const struct sim_evtchn_alloc_unbound *a, uint32_t *port)
{
    struct domain *d = domain_get(a->domid);

    return d ? evtchn_alloc_unbound(d, a->remote_domid, port) : -XEN_ESRCH;
}

void requests_dispatch(struct conn *c, const struct sim_request *req)
{
    const union sim_request_body *b = &req->body;
    struct sim_reply r;
    struct domain *d;
    uint64_t value;
    int rc;

    memset(&r, 0, sizeof(r));
    switch (req->type) {
    case SIM_DOMAIN_CREATE:
        reply(c, &r, domain_create(&b->create, &r.body.domid.domid));
        return;
    case SIM_DOMAIN_DESTROY:
        d = domain_get(b->domid.domid);
        if (d == NULL || d->domid == SIM_DOMID_DOM0) {
            reply(c, &r, -XEN_ESRCH);
            return;
        }
        domain_destroy(d);
        reply(c, &r, 0);
        return;
    case SIM_DOMAIN_SHUTDOWN:
        d = domain_get(b->shutdown.domid);
        reply(c, &r, d && d->domid != 0 ? domain_shutdown(d, b->shutdown.reason) : -XEN_ESRCH);
        return;
    case SIM_SET_PARAM:
    case SIM_GET_PARAM:
        reply(c, &r, set_param(&b->param, &r.body.param, req->type == SIM_SET_PARAM));
        return;
    case SIM_GNTTAB_SEED:
        d = domain_get(b->seed.domid);
        reply(c, &r, d && d->domid != 0 ? gnttab_seed(d, &b->seed) : -XEN_ESRCH);
        return;
    case SIM_EVTCHN_ALLOC_UNBOUND:
        reply(c, &r, evtchn_alloc_for(&b->alloc_unbound, &r.body.port.port));
        return;
    case SIM_DOMAIN_INFO:
        reply(c, &r, domain_info(b->domid.domid, &r.body.info));
        return;
    case SIM_DOMAIN_MEMORY:
        domain_memory(c, b->domid.domid, &r);
        return;
    case SIM_P2M_LOOKUP:
        reply(c, &r, p2m_lookup(&b->p2m, &r.body.offsets));
        return;
    case SIM_EVTCHN_STATUS:
        reply(c, &r, evtchn_status(b->port_status.domid, b->port_status.port, &r.body.status));
        return;
    case SIM_EVTCHN_BIND_INTERDOMAIN:
    case SIM_EVTCHN_BIND_UNBOUND:
    case SIM_EVTCHN_BIND_VIRQ:
        reply(c, &r, dom0_bind(c, req->type, &b->bind, &r.body.port.port));
        return;
    case SIM_EVTCHN_NOTIFY:
    case SIM_EVTCHN_UNMASK:
    case SIM_EVTCHN_UNBIND:
        reply(c, &r, dom0_port_op(c, req->type, b->port.port));
        return;
    case SIM_EVTCHN_NOTIFY_ASYNC:
        rc = dom0_port_op(c, SIM_EVTCHN_NOTIFY, b->port.port);
        if (rc)
            hv_log("dom0 notify of port %u failed: %d", b->port.port, rc);
        return; /* no reply */
    case SIM_EVTCHN_UNMASK_ASYNC:
        rc = dom0_port_op(c, SIM_EVTCHN_UNMASK, b->port.port);
        if (rc)
            hv_log("dom0 unmask of port %u failed: %d", b->port.port, rc);
        return; /* no reply */
    case SIM_GNTTAB_MAP:
    case SIM_GNTTAB_COPY:
        reply(c, &r, gnttab_pin(c, &b->map, &r.body.offsets));
        return;
    case SIM_GNTTAB_UNMAP:
        reply(c, &r, gnttab_unpin(c, b->unmap.handle));
        return;
    case SIM_HYPERCALL:
        guest_hypercall(c, &b->hypercall, &r);
        return;
    case SIM_DOMAIN_SAVE:
    case SIM_DOMAIN_RESUME:
    case SIM_DOMAIN_UNPAUSE:
        d = domain_get(b->file.domid);
        if (d == NULL || d->domid == SIM_DOMID_DOM0)
            rc = -XEN_ESRCH;
        else if (req->type == SIM_DOMAIN_SAVE)
            rc = save_domain(d, b->file.name);
        else
            rc = req->type == SIM_DOMAIN_RESUME ? resume_domain(d) : unpause_domain(d);
        reply(c, &r, rc);
        return;
    case SIM_DOMAIN_RESTORE:
        reply(c, &r, restore_domain(b->file.name, b->file.flags, &r.body.domid.domid));
        return;
    case SIM_DRIVER_BLACKLIST:
        reply(c, &r, platform_blacklist(&b->blacklist));
        return;
    case SIM_PORT_IO: {
        struct sim_port_io io = b->port_io;

        rc = port_io(c, &io, &value);
        r.body.param.value = value;
        reply(c, &r, rc);
        return;
    }
    default:
        reply(c, &r, -XEN_EINVAL);
    }
}
