/*
 * tests/gnttab/memory_frames.h - the grant table engine on plain pages: no
 * hypervisor, the pages the engine reserves are the table, and the test
 * plays the hypervisor's part for a backend (GTF_reading, GTF_writing).
 */
#ifndef WINPV_TESTS_GNTTAB_MEMORY_FRAMES_H
#define WINPV_TESTS_GNTTAB_MEMORY_FRAMES_H

#include <stdbool.h>
#include <stdint.h>

#include "gnttab/gnttab.h"

struct memory_frames {
    uint32_t max_frames;    /* what query_size reports */
    uint32_t fail_map_from; /* map fails from this frame on (0: never) */
    uint32_t maps;          /* frames shown, counting each time again */
    struct grant_entry_v1 *volatile frame[GNTTAB_MAX_FRAMES]; /* where each is shown, or NULL */
};

extern const struct gnttab_frame_ops memory_frame_ops;

/* The entry of @ref, or NULL while its frame is not shown. Any thread. */
struct grant_entry_v1 *memory_entry(struct memory_frames *mf, grant_ref_t ref);

/*
 * A backend of domain @domid maps the entry, as the hypervisor pins it:
 * false unless it permits that (GTF_permit_access, the domain, not
 * GTF_readonly for @write). Unpin undoes one pin; one pin at a time.
 */
bool memory_pin(struct grant_entry_v1 *e, domid_t domid, bool write);
void memory_unpin(struct grant_entry_v1 *e);

#endif /* WINPV_TESTS_GNTTAB_MEMORY_FRAMES_H */
