/*
 * sim/toolstack/store.h - a real xenstored on winpv-simd, and guests
 * introduced to it the way Xen's toolstack does: store and console rings in
 * the guest's special pages, granted to dom0 through the reserved grant
 * entries, their ports and frames in the HVM parameters, XS_INTRODUCE, and
 * the guest's /local/domain/N tree.
 */
#ifndef WINPV_SIM_STORE_H
#define WINPV_SIM_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "components.h"

enum xenstored_kind {
    XENSTORED_C,
    XENSTORED_OCAML,
};

struct xenstore {
    struct component daemon;
    enum xenstored_kind kind;
    char socket_path[300];
    struct xs_handle *xsh; /* the toolstack's connection (the real libxenstore) */
    /*
     * Each guest's quotas, set before xenstore_start; 0: C xenstored's own
     * defaults, oxenstored's 1000 nodes of 2048 bytes.
     */
    unsigned int quota_nodes;     /* nodes a domain may own */
    unsigned int quota_node_size; /* bytes of one node */
};

struct guest_rings {
    uint64_t ram_pages; /* the guest's RAM, ahead of the special pages */
    uint64_t store_gfn;
    uint32_t store_port; /* the guest's port */
    uint64_t console_gfn;
    uint32_t console_port;
};

/*
 * Start @kind of xenstored for @simd's run and connect to it. Also points
 * this process's libxenstore (XENSTORED_PATH) at it, so the xenstore-*
 * tools started from here use it too. On failure, prints why.
 */
int xenstore_start(struct simd *simd, struct xenstore *xs, enum xenstored_kind kind);

/* Close the connection and stop the daemon; as component_stop returns. */
int xenstore_stop(struct xenstore *xs);

/* Prepare domain @domid's rings and introduce it to xenstored. */
int xenstore_introduce(struct simd *simd, struct xenstore *xs, uint32_t domid,
                       struct guest_rings *rings);

/*
 * A domain restored paused (simd_domain_restore_paused) set up as Xen's
 * toolstack does before unpausing it: its store and console rings where
 * the guest had them (HVM parameters kept from the image), their contents
 * untouched, new ports for dom0 to bind named by the HVM parameters, the
 * reserved grant entries seeded again, XS_INTRODUCE, its tree.
 */
int xenstore_introduce_restored(struct simd *simd, struct xenstore *xs, uint32_t domid,
                                struct guest_rings *rings);

/*
 * Domain @domid is going (call it before destroying the domain, whose end
 * xenstored also notices by itself): its tree removed, xenstored forgets
 * it (XS_RELEASE).
 */
int xenstore_release(struct xenstore *xs, uint32_t domid);

/* A suspend the toolstack cancelled: xenstored told (XS_RESUME). */
int xenstore_resume(struct xenstore *xs, uint32_t domid);

/*
 * Domain @domid's memory/target in KiB, the balloon's target the
 * toolstack set: 0, -XEN_ENOENT or -XEN_EINVAL (not a number). A restore
 * carries it to the new domain as Xen's toolstack does (its saved
 * configuration holds the target): a domain restored at static-max would
 * have its guest take back every page it had given Xen.
 */
int xenstore_memory_target(struct xenstore *xs, uint32_t domid, uint64_t *kib);
int xenstore_set_memory_target(struct xenstore *xs, uint32_t domid, uint64_t kib);

/*
 * Transactions are libxenstore's xs_transaction_t (a uint32_t), written so:
 * <xenstore.h> stays out of this header, which core/xenstore's client meets.
 */

/* Write @dir/@node, its value printf-formatted, in transaction @t (or XBT_NULL). */
bool xenstore_write_in(struct xenstore *xs, uint32_t t, const char *dir, const char *node,
                       const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* The xenbus state in @dir/state, XenbusStateUnknown when there is none. */
int xenstore_read_state(struct xenstore *xs, uint32_t t, const char *dir);

/*
 * Run @body(@ctx) in a transaction, again while the commit meets a
 * conflict (EAGAIN), at most 10 times. @body returns false to abort.
 * Returns 0, or -XEN_EIO when it failed or never committed.
 */
int xenstore_transact(struct xenstore *xs,
                      bool (*body)(struct xenstore *xs, uint32_t t, const void *ctx),
                      const void *ctx);

/*
 * Start removing the device whose backend directory is @backend_path, as
 * libxl does: in one transaction, "online" 0 and, unless the backend is
 * Closed already, "state" Closing. The backend then closes with its
 * frontend. Returns 0 or -XEN_EIO.
 */
int xenstore_device_remove(struct xenstore *xs, const char *backend_path);

#endif /* WINPV_SIM_STORE_H */
