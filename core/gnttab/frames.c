/*
 * core/gnttab/frames.c - the table's frames in the guest's physical map.
 *
 * The pages for every frame up to the maximum are allocated at create time
 * (os_pages_alloc is passive); showing frame i at the guest frame of page i
 * replaces that page's RAM with the table's frame (the hypervisor takes the
 * RAM back), so the page's address then reads and writes the table. Before
 * the pages are freed, the frames leave the map and RAM is put back.
 */
#include "gnttab/gnttab_impl.h"

int gnttab_frames_reserve(struct gnttab *gt, uint32_t max_frames)
{
    gt->gfns = os_alloc(max_frames * sizeof(*gt->gfns));
    if (gt->gfns == NULL)
        return -XEN_ENOMEM;
    gt->entries = os_pages_alloc(max_frames, gt->gfns);
    if (gt->entries == NULL) {
        os_free(gt->gfns);
        gt->gfns = NULL;
        return -XEN_ENOMEM;
    }
    gt->reserved_frames = gt->max_frames = max_frames;
    gt->capacity = max_frames * (uint32_t)GNTTAB_ENTRIES_PER_FRAME;
    gt->nr_frames = 0;
    return 0;
}

/*
 * Show one more frame and put its free entries in the pool. Returns 0,
 * -XEN_ENOSPC at the maximum, or the hypervisor's error. Context: any.
 */
int gnttab_frames_grow(struct gnttab *gt)
{
    os_irql_t irql = os_spin_lock(&gt->grow_lock);
    uint32_t idx = gt->nr_frames;
    int rc = -XEN_ENOSPC;

    if (idx < gt->max_frames) {
        rc = gt->ops->map(gt->ops_ctx, idx, gt->gfns[idx]);
        if (rc == 0) {
            /* Before its references are handed out: a grant checks it. */
            os_atomic_store32(&gt->nr_frames, idx + 1);
            gnttab_refs_add_frame(gt, idx);
            if (idx > 0)
                os_atomic_add64(&gt->growths, 1);
        } else {
            os_log(OS_LOG_ERROR, "gnttab: showing frame %u failed: %d\n", idx, rc);
        }
    }
    os_spin_unlock(&gt->grow_lock, irql);
    return rc;
}

/*
 * Show every frame in use again, at the same guest frames (resume). A
 * frame that fails ends the table there. Context: any.
 */
int gnttab_frames_remap(struct gnttab *gt)
{
    os_irql_t irql = os_spin_lock(&gt->grow_lock);
    uint32_t nr = gt->nr_frames, idx;
    int rc = 0;

    for (idx = 0; idx < nr && rc == 0; idx++)
        rc = gt->ops->map(gt->ops_ctx, idx, gt->gfns[idx]);
    if (rc) {
        idx--;
        os_log(OS_LOG_ERROR,
               "gnttab: showing frame %u again failed (%d): references from %u on are lost\n", idx,
               rc, idx * (uint32_t)GNTTAB_ENTRIES_PER_FRAME);
        os_atomic_store32(&gt->nr_frames, idx);
        gt->max_frames = idx; /* no growing into what the hypervisor refused */
    }
    os_spin_unlock(&gt->grow_lock, irql);
    return rc;
}

/*
 * Take the frames out of the map, RAM back under their guest frames, and
 * free the pages. A guest frame that cannot get RAM back must not be handed
 * out again: then the pages are leaked, with an error logged.
 * Context: passive.
 */
void gnttab_frames_release(struct gnttab *gt)
{
    uint32_t failed = 0;

    for (uint32_t idx = 0; idx < gt->nr_frames; idx++) {
        int rc = gt->ops->unmap(gt->ops_ctx, gt->gfns[idx]);

        if (rc) {
            os_log(OS_LOG_ERROR, "gnttab: frame %u at gfn %#llx could not be given back: %d\n", idx,
                   (unsigned long long)gt->gfns[idx], rc);
            failed++;
        }
    }
    if (failed)
        os_log(OS_LOG_ERROR, "gnttab: leaking the table's %u pages\n", gt->reserved_frames);
    else
        os_pages_free(gt->entries, gt->reserved_frames);
    os_free(gt->gfns);
    gt->entries = NULL;
    gt->gfns = NULL;
    gt->nr_frames = 0;
}
