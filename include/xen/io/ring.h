/*
 * xen/io/ring.h - the layout of a shared I/O ring, as used by every split
 * driver protocol (blkif, netif, ...).
 *
 * A shared ring is one or more pages: a 64-byte header, then an array of
 * entries, each big enough for a request or a response (each protocol
 * defines a union <proto>_sring_entry). The number of entries is a power of
 * two, so free-running indices wrap without a modulus: entry i is at
 * ring[i & (entries - 1)].
 *
 * The frontend produces requests (req_prod) and the backend responses
 * (rsp_prod), writing the entries before the index (write barrier). Each
 * consumer sets its event index (the backend req_event, the frontend
 * rsp_event) to the producer index at which it next wants a notification;
 * a producer that moves its index from old to new sends one when
 * old < event <= new, in wrapping arithmetic.
 */
#ifndef WINPV_XEN_IO_RING_H
#define WINPV_XEN_IO_RING_H

#include <stdint.h>

typedef uint32_t RING_IDX;

/* The start of every shared ring page; entries follow at its end. */
struct xen_sring_header {
    RING_IDX req_prod, req_event;
    RING_IDX rsp_prod, rsp_event;
    union {
        struct {
            uint8_t smartpoll_active;
        } netif;
        struct {
            uint8_t msg;
        } tapif_user;
        uint8_t pvt_pad[4];
    } pvt; /* protocol-private; zero unless the protocol says otherwise */
    uint8_t pad[44];
};

/*
 * Entries in a ring of ring_bytes bytes (header included) whose entries are
 * entry_bytes each: as many as fit, rounded down to a power of two. A
 * constant expression when both arguments are.
 */
#define XEN_RING_ENTRIES(ring_bytes, entry_bytes) \
    XEN_RING_POW2_FLOOR(((ring_bytes) - sizeof(struct xen_sring_header)) / (entry_bytes))

/*
 * The largest power of two not above n (0 for 0), for n below 2^32: copy
 * the top bit into every lower bit, then keep only the top one.
 */
#define XEN_RING_POW2_FLOOR(n) (XEN_RING_FILL_BELOW(n) - (XEN_RING_FILL_BELOW(n) >> 1))
#define XEN_RING_FILL_BELOW(n)                                                             \
    XEN_RING_OR_SHIFTED(                                                                   \
        XEN_RING_OR_SHIFTED(                                                               \
            XEN_RING_OR_SHIFTED(XEN_RING_OR_SHIFTED(XEN_RING_OR_SHIFTED(n, 1), 2), 4), 8), \
        16)
#define XEN_RING_OR_SHIFTED(x, bits) ((x) | ((x) >> (bits)))

#endif /* WINPV_XEN_IO_RING_H */
