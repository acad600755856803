/*
 * sim/hv/hc_misc.c - the small hypercall families: xen_version, hvm_op,
 * sched_op and console_io.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <xen/errno.h>
#include <xen/features.h>
#include <xen/hvm/hvm_op.h>
#include <xen/hvm/params.h>
#include <xen/sched.h>
#include <xen/version.h>

#include "hc.h"

static int64_t copy_string(struct conn *c, uint64_t arg, const char *text, size_t size)
{
    char buf[1024] = {0};

    strncpy(buf, text, sizeof(buf) - 1);
    return copy_to_guest(c, arg, buf, size) ? -XEN_EFAULT : 0;
}

int64_t hc_xen_version(struct conn *c, struct domain *d, uint64_t cmd, uint64_t arg)
{
    struct xen_feature_info features;
    struct xen_compile_info info;

    switch (cmd) {
    case XENVER_version:
        return (SIM_XEN_MAJOR << 16) | SIM_XEN_MINOR;
    case XENVER_extraversion:
        return copy_string(c, arg, ".0-winpv-sim", sizeof(xen_extraversion_t));
    case XENVER_capabilities:
        return copy_string(c, arg, "hvm-3.0-x86_64", sizeof(xen_capabilities_info_t));
    case XENVER_changeset:
        return copy_string(c, arg, "winpv-sim", sizeof(xen_changeset_info_t));
    case XENVER_compile_info:
        memset(&info, 0, sizeof(info));
        strcpy(info.compiler, "winpv-sim");
        strcpy(info.compile_by, "winpv");
        strcpy(info.compile_domain, "sim");
        strcpy(info.compile_date, "-");
        return copy_to_guest(c, arg, &info, sizeof(info)) ? -XEN_EFAULT : 0;
    case XENVER_get_features:
        if (copy_from_guest(c, &features, arg, sizeof(features)))
            return -XEN_EFAULT;
        features.submap = features.submap_idx == 0 ? (1u << XENFEAT_hvm_callback_vector) |
                                                         (1u << XENFEAT_hvm_safe_pvclock)
                                                   : 0;
        return copy_to_guest(c, arg, &features, sizeof(features)) ? -XEN_EFAULT : 0;
    case XENVER_pagesize:
        return 4096;
    default:
        return -XEN_ENOSYS;
    }
}

/* Parameters the guest may set; the toolstack sets the others. */
static bool guest_settable(uint32_t index)
{
    return index == HVM_PARAM_CALLBACK_IRQ || index == HVM_PARAM_STORE_EVTCHN ||
           index == HVM_PARAM_CONSOLE_EVTCHN;
}

int64_t hc_hvm_op(struct conn *c, struct domain *d, uint64_t cmd, uint64_t arg)
{
    struct xen_hvm_param param;
    struct xen_hvm_evtchn_upcall_vector upcall;

    switch (cmd) {
    case HVMOP_set_param:
    case HVMOP_get_param:
        if (copy_from_guest(c, &param, arg, sizeof(param)))
            return -XEN_EFAULT;
        if (!domain_is_self(d, param.domid))
            return -XEN_EPERM;
        if (param.index >= HV_NR_HVM_PARAMS)
            return -XEN_EINVAL;
        if (cmd == HVMOP_get_param) {
            param.value = d->params[param.index];
            return copy_to_guest(c, arg, &param, sizeof(param)) ? -XEN_EFAULT : 0;
        }
        if (!guest_settable(param.index))
            return -XEN_EPERM;
        d->params[param.index] = param.value;
        return 0;
    case HVMOP_set_evtchn_upcall_vector:
        if (copy_from_guest(c, &upcall, arg, sizeof(upcall)))
            return -XEN_EFAULT;
        if (upcall.vcpu >= d->vcpus)
            return -XEN_ENOENT;
        if (upcall.vector < 0x10)
            return -XEN_EINVAL;
        d->upcall_vector[upcall.vcpu] = upcall.vector;
        return 0;
    default:
        return -XEN_ENOSYS;
    }
}

static int64_t poll(struct conn *c, struct domain *d, uint32_t vcpu, uint64_t arg, bool *deferred)
{
    struct sched_poll p;
    uint32_t ports[HV_MAX_POLL_PORTS];

    if (copy_from_guest(c, &p, arg, sizeof(p)))
        return -XEN_EFAULT;
    if (p.nr_ports == 0 || p.nr_ports > HV_MAX_POLL_PORTS)
        return -XEN_EINVAL;
    if (copy_from_guest(c, ports, (uint64_t)(uintptr_t)p.ports.p, p.nr_ports * sizeof(ports[0])))
        return -XEN_EFAULT;
    for (uint32_t i = 0; i < p.nr_ports; i++)
        if (evtchn_port(d, ports[i]) == NULL)
            return -XEN_EINVAL;
    /* The timeout is an absolute system time in ns (CLOCK_MONOTONIC here); 0: none. */
    *deferred = upcall_block(c, vcpu, ports, p.nr_ports, p.timeout);
    return 0;
}

int64_t hc_sched_op(struct conn *c, struct domain *d, uint32_t vcpu, uint64_t cmd, uint64_t arg,
                    bool *deferred)
{
    struct sched_shutdown shutdown;

    switch (cmd) {
    case SCHEDOP_yield:
        return 0;
    case SCHEDOP_block:
        *deferred = upcall_block(c, vcpu, NULL, 0, 0);
        return 0;
    case SCHEDOP_poll:
        return poll(c, d, vcpu, arg, deferred);
    case SCHEDOP_shutdown:
    case SCHEDOP_shutdown_code:
        if (copy_from_guest(c, &shutdown, arg, sizeof(shutdown)))
            return -XEN_EFAULT;
        if (shutdown.reason > SHUTDOWN_soft_reset)
            return -XEN_EINVAL;
        if (cmd == SCHEDOP_shutdown_code) {
            d->shutdown_code = shutdown.reason;
            return 0;
        }
        /*
         * A suspending vCPU stays in the hypercall until the toolstack
         * restores the domain (0, in the new domain) or resumes it (1).
         */
        if (shutdown.reason == SHUTDOWN_suspend && !d->shutdown) {
            c->suspended = true;
            *deferred = true;
        }
        return domain_shutdown(d, shutdown.reason);
    default:
        return -XEN_ENOSYS;
    }
}

#define CONSOLE_MAX 4096

int64_t hc_console_io(struct conn *c, struct domain *d, uint64_t cmd, uint64_t count,
                      uint64_t buffer)
{
    char text[CONSOLE_MAX];

    switch (cmd) {
    case CONSOLEIO_write:
        if (count > CONSOLE_MAX)
            count = CONSOLE_MAX;
        if (copy_from_guest(c, text, buffer, count))
            return -XEN_EFAULT;
        if (hv.console_log_fd >= 0) {
            dprintf(hv.console_log_fd, "(d%u) ", d->domid);
            if (write(hv.console_log_fd, text, count) < 0)
                return -XEN_EIO;
        }
        return 0;
    case CONSOLEIO_read:
        return 0; /* no input */
    default:
        return -XEN_ENOSYS;
    }
}
