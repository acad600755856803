/* tests/gnttab/memory_frames.c - see memory_frames.h. */
#include <stddef.h>

#include <xen/errno.h>

#include "memory_frames.h"
#include "os_posix.h"

static int query_size(void *ctx, uint32_t *nr_frames, uint32_t *max_frames)
{
    struct memory_frames *mf = ctx;

    *nr_frames = 1;
    *max_frames = mf->max_frames;
    return 0;
}

static int map(void *ctx, uint32_t idx, uint64_t gfn)
{
    struct memory_frames *mf = ctx;

    if (idx >= mf->max_frames || (mf->fail_map_from && idx >= mf->fail_map_from))
        return -XEN_EINVAL;
    __atomic_add_fetch(&mf->maps, 1, __ATOMIC_RELAXED);
    __atomic_store_n(&mf->frame[idx], os_posix_gfn_to_va(gfn), __ATOMIC_RELEASE);
    return 0;
}

static int unmap(void *ctx, uint64_t gfn)
{
    struct memory_frames *mf = ctx;

    for (uint32_t i = 0; i < GNTTAB_MAX_FRAMES; i++) {
        if (mf->frame[i] == os_posix_gfn_to_va(gfn)) {
            mf->frame[i] = NULL;
            return 0;
        }
    }
    return -XEN_ENOENT;
}

const struct gnttab_frame_ops memory_frame_ops = {
    .query_size = query_size,
    .map = map,
    .unmap = unmap,
};

struct grant_entry_v1 *memory_entry(struct memory_frames *mf, grant_ref_t ref)
{
    struct grant_entry_v1 *frame =
        ref / GNTTAB_ENTRIES_PER_FRAME < GNTTAB_MAX_FRAMES
            ? __atomic_load_n(&mf->frame[ref / GNTTAB_ENTRIES_PER_FRAME], __ATOMIC_ACQUIRE)
            : NULL;

    return frame ? &frame[ref % GNTTAB_ENTRIES_PER_FRAME] : NULL;
}

/* As the hypervisor pins: flags and domid are one word, changed only if neither moved. */
bool memory_pin(struct grant_entry_v1 *e, domid_t domid, bool write)
{
    uint32_t *word = (uint32_t *)e;
    uint32_t old = __atomic_load_n(word, __ATOMIC_ACQUIRE);
    uint16_t pin = GTF_reading | (write ? GTF_writing : 0);

    do {
        uint16_t flags = (uint16_t)old;

        if ((flags & GTF_type_mask) != GTF_permit_access || (write && (flags & GTF_readonly)) ||
            (flags & (GTF_reading | GTF_writing)) || (uint16_t)(old >> 16) != domid)
            return false;
    } while (!__atomic_compare_exchange_n(word, &old, old | pin, false, __ATOMIC_SEQ_CST,
                                          __ATOMIC_ACQUIRE));
    return true;
}

void memory_unpin(struct grant_entry_v1 *e)
{
    __atomic_fetch_and(&e->flags, (uint16_t) ~(GTF_reading | GTF_writing), __ATOMIC_RELEASE);
}
