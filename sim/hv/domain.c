/*
 * sim/hv/domain.c - domains and their memory.
 *
 * A domain's memory file holds its RAM frames (0..ram_pages-1, mapped 1:1
 * at creation), the toolstack's special pages after them (also 1:1), then
 * Xen's frames: shared_info, then the grant-table frames.
 * The physical map (p2m) says which frame of the file each guest frame
 * shows; guest frames above RAM are a hole where the guest may map Xen's
 * frames, as the platform device's BAR serves on real hardware.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <xen/errno.h>
#include <xen/sched.h>

#include "hv.h"

#define HOLE_FRAMES 256u /* guest frames above RAM for Xen's frames */

struct domain *domain_get(uint32_t domid)
{
    if (domid >= HV_MAX_DOMAINS || !hv.domains[domid].exists)
        return NULL;
    return &hv.domains[domid];
}

void *domain_frame(struct domain *d, uint64_t mfn)
{
    if (d->mem == NULL || mfn >= d->mem_frames)
        return NULL;
    return d->mem + mfn * 4096;
}

uint64_t domain_p2m(struct domain *d, uint64_t gfn)
{
    if (d->p2m == NULL || gfn >= d->max_gfn)
        return HV_NO_MFN;
    return d->p2m[gfn];
}

void *domain_gfn(struct domain *d, uint64_t gfn)
{
    uint64_t mfn = domain_p2m(d, gfn);

    return mfn == HV_NO_MFN ? NULL : domain_frame(d, mfn);
}

/* Give frame @mfn of the file back: punched, so it reads as zero. */
static void release_frame(struct domain *d, uint64_t mfn)
{
    d->mfn_used[mfn] = 0;
    fallocate(d->mem_fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)(mfn * 4096), 4096);
}

/* RAM and the special pages: frames the domain owns, unlike Xen's. */
static bool is_ram_frame(struct domain *d, uint64_t mfn)
{
    return mfn < d->ram_pages + SIM_SPECIAL_PAGES;
}

/* Where Xen's frame @mfn is shown, or NULL for a RAM frame. */
static uint64_t *xen_frame_slot(struct domain *d, uint64_t mfn)
{
    return mfn >= d->shared_info_mfn && mfn < d->mem_frames
               ? &d->xen_frame_gfn[mfn - d->shared_info_mfn]
               : NULL;
}

uint64_t domain_shared_info_gfn(struct domain *d)
{
    return d->xen_frame_gfn ? *xen_frame_slot(d, d->shared_info_mfn) : HV_NO_MFN;
}

/* Whatever RAM frame was at @gfn leaves the domain (Xen frees the page a mapping replaces). */
int domain_physmap_set(struct domain *d, uint64_t gfn, uint64_t mfn, uint64_t *vacated)
{
    uint64_t old, *slot;

    *vacated = HV_NO_MFN;
    if (gfn >= d->max_gfn || mfn >= d->mem_frames)
        return -XEN_EINVAL;
    old = d->p2m[gfn];
    if (old == mfn)
        return 0;
    if (old != HV_NO_MFN && is_ram_frame(d, old)) {
        release_frame(d, old);
        d->nr_pages--;
    } else if (old != HV_NO_MFN) {
        *xen_frame_slot(d, old) = HV_NO_MFN;
    }
    slot = xen_frame_slot(d, mfn);
    if (slot) {
        if (*slot != HV_NO_MFN) {
            d->p2m[*slot] = HV_NO_MFN;
            *vacated = *slot;
        }
        *slot = gfn;
    }
    d->p2m[gfn] = mfn;
    d->mfn_used[mfn] = 1;
    return 0;
}

int domain_physmap_remove(struct domain *d, uint64_t gfn)
{
    uint64_t mfn;

    if (gfn >= d->max_gfn)
        return -XEN_EINVAL;
    mfn = d->p2m[gfn];
    if (mfn == HV_NO_MFN || !is_ram_frame(d, mfn))
        return -XEN_EINVAL;
    d->p2m[gfn] = HV_NO_MFN;
    release_frame(d, mfn);
    d->nr_pages--;
    return 0;
}

int domain_physmap_unmap(struct domain *d, uint64_t gfn)
{
    uint64_t mfn;

    if (gfn >= d->max_gfn)
        return -XEN_EINVAL;
    mfn = d->p2m[gfn];
    if (mfn == HV_NO_MFN)
        return -XEN_ENOENT;
    if (is_ram_frame(d, mfn))
        return domain_physmap_remove(d, gfn);
    *xen_frame_slot(d, mfn) = HV_NO_MFN;
    d->p2m[gfn] = HV_NO_MFN;
    return 0;
}

