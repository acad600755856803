/*
 * core/gnttab/gnttab.h - the grant table (version 1) of an HVM guest: its
 * frames, the references drivers allocate, granting a page to another
 * domain and taking the grant back.
 *
 * Frames. The table starts with one frame and grows one frame at a time,
 * when references run out, up to the hypervisor's maximum
 * (GNTTABOP_query_size). An HVM guest sees frame idx wherever it shows it in
 * its physical map (XENMEM_add_to_physmap, XENMAPSPACE_grant_table); the
 * pages, and so the guest frames, for every frame up to the maximum are
 * reserved at create time, so growing allocates nothing and may happen in
 * any context (an allocation in an event callback).
 *
 * References. Entries 0..GNTTAB_NR_RESERVED_ENTRIES-1 are the toolstack's
 * (console, xenstore) and never handed out; neither is an entry found still
 * in use when its frame is first shown (a grant a previous table left
 * behind, see gnttab_destroy). Each processor keeps a cache of free
 * references, refilled from and spilled to one pool in batches: allocating
 * and freeing take only the processor's own lock, and growing or taking
 * references from other processors' caches happen only when the pool is
 * empty.
 *
 * Revoking. A grant is taken back by clearing its flags with a
 * compare-and-swap, only while the hypervisor shows neither GTF_reading nor
 * GTF_writing (a backend has it mapped or is copying). gnttab_end_access
 * never fails: a grant still in use waits on a list retried by a timer, and
 * the owner is told, in passive context, when the page may be freed.
 *
 * Resume. After the domain was saved and restored as a new one, the
 * hypervisor's table is new and empty and the guest's memory is as it was:
 * gnttab_resume shows the frames again at the same guest frames; every
 * reference stays with its owner (owners grant again), and revokes that
 * waited for the old backends complete (those backends are gone).
 *
 * The entries are shared with the hypervisor only, which is trusted; what a
 * backend does reaches them only through it (GTF_reading, GTF_writing).
 */
#ifndef WINPV_CORE_GNTTAB_H
#define WINPV_CORE_GNTTAB_H

#include <stdbool.h>
#include <stdint.h>

#include <xen/grant_table.h>
#include <xen/xen.h>

/* Entries in one frame of a version 1 table. */
#define GNTTAB_ENTRIES_PER_FRAME (4096u / sizeof(struct grant_entry_v1))

/* The most frames a table uses, whatever the hypervisor allows (memory is reserved for each). */
#define GNTTAB_MAX_FRAMES 256u

#define GNTTAB_RETRY_NS_DEFAULT        (10ull * 1000 * 1000)   /* 10 ms */
#define GNTTAB_DESTROY_WAIT_NS_DEFAULT (5000ull * 1000 * 1000) /* 5 s */

/*
 * How the table's frames are found and shown. gnttab_xen_frames asks Xen;
 * another implementation lets the engine run on plain pages (tests).
 */
struct gnttab_frame_ops {
    /* The table's current and largest size, in frames. Context: passive. */
    int (*query_size)(void *ctx, uint32_t *nr_frames, uint32_t *max_frames);
    /* Show frame @idx (growing the table to it) at guest frame @gfn. Context: any. */
    int (*map)(void *ctx, uint32_t idx, uint64_t gfn);
    /* Take the frame shown at @gfn away and put RAM back there. Context: passive. */
    int (*unmap)(void *ctx, uint64_t gfn);
};

/*
 * Xen's: GNTTABOP_query_size; XENMEM_add_to_physmap; XENMEM_remove_from_physmap
 * then XENMEM_populate_physmap.
 */
extern const struct gnttab_frame_ops gnttab_xen_frames;

struct gnttab_config {
    uint32_t max_frames;      /* 0: the hypervisor's maximum (capped at GNTTAB_MAX_FRAMES) */
    uint64_t retry_ns;        /* waiting revokes retried this often; 0: the default */
    uint64_t destroy_wait_ns; /* gnttab_destroy waits this long for them; 0: the default */
    const struct gnttab_frame_ops *frames; /* NULL: gnttab_xen_frames */
    void *frames_ctx;
};

struct gnttab;

/* What gnttab_grant_many writes: one grant each. */
struct gnttab_grant {
    grant_ref_t ref;
    domid_t domid; /* the domain allowed to map or copy the page */
    bool readonly; /* that domain may only read it */
    uint64_t gfn;  /* the page; version 1 entries hold 32 bits */
};

/*
 * Told that a revoke which had to wait is over. @status 0: the grant is
 * revoked and its reference freed; the page may be freed or reused.
 * -XEN_EBUSY: the table was destroyed while a backend still had the page:
 * it must never be freed or reused (leak it). Runs in passive context.
 */
typedef void (*gnttab_revoked_fn)(void *ctx, int status);

