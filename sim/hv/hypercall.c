/* sim/hv/hypercall.c - a guest's hypercall: which family handles it. */
#include <xen/errno.h>

#include "hc.h"

int hypercall(struct conn *c, const struct sim_hypercall *call, struct sim_hypercall_reply *out,
              bool *deferred)
{
    struct domain *d = domain_get(c->domid);
    const uint64_t *a = call->args;

    *deferred = false;
    out->remap_count = 0;
    if (d == NULL || d->dying)
        return -XEN_ESRCH;
    if (call->vcpu >= d->vcpus)
        return -XEN_EINVAL;
    switch (call->op) {
    case __HYPERVISOR_memory_op:
        out->result = hc_memory_op(c, d, a[0], a[1], out);
        break;
    case __HYPERVISOR_event_channel_op:
        out->result = hc_event_channel_op(c, d, a[0], a[1]);
        break;
    case __HYPERVISOR_grant_table_op:
        out->result = hc_grant_table_op(c, d, a[0], a[1], a[2]);
        break;
    case __HYPERVISOR_xen_version:
        out->result = hc_xen_version(c, d, a[0], a[1]);
        break;
    case __HYPERVISOR_hvm_op:
        out->result = hc_hvm_op(c, d, a[0], a[1]);
        break;
    case __HYPERVISOR_sched_op:
        out->result = hc_sched_op(c, d, call->vcpu, a[0], a[1], deferred);
        break;
    case __HYPERVISOR_set_timer_op:
        upcall_set_timer(d, call->vcpu, a[0]);
        out->result = 0;
        break;
    case __HYPERVISOR_console_io:
        out->result = hc_console_io(c, d, a[0], a[1], a[2]);
        break;
    default:
        out->result = -XEN_ENOSYS;
        break;
    }
    return 0;
}