int domain_physmap_populate(struct domain *d, uint64_t gfn)
{
    if (gfn >= d->max_gfn)
        return -XEN_EINVAL;
    if (d->p2m[gfn] != HV_NO_MFN)
        return -XEN_EEXIST;
    if (d->nr_pages >= d->max_pages)
        return -XEN_ENOMEM;
    for (uint64_t mfn = 0; mfn < d->ram_pages + SIM_SPECIAL_PAGES; mfn++) {
        if (!d->mfn_used[mfn]) {
            d->mfn_used[mfn] = 1;
            d->p2m[gfn] = mfn;
            d->nr_pages++;
            return 0;
        }
    }
    return -XEN_ENOMEM;
}

static int create_memory(struct domain *d, uint64_t ram_pages, uint32_t grant_frames)
{
    char name[32];

    uint64_t owned = ram_pages + SIM_SPECIAL_PAGES;

    d->ram_pages = ram_pages;
    d->max_pages = owned;
    d->nr_pages = owned;
    d->shared_info_mfn = owned;
    d->grant_mfn_base = owned + 1;
    d->mem_frames = owned + 1 + grant_frames;
    d->max_gfn = owned + HOLE_FRAMES + grant_frames;
    snprintf(name, sizeof(name), "winpv-dom%u", d->domid);
    d->mem_fd = memfd_create(name, MFD_CLOEXEC);
    if (d->mem_fd < 0)
        return -XEN_ENOMEM;
    if (ftruncate(d->mem_fd, (off_t)(d->mem_frames * 4096)) != 0)
        return -XEN_ENOMEM;
    d->mem = mmap(NULL, d->mem_frames * 4096, PROT_READ | PROT_WRITE, MAP_SHARED, d->mem_fd, 0);
    if (d->mem == MAP_FAILED) {
        d->mem = NULL;
        return -XEN_ENOMEM;
    }
    d->p2m = malloc(d->max_gfn * sizeof(*d->p2m));
    d->mfn_used = calloc(d->mem_frames, 1);
    if (d->p2m == NULL || d->mfn_used == NULL)
        return -XEN_ENOMEM;
    for (uint64_t gfn = 0; gfn < d->max_gfn; gfn++)
        d->p2m[gfn] = gfn < owned ? gfn : HV_NO_MFN;
    memset(d->mfn_used, 1, d->mem_frames); /* RAM is populated; Xen frames are always ours */
    d->xen_frame_gfn = malloc((1 + grant_frames) * sizeof(*d->xen_frame_gfn));
    if (d->xen_frame_gfn == NULL)
        return -XEN_ENOMEM;
    for (uint32_t i = 0; i < 1 + grant_frames; i++)
        d->xen_frame_gfn[i] = HV_NO_MFN;
    return 0;
}

static void free_memory(struct domain *d)
{
    if (d->mem)
        munmap(d->mem, d->mem_frames * 4096);
    if (d->mem_fd >= 0)
        close(d->mem_fd);
    free(d->p2m);
    free(d->mfn_used);
    free(d->xen_frame_gfn);
    d->xen_frame_gfn = NULL;
    d->mem = NULL;
    d->mem_fd = -1;
    d->p2m = NULL;
    d->mfn_used = NULL;
}

