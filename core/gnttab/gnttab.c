/*
 * core/gnttab/gnttab.c - creating, resuming and destroying a grant table,
 * and its figures (see gnttab.h).
 */
#include <string.h>

#include "gnttab/gnttab_impl.h"

int gnttab_create(const struct gnttab_config *config, struct gnttab **out)
{
    static const struct gnttab_config defaults;
    struct gnttab *gt;
    uint32_t nr, max;
    int rc;

    if (config == NULL)
        config = &defaults;
    gt = os_alloc(sizeof(*gt));
    if (gt == NULL)
        return -XEN_ENOMEM;
    gt->ops = config->frames ? config->frames : &gnttab_xen_frames;
    gt->ops_ctx = config->frames_ctx;
    gt->retry_ns = config->retry_ns ? config->retry_ns : GNTTAB_RETRY_NS_DEFAULT;
    gt->destroy_wait_ns =
        config->destroy_wait_ns ? config->destroy_wait_ns : GNTTAB_DESTROY_WAIT_NS_DEFAULT;
    os_spin_init(&gt->grow_lock);
    rc = gt->ops->query_size(gt->ops_ctx, &nr, &max);
    if (rc == 0 && max == 0)
        rc = -XEN_ENOSPC;
    if (rc)
        goto fail;
    if (config->max_frames && config->max_frames < max)
        max = config->max_frames;
    if (max > GNTTAB_MAX_FRAMES)
        max = GNTTAB_MAX_FRAMES;
    rc = gnttab_frames_reserve(gt, max);
    if (rc)
        goto fail;
    rc = gnttab_refs_init(gt);
    if (rc)
        goto fail_frames;
    gnttab_deferred_init(gt);
    rc = gnttab_frames_grow(gt); /* frame 0 */
    if (rc)
        goto fail_refs;
    os_log(OS_LOG_INFO, "gnttab: up to %u frames (the hypervisor has %u now)\n", max, nr);
    *out = gt;
    return 0;

fail_refs:
    gnttab_refs_fini(gt);
fail_frames:
    gnttab_frames_release(gt);
fail:
    os_free(gt);
    return rc;
}

void gnttab_destroy(struct gnttab *gt)
{
    uint32_t abandoned = gnttab_deferred_shutdown(gt);
    uint32_t held = gnttab_refs_held(gt) - abandoned;

    if (held)
        os_log(OS_LOG_WARN, "gnttab: destroyed with %u references never freed\n", held);
    gnttab_frames_release(gt);
    gnttab_refs_fini(gt);
    os_free(gt);
}

/* The entries of a new table: the old ones' contents mean nothing there. */
static void forget_entries(struct gnttab *gt)
{
    uint32_t end = os_atomic_load32(&gt->nr_frames) * (uint32_t)GNTTAB_ENTRIES_PER_FRAME;

    /* The toolstack's entries are its own (it seeds them in the new domain). */
    for (grant_ref_t ref = GNTTAB_NR_RESERVED_ENTRIES; ref < end; ref++) {
        struct grant_entry_v1 *e = gnttab_entry(gt, ref);

        __atomic_store_n(&e->flags, 0, __ATOMIC_RELAXED);
        __atomic_store_n(&e->domid, 0, __ATOMIC_RELAXED);
        os_write_once32(&e->frame, 0);
    }
}

int gnttab_resume(struct gnttab *gt)
{
    int rc = gnttab_frames_remap(gt);

    /* Every grant on a lost frame would fail: its free references are not handed out again. */
    if (rc)
        gnttab_refs_forget_from(gt, os_atomic_load32(&gt->nr_frames) * GNTTAB_ENTRIES_PER_FRAME);
    forget_entries(gt);
    gnttab_deferred_complete_all(gt);
    os_log(OS_LOG_INFO, "gnttab: resumed with %u frames\n", os_atomic_load32(&gt->nr_frames));
    return rc;
}

static uint64_t load64(const volatile uint64_t *p)
{
    return __atomic_load_n(p, __ATOMIC_RELAXED);
}

void gnttab_get_stats(struct gnttab *gt, struct gnttab_stats *stats)
{
    memset(stats, 0, sizeof(*stats));
    stats->frames = os_atomic_load32(&gt->nr_frames);
    stats->max_frames = os_atomic_load32(&gt->max_frames);
    for (unsigned int i = 0; i < gt->nr_cpus; i++) {
        stats->grants += load64(&gt->cpus[i].grants);
        stats->revokes += load64(&gt->cpus[i].revokes);
    }
    stats->deferred = load64(&gt->deferred);
    stats->deferred_pending = gnttab_deferred_pending(gt);
    stats->deferred_completed = load64(&gt->deferred_completed);
    stats->growths = load64(&gt->growths);
    stats->alloc_failures = load64(&gt->alloc_failures);
}
