/*
 * core/gnttab/entry.c - writing grants into the table and taking them back.
 *
 * Granting: domid and frame first, then a write barrier, then the flags,
 * which make the entry valid; the hypervisor reads domid and frame only
 * after it saw the flags. Revoking: the flags go back to zero with a
 * compare-and-swap of the 16-bit flags, refused while the hypervisor shows
 * GTF_reading or GTF_writing (it sets them, with the same kind of
 * compare-and-swap, while a backend has the grant mapped or copies).
 */
#include "gnttab/gnttab_impl.h"

/* core/os.h has no 16-bit compare-and-swap; the flags are 16 bits. */
static bool cas_flags(struct grant_entry_v1 *e, uint16_t *expected, uint16_t desired)
{
    return __atomic_compare_exchange_n(&e->flags, expected, desired, false, __ATOMIC_SEQ_CST,
                                       __ATOMIC_ACQUIRE);
}

static uint32_t entries_shown(struct gnttab *gt)
{
    return os_atomic_load32(&gt->nr_frames) * (uint32_t)GNTTAB_ENTRIES_PER_FRAME;
}

static void count(struct gnttab *gt, bool grants, uint64_t n)
{
    struct gnttab_cpu *c = gnttab_this_cpu(gt);

    os_atomic_add64(grants ? &c->grants : &c->revokes, n);
}

void gnttab_count_revoke(struct gnttab *gt)
{
    count(gt, false, 1);
}

/* Whether @g may be written now: -XEN_EINVAL, -XEN_EIO, or 0. */
static int check_grant(struct gnttab *gt, const struct gnttab_grant *g)
{
    OS_ASSERT_CMP(g->ref, <, gt->capacity);
    OS_ASSERT_CMP(gt->allocated[g->ref], ==, 1);
    if (g->gfn > UINT32_MAX)
        return -XEN_EINVAL;
    if (g->ref >= entries_shown(gt))
        return -XEN_EIO;
    /* Granting a reference that is granted already is our bug. */
    OS_ASSERT_CMP(gnttab_load_flags(gnttab_entry(gt, g->ref)), ==, 0);
    return 0;
}

static void write_target(struct gnttab *gt, const struct gnttab_grant *g)
{
    struct grant_entry_v1 *e = gnttab_entry(gt, g->ref);

    /* Single stores: the hypervisor may read the entry at any time. */
    __atomic_store_n(&e->domid, g->domid, __ATOMIC_RELAXED);
    os_write_once32(&e->frame, (uint32_t)g->gfn);
}

static void publish(struct gnttab *gt, const struct gnttab_grant *g)
{
    uint16_t flags = GTF_permit_access | (g->readonly ? GTF_readonly : 0);

    /* Release as well as the barrier before: the same order for TSan's eyes. */
    __atomic_store_n(&gnttab_entry(gt, g->ref)->flags, flags, __ATOMIC_RELEASE);
}

int gnttab_grant(struct gnttab *gt, grant_ref_t ref, domid_t domid, uint64_t gfn, bool readonly)
{
    const struct gnttab_grant g = {.ref = ref, .domid = domid, .readonly = readonly, .gfn = gfn};
    int rc = check_grant(gt, &g);

    if (rc)
        return rc;
    write_target(gt, &g);
    os_wmb();
    publish(gt, &g);
    count(gt, true, 1);
    return 0;
}

int gnttab_grant_many(struct gnttab *gt, const struct gnttab_grant *grants, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        int rc = check_grant(gt, &grants[i]);

        if (rc)
            return rc;
    }
    for (uint32_t i = 0; i < n; i++)
        write_target(gt, &grants[i]);
    os_wmb();
    for (uint32_t i = 0; i < n; i++)
        publish(gt, &grants[i]);
    count(gt, true, n);
    return 0;
}

bool gnttab_entry_revoke(struct gnttab *gt, grant_ref_t ref)
{
    struct grant_entry_v1 *e;
    uint16_t flags;

    if (ref >= entries_shown(gt))
        return true; /* its frame was lost at resume: nothing is granted there */
    e = gnttab_entry(gt, ref);
    flags = gnttab_load_flags(e);
    do {
        if (flags & (GTF_reading | GTF_writing))
            return false;
        if (flags == 0)
            return true;
    } while (!cas_flags(e, &flags, 0));
    return true;
}

int gnttab_revoke(struct gnttab *gt, grant_ref_t ref)
{
    OS_ASSERT_CMP(ref, <, gt->capacity);
    OS_ASSERT_CMP(gt->allocated[ref], ==, 1);
    if (!gnttab_entry_revoke(gt, ref))
        return -XEN_EBUSY;
    gnttab_count_revoke(gt);
    return 0;
}

int gnttab_revoke_many(struct gnttab *gt, const grant_ref_t *refs, uint32_t n, bool *busy)
{
    int rc = 0;

    for (uint32_t i = 0; i < n; i++) {
        bool still = gnttab_revoke(gt, refs[i]) != 0;

        if (busy)
            busy[i] = still;
        if (still)
            rc = -XEN_EBUSY;
    }
    return rc;
}
