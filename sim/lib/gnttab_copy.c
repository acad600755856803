/*
 * sim/lib/gnttab_copy.c - xengnttab_grant_copy on winpv-simd.
 *
 * Every granted side of every segment of a call is pinned first
 * (SIM_GNTTAB_COPY), in batches of up to SIM_MAX_FRAMES references of one
 * domain: read-only for the sides the guest's page is the source of,
 * writable for the others, so the two kinds go in separate batches. Then
 * the bytes move, segment by segment in order, between the local buffer
 * and the granted pages of the domain's memory file; then each batch's pin
 * is dropped (SIM_GNTTAB_UNMAP). Each segment gets its own status, as Xen's
 * GNTTABOP_copy gives them: when a batch cannot be pinned (one bad
 * reference fails all of it), its references are pinned one by one so
 * that only the segments of the bad ones fail.
 */
#include <errno.h>
#include <stdlib.h>
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

/* One granted side of a segment: what to pin, and where its bytes are once pinned. */
struct copy_side {
    bool granted;   /* the segment names a grant on this side */
    bool in_batch;  /* taken into a batch already */
    int16_t status; /* GNTST_*: of the offset check, then of the pin */
    uint16_t domid;
    uint32_t ref;
    uint64_t pos;           /* where the bytes start in pin->file */
    struct gnttab_pin *pin; /* the batch's, or own; NULL when not pinned */
    struct gnttab_pin own;  /* pinned alone, after its batch could not be */
};

/* The sides of segs[i]: sides[2 * i] is the source, sides[2 * i + 1] the destination. */
struct copy_plan {
    struct copy_side *sides;
    struct gnttab_pin *batches; /* nr_batches pins, one per batch request */
    uint32_t nr_batches;
};

static bool flags_valid(const struct xengnttab_grant_copy_segment *seg)
{
    return !(seg->flags & ~(GNTCOPY_source_gref | GNTCOPY_dest_gref)) &&
           (seg->flags & (GNTCOPY_source_gref | GNTCOPY_dest_gref));
}

static void describe_side(struct copy_side *side, const union xengnttab_copy_ptr *ptr, uint16_t len)
{
    side->granted = true;
    side->domid = ptr->foreign.domid;
    side->ref = ptr->foreign.ref;
    side->pos = ptr->foreign.offset; /* the pin's offset is added later */
    side->status =
        (uint32_t)ptr->foreign.offset + len > SIMLIB_PAGE_SIZE ? GNTST_bad_copy_arg : GNTST_okay;
}

static void describe_sides(const xengnttab_grant_copy_segment_t *segs, uint32_t count,
                           struct copy_side *sides)
{
    for (uint32_t i = 0; i < count; i++) {
        if (!flags_valid(&segs[i]))
            continue;
        if (segs[i].flags & GNTCOPY_source_gref)
            describe_side(&sides[2 * i], &segs[i].source, segs[i].len);
        if (segs[i].flags & GNTCOPY_dest_gref)
            describe_side(&sides[2 * i + 1], &segs[i].dest, segs[i].len);
    }
}

static bool wants_pin(const struct copy_side *side)
{
    return side->granted && side->status == GNTST_okay && !side->in_batch;
}

/* Pin @side on its own, as its segment's status needs. */
static void pin_alone(xengnttab_handle *xgt, struct copy_side *side, bool readonly)
{
    uint64_t offset;

    side->status = pin_status(gnttab_pin(xgt, SIM_GNTTAB_COPY, side->domid, &side->ref, 1, readonly,
                                         &side->own, &offset));
    if (side->status == GNTST_okay) {
        side->pin = &side->own;
        side->pos += offset;
    }
}

/*
 * One batch: sides[first] and the sides after it of the same domain and
 * direction (source sides are the even ones), up to SIM_MAX_FRAMES.
 */
