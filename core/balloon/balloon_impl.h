/*
 * core/balloon/balloon_impl.h - the balloon's state, shared by its files:
 * balloon.c (lifecycle, the target, the steps' pacing) and frames.c (pages
 * between the OS and Xen).
 *
 * Lock order: balloon.lock, then the store client's (a step makes no
 * xenstore request; the watch callback reads the target before locking).
 */
#ifndef WINPV_CORE_BALLOON_BALLOON_IMPL_H
#define WINPV_CORE_BALLOON_BALLOON_IMPL_H

#include "balloon/balloon.h"
#include "os.h"

/*
 * One set of pages the OS gave (one os_balloon_pages_take). Frames
 * [xen_first, xen_end) of gfns are with Xen; the others are populated and
 * held until the set goes back to the OS whole.
 */
struct balloon_chunk {
    struct balloon_chunk *next;
    struct os_balloon_pages *pages;
    size_t count;
    size_t xen_first, xen_end;
    uint64_t gfns[BALLOON_BATCH];
};

/* The one lifecycle state; balloon.c's set_state is the only place it changes. */
enum balloon_state {
    BALLOON_AT_TARGET, /* nothing to do until the target changes */
    BALLOON_MOVING,    /* steps under way toward the target */
    BALLOON_HELD,      /* short of the target: the OS spares no more, or Xen refused */
    BALLOON_STOPPING,  /* balloon_stop: no more steps */
};

/* What a step of frames.c did. */
enum balloon_step {
    BALLOON_STEP_DONE,       /* moved as asked */
    BALLOON_STEP_OS_SHORT,   /* the OS spared fewer pages than asked (or none) */
    BALLOON_STEP_XEN_REFUSED /* Xen took or gave fewer frames than asked */
};

struct balloon {
    struct xs_client *store;
    struct xs_watch *watch;
    uint64_t max_pages; /* memory/static-max: what the guest had at start */
    struct os_work work;
    struct os_timer timer;
    struct os_mutex lock; /* everything below */
    enum balloon_state state;
    uint64_t wanted;              /* pages the target asks Xen to hold */
    uint64_t out;                 /* pages Xen holds */
    struct balloon_chunk *chunks; /* newest first */
};

/*
 * Give up to @count more pages to Xen (a new chunk), or take the newest
 * chunk back (all of it: the next step gives what was too much again).
 * b->out follows. Called with b->lock held. Context: passive.
 */
enum balloon_step balloon_frames_give(struct balloon *b, size_t count);
enum balloon_step balloon_frames_take_back(struct balloon *b);

/*
 * Every chunk back from Xen and to the OS; a frame Xen does not give back
 * stays out (logged) and its chunk is never given to the OS. Context: passive.
 */
void balloon_frames_take_all_back(struct balloon *b);

#endif /* WINPV_CORE_BALLOON_BALLOON_IMPL_H */
