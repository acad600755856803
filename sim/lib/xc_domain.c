/*
 * sim/lib/xc_domain.c - xc_domain_getinfo and xc_domain_getinfolist on
 * winpv-simd, in the Xen 4.17 layouts.
 *
 * SIM_DOMAIN_INFO answers for the domain asked for or, when there is none,
 * the next existing one above it (-XEN_ESRCH past the last), which is how
 * Xen's XEN_DOMCTL_getdomaininfo walks the domain list. Each answer is put
 * in Xen's xen_domctl_getdomaininfo form first; xc_dominfo_t is derived
 * from that as the real library derives it.
 */
#include <errno.h>
#include <string.h>

#include <xen/errno.h>

#include "xc_handle.h"

/* The domain @from or the next one: 0, -XEN_ESRCH past the last, or another XEN_E*. */
static int next_domain(xc_interface *xch, uint32_t from, struct sim_domain_info *info)
{
    struct sim_request req = {.type = SIM_DOMAIN_INFO};
    struct sim_reply reply;

    req.body.domid.domid = from;
    if (simlib_call_locked(&xch->conn, &req, &reply) != 0)
        return -errno; /* Xen's error numbers are Linux's */
    *info = reply.body.info;
    /* The walk must move forward and stay among ordinary domain ids. */
    if (info->domid < from || info->domid >= DOMID_FIRST_RESERVED)
        return -XEN_EIO;
    return 0;
}

static void to_domctl(const struct sim_domain_info *in, xc_domaininfo_t *out)
{
    uint32_t reason = in->shutdown_reason;

    memset(out, 0, sizeof(*out));
    out->domain = (domid_t)in->domid;
    if (in->flags & SIM_DOMINFO_DYING)
        out->flags |= XEN_DOMINF_dying;
    if (in->flags & SIM_DOMINFO_HVM)
        out->flags |= XEN_DOMINF_hvm_guest;
    if (in->flags & SIM_DOMINFO_CRASHED)
        reason = SHUTDOWN_crash;
    if (in->flags & (SIM_DOMINFO_SHUTDOWN | SIM_DOMINFO_CRASHED))
        out->flags |= XEN_DOMINF_shutdown | (reason & XEN_DOMINF_shutdownmask)
                                                << XEN_DOMINF_shutdownshift;
    /* A domain no process runs is, to the toolstack, a paused one. */
    if (in->flags & SIM_DOMINFO_RUNNING)
        out->flags |= XEN_DOMINF_running;
    else if (!(out->flags & (XEN_DOMINF_dying | XEN_DOMINF_shutdown)))
        out->flags |= XEN_DOMINF_paused;
    out->tot_pages = in->nr_pages;
    out->max_pages = in->max_pages;
    out->shared_info_frame = in->shared_info_gfn;
    out->nr_online_vcpus = in->vcpus;
    out->max_vcpu_id = in->vcpus ? in->vcpus - 1 : XEN_INVALID_MAX_VCPU_ID;
}

static void to_dominfo(const xc_domaininfo_t *in, xc_dominfo_t *out)
{
    memset(out, 0, sizeof(*out));
    out->domid = in->domain;
    out->ssidref = in->ssidref;
    out->dying = !!(in->flags & XEN_DOMINF_dying);
    out->shutdown = !!(in->flags & XEN_DOMINF_shutdown);
    out->paused = !!(in->flags & XEN_DOMINF_paused);
    out->blocked = !!(in->flags & XEN_DOMINF_blocked);
    out->running = !!(in->flags & XEN_DOMINF_running);
    out->hvm = !!(in->flags & XEN_DOMINF_hvm_guest);
    out->debugged = !!(in->flags & XEN_DOMINF_debugged);
    out->xenstore = !!(in->flags & XEN_DOMINF_xs_domain);
    out->hap = !!(in->flags & XEN_DOMINF_hap);
    out->shutdown_reason = (in->flags >> XEN_DOMINF_shutdownshift) & XEN_DOMINF_shutdownmask;
    if (out->shutdown && out->shutdown_reason == SHUTDOWN_crash) {
        out->shutdown = 0;
        out->crashed = 1;
    }
    out->nr_pages = in->tot_pages;
    out->nr_outstanding_pages = in->outstanding_pages;
    out->nr_shared_pages = in->shr_pages;
    out->nr_paged_pages = in->paged_pages;
    out->shared_info_frame = in->shared_info_frame;
    out->max_memkb = in->max_pages << (XC_PAGE_SHIFT - 10);
    out->cpu_time = in->cpu_time;
    out->nr_online_vcpus = in->nr_online_vcpus;
    out->max_vcpu_id = in->max_vcpu_id;
    memcpy(out->handle, in->handle, sizeof(out->handle));
    out->cpupool = in->cpupool;
    out->gpaddr_bits = in->gpaddr_bits;
    out->arch_config = in->arch_config;
}

/*
 * Up to @max_doms domains from @first_domid on. Returns how many, or -1
 * with errno set when not even the first could be had (ESRCH: none left),
 * as the real function does: callers asking for one domain check the domid
 * of what they got.
 */
int xc_domain_getinfo(xc_interface *xch, uint32_t first_domid, unsigned int max_doms,
                      xc_dominfo_t *info)
{
    uint32_t next = first_domid;
    unsigned int n;
    int rc = 0;

    if (max_doms > 0)
        memset(info, 0, max_doms * sizeof(*info));
    for (n = 0; n < max_doms && next < DOMID_FIRST_RESERVED; n++) {
        struct sim_domain_info d;
        xc_domaininfo_t dc;

        rc = next_domain(xch, next, &d);
        if (rc)
            break;
        to_domctl(&d, &dc);
        to_dominfo(&dc, &info[n]);
        next = d.domid + 1;
    }
    if (n == 0 && rc)
        return simlib_fail(rc);
    return (int)n;
}

/* Up to @max_domains domains from @first_domain on: how many (0: none), or -1 on error. */
int xc_domain_getinfolist(xc_interface *xch, uint32_t first_domain, unsigned int max_domains,
                          xc_domaininfo_t *info)
{
    uint32_t next = first_domain;
    unsigned int n;

    for (n = 0; n < max_domains && next < DOMID_FIRST_RESERVED; n++) {
        struct sim_domain_info d;
        int rc = next_domain(xch, next, &d);

        if (rc == -XEN_ESRCH)
            break;
        if (rc)
            return simlib_fail(rc);
        to_domctl(&d, &info[n]);
        next = d.domid + 1;
    }
    return (int)n;
}
