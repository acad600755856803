/*
 * winpv/gnttab_interface.h - grant tables, served by XENBUS.
 *
 * Version 1. Every function may be called at any IRQL up to DISPATCH_LEVEL
 * and never blocks; the end_access completion runs at passive level. See
 * core/gnttab/gnttab.h for each function's meaning: the interface serves
 * that engine.
 *
 * A reference that did not come from alloc, or one used in the wrong state
 * (freed while granted, granted twice, freed twice), is a bug in the caller:
 * like any misuse of a kernel interface it stops the machine with a
 * bugcheck naming the broken assertion, before anything is corrupted.
 */
#ifndef WINPV_GNTTAB_INTERFACE_H
#define WINPV_GNTTAB_INTERFACE_H

#include <stdbool.h>

#include "winpv/interface.h"

/* {8067c3e0-7a91-4b92-8f32-523ea4c0af03} */
#define WINPV_GNTTAB_INTERFACE_GUID                        \
    {                                                      \
        0x8067c3e0, 0x7a91, 0x4b92,                        \
        {                                                  \
            0x8f, 0x32, 0x52, 0x3e, 0xa4, 0xc0, 0xaf, 0x03 \
        }                                                  \
    }

#define WINPV_GNTTAB_INTERFACE_VERSION_MIN 1
#define WINPV_GNTTAB_INTERFACE_VERSION_MAX 1

/* One grant of a batch. */
struct winpv_gnttab_grant {
    uint32_t ref;
    uint16_t domid;   /* the domain allowed to map or copy the page */
    uint8_t readonly; /* 0 or 1 */
    uint64_t gfn;
};

/*
 * Storage for a revoke that has to wait for a backend: the consumer keeps
 * it (embedded beside the page) from an end_access that returned true
 * until its completion runs. Opaque to the consumer.
 */
struct winpv_gnttab_deferred {
    void *opaque[8];
};

struct winpv_gnttab_interface_v1 {
    struct winpv_interface_header header;
    int (*alloc)(void *context, uint32_t *ref);
    void (*free)(void *context, uint32_t ref);
    int (*grant)(void *context, uint32_t ref, uint16_t domid, uint64_t gfn, bool readonly);
    int (*grant_many)(void *context, const struct winpv_gnttab_grant *grants, uint32_t count);
    int (*revoke)(void *context, uint32_t ref);
    int (*revoke_many)(void *context, const uint32_t *refs, uint32_t count, bool *busy);
    bool (*end_access)(void *context, uint32_t ref, struct winpv_gnttab_deferred *later,
                       void (*done)(void *ctx, int status), void *ctx);
};

#endif /* WINPV_GNTTAB_INTERFACE_H */