int domain_create(const struct sim_domain_create *req, uint32_t *domid)
{
    struct domain *d = NULL;
    int rc;

    if (req->ram_pages == 0 || req->ram_pages > (1ull << 22) || req->vcpus == 0 ||
        req->vcpus > HV_MAX_VCPUS || req->max_grant_frames == 0 || req->max_grant_frames > 64)
        return -XEN_EINVAL;
    /*
     * Ids increase, as Xen's do, so a backend still holding a destroyed
     * domain's mapping never meets a new domain under the same id soon.
     */
    for (uint32_t n = 0; n < HV_MAX_DOMAINS - 1 && d == NULL; n++) {
        uint32_t id = 1 + (hv.last_domid + n) % (HV_MAX_DOMAINS - 1);

        if (!hv.domains[id].exists)
            d = &hv.domains[id];
    }
    if (d == NULL)
        return -XEN_ENOSPC;
    memset(d, 0, sizeof(*d));
    d->domid = (uint32_t)(d - hv.domains);
    d->vcpus = req->vcpus;
    d->mem_fd = -1;
    d->upcall_fd = -1;
    d->upcall_peer = -1;
    d->pv_product = SIM_PV_NONE;
    d->max_grant_frames = req->max_grant_frames;
    for (uint32_t v = 0; v < HV_MAX_VCPUS; v++)
        d->fifo_vcpu[v].control_mfn = HV_NO_MFN;
    rc = create_memory(d, req->ram_pages, req->max_grant_frames);
    if (rc == 0)
        rc = gnttab_init(d);
    if (rc == 0)
        rc = evtchn_init(d);
    if (rc) {
        gnttab_fini(d);
        free_memory(d);
        return rc;
    }
    d->exists = true;
    hv.last_domid = d->domid;
    *domid = d->domid;
    hv_log("domain %u created: %llu pages, %u vCPUs", d->domid, (unsigned long long)req->ram_pages,
           req->vcpus);
    return 0;
}

void domain_destroy(struct domain *d)
{
    uint32_t domid = d->domid;

    d->dying = true;
    upcall_wake_blocked(d); /* a vCPU blocked in the domain gets its answer */
    answer_suspended(d, -XEN_ESRCH, 0, 0);
    /* Its guest's connections end with it: the id may name another domain later. */
    for (struct conn *c = hv.conns; c; c = c->next)
        if (c->role == SIM_ROLE_GUEST && c->domid == domid)
            c->broken = true;
    gnttab_forget_domain(domid);
    evtchn_fini(d);
    gnttab_fini(d);
    free_memory(d);
    if (d->upcall_fd >= 0)
        close(d->upcall_fd);
    if (d->upcall_peer >= 0)
        close(d->upcall_peer);
    memset(d, 0, sizeof(*d));
    d->mem_fd = d->upcall_fd = d->upcall_peer = -1;
    hv_log("domain %u destroyed", domid);
    /* xenstored learns of it this way and calls xc_domain_getinfo. */
    evtchn_raise_virq(&hv.domains[SIM_DOMID_DOM0], VIRQ_DOM_EXC);
}

int domain_shutdown(struct domain *d, uint32_t reason)
{
    if (reason > SHUTDOWN_soft_reset)
        return -XEN_EINVAL;
    if (d->shutdown)
        return 0;
    d->shutdown = true;
    d->shutdown_reason = reason;
    hv_log("domain %u shut down, reason %u", d->domid, reason);
    upcall_wake_blocked(d);
    evtchn_raise_virq(&hv.domains[SIM_DOMID_DOM0], VIRQ_DOM_EXC);
    return 0;
}

void domain_fill_info(struct domain *d, struct sim_domain_info *info)
{
    memset(info, 0, sizeof(*info));
    info->domid = d->domid;
    info->flags = (d->dying ? SIM_DOMINFO_DYING : 0) | (d->shutdown ? SIM_DOMINFO_SHUTDOWN : 0) |
                  (d->shutdown && d->shutdown_reason == SHUTDOWN_crash ? SIM_DOMINFO_CRASHED : 0) |
                  (d->domid != SIM_DOMID_DOM0 ? SIM_DOMINFO_HVM : 0) |
                  (d->pid != 0 || d->domid == SIM_DOMID_DOM0 ? SIM_DOMINFO_RUNNING : 0);
    info->shutdown_reason = d->shutdown_reason;
    info->vcpus = d->vcpus;
    info->nr_pages = d->nr_pages;
    info->max_pages = d->max_pages;
    info->shared_info_gfn = domain_shared_info_gfn(d);
    info->unplugged = d->unplugged;
    info->pv_product = d->domid == SIM_DOMID_DOM0 ? SIM_PV_NONE : d->pv_product;
    info->pv_build = d->pv_build;
    info->pv_refused = d->pv_refused;
    info->pv_unplugs = d->pv_unplugs;
    info->ports_open = evtchn_open_ports(d);
    info->fifo_pages = evtchn_fifo_guest_pages(d);
    info->grants_active = gnttab_active_entries(d);
    for (uint64_t mfn = d->grant_mfn_base; d->xen_frame_gfn && mfn < d->mem_frames; mfn++)
        info->grant_frames_shown += *xen_frame_slot(d, mfn) != HV_NO_MFN;
}
