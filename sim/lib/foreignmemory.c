/*
 * sim/lib/foreignmemory.c - libxenforeignmemory.so.1 on winpv-simd.
 *
 * A handle is one SIM_ROLE_PRIVCMD connection. Mapping guest frames asks
 * the daemon where they are in the domain's memory file (SIM_P2M_LOOKUP,
 * SIM_MAX_FRAMES at a time) and maps those pages at consecutive addresses.
 * As with the real library on Linux, a mapping is released by unmapping
 * its addresses (xenforeignmemory_unmap or munmap); closing the handle
 * leaves mappings in place.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/mman.h>

#include <xenforeignmemory.h>
#include <xen/errno.h>

#include "memfile.h"
#include "region.h"

struct xenforeignmemory_handle {
    struct simlib_conn conn;
    struct memfile_cache files;
};

xenforeignmemory_handle *xenforeignmemory_open(struct xentoollog_logger *logger,
                                               unsigned open_flags)
{
    xenforeignmemory_handle *fmem = calloc(1, sizeof(*fmem));

    if (fmem == NULL)
        return NULL;
    if (simlib_open(&fmem->conn, SIM_ROLE_PRIVCMD, NULL, "libxenforeignmemory") != 0) {
        free(fmem);
        return NULL;
    }
    return fmem;
}

int xenforeignmemory_close(xenforeignmemory_handle *fmem)
{
    if (fmem == NULL)
        return 0;
    simlib_close(&fmem->conn);
    free(fmem);
    return 0;
}

/* offsets[i]: where gfn arr[i] of @file's domain is (SIM_NO_FRAME: nowhere). */
static int lookup(xenforeignmemory_handle *fmem, const struct memfile *file, size_t pages,
                  const xen_pfn_t *arr, uint64_t *offsets)
{
    struct sim_request req = {.type = SIM_P2M_LOOKUP};
    struct sim_reply reply;

    req.body.p2m.domid = file->domid;
    for (size_t i = 0; i < pages; i += req.body.p2m.count) {
        int rc;

        req.body.p2m.count = pages - i < SIM_MAX_FRAMES ? (uint32_t)(pages - i) : SIM_MAX_FRAMES;
        for (uint32_t j = 0; j < req.body.p2m.count; j++)
            req.body.p2m.gfns[j] = arr[i + j];
        rc = simlib_call(&fmem->conn, &req, &reply, NULL);
        if (rc)
            return rc;
        if (reply.body.offsets.count != req.body.p2m.count)
            return -XEN_EIO;
        for (uint32_t j = 0; j < req.body.p2m.count; j++) {
            uint64_t offset = reply.body.offsets.offsets[j];

            if (offset != SIM_NO_FRAME && !memfile_has_page(file, offset))
                return -XEN_EIO;
            offsets[i + j] = offset;
        }
    }
    return 0;
}

/*
 * The frames the daemon knows no page for are reported in @err as -EINVAL
 * (the real library's per-page values are negative errnos too) and stay
 * inaccessible; without @err any such frame fails the whole call.
 */
void *xenforeignmemory_map2(xenforeignmemory_handle *fmem, uint32_t dom, void *addr, int prot,
                            int flags, size_t pages, const xen_pfn_t arr[], int err[])
{
    struct memfile *file = NULL;
    uint64_t *offsets;
    void *base = NULL;
    int rc;

    if (pages == 0 || arr == NULL || (flags & ~(MAP_SHARED | MAP_FIXED | MAP_FIXED_NOREPLACE))) {
        errno = EINVAL;
        return NULL;
    }
    offsets = calloc(pages, sizeof(*offsets));
    if (offsets == NULL)
        return NULL;
    pthread_mutex_lock(&fmem->conn.lock);
    rc = memfile_get(&fmem->files, &fmem->conn, dom, &file);
    if (rc == 0)
        rc = lookup(fmem, file, pages, arr, offsets);
    for (size_t i = 0; i < pages && rc == 0; i++) {
        if (err)
            err[i] = offsets[i] == SIM_NO_FRAME ? -EINVAL : 0;
        else if (offsets[i] == SIM_NO_FRAME)
            rc = -XEN_EINVAL;
    }
    if (rc == 0) {
        base = region_reserve(addr, pages, flags);
        if (base == NULL)
            rc = -errno;
    }
    if (rc == 0 && region_fill(base, file, offsets, pages, prot) != 0) {
        rc = -errno;
        region_release(base, pages);
        base = NULL;
    }
    if (file)
        memfile_put(&fmem->files, file);
    pthread_mutex_unlock(&fmem->conn.lock);
    free(offsets);
    if (rc)
        simlib_fail(rc);
    return base;
}

void *xenforeignmemory_map(xenforeignmemory_handle *fmem, uint32_t dom, int prot, size_t pages,
                           const xen_pfn_t arr[], int err[])
{
    return xenforeignmemory_map2(fmem, dom, NULL, prot, 0, pages, arr, err);
}

int xenforeignmemory_unmap(xenforeignmemory_handle *fmem, void *addr, size_t pages)
{
    if (pages > SIZE_MAX / SIMLIB_PAGE_SIZE) {
        errno = EINVAL;
        return -1;
    }
    return munmap(addr, pages * SIMLIB_PAGE_SIZE);
}

/*
 * Not offered by the simulator: restricting a handle to one domain, and
 * resources (ioreq server pages, grant tables by frame) that only an HVM
 * device model maps. They fail with ENOSYS.
 */
int xenforeignmemory_restrict(xenforeignmemory_handle *fmem, domid_t domid)
{
    return simlib_unsupported();
}

xenforeignmemory_resource_handle *
xenforeignmemory_map_resource(xenforeignmemory_handle *fmem, domid_t domid, unsigned int type,
                              unsigned int id, unsigned long frame, unsigned long nr_frames,
                              void **paddr, int prot, int flags)
{
    simlib_unsupported();
    return NULL;
}

int xenforeignmemory_unmap_resource(xenforeignmemory_handle *fmem,
                                    xenforeignmemory_resource_handle *fres)
{
    return fres == NULL ? 0 : simlib_unsupported();
}

int xenforeignmemory_resource_size(xenforeignmemory_handle *fmem, domid_t domid, unsigned int type,
                                   unsigned int id, size_t *size)
{
    return simlib_unsupported();
}
