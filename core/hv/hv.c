/* core/hv/hv.c - see hv.h. */
#include <xen/errno.h>
#include <xen/hvm/hvm_op.h>
#include <xen/memory.h>
#include <xen/sched.h>
#include <xen/version.h>
#include <xen/xen.h>

#include "hv/hv.h"
#include "os.h"

static uint64_t va(void *p)
{
    return (uint64_t)(uintptr_t)p;
}

int hv_get_param(uint32_t index, uint64_t *value)
{
    struct xen_hvm_param p = {.domid = DOMID_SELF, .index = index};
    int64_t rc = os_hypercall2(__HYPERVISOR_hvm_op, HVMOP_get_param, va(&p));

    *value = rc == 0 ? p.value : 0;
    return (int)rc;
}

int hv_set_param(uint32_t index, uint64_t value)
{
    struct xen_hvm_param p = {.domid = DOMID_SELF, .index = index, .value = value};

    return (int)os_hypercall2(__HYPERVISOR_hvm_op, HVMOP_set_param, va(&p));
}

bool hv_has_feature(unsigned int feature)
{
    struct xen_feature_info info = {.submap_idx = feature / 32};

    if (os_hypercall2(__HYPERVISOR_xen_version, XENVER_get_features, va(&info)) != 0)
        return false;
    return (info.submap >> (feature % 32)) & 1;
}

int hv_add_to_physmap(unsigned int space, uint64_t idx, uint64_t gfn)
{
    struct xen_add_to_physmap map = {
        .domid = DOMID_SELF,
        .space = space,
        .idx = idx,
        .gpfn = gfn,
    };

    return (int)os_hypercall2(__HYPERVISOR_memory_op, XENMEM_add_to_physmap, va(&map));
}

int hv_evtchn_op(unsigned int cmd, void *arg)
{
    return (int)os_hypercall2(__HYPERVISOR_event_channel_op, cmd, va(arg));
}

int hv_gnttab_op(unsigned int cmd, void *arg, unsigned int count)
{
    return (int)os_hypercall3(__HYPERVISOR_grant_table_op, cmd, va(arg), count);
}

int64_t hv_memory_op(unsigned int cmd, void *arg)
{
    return os_hypercall2(__HYPERVISOR_memory_op, cmd, va(arg));
}

int64_t hv_suspend(void)
{
    struct sched_shutdown reason = {.reason = SHUTDOWN_suspend};

    return os_hypercall2(__HYPERVISOR_sched_op, SCHEDOP_shutdown, va(&reason));
}
