/*
 * bench/vbd/stack_side.h - the disk path through the whole Windows stack:
 * a second domain of winpv-simd running the simulated Windows kernel
 * (winpv-ntsim) with the shipped xenbus.sys and xenvbd.sys, its disk
 * class and Storport above them, on winpv-blkback serving the bench's
 * image; workloads asked of the guest on its control socket (what
 * winpv-sim io asks), each measured as the guest, winpv-simd and the
 * backend spend processor time on it.
 */
#ifndef WINPV_BENCH_VBD_STACK_SIDE_H
#define WINPV_BENCH_VBD_STACK_SIDE_H

#include <stdint.h>

#include "blkback.h"
#include "components.h"
#include "processes.h"
#include "simd.h"
#include "store.h"

struct stack_side {
    uint32_t domid;
    struct blkback blkback;
    struct component guest;
    char socket[108], log[300];
    struct processes processes;
};

/* Start the domain, its backend on @image and its kernel; 0 once its disk is found, or -1. */
int stack_start(struct simd *simd, struct xenstore *xs, const char *image, struct stack_side *s);

/*
 * @rw ("read", "randread", "write", ...) of @bs bytes a request, @qd at
 * once, for @seconds through the stack; its figures, with '#' lines of
 * where the time went. 0, or -1 (said on stderr).
 */
struct stack_result {
    double iops, mb_per_s;
    double guest_us; /* the guest's processor time a request, in microseconds */
};

int stack_run(struct stack_side *s, const char *rw, uint32_t bs, unsigned int qd,
              unsigned int seconds, struct stack_result *r);

/* Stop the kernel (its devices removed as Windows would), the backend, and the domain. */
void stack_stop(struct simd *simd, struct xenstore *xs, struct stack_side *s);

#endif /* WINPV_BENCH_VBD_STACK_SIDE_H */
