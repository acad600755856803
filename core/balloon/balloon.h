/*
 * core/balloon/balloon.h - the balloon: the guest gives RAM back to Xen and
 * takes it again as the toolstack's memory/target (KiB) asks.
 *
 * What the guest had at start is memory/static-max (KiB); the balloon holds
 * static-max - target with Xen. Pages go out in steps of at most
 * BALLOON_BATCH, one step each BALLOON_STEP_NS: taken from what the OS can
 * spare (os_balloon_pages_take), then XENMEM_decrease_reservation on their
 * frames; they come back by XENMEM_populate_physmap on the same frames,
 * then go back to the OS. When the OS can spare no more, or Xen refuses a
 * step, the balloon holds where it is, says so once, and moves again when
 * the target changes.
 *
 * The toolstack's keys are trusted in nothing: a target that is not a
 * decimal number of KiB, above static-max, or removed is a log line and
 * nothing else (the balloon goes on toward the last target it took).
 * The guest says it balloons with control/feature-balloon = 1 (a
 * toolstack that does not let it write the node only costs a log line),
 * and 0 once stopped.
 */
#ifndef WINPV_CORE_BALLOON_BALLOON_H
#define WINPV_CORE_BALLOON_BALLOON_H

#include <stdbool.h>
#include <stdint.h>

struct xs_client;
struct balloon;

#define BALLOON_BATCH   256u              /* pages a step at most */
#define BALLOON_STEP_NS (10ull * 1000000) /* between steps: at most 100 MiB/s */

/*
 * Read memory/static-max, watch memory/target, and say so. Returns 0 and
 * the balloon in *out; -XEN_ENOENT (logged) when static-max is missing or
 * not a number (nothing to measure a target against); else the failure.
 * Nothing is left running on failure. Context: passive.
 */
int balloon_start(struct xs_client *store, struct balloon **out);

/*
 * Stop moving, take every page back from Xen and give it to the OS, free
 * the balloon. A page Xen will not give back is never given to the OS:
 * logged and left out. Needs the store connection working (the watch is
 * removed) and passive context.
 */
void balloon_stop(struct balloon *balloon);

/* Pages with Xen now, and the pages the target asks for. Context: passive. */
struct balloon_counts {
    uint64_t out;
    uint64_t wanted;
    bool held; /* stopped short of wanted: the OS spared no more, or Xen refused */
};
void balloon_get_counts(struct balloon *balloon, struct balloon_counts *counts);

#endif /* WINPV_CORE_BALLOON_BALLOON_H */
