/*
 * xen/io/console.h - the PV console page (HVM_PARAM_CONSOLE_PFN): two byte
 * rings with free-running indices, "in" for input to the guest and "out"
 * for its output.
 */
#ifndef WINPV_XEN_IO_CONSOLE_H
#define WINPV_XEN_IO_CONSOLE_H

#include <stdint.h>

typedef uint32_t XENCONS_RING_IDX;

/* The position of index idx in ring (an array whose size is a power of two). */
#define MASK_XENCONS_IDX(idx, ring) ((idx) & (sizeof(ring) - 1))

struct xencons_interface {
    char in[1024];
    char out[2048];
    XENCONS_RING_IDX in_cons, in_prod;
    XENCONS_RING_IDX out_cons, out_prod;
};

#endif /* WINPV_XEN_IO_CONSOLE_H */
