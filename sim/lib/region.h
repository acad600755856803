/*
 * sim/lib/region.h - guest pages shown at consecutive addresses: an address
 * range reserved first, then pages of a domain's memory file mapped over it
 * one run at a time. Pages left without a frame stay inaccessible.
 */
#ifndef WINPV_SIMLIB_REGION_H
#define WINPV_SIMLIB_REGION_H

#include <stddef.h>
#include <stdint.h>

#include "memfile.h"

/*
 * Reserve @pages pages of address space, inaccessible. @hint and @flags as
 * for mmap(2); of the flags only MAP_FIXED and MAP_FIXED_NOREPLACE count.
 * Returns the address, or NULL with errno set.
 */
void *region_reserve(void *hint, size_t pages, int flags);

/*
 * Show at page i of @base the page at byte offsets[i] of @file, for i below
 * @pages, with protection @prot; SIM_NO_FRAME leaves page i as it is.
 * Consecutive offsets become one mapping. Every offset must have passed
 * memfile_has_page. Returns 0, or -1 with errno set (some pages may be
 * mapped: the caller releases the region).
 */
int region_fill(void *base, const struct memfile *file, const uint64_t *offsets, size_t pages,
                int prot);

/* Unmap @pages pages at @base. */
void region_release(void *base, size_t pages);

#endif /* WINPV_SIMLIB_REGION_H */
