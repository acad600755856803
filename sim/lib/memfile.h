/*
 * sim/lib/memfile.h - the memory files of domains, as a handle holds them.
 *
 * winpv-simd keeps each domain's memory in one file and answers grant maps
 * and physical-map lookups with byte offsets in it; SIM_DOMAIN_MEMORY hands
 * the file itself over. A handle keeps the file of a domain open while it
 * maps pages of it (each mapping holds a reference) and closes it with the
 * last reference, so a domain id reused by a later domain never finds the
 * file of the earlier one.
 *
 * The caller holds the handle's lock around every function here.
 */
#ifndef WINPV_SIMLIB_MEMFILE_H
#define WINPV_SIMLIB_MEMFILE_H

#include <stdbool.h>
#include <stdint.h>

#include "simlib.h"

struct memfile {
    uint32_t domid;
    int fd;
    uint64_t size; /* bytes; whole pages */
    unsigned int refs;
    struct memfile *next;
};

struct memfile_cache {
    struct memfile *files;
};

/*
 * A reference to the memory file of @domid: the one the cache holds, or one
 * asked of the daemon on @c. Returns 0 with *file set, or a negative XEN_E*
 * value (-XEN_EIO when the daemon's answer does not describe a usable file).
 */
int memfile_get(struct memfile_cache *cache, struct simlib_conn *c, uint32_t domid,
                struct memfile **file);

/* Drop a reference from memfile_get; the last one closes the file. */
void memfile_put(struct memfile_cache *cache, struct memfile *file);

/* True when @offset (from the daemon) names a whole page inside @file. */
bool memfile_has_page(const struct memfile *file, uint64_t offset);

#endif /* WINPV_SIMLIB_MEMFILE_H */