/*
 * A revoke that waits: storage the caller provides (embedded in whatever
 * owns the page, so waiting never allocates). The engine owns it from a
 * gnttab_end_access that returned true until @done is called; @done may
 * free it.
 */
struct gnttab_deferred {
    struct gnttab_deferred *next;
    gnttab_revoked_fn done;
    void *ctx;
    grant_ref_t ref;
};

struct gnttab_stats {
    uint32_t frames;             /* frames in use */
    uint32_t max_frames;         /* the most the table may grow to */
    uint64_t grants;             /* entries granted */
    uint64_t revokes;            /* grants taken back, at once or after waiting */
    uint64_t deferred;           /* revokes that had to wait for a backend */
    uint64_t deferred_pending;   /* of those, still waiting */
    uint64_t deferred_completed; /* of those, done since */
    uint64_t growths;            /* frames added after the first */
    uint64_t alloc_failures;     /* allocations refused: every reference in use at the maximum */
};

/*
 * Set up the table: reserve pages for its largest size, show its first
 * frame. @config may be NULL (the defaults, Xen's frames). Returns 0 with
 * the table in *out, or -XEN_ENOMEM, or the hypervisor's error.
 * Context: passive.
 */
int gnttab_create(const struct gnttab_config *config, struct gnttab **out);

/*
 * Release the table. Every reference must have been freed or handed to
 * gnttab_end_access. Revokes still waiting are given destroy_wait_ns to
 * complete; any left then belong to backends that still hold the page: their
 * owners are told -XEN_EBUSY (leak the page), an error is logged, and their
 * entries stay granted in the hypervisor's table (the next table created
 * finds them in use and leaves them alone). The frames leave the physical
 * map, RAM goes back under their guest frames, and the pages are freed.
 * Context: passive.
 */
void gnttab_destroy(struct gnttab *gt);

/*
 * After the domain was restored as a new one (suspend returned 0): show the
 * frames again at the same guest frames. References keep their owners; the
 * entries are empty (owners grant again); waiting revokes complete (status
 * 0, in passive context later). Returns 0, or the hypervisor's error when a
 * frame could not be shown again: the table ends before it, references in
 * it that owners hold fail to grant with -XEN_EIO, and neither those free
 * now nor those freed later are handed out again. Context: any; nothing
 * else may use the table meanwhile (other processors are held still during
 * resume).
 */
int gnttab_resume(struct gnttab *gt);

/* Current figures. Context: any. */
void gnttab_get_stats(struct gnttab *gt, struct gnttab_stats *stats);

/*
 * Allocate a reference, growing the table when none is free. Returns 0 with
 * it in *ref, -XEN_ENOSPC when all are in use at the largest size, or the
 * hypervisor's error from growing. Context: any.
 */
int gnttab_alloc(struct gnttab *gt, grant_ref_t *ref);

/* Free a reference that is not granted (never granted, or revoked). Context: any. */
void gnttab_free(struct gnttab *gt, grant_ref_t ref);

/*
 * Let @domid map or copy guest page @gfn through @ref (allocated, not
 * granted now), read-only when @readonly. Returns 0, -XEN_EINVAL when @gfn
 * does not fit an entry, -XEN_EIO when @ref's frame was lost at resume.
 * Context: any.
 */
int gnttab_grant(struct gnttab *gt, grant_ref_t ref, domid_t domid, uint64_t gfn, bool readonly);

/*
 * @count grants at once (one write barrier for all). Every one is checked
 * first: on an error nothing is granted. Context: any.
 */
int gnttab_grant_many(struct gnttab *gt, const struct gnttab_grant *grants, uint32_t count);

/*
 * Take @ref's grant back now. Returns 0 (revoked, or not granted), or
 * -XEN_EBUSY when a backend has it mapped or is copying: it stays granted
 * (retry, or use gnttab_end_access). The reference stays allocated either
 * way. Context: any.
 */
int gnttab_revoke(struct gnttab *gt, grant_ref_t ref);

/*
 * gnttab_revoke on each of @count references. Returns 0 when all were
 * revoked, else -XEN_EBUSY; @busy (may be NULL) then says which are still
 * granted. Context: any.
 */
int gnttab_revoke_many(struct gnttab *gt, const grant_ref_t *refs, uint32_t count, bool *busy);

/*
 * Revoke @ref's grant and free the reference, however long a backend keeps
 * the page. Returns false when that is done: the page may be freed now.
 * Returns true when a backend still has it: the revoke is retried every
 * retry_ns using @later, and @done(@ctx, status) runs in passive context
 * when it is over; only then may the page be freed. Context: any.
 */
bool gnttab_end_access(struct gnttab *gt, grant_ref_t ref, struct gnttab_deferred *later,
                       gnttab_revoked_fn done, void *ctx);

#endif /* WINPV_CORE_GNTTAB_H */
