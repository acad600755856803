/*
 * core/gnttab/refs.c - handing out references.
 *
 * A free reference is in exactly one place: a processor's cache or the
 * pool. Allocating pops from the caller's processor's cache and freeing
 * pushes onto it, under that cache's own lock only (uncontended unless a
 * thread moved between processors). An empty cache takes a batch from the
 * pool; a full one gives a batch back. When the pool is empty the table
 * grows; at its largest, references are taken from other processors'
 * caches before an allocation is refused.
 *
 * allocated[] catches our own mistakes (a reference freed twice, or granted
 * while free): a broken invariant, asserted.
 */
#include <string.h>

#include "gnttab/gnttab_impl.h"

int gnttab_refs_init(struct gnttab *gt)
{
    uint32_t entries = gt->capacity;
    uintptr_t aligned;

    gt->nr_cpus = os_cpu_count() ? os_cpu_count() : 1;
    gt->allocated = os_alloc(entries);
    gt->pool = os_alloc(entries * sizeof(*gt->pool));
    /* os_alloc promises no alignment beyond the usual: align the caches by hand. */
    gt->cpus_memory = os_alloc(gt->nr_cpus * sizeof(*gt->cpus) + GNTTAB_CACHE_LINE);
    if (gt->allocated == NULL || gt->pool == NULL || gt->cpus_memory == NULL) {
        gnttab_refs_fini(gt);
        return -XEN_ENOMEM;
    }
    aligned =
        ((uintptr_t)gt->cpus_memory + GNTTAB_CACHE_LINE - 1) & ~(uintptr_t)(GNTTAB_CACHE_LINE - 1);
    gt->cpus = (struct gnttab_cpu *)aligned;
    for (unsigned int i = 0; i < gt->nr_cpus; i++)
        os_spin_init(&gt->cpus[i].lock);
    os_spin_init(&gt->pool_lock);
    gt->pool_count = 0;
    return 0;
}

void gnttab_refs_fini(struct gnttab *gt)
{
    os_free((void *)gt->allocated);
    os_free(gt->pool);
    os_free(gt->cpus_memory);
    gt->allocated = NULL;
    gt->pool = NULL;
    gt->cpus_memory = NULL;
    gt->cpus = NULL;
}

void gnttab_refs_add_frame(struct gnttab *gt, uint32_t idx)
{
    grant_ref_t first = idx * (grant_ref_t)GNTTAB_ENTRIES_PER_FRAME;
    grant_ref_t end = first + (grant_ref_t)GNTTAB_ENTRIES_PER_FRAME;
    uint32_t in_use = 0;
    os_irql_t irql;

    if (first < GNTTAB_NR_RESERVED_ENTRIES)
        first = GNTTAB_NR_RESERVED_ENTRIES;
    irql = os_spin_lock(&gt->pool_lock);
    /* Highest first, so that the lowest come out first. */
    for (grant_ref_t ref = end; ref-- > first;) {
        /* Left granted by an earlier table: take it back, unless a backend still has it. */
        if (!gnttab_entry_revoke(gt, ref)) {
            in_use++;
            continue;
        }
        gt->pool[gt->pool_count++] = ref;
    }
    os_spin_unlock(&gt->pool_lock, irql);
    if (in_use)
        os_log(OS_LOG_WARN, "gnttab: frame %u has %u entries a backend still uses; left alone\n",
               idx, in_use);
}

/* Keep only the references below @end of @n in @refs; returns how many stay. */
static uint32_t keep_below(grant_ref_t *refs, uint32_t n, grant_ref_t end)
{
    uint32_t kept = 0;

    for (uint32_t i = 0; i < n; i++)
        if (refs[i] < end)
            refs[kept++] = refs[i];
    return kept;
}

void gnttab_refs_forget_from(struct gnttab *gt, grant_ref_t end)
{
    os_irql_t irql = os_spin_lock(&gt->pool_lock);

    gt->pool_count = keep_below(gt->pool, gt->pool_count, end);
    os_spin_unlock(&gt->pool_lock, irql);
    for (unsigned int i = 0; i < gt->nr_cpus; i++) {
        struct gnttab_cpu *c = &gt->cpus[i];

        irql = os_spin_lock(&c->lock);
        c->count = keep_below(c->refs, c->count, end);
        os_spin_unlock(&c->lock, irql);
    }
}

uint32_t gnttab_refs_held(struct gnttab *gt)
{
    uint32_t held = 0;

    for (uint32_t ref = 0; ref < gt->capacity; ref++)
        held += __atomic_load_n(&gt->allocated[ref], __ATOMIC_RELAXED);
    return held;
}

/* Up to @want references from the pool into @out; returns how many. */
static uint32_t pool_take(struct gnttab *gt, grant_ref_t *out, uint32_t want)
{
    os_irql_t irql = os_spin_lock(&gt->pool_lock);
    uint32_t n = gt->pool_count < want ? gt->pool_count : want;

    gt->pool_count -= n;
    memcpy(out, &gt->pool[gt->pool_count], n * sizeof(*out));
    os_spin_unlock(&gt->pool_lock, irql);
    return n;
}

