/*
 * core/balloon/frames.c - pages between the OS and Xen.
 *
 * Out: a set of pages the OS can spare, then XENMEM_decrease_reservation
 * on their frames. Back: XENMEM_populate_physmap on the same frames, and
 * only when every frame of the set has memory again does the set go back
 * to the OS (it would otherwise use frames with nothing behind them).
 * Xen does a reservation's extents in order and says how many it did, so
 * the frames with Xen are always one run [xen_first, xen_end) of a chunk.
 */
#include <xen/memory.h>

#include "balloon/balloon_impl.h"
#include "hv/hv.h"

/* XENMEM_@cmd on @count frames: how many Xen did (an error did none). */
static size_t reservation(unsigned int cmd, uint64_t *gfns, size_t count)
{
    struct xen_memory_reservation r = {.nr_extents = count, .domid = DOMID_SELF};
    int64_t done;

    if (count == 0)
        return 0;
    set_xen_guest_handle(r.extent_start, gfns);
    done = hv_memory_op(cmd, &r);
    if (done < 0) {
        os_log(OS_LOG_WARN, "balloon: memory_op %u on %zu frames failed (%lld)\n", cmd, count,
               (long long)done);
        return 0;
    }
    if ((uint64_t)done > count) {
        os_log(OS_LOG_ERROR, "balloon: memory_op %u did %lld of %zu frames\n", cmd, (long long)done,
               count);
        done = (int64_t)count;
    }
    return (size_t)done;
}

/* Frames of @c still with Xen populated again, as many as Xen gives; whether all came. */
static bool repopulate(struct balloon *b, struct balloon_chunk *c)
{
    size_t with_xen = c->xen_end - c->xen_first;
    size_t done = reservation(XENMEM_populate_physmap, c->gfns + c->xen_first, with_xen);

    c->xen_first += done;
    b->out -= done;
    return done == with_xen;
}

static void chunk_free(struct balloon_chunk *c)
{
    os_balloon_pages_give(c->pages);
    os_free(c);
}

enum balloon_step balloon_frames_give(struct balloon *b, size_t count)
{
    struct balloon_chunk *c = os_alloc(sizeof(*c));
    size_t done;

    OS_ASSERT_CMP(count, <=, BALLOON_BATCH);
    if (c == NULL)
        return BALLOON_STEP_OS_SHORT;
    c->pages = os_balloon_pages_take(count, c->gfns, &c->count);
    if (c->pages == NULL) {
        os_free(c);
        return BALLOON_STEP_OS_SHORT;
    }
    done = reservation(XENMEM_decrease_reservation, c->gfns, c->count);
    c->xen_first = 0;
    c->xen_end = done;
    b->out += done;
    if (done < c->count) {
        /* Xen took only some: take those back and give the set to the OS again. */
        if (repopulate(b, c)) {
            chunk_free(c);
        } else {
            c->next = b->chunks;
            b->chunks = c;
        }
        return BALLOON_STEP_XEN_REFUSED;
    }
    c->next = b->chunks;
    b->chunks = c;
    return c->count < count ? BALLOON_STEP_OS_SHORT : BALLOON_STEP_DONE;
}

enum balloon_step balloon_frames_take_back(struct balloon *b)
{
    struct balloon_chunk *c = b->chunks;

    OS_ASSERT(c != NULL);
    if (!repopulate(b, c))
        return BALLOON_STEP_XEN_REFUSED;
    b->chunks = c->next;
    chunk_free(c);
    return BALLOON_STEP_DONE;
}

void balloon_frames_take_all_back(struct balloon *b)
{
    uint64_t kept = 0;

    while (b->chunks) {
        struct balloon_chunk *c = b->chunks;

        b->chunks = c->next;
        if (repopulate(b, c)) {
            chunk_free(c);
            continue;
        }
        /* Never give the OS a frame with nothing behind it: the set stays out for good. */
        kept += c->xen_end - c->xen_first;
        os_free(c);
    }
    if (kept)
        os_log(OS_LOG_ERROR, "balloon: Xen gave %llu page(s) not back: they stay out of use\n",
               (unsigned long long)kept);
}
