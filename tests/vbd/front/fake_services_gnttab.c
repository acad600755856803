/*
 * tests/vbd/front/fake_services_gnttab.c - grants recorded, and revokes that
 * wait for a backend to let go; see fake_services.h.
 */
#include <stdlib.h>
#include <string.h>

#include "fake_services.h"
#include "os_posix.h"

/* The entry of @ref; out of range is a reference that never came from alloc. */
static struct fake_grant *grant_of(struct fake_gnttab *gt, uint32_t ref)
{
    uint32_t i = ref - FAKE_GNTTAB_FIRST_REF;

    if (ref < FAKE_GNTTAB_FIRST_REF || i >= gt->fresh)
        fake_violation("gnttab: reference %u was never allocated", ref);
    return &gt->refs[i];
}

/* Back on the free stack. Called with the lock held. */
static void grant_put(struct fake_gnttab *gt, struct fake_grant *g)
{
    g->state = FAKE_REF_FREE;
    g->waiting = false;
    gt->free_refs[gt->nr_free++] = (uint32_t)(g - gt->refs);
    gt->in_use--;
}

/* Room for one more fresh entry (below FAKE_GNTTAB_REFS). Called with the lock held. */
static void gnttab_grow(struct fake_gnttab *gt)
{
    if (gt->fresh < gt->cap)
        return;
    gt->cap = gt->cap ? gt->cap * 2 : 256; /* FAKE_GNTTAB_REFS is 256 << n */
    gt->refs = realloc(gt->refs, gt->cap * sizeof(*gt->refs));
    gt->free_refs = realloc(gt->free_refs, gt->cap * sizeof(*gt->free_refs));
    if (!gt->refs || !gt->free_refs)
        fake_violation("out of memory");
}

static int gnttab_alloc(void *context, uint32_t *ref)
{
    struct fake_gnttab *gt = context;
    uint32_t i;
    int rc = 0;

    pthread_mutex_lock(&gt->lock);
    if (gt->in_use >= gt->limit || (gt->nr_free == 0 && gt->fresh == FAKE_GNTTAB_REFS)) {
        rc = -XEN_ENOSPC;
    } else {
        if (gt->nr_free == 0)
            gnttab_grow(gt);
        i = gt->nr_free ? gt->free_refs[--gt->nr_free] : gt->fresh++;
        gt->refs[i] = (struct fake_grant){.state = FAKE_REF_ALLOCATED};
        gt->in_use++;
        *ref = i + FAKE_GNTTAB_FIRST_REF;
    }
    pthread_mutex_unlock(&gt->lock);
    return rc;
}

static void gnttab_free(void *context, uint32_t ref)
{
    struct fake_gnttab *gt = context;
    struct fake_grant *g;

    pthread_mutex_lock(&gt->lock);
    g = grant_of(gt, ref);
    if (g->state != FAKE_REF_ALLOCATED || g->waiting)
        fake_violation("gnttab: reference %u freed in state %u", ref, g->state);
    grant_put(gt, g);
    pthread_mutex_unlock(&gt->lock);
}

/* Called with the lock held. */
static void grant_one(struct fake_gnttab *gt, uint32_t ref, uint16_t domid, uint64_t gfn,
                      bool readonly)
{
    struct fake_grant *g = grant_of(gt, ref);

    if (g->state != FAKE_REF_ALLOCATED || g->waiting)
        fake_violation("gnttab: reference %u granted in state %u", ref, g->state);
    if (!os_posix_gfn_to_va(gfn))
        fake_violation("gnttab: reference %u grants frame %#llx, not ours", ref,
                       (unsigned long long)gfn);
    g->state = FAKE_REF_GRANTED;
    g->domid = domid;
    g->gfn = gfn;
    g->readonly = readonly;
}

static int gnttab_grant(void *context, uint32_t ref, uint16_t domid, uint64_t gfn, bool readonly)
{
    struct fake_gnttab *gt = context;

    pthread_mutex_lock(&gt->lock);
    grant_one(gt, ref, domid, gfn, readonly);
    pthread_mutex_unlock(&gt->lock);
    return 0;
}

static int gnttab_grant_many(void *context, const struct winpv_gnttab_grant *grants, uint32_t count)
{
    struct fake_gnttab *gt = context;

    pthread_mutex_lock(&gt->lock);
    for (uint32_t i = 0; i < count; i++)
        grant_one(gt, grants[i].ref, grants[i].domid, grants[i].gfn, grants[i].readonly != 0);
    pthread_mutex_unlock(&gt->lock);
    return 0;
}

/* Called with the lock held. */
static int revoke_one(struct fake_gnttab *gt, uint32_t ref)
{
    struct fake_grant *g = grant_of(gt, ref);

    if (g->state == FAKE_REF_FREE || g->waiting)
        fake_violation("gnttab: reference %u revoked, not the caller's", ref);
    if (g->state == FAKE_REF_GRANTED && g->held)
        return -XEN_EBUSY;
    g->state = FAKE_REF_ALLOCATED;
    return 0;
}

static int gnttab_revoke(void *context, uint32_t ref)
{
    struct fake_gnttab *gt = context;
    int rc;

    pthread_mutex_lock(&gt->lock);
    rc = revoke_one(gt, ref);
    pthread_mutex_unlock(&gt->lock);
    return rc;
}

static int gnttab_revoke_many(void *context, const uint32_t *refs, uint32_t count, bool *busy)
{
    struct fake_gnttab *gt = context;
    int rc = 0;

    pthread_mutex_lock(&gt->lock);
    for (uint32_t i = 0; i < count; i++) {
        bool b = revoke_one(gt, refs[i]) != 0;

        if (busy)
            busy[i] = b;
        if (b)
            rc = -XEN_EBUSY;
    }
    pthread_mutex_unlock(&gt->lock);
    return rc;
}

