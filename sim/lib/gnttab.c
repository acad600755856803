/*
 * sim/lib/gnttab.c - libxengnttab.so.1 on winpv-simd: opening a handle and
 * mapping grants (see gnttab.h); grant copies are in gnttab_copy.c.
 *
 * A mapping is one reserved address range with the granted frames of the
 * domain's memory file mapped over it, page by page in the order of the
 * references, read-only unless PROT_WRITE was asked for. The daemon pins at
 * most SIM_MAX_FRAMES grants of one domain per request, so a mapping may
 * hold several pins; it is found again by its address on xengnttab_unmap.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <xen/errno.h>

#include "gnttab.h"
#include "region.h"

struct gnttab_mapping {
    void *addr;
    uint32_t pages;
    uint32_t nr_pins;
    struct gnttab_mapping *next;
    struct gnttab_pin pins[]; /* one per request that pinned a part */
};

xengnttab_handle *xengnttab_open(struct xentoollog_logger *logger, unsigned open_flags)
{
    xengnttab_handle *xgt = calloc(1, sizeof(*xgt));

    if (xgt == NULL)
        return NULL;
    if (simlib_open(&xgt->conn, SIM_ROLE_GNTTAB, NULL, "libxengnttab") != 0) {
        free(xgt);
        return NULL;
    }
    return xgt;
}

/* As documented for the real library, closing a handle unmaps its grant maps. */
int xengnttab_close(xengnttab_handle *xgt)
{
    struct gnttab_mapping *m;

    if (xgt == NULL)
        return 0;
    while ((m = xgt->mappings) != NULL) {
        xgt->mappings = m->next;
        region_release(m->addr, m->pages);
        /* The pins go with the connection; only the files are ours to drop. */
        for (uint32_t i = 0; i < m->nr_pins; i++)
            memfile_put(&xgt->files, m->pins[i].file);
        free(m);
    }
    simlib_close(&xgt->conn);
    free(xgt);
    return 0;
}

int gnttab_pin(xengnttab_handle *xgt, uint32_t type, uint32_t domid, const uint32_t *refs,
               uint32_t count, bool readonly, struct gnttab_pin *pin, uint64_t *offsets)
{
    struct sim_request req = {.type = type};
    struct sim_reply reply;
    int rc;

    if (count == 0 || count > SIM_MAX_FRAMES)
        return -XEN_EINVAL;
    rc = memfile_get(&xgt->files, &xgt->conn, domid, &pin->file);
    if (rc)
        return rc;
    req.body.map.domid = domid;
    req.body.map.count = count;
    req.body.map.readonly = readonly;
    memcpy(req.body.map.refs, refs, count * sizeof(refs[0]));
    rc = simlib_call(&xgt->conn, &req, &reply, NULL);
    if (rc) {
        memfile_put(&xgt->files, pin->file);
        return rc;
    }
    pin->handle = reply.body.offsets.handle;
    if (reply.body.offsets.count != count)
        rc = -XEN_EIO;
    for (uint32_t i = 0; i < count && rc == 0; i++) {
        offsets[i] = reply.body.offsets.offsets[i];
        if (!memfile_has_page(pin->file, offsets[i]))
            rc = -XEN_EIO;
    }
    if (rc)
        gnttab_unpin(xgt, pin);
    return rc;
}

int gnttab_unpin(xengnttab_handle *xgt, struct gnttab_pin *pin)
{
    struct sim_request req = {.type = SIM_GNTTAB_UNMAP};
    struct sim_reply reply;
    int rc;

    req.body.unmap.handle = pin->handle;
    rc = simlib_call(&xgt->conn, &req, &reply, NULL);
    memfile_put(&xgt->files, pin->file);
    return rc;
}

/* The references from @first that one request can pin: same domain, at most SIM_MAX_FRAMES. */
static uint32_t batch_length(const uint32_t *domids, uint32_t first, uint32_t count)
{
    uint32_t n = 1;

    while (first + n < count && n < SIM_MAX_FRAMES &&
           (domids == NULL || domids[first + n] == domids[first]))
        n++;
    return n;
}

static uint32_t batch_count(const uint32_t *domids, uint32_t count)
{
    uint32_t batches = 0;

    for (uint32_t i = 0; i < count; i += batch_length(domids, i, count))
        batches++;
    return batches;
}

/*
 * Map @count grants: refs[i] of domids[i], or of @domid when @domids is
 * NULL. All or nothing: on failure nothing stays pinned or mapped.
 */
