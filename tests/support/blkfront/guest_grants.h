/*
 * tests/support/blkfront/guest_grants.h - the test guest's grant table: version 1,
 * frame 0 only, shown in the guest's memory with XENMAPSPACE_grant_table.
 * Enough for a test frontend; the drivers' grant allocator lives in core/.
 */
#ifndef WINPV_TESTS_GUEST_GRANTS_H
#define WINPV_TESTS_GUEST_GRANTS_H

#include <stdbool.h>
#include <stdint.h>

#include <xen/grant_table.h>

/* Entries in frame 0: refs GNTTAB_NR_RESERVED_ENTRIES up to this are ours to hand out. */
#define GUEST_GRANT_ENTRIES 512

/* Map frame 0 of the guest's grant table. Once per guest; it stays mapped. */
int guest_grants_init(void);

/* Let @domid use frame @gfn (read-only when @readonly); the reference in *ref. */
int guest_grant(uint64_t gfn, domid_t domid, bool readonly, grant_ref_t *ref);

/*
 * Take grant @ref back, as Xen's rules require: only while the other side
 * has it neither mapped nor in a copy (-XEN_EBUSY otherwise, the grant
 * stays). The reference is then free again.
 */
int guest_grant_end(grant_ref_t ref);

/* The entry's flags as they stand (GTF_reading / GTF_writing are Xen's). */
uint16_t guest_grant_flags(grant_ref_t ref);

/* A reference in the table that is not granted now. */
grant_ref_t guest_grant_unused_ref(void);

#endif /* WINPV_TESTS_GUEST_GRANTS_H */
