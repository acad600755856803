/*
 * sim/lib/gnttab_copy.c - xengnttab_grant_copy on winpv-simd.
 *
 * For each segment, every granted side is pinned for the copy
 * (SIM_GNTTAB_COPY; read-only when the guest's page is the source), the
 * bytes move between the local buffer and the granted page of the domain's
 * memory file, and the pin is dropped again (SIM_GNTTAB_UNMAP). Each
 * segment gets its own status, as Xen's GNTTABOP_copy gives them.
 */
#include <errno.h>
#include <unistd.h>

#include <xen/errno.h>

#include "gnttab.h"

/* The GNTST_* status for a negative XEN_E* value from the daemon's pin. */
static int16_t pin_status(int rc)
{
    switch (rc) {
    case 0:
        return GNTST_okay;
    case -XEN_ESRCH:
        return GNTST_bad_domain;
    case -XEN_EINVAL:
        return GNTST_bad_gntref;
    case -XEN_EACCES:
    case -XEN_EPERM:
        return GNTST_permission_denied;
    case -XEN_EFAULT:
        return GNTST_bad_page;
    default:
        return GNTST_general_error;
    }
}

/* All @len bytes between @buf and @fd at @pos; the GNTST_* status. */
static int16_t move_bytes(int fd, void *buf, size_t len, uint64_t pos, bool to_file)
{
    size_t done = 0;

    while (done < len) {
        char *at = (char *)buf + done;
        ssize_t n = to_file ? pwrite(fd, at, len - done, (off_t)(pos + done))
                            : pread(fd, at, len - done, (off_t)(pos + done));

        if (n > 0)
            done += (size_t)n;
        else if (n < 0 && errno == EFAULT)
            return GNTST_bad_virt_addr;
        else if (n == 0 || errno != EINTR)
            return GNTST_general_error;
    }
    return GNTST_okay;
}

/* Pin the granted side of a segment; its bytes start at *pos in pin->file. */
static int16_t pin_side(xengnttab_handle *xgt, const struct xengnttab_grant_copy_segment *seg,
                        bool source, struct gnttab_pin *pin, uint64_t *pos)
{
    uint32_t ref = source ? seg->source.foreign.ref : seg->dest.foreign.ref;
    uint16_t domid = source ? seg->source.foreign.domid : seg->dest.foreign.domid;
    uint16_t offset = source ? seg->source.foreign.offset : seg->dest.foreign.offset;
    int16_t status;

    if ((uint32_t)offset + seg->len > SIMLIB_PAGE_SIZE)
        return GNTST_bad_copy_arg;
    status = pin_status(gnttab_pin(xgt, SIM_GNTTAB_COPY, domid, &ref, 1, source, pin, pos));
    if (status == GNTST_okay)
        *pos += offset;
    return status;
}

static int16_t copy_segment(xengnttab_handle *xgt, const struct xengnttab_grant_copy_segment *seg)
{
    bool from_grant = seg->flags & GNTCOPY_source_gref;
    bool to_grant = seg->flags & GNTCOPY_dest_gref;
    struct gnttab_pin src, dst;
    uint64_t src_pos = 0, dst_pos = 0;
    uint8_t bounce[SIMLIB_PAGE_SIZE];
    int16_t status = GNTST_okay;

    if ((seg->flags & ~(GNTCOPY_source_gref | GNTCOPY_dest_gref)) || !(from_grant || to_grant))
        return GNTST_general_error;
    if (from_grant)
        status = pin_side(xgt, seg, true, &src, &src_pos);
    if (status != GNTST_okay)
        return status;
    if (to_grant)
        status = pin_side(xgt, seg, false, &dst, &dst_pos);
    if (status != GNTST_okay)
        goto unpin_source;

    if (from_grant && to_grant) {
        status = move_bytes(src.file->fd, bounce, seg->len, src_pos, false);
        if (status == GNTST_okay)
            status = move_bytes(dst.file->fd, bounce, seg->len, dst_pos, true);
    } else if (from_grant) {
        status = move_bytes(src.file->fd, seg->dest.virt, seg->len, src_pos, false);
    } else {
        status = move_bytes(dst.file->fd, seg->source.virt, seg->len, dst_pos, true);
    }

    if (to_grant)
        gnttab_unpin(xgt, &dst);
unpin_source:
    if (from_grant)
        gnttab_unpin(xgt, &src);
    return status;
}

int xengnttab_grant_copy(xengnttab_handle *xgt, uint32_t count,
                         xengnttab_grant_copy_segment_t *segs)
{
    if (count == 0)
        return 0; /* how callers find out that grant copy is supported */
    if (segs == NULL) {
        errno = EINVAL;
        return -1;
    }
    pthread_mutex_lock(&xgt->conn.lock);
    for (uint32_t i = 0; i < count; i++)
        segs[i].status = copy_segment(xgt, &segs[i]);
    pthread_mutex_unlock(&xgt->conn.lock);
    return 0;
}