static void pool_put(struct gnttab *gt, const grant_ref_t *refs, uint32_t n)
{
    os_irql_t irql = os_spin_lock(&gt->pool_lock);

    OS_ASSERT_CMP(gt->pool_count + n, <=, gt->capacity);
    memcpy(&gt->pool[gt->pool_count], refs, n * sizeof(*refs));
    gt->pool_count += n;
    os_spin_unlock(&gt->pool_lock, irql);
}

/* The table is at its largest: up to @want references from any processor's cache. */
static uint32_t steal(struct gnttab *gt, grant_ref_t *out, uint32_t want)
{
    for (unsigned int i = 0; i < gt->nr_cpus; i++) {
        struct gnttab_cpu *c = &gt->cpus[i];
        os_irql_t irql = os_spin_lock(&c->lock);
        uint32_t n = c->count < want ? c->count : want;

        c->count -= n;
        memcpy(out, &c->refs[c->count], n * sizeof(*out));
        os_spin_unlock(&c->lock, irql);
        if (n)
            return n;
    }
    return 0;
}

/* A batch of free references into @batch (*got of them), growing the table if needed. */
static int take_batch(struct gnttab *gt, grant_ref_t *batch, uint32_t *got)
{
    int rc;

    for (;;) {
        *got = pool_take(gt, batch, GNTTAB_BATCH);
        if (*got)
            return 0;
        rc = gnttab_frames_grow(gt);
        if (rc)
            break;
    }
    *got = steal(gt, batch, GNTTAB_BATCH);
    return *got ? 0 : rc;
}

/* Keep @n free references in the caller's cache; what does not fit goes to the pool. */
static void stash(struct gnttab *gt, const grant_ref_t *refs, uint32_t n)
{
    struct gnttab_cpu *c = gnttab_this_cpu(gt);
    os_irql_t irql = os_spin_lock(&c->lock);
    uint32_t fit = GNTTAB_CACHE_MAX - c->count;

    if (fit > n)
        fit = n;
    memcpy(&c->refs[c->count], refs, fit * sizeof(*refs));
    c->count += fit;
    os_spin_unlock(&c->lock, irql);
    if (fit < n)
        pool_put(gt, refs + fit, n - fit);
}

static void set_allocated(struct gnttab *gt, grant_ref_t ref, uint8_t now)
{
    OS_ASSERT_CMP(ref, <, gt->capacity);
    OS_ASSERT_CMP(ref, >=, GNTTAB_NR_RESERVED_ENTRIES);
    OS_ASSERT_CMP(__atomic_exchange_n(&gt->allocated[ref], now, __ATOMIC_RELAXED), ==, !now);
}

/* The caller's cache was empty: a batch from elsewhere, one for the caller, the rest cached. */
static int refill(struct gnttab *gt, grant_ref_t *ref)
{
    grant_ref_t batch[GNTTAB_BATCH];
    uint32_t got;
    /* No cache lock held here: stealing takes the others one at a time. */
    int rc = take_batch(gt, batch, &got);

    if (rc) {
        os_atomic_add64(&gt->alloc_failures, 1);
        return rc;
    }
    *ref = batch[--got];
    if (got)
        stash(gt, batch, got);
    return 0;
}

int gnttab_alloc(struct gnttab *gt, grant_ref_t *ref)
{
    struct gnttab_cpu *c = gnttab_this_cpu(gt);
    os_irql_t irql = os_spin_lock(&c->lock);
    bool cached = c->count > 0;

    if (cached)
        *ref = c->refs[--c->count];
    os_spin_unlock(&c->lock, irql);
    if (!cached) {
        int rc = refill(gt, ref);

        if (rc)
            return rc;
    }
    set_allocated(gt, *ref, 1);
    return 0;
}

void gnttab_free(struct gnttab *gt, grant_ref_t ref)
{
    struct gnttab_cpu *c;
    os_irql_t irql;

    set_allocated(gt, ref, 0);
    /* Its frame was lost at resume: it has no entry, and is never handed out again. */
    if (ref >= os_atomic_load32(&gt->nr_frames) * GNTTAB_ENTRIES_PER_FRAME)
        return;
    /* Freeing a reference still granted is our bug. */
    OS_ASSERT_CMP(gnttab_load_flags(gnttab_entry(gt, ref)) & GTF_type_mask, ==, GTF_invalid);
    c = gnttab_this_cpu(gt);
    irql = os_spin_lock(&c->lock);
    if (c->count == GNTTAB_CACHE_MAX) {
        /* The oldest go: the newest entries are the likeliest still in the CPU's cache. */
        pool_put(gt, c->refs, GNTTAB_BATCH);
        c->count -= GNTTAB_BATCH;
        memmove(c->refs, c->refs + GNTTAB_BATCH, c->count * sizeof(c->refs[0]));
    }
    c->refs[c->count++] = ref;
    os_spin_unlock(&c->lock, irql);
}
