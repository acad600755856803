/*
 * sim/hv/save.c - saving a suspended domain, restoring it as a new one,
 * and resuming a suspend the toolstack cancels.
 *
 * The image holds what a saved HVM guest keeps: its RAM and special pages
 * (by guest frame), its HVM parameters and the platform device's state. Xen's own frames (shared_info,
 * grant frames) and the event channels are not kept: the guest sets them up
 * again after it resumes in the new domain, as after a migration.
 *
 * Layout: struct save_header, then header.frames records of a guest frame
 * number (uint64_t) followed by the frame's 4096 bytes, in increasing
 * frame order. An image is read as untrusted: every count and frame number
 * is checked before use.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <xen/errno.h>
#include <xen/sched.h>

#include "hv.h"

#define SAVE_MAGIC "WINPVSV2"

struct save_header {
    char magic[8];
    uint32_t origin_domid; /* the domain saved: its suspended guest moves on restore */
    uint32_t vcpus;
    uint32_t max_grant_frames;
    uint32_t pad;
    uint64_t ram_pages;
    uint64_t frames;
    uint64_t params[HV_NR_HVM_PARAMS];
    /*
     * The platform device's state, which QEMU's own save record carries: the
     * emulated devices the drivers unplugged stay unplugged, and what the
     * drivers announced stays known.
     */
    uint32_t unplugged;
    uint32_t pv_product;
    uint32_t pv_build;
    uint32_t pv_refused;
    uint32_t pv_unplugs;
    uint32_t pad2;
};

/* A plain name in the run directory: no path, nothing hidden. */
static int image_path(const char *name, char *path, size_t size)
{
    size_t len = strnlen(name, sizeof(((struct sim_domain_file *)0)->name));

    if (len == 0 || len == sizeof(((struct sim_domain_file *)0)->name) || name[0] == '.')
        return -XEN_EINVAL;
    for (size_t i = 0; i < len; i++)
        if (!(name[i] == '.' || name[i] == '-' || name[i] == '_' ||
              (name[i] >= '0' && name[i] <= '9') || (name[i] >= 'a' && name[i] <= 'z') ||
              (name[i] >= 'A' && name[i] <= 'Z')))
            return -XEN_EINVAL;
    return snprintf(path, size, "%s/%.*s", hv.run_dir, (int)len, name) < (int)size
               ? 0
               : -XEN_ENAMETOOLONG;
}

/* The guest's own frames: RAM and special pages, wherever the guest put them. */
static bool owned_frame(struct domain *d, uint64_t gfn, uint64_t *mfn)
{
    *mfn = domain_p2m(d, gfn);
    return *mfn != HV_NO_MFN && *mfn < d->ram_pages + SIM_SPECIAL_PAGES;
}

int save_domain(struct domain *d, const char *name)
{
    struct save_header h = {.origin_domid = d->domid,
                            .vcpus = d->vcpus,
                            .max_grant_frames = d->max_grant_frames,
                            .ram_pages = d->ram_pages,
                            .unplugged = d->unplugged,
                            .pv_product = d->pv_product,
                            .pv_build = d->pv_build,
                            .pv_refused = d->pv_refused,
                            .pv_unplugs = d->pv_unplugs};
    char path[4096];
    uint64_t mfn;
    FILE *f;
    int rc = image_path(name, path, sizeof(path));

    if (rc)
        return rc;
    if (!d->shutdown || d->shutdown_reason != SHUTDOWN_suspend)
        return -XEN_EINVAL; /* only a guest that suspended itself is consistent */
    memcpy(h.magic, SAVE_MAGIC, sizeof(h.magic));
    memcpy(h.params, d->params, sizeof(h.params));
    for (uint64_t gfn = 0; gfn < d->max_gfn; gfn++)
        h.frames += owned_frame(d, gfn, &mfn);
    f = fopen(path, "wbx");
    if (f == NULL)
        return -XEN_EEXIST;
    rc = fwrite(&h, sizeof(h), 1, f) == 1 ? 0 : -XEN_EIO;
    for (uint64_t gfn = 0; rc == 0 && gfn < d->max_gfn; gfn++) {
        if (!owned_frame(d, gfn, &mfn))
            continue;
        if (fwrite(&gfn, sizeof(gfn), 1, f) != 1 || fwrite(domain_frame(d, mfn), 4096, 1, f) != 1)
            rc = -XEN_EIO;
    }
    if (fclose(f) != 0)
        rc = -XEN_EIO;
    if (rc)
        unlink(path);
    else
        hv_log("domain %u saved to %s (%llu frames)", d->domid, path, (unsigned long long)h.frames);
    return rc;
}

static int read_header(FILE *f, struct save_header *h, long size)
{
    if (fread(h, sizeof(*h), 1, f) != 1 || memcmp(h->magic, SAVE_MAGIC, sizeof(h->magic)) != 0)
        return -XEN_EINVAL;
    if (h->ram_pages == 0 || h->ram_pages > (1ull << 22) || h->vcpus == 0 ||
        h->vcpus > HV_MAX_VCPUS || h->max_grant_frames == 0 || h->max_grant_frames > 64 ||
        h->unplugged > UINT16_MAX || h->pv_refused > 1 ||
        h->frames > h->ram_pages + SIM_SPECIAL_PAGES ||
        (uint64_t)size != sizeof(*h) + h->frames * (sizeof(uint64_t) + 4096))
        return -XEN_EINVAL;
    return 0;
}