static bool gnttab_end_access(void *context, uint32_t ref, struct winpv_gnttab_deferred *later,
                              void (*done)(void *ctx, int status), void *ctx)
{
    struct fake_gnttab *gt = context;
    struct fake_grant *g;
    bool wait;

    if (!later || !done)
        fake_violation("gnttab: end_access of %u without storage or completion", ref);
    pthread_mutex_lock(&gt->lock);
    wait = revoke_one(gt, ref) != 0;
    g = grant_of(gt, ref);
    if (wait) {
        g->waiting = true;
        g->done = done;
        g->ctx = ctx;
        gt->waited++;
    } else {
        grant_put(gt, g);
    }
    pthread_mutex_unlock(&gt->lock);
    return wait;
}

/* The work: revokes that waited are over (passive, as the grant table tells owners). */
static void tell_owners(void *ctx)
{
    struct fake_gnttab *gt = ctx;

    for (;;) {
        struct fake_revoked r;

        pthread_mutex_lock(&gt->lock);
        if (gt->nr_revoked == 0) {
            pthread_mutex_unlock(&gt->lock);
            return;
        }
        r = gt->revoked[0];
        memmove(gt->revoked, gt->revoked + 1, --gt->nr_revoked * sizeof(r));
        pthread_mutex_unlock(&gt->lock);
        r.done(r.ctx, 0);
    }
}

bool fake_gnttab_lookup(struct fake_gnttab *gt, uint32_t ref, uint16_t *domid, uint64_t *gfn,
                        bool *readonly)
{
    uint32_t i = ref - FAKE_GNTTAB_FIRST_REF;
    bool granted;

    pthread_mutex_lock(&gt->lock);
    granted =
        ref >= FAKE_GNTTAB_FIRST_REF && i < gt->fresh && gt->refs[i].state == FAKE_REF_GRANTED;
    if (granted) {
        *domid = gt->refs[i].domid;
        *gfn = gt->refs[i].gfn;
        *readonly = gt->refs[i].readonly;
    }
    pthread_mutex_unlock(&gt->lock);
    return granted;
}

bool fake_gnttab_hold(struct fake_gnttab *gt, uint32_t ref)
{
    uint32_t i = ref - FAKE_GNTTAB_FIRST_REF;
    bool granted;

    pthread_mutex_lock(&gt->lock);
    granted =
        ref >= FAKE_GNTTAB_FIRST_REF && i < gt->fresh && gt->refs[i].state == FAKE_REF_GRANTED;
    if (granted && !gt->refs[i].held) {
        gt->refs[i].held = true;
        gt->held++;
    }
    pthread_mutex_unlock(&gt->lock);
    return granted;
}

void fake_gnttab_release(struct fake_gnttab *gt, uint32_t ref)
{
    struct fake_grant *g;
    bool tell = false;

    pthread_mutex_lock(&gt->lock);
    g = grant_of(gt, ref);
    if (g->held) {
        g->held = false;
        gt->held--;
        if (g->waiting) {
            if (gt->nr_revoked == gt->cap_revoked) {
                gt->cap_revoked = gt->cap_revoked ? gt->cap_revoked * 2 : 16;
                gt->revoked = realloc(gt->revoked, gt->cap_revoked * sizeof(*gt->revoked));
                if (!gt->revoked)
                    fake_violation("out of memory");
            }
            gt->revoked[gt->nr_revoked++] = (struct fake_revoked){g->done, g->ctx};
            grant_put(gt, g);
            tell = true;
        }
    }
    pthread_mutex_unlock(&gt->lock);
    if (tell)
        os_work_queue(&gt->tell);
}

uint32_t fake_gnttab_held(struct fake_gnttab *gt, uint32_t *refs, uint32_t max)
{
    uint32_t n = 0;

    pthread_mutex_lock(&gt->lock);
    for (uint32_t i = 0; i < gt->fresh; i++) {
        if (!gt->refs[i].held)
            continue;
        if (n < max)
            refs[n] = i + FAKE_GNTTAB_FIRST_REF;
        n++;
    }
    pthread_mutex_unlock(&gt->lock);
    return n;
}

void fake_gnttab_settle(struct fake_gnttab *gt)
{
    uint32_t left;

    do {
        os_work_flush(&gt->tell);
        pthread_mutex_lock(&gt->lock);
        left = gt->nr_revoked;
        pthread_mutex_unlock(&gt->lock);
    } while (left);
}

void fake_gnttab_init(struct fake_gnttab *gt)
{
    pthread_mutex_init(&gt->lock, NULL);
    gt->limit = FAKE_GNTTAB_REFS;
    os_work_init(&gt->tell, tell_owners, gt);
    gt->table = (struct winpv_gnttab_interface_v1){
        .header = fake_header(sizeof(gt->table), gt),
        .alloc = gnttab_alloc,
        .free = gnttab_free,
        .grant = gnttab_grant,
        .grant_many = gnttab_grant_many,
        .revoke = gnttab_revoke,
        .revoke_many = gnttab_revoke_many,
        .end_access = gnttab_end_access,
    };
}

void fake_gnttab_destroy(struct fake_gnttab *gt)
{
    fake_gnttab_settle(gt);
    if (gt->in_use || gt->held)
        fake_violation("gnttab: %u reference(s) left in use, %u grant(s) held", gt->in_use,
                       gt->held);
    free(gt->refs);
    free(gt->free_refs);
    free(gt->revoked);
}