static void *map_refs(xengnttab_handle *xgt, uint32_t count, const uint32_t *domids, uint32_t domid,
                      const uint32_t *refs, int prot)
{
    bool readonly = !(prot & PROT_WRITE);
    struct gnttab_mapping *m = NULL;
    uint64_t *offsets = NULL;
    void *base = NULL;
    int rc = 0;

    if (count == 0 || refs == NULL) {
        errno = EINVAL;
        return NULL;
    }
    m = calloc(1, sizeof(*m) + batch_count(domids, count) * sizeof(m->pins[0]));
    offsets = calloc(count, sizeof(*offsets));
    base = region_reserve(NULL, count, 0);
    if (m == NULL || offsets == NULL || base == NULL) {
        rc = -XEN_ENOMEM;
        goto out;
    }
    pthread_mutex_lock(&xgt->conn.lock);
    for (uint32_t i = 0, n; i < count; i += n) {
        struct gnttab_pin *pin = &m->pins[m->nr_pins];
        char *at = (char *)base + (size_t)i * SIMLIB_PAGE_SIZE;

        n = batch_length(domids, i, count);
        rc = gnttab_pin(xgt, SIM_GNTTAB_MAP, domids ? domids[i] : domid, refs + i, n, readonly, pin,
                        offsets + i);
        if (rc)
            break;
        m->nr_pins++;
        if (region_fill(at, pin->file, offsets + i, n,
                        readonly ? PROT_READ : PROT_READ | PROT_WRITE)) {
            rc = -errno;
            break;
        }
    }
    if (rc == 0) {
        m->addr = base;
        m->pages = count;
        m->next = xgt->mappings;
        xgt->mappings = m;
    } else {
        region_release(base, count);
        base = NULL;
        while (m->nr_pins > 0)
            gnttab_unpin(xgt, &m->pins[--m->nr_pins]);
    }
    pthread_mutex_unlock(&xgt->conn.lock);
out:
    free(offsets);
    if (rc == 0)
        return base;
    if (base)
        region_release(base, count);
    free(m);
    simlib_fail(rc);
    return NULL;
}

void *xengnttab_map_grant_ref(xengnttab_handle *xgt, uint32_t domid, uint32_t ref, int prot)
{
    return map_refs(xgt, 1, NULL, domid, &ref, prot);
}

void *xengnttab_map_grant_refs(xengnttab_handle *xgt, uint32_t count, uint32_t *domids,
                               uint32_t *refs, int prot)
{
    if (domids == NULL) {
        errno = EINVAL;
        return NULL;
    }
    return map_refs(xgt, count, domids, 0, refs, prot);
}

void *xengnttab_map_domain_grant_refs(xengnttab_handle *xgt, uint32_t count, uint32_t domid,
                                      uint32_t *refs, int prot)
{
    return map_refs(xgt, count, NULL, domid, refs, prot);
}

/* @start_address and @count must be those of one mapping, as the real library requires. */
int xengnttab_unmap(xengnttab_handle *xgt, void *start_address, uint32_t count)
{
    struct gnttab_mapping *m = NULL;
    int rc = 0;

    pthread_mutex_lock(&xgt->conn.lock);
    for (struct gnttab_mapping **p = &xgt->mappings; *p; p = &(*p)->next) {
        if ((*p)->addr == start_address && (*p)->pages == count) {
            m = *p;
            *p = m->next;
            break;
        }
    }
    if (m) {
        region_release(m->addr, m->pages);
        for (uint32_t i = 0; i < m->nr_pins; i++) {
            int err = gnttab_unpin(xgt, &m->pins[i]);

            if (rc == 0)
                rc = err;
        }
    }
    pthread_mutex_unlock(&xgt->conn.lock);
    if (m == NULL) {
        errno = EINVAL;
        return -1;
    }
    free(m);
    return rc ? simlib_fail(rc) : 0;
}

/* Recorded only: the daemon limits pins itself. */
int xengnttab_set_max_grants(xengnttab_handle *xgt, uint32_t nr_grants)
{
    pthread_mutex_lock(&xgt->conn.lock);
    xgt->max_grants = nr_grants;
    pthread_mutex_unlock(&xgt->conn.lock);
    return 0;
}

/*
 * Not offered by the simulator (no program it runs calls them): unmap
 * notifications, the device descriptor, dma-bufs, and granting our own
 * pages (xengntshr_*). Each fails with ENOSYS, returning NULL or -1.
 */
void *xengnttab_map_grant_ref_notify(xengnttab_handle *xgt, uint32_t domid, uint32_t ref, int prot,
                                     uint32_t notify_offset, evtchn_port_t notify_port)
{
    simlib_unsupported();
    return NULL;
}

int xengnttab_fd(xengnttab_handle *xgt)
{
    return simlib_unsupported();
}

int xengnttab_dmabuf_exp_from_refs(xengnttab_handle *xgt, uint32_t domid, uint32_t flags,
                                   uint32_t count, const uint32_t *refs, uint32_t *fd)
{
    return simlib_unsupported();
}

int xengnttab_dmabuf_exp_wait_released(xengnttab_handle *xgt, uint32_t fd, uint32_t wait_to_ms)
{
    return simlib_unsupported();
}

int xengnttab_dmabuf_imp_to_refs(xengnttab_handle *xgt, uint32_t domid, uint32_t fd, uint32_t count,
                                 uint32_t *refs)
{
    return simlib_unsupported();
}

int xengnttab_dmabuf_imp_release(xengnttab_handle *xgt, uint32_t fd)
{
    return simlib_unsupported();
}

xengntshr_handle *xengntshr_open(struct xentoollog_logger *logger, unsigned open_flags)
{
    simlib_unsupported();
    return NULL;
}

int xengntshr_close(xengntshr_handle *xgs)
{
    return xgs == NULL ? 0 : simlib_unsupported();
}

int xengntshr_fd(xengntshr_handle *xgs)
{
    return simlib_unsupported();
}

void *xengntshr_share_pages(xengntshr_handle *xgs, uint32_t domid, int count, uint32_t *refs,
                            int writable)
{
    simlib_unsupported();
    return NULL;
}

void *xengntshr_share_page_notify(xengntshr_handle *xgs, uint32_t domid, uint32_t *ref,
                                  int writable, uint32_t notify_offset, evtchn_port_t notify_port)
{
    simlib_unsupported();
    return NULL;
}

int xengntshr_unshare(xengntshr_handle *xgs, void *start_address, uint32_t count)
{
    return simlib_unsupported();
}
