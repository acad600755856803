/*
 * core/gnttab/gnttab_impl.h - the table's state, shared by the engine's
 * files (not by its users): frames.c shows frames, refs.c hands out
 * references, entry.c writes entries, deferred.c waits for backends,
 * gnttab.c creates, resumes and destroys.
 *
 * Locks, in the only order they nest: a processor's cache lock, or
 * grow_lock, then pool_lock. No two cache locks are ever held together.
 * deferred_lock nests in nothing and holds nothing else.
 */
#ifndef WINPV_CORE_GNTTAB_IMPL_H
#define WINPV_CORE_GNTTAB_IMPL_H

#include "gnttab/gnttab.h"
#include "os.h"

/* A processor's free references: at most CACHE_MAX, moved to and from the pool BATCH at a time. */
#define GNTTAB_CACHE_MAX 64u
#define GNTTAB_BATCH     32u

/* Cache lines are not shared between processors. */
#define GNTTAB_CACHE_LINE 64u

struct gnttab_cpu {
    struct os_spinlock lock;
    uint32_t count;
    grant_ref_t refs[GNTTAB_CACHE_MAX];
    volatile uint64_t grants; /* counted here so that granting shares no counter */
    volatile uint64_t revokes;
} __attribute__((aligned(GNTTAB_CACHE_LINE)));

struct gnttab {
    /* Frames: entries[ref] is entry ref; frame i is the page at entries + i * 512. */
    const struct gnttab_frame_ops *ops;
    void *ops_ctx;
    struct grant_entry_v1 *entries; /* the reserved pages */
    uint64_t *gfns;                 /* their guest frames */
    uint32_t reserved_frames;       /* pages reserved: the most frames ever */
    uint32_t capacity;              /* their entries: every reference is below */
    uint32_t max_frames;            /* the most frames to grow to (fewer after a failed resume) */
    volatile uint32_t nr_frames;    /* shown; their references are in use */
    struct os_spinlock grow_lock;

    /* References. */
    volatile uint8_t *allocated; /* one per entry: 1 while an owner (or a waiting revoke) has it */
    struct os_spinlock pool_lock;
    grant_ref_t *pool; /* free references no processor caches */
    uint32_t pool_count;
    struct gnttab_cpu *cpus;
    void *cpus_memory; /* what os_alloc returned for cpus */
    unsigned int nr_cpus;

    /* Revokes that wait for a backend. */
    struct os_spinlock deferred_lock;
    struct gnttab_deferred *pending;   /* retried by the timer */
    struct gnttab_deferred *completed; /* to be told, by the work */
    uint32_t nr_pending;
    struct os_timer retry;
    struct os_work complete;
    struct os_event idle; /* set while nothing is pending */
    uint64_t retry_ns;
    uint64_t destroy_wait_ns;

    /* Figures kept outside the processors' caches. */
    volatile uint64_t growths;
    volatile uint64_t alloc_failures;
    volatile uint64_t deferred;
    volatile uint64_t deferred_completed;
};

/* The entry of @ref. */
static inline struct grant_entry_v1 *gnttab_entry(struct gnttab *gt, grant_ref_t ref)
{
    return &gt->entries[ref];
}

/* The calling processor's cache. */
static inline struct gnttab_cpu *gnttab_this_cpu(struct gnttab *gt)
{
    return &gt->cpus[os_cpu_current() % gt->nr_cpus];
}

/* The entry's flags, once. */
static inline uint16_t gnttab_load_flags(struct grant_entry_v1 *e)
{
    return __atomic_load_n(&e->flags, __ATOMIC_ACQUIRE);
}

/* frames.c */
int gnttab_frames_reserve(struct gnttab *gt, uint32_t max_frames); /* passive */
int gnttab_frames_grow(struct gnttab *gt);                         /* any */
int gnttab_frames_remap(struct gnttab *gt);                        /* any */
void gnttab_frames_release(struct gnttab *gt);                     /* passive */

/* refs.c */
int gnttab_refs_init(struct gnttab *gt);  /* passive */
void gnttab_refs_fini(struct gnttab *gt); /* passive */
/* The free entries of frame @idx join the pool. Called with grow_lock held. */
void gnttab_refs_add_frame(struct gnttab *gt, uint32_t idx);
uint32_t gnttab_refs_held(struct gnttab *gt); /* references allocated now; any */
/* Free references at or above @end (frames lost at resume) leave the pool and caches; any. */
void gnttab_refs_forget_from(struct gnttab *gt, grant_ref_t end);

/* entry.c */
/* Clear the entry's flags unless a backend has it; returns whether it was revoked. Context: any. */
bool gnttab_entry_revoke(struct gnttab *gt, grant_ref_t ref);
void gnttab_count_revoke(struct gnttab *gt); /* in the figures; any */

/* deferred.c */
void gnttab_deferred_init(struct gnttab *gt); /* passive (create) */
/* Resume: the backends are gone, every pending revoke is done. Context: any. */
void gnttab_deferred_complete_all(struct gnttab *gt);
/* Destroy: wait for pending revokes, then abandon the rest; returns how many. Context: passive. */
uint32_t gnttab_deferred_shutdown(struct gnttab *gt);
uint32_t gnttab_deferred_pending(struct gnttab *gt); /* any */

#endif /* WINPV_CORE_GNTTAB_IMPL_H */