/*
 * Lay the image's frames into the new domain @d: a RAM frame the image
 * lacks was ballooned out; one the guest had moved above RAM is populated
 * there. Frame numbers must increase.
 */
static int load_frames(struct domain *d, FILE *f, const struct save_header *h)
{
    uint64_t owned = d->ram_pages + SIM_SPECIAL_PAGES, next = 0, gfn;
    long records = ftell(f);
    int rc = 0;

    /* First pass: which frames below the owned range the image has. */
    for (uint64_t i = 0; rc == 0 && i < h->frames; i++) {
        if (fread(&gfn, sizeof(gfn), 1, f) != 1 || gfn < next || gfn >= d->max_gfn ||
            fseek(f, 4096, SEEK_CUR) != 0)
            return -XEN_EINVAL;
        for (; next < gfn && next < owned; next++)
            rc = domain_physmap_remove(d, next);
        next = gfn + 1;
    }
    for (; rc == 0 && next < owned; next++)
        rc = domain_physmap_remove(d, next);
    if (rc || fseek(f, records, SEEK_SET) != 0)
        return rc ? rc : -XEN_EIO;
    /* Second pass: the contents, populating frames above the owned range. */
    for (uint64_t i = 0; rc == 0 && i < h->frames; i++) {
        void *frame;

        if (fread(&gfn, sizeof(gfn), 1, f) != 1)
            return -XEN_EIO;
        if (gfn >= owned)
            rc = domain_physmap_populate(d, gfn);
        frame = rc ? NULL : domain_gfn(d, gfn);
        if (frame == NULL || fread(frame, 4096, 1, f) != 1)
            rc = rc ? rc : -XEN_EIO;
    }
    return rc;
}

void answer_suspended(struct domain *d, int error, int64_t result, uint32_t moved_to)
{
    for (struct conn *c = hv.conns; c; c = c->next) {
        struct sim_reply reply = {.error = error};

        if (!c->suspended || c->domid != d->domid)
            continue;
        c->suspended = false;
        reply.body.hypercall.result = result;
        reply.body.hypercall.moved_to = moved_to;
        conn_reply(c, &reply, NULL, 0);
    }
}

/* The suspended guest of domain @origin goes on as domain @domid's. */
static void move_guest(uint32_t origin_domid, uint32_t domid)
{
    struct domain *origin = domain_get(origin_domid);

    if (origin && origin->shutdown && origin->shutdown_reason == SHUTDOWN_suspend)
        answer_suspended(origin, 0, 0, domid);
}

int restore_domain(const char *name, uint32_t flags, uint32_t *domid)
{
    struct save_header h;
    struct sim_domain_create create;
    struct domain *d;
    struct stat st;
    char path[4096];
    FILE *f;
    int rc = image_path(name, path, sizeof(path));

    if (rc)
        return rc;
    f = fopen(path, "rb");
    if (f == NULL)
        return -XEN_ENOENT;
    rc = fstat(fileno(f), &st) == 0 ? read_header(f, &h, (long)st.st_size) : -XEN_EIO;
    create = (struct sim_domain_create){
        .ram_pages = h.ram_pages, .max_grant_frames = h.max_grant_frames, .vcpus = h.vcpus};
    if (rc == 0)
        rc = domain_create(&create, domid);
    d = rc == 0 ? domain_get(*domid) : NULL;
    if (d) {
        memcpy(d->params, h.params, sizeof(d->params));
        d->unplugged = (uint16_t)h.unplugged;
        d->pv_product = h.pv_product;
        d->pv_build = h.pv_build;
        d->pv_refused = h.pv_refused != 0;
        d->pv_unplugs = h.pv_unplugs;
        rc = load_frames(d, f, &h);
        if (rc)
            domain_destroy(d);
    }
    fclose(f);
    if (rc)
        return rc;
    hv_log("domain %u restored from %s%s", *domid, path,
           flags & SIM_RESTORE_PAUSED ? ", paused" : "");
    if (flags & SIM_RESTORE_PAUSED) {
        d->paused = true;
        d->paused_origin = h.origin_domid;
    } else {
        move_guest(h.origin_domid, *domid);
    }
    return 0;
}

int unpause_domain(struct domain *d)
{
    if (!d->paused)
        return -XEN_EINVAL;
    d->paused = false;
    move_guest(d->paused_origin, d->domid);
    return 0;
}

int resume_domain(struct domain *d)
{
    if (!d->shutdown || d->shutdown_reason != SHUTDOWN_suspend)
        return -XEN_EINVAL;
    d->shutdown = false;
    /* Suspend cancelled: the guest goes on where it was, told so by 1. */
    answer_suspended(d, 0, 1, 0);
    return 0;
}