static void pin_batch(xengnttab_handle *xgt, struct copy_plan *plan, uint32_t nr_sides,
                      uint32_t first)
{
    struct copy_side *in_batch[SIM_MAX_FRAMES];
    uint32_t refs[SIM_MAX_FRAMES];
    uint64_t offsets[SIM_MAX_FRAMES];
    struct gnttab_pin *pin = &plan->batches[plan->nr_batches];
    uint16_t domid = plan->sides[first].domid;
    bool readonly = first % 2 == 0;
    uint32_t n = 0;
    int rc;

    for (uint32_t i = first; i < nr_sides && n < SIM_MAX_FRAMES; i += 2) {
        struct copy_side *side = &plan->sides[i];

        if (wants_pin(side) && side->domid == domid) {
            side->in_batch = true;
            refs[n] = side->ref;
            in_batch[n++] = side;
        }
    }
    rc = gnttab_pin(xgt, SIM_GNTTAB_COPY, domid, refs, n, readonly, pin, offsets);
    if (rc == 0) {
        plan->nr_batches++;
        for (uint32_t k = 0; k < n; k++) {
            in_batch[k]->pin = pin;
            in_batch[k]->pos += offsets[k];
        }
    } else if (n == 1) {
        in_batch[0]->status = pin_status(rc);
    } else {
        for (uint32_t k = 0; k < n; k++)
            pin_alone(xgt, in_batch[k], readonly);
    }
}

static void pin_all(xengnttab_handle *xgt, struct copy_plan *plan, uint32_t nr_sides)
{
    for (uint32_t i = 0; i < nr_sides; i++)
        if (wants_pin(&plan->sides[i]))
            pin_batch(xgt, plan, nr_sides, i);
}

static void unpin_all(xengnttab_handle *xgt, struct copy_plan *plan, uint32_t nr_sides)
{
    for (uint32_t i = 0; i < plan->nr_batches; i++)
        gnttab_unpin(xgt, &plan->batches[i]);
    for (uint32_t i = 0; i < nr_sides; i++)
        if (plan->sides[i].pin == &plan->sides[i].own)
            gnttab_unpin(xgt, &plan->sides[i].own);
}

/* Copy one segment whose granted sides are pinned (@src, @dst; NULL when not granted). */
static int16_t copy_segment(const xengnttab_grant_copy_segment_t *seg, const struct copy_side *src,
                            const struct copy_side *dst)
{
    uint8_t bounce[SIMLIB_PAGE_SIZE];
    int16_t status;

    if (src && dst) {
        status = move_bytes(src->pin->file->fd, bounce, seg->len, src->pos, false);
        if (status == GNTST_okay)
            status = move_bytes(dst->pin->file->fd, bounce, seg->len, dst->pos, true);
        return status;
    }
    if (src)
        return move_bytes(src->pin->file->fd, seg->dest.virt, seg->len, src->pos, false);
    return move_bytes(dst->pin->file->fd, seg->source.virt, seg->len, dst->pos, true);
}

/* The segment's status: its flags, then its source side, its destination side, the copy. */
static int16_t segment_status(const xengnttab_grant_copy_segment_t *seg,
                              const struct copy_side *sides)
{
    const struct copy_side *src = sides[0].granted ? &sides[0] : NULL;
    const struct copy_side *dst = sides[1].granted ? &sides[1] : NULL;

    if (!flags_valid(seg))
        return GNTST_general_error;
    if (src && src->status != GNTST_okay)
        return src->status;
    if (dst && dst->status != GNTST_okay)
        return dst->status;
    return copy_segment(seg, src, dst);
}

int xengnttab_grant_copy(xengnttab_handle *xgt, uint32_t count,
                         xengnttab_grant_copy_segment_t *segs)
{
    uint32_t nr_sides = 2 * count;
    struct copy_plan plan = {0};

    if (count == 0)
        return 0; /* how callers find out that grant copy is supported */
    if (segs == NULL) {
        errno = EINVAL;
        return -1;
    }
    plan.sides = calloc(nr_sides, sizeof(*plan.sides));
    plan.batches = calloc(nr_sides, sizeof(*plan.batches)); /* at most one per side */
    if (plan.sides == NULL || plan.batches == NULL) {
        free(plan.sides);
        free(plan.batches);
        errno = ENOMEM;
        return -1;
    }
    describe_sides(segs, count, plan.sides);
    pthread_mutex_lock(&xgt->conn.lock);
    pin_all(xgt, &plan, nr_sides);
    for (uint32_t i = 0; i < count; i++)
        segs[i].status = segment_status(&segs[i], &plan.sides[2 * i]);
    unpin_all(xgt, &plan, nr_sides);
    pthread_mutex_unlock(&xgt->conn.lock);
    free(plan.sides);
    free(plan.batches);
    return 0;
}
