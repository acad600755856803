/*
 * sim/lib/gnttab.h - a libxengnttab handle on winpv-simd, shared by the
 * mapping calls (gnttab.c) and grant copies (gnttab_copy.c).
 *
 * A handle is one SIM_ROLE_GNTTAB connection. The daemon checks and pins
 * grants (SIM_GNTTAB_MAP, SIM_GNTTAB_COPY) and answers with the offsets of
 * the granted frames in the domain's memory file; this side maps or copies
 * them, then drops the pin (SIM_GNTTAB_UNMAP). Pins still held when the
 * connection closes are dropped by the daemon.
 */
#ifndef WINPV_SIMLIB_GNTTAB_H
#define WINPV_SIMLIB_GNTTAB_H

#include <stdbool.h>

#include <xengnttab.h>

#include "memfile.h"

struct gnttab_mapping;

struct xengntdev_handle {
    struct simlib_conn conn;
    struct memfile_cache files;
    struct gnttab_mapping *mappings;
    uint32_t max_grants; /* recorded, not enforced */
};

/* What one SIM_GNTTAB_MAP or SIM_GNTTAB_COPY pinned. */
struct gnttab_pin {
    uint64_t handle;      /* for SIM_GNTTAB_UNMAP */
    struct memfile *file; /* the granting domain's memory, referenced */
};

/*
 * Pin @count (1..SIM_MAX_FRAMES) grants @refs of @domid with a request of
 * @type (SIM_GNTTAB_MAP or SIM_GNTTAB_COPY); on success @pin holds the pin
 * and a reference to the domain's memory file, and offsets[i] is frame i's
 * page in that file. Returns 0 or a negative XEN_E* value; nothing is held
 * on failure. The caller holds the handle's lock.
 */
int gnttab_pin(xengnttab_handle *xgt, uint32_t type, uint32_t domid, const uint32_t *refs,
               uint32_t count, bool readonly, struct gnttab_pin *pin, uint64_t *offsets);

/* Drop what gnttab_pin took. Returns 0 or a negative XEN_E* value. */
int gnttab_unpin(xengnttab_handle *xgt, struct gnttab_pin *pin);

#endif /* WINPV_SIMLIB_GNTTAB_H */
