/*
 * tests/vbd/front/response_harness.h - the blkif frontend (core/vbd/front)
 * run by a sequence of operations decoded from bytes, against the backend
 * of response_backend.h on the fake XENBUS tables of fake_services.h, with
 * no thread of its own: what the vbd-response-fuzz fuzzer runs, and the
 * vbdfront_response test replays.
 *
 * The input. Four bytes choose the backend and the frontend's options, then
 * operations follow until the input ends (missing bytes read as 0):
 *
 *   [0] ring     bits 0-2 max-ring-page-order (7: no node), bit 3
 *                no_multi_page_ring, bit 4 no_multi_queue, bits 5-7
 *                multi-queue-max-queues (0: no node)
 *   [1] transfer bits 0-2 feature-max-indirect-segments (none, 0, 11, 12,
 *                16, 32, 64, 513), bit 3 feature-persistent, bit 4
 *                no_indirect, bit 5 no_persistent, bits 6-7 copy_pages
 *                (1, 8, 24, 64; the frontend takes at least what its
 *                largest request needs)
 *   [2] disk     bits 0-1 sector-size 512 << n, bit 2 feature-flush-cache,
 *                bit 3 feature-barrier, bit 4 feature-discard, bit 5
 *                discard-secure, bit 6 read-only, bit 7 no_flush
 *   [3] limits   bit 7: once open, only bits 0-5 more grant references may
 *                be in use; bit 6: the first two commits of the store conflict
 *
 * Each operation is a byte (taken modulo 16; 8-15 repeat SUBMIT, ANSWER x2,
 * PUBLISH, SUBMIT, ANSWER, RAW and EVENT) and its arguments:
 *
 *   0 SUBMIT  kind queue length shape: a request of its own 512 KiB of the
 *             disk (request n at byte n << 19). kind bits 0-1 READ, WRITE,
 *             FLUSH, DISCARD; bit 2 FUA (write) or secure (discard); bit 3
 *             submit another like it from its completion; bits 4-7 where it
 *             starts (16 KiB steps). length: 1 + 2n sectors, rounded up to the
 *             backend's; a discard's ranges. shape: bits 0-1 the sg list
 *             (page parts, 1 KiB parts, 700-byte parts, one element more),
 *             bits 2-4 the buffer's offset in its page, bits 5-7 io.offset.
 *   1 ANSWER  queue pick how: a response to a request taken (the pick-th not
 *             yet answered, or any when pick bit 7 is set) with its own id.
 *             how bits 0-2 status (OKAY x4, ERROR, EOPNOTSUPP, 1, -3); bit 3
 *             a wrong operation; bit 4 an indirect request answered as
 *             BLKIF_OP_INDIRECT; bit 5 keep its first page mapped first;
 *             bits 6-7 then nothing, publish, publish and fire the event.
 *   2 RAW     queue pick delta(4) operation status(2): a response whose id
 *             is the pick-th request's xor delta (shifted 32 bits when pick
 *             bit 7 is set), any operation and status.
 *   3 PUBLISH queue mode delta: the response index published: bits 0-1 the
 *             backend's own, that + delta (signed), both moved by delta,
 *             requests taken + delta; bit 2 then fire the event.
 *   4 EVENT   queue: the queue's event callback, as the upcall runs it.
 *   5 HOLD    queue pick which: keep a grant of a request taken mapped.
 *   6 RELEASE pick: let go of one grant kept (255: all).
 *   7 BACKEND what arg arg2, what modulo 8: the backend 0 leaves (asks to
 *             close), 1 starts over (InitWait), 2 asks to close and lets go of
 *             the pages it kept arg % 4 ms later, while the frontend waits for
 *             them; 3 resizes to arg % 72 x 512 KiB; 4 leaves and comes back
 *             with other features (arg: ring order, queues; arg2: segments,
 *             persistent), 5 refusing once, 6 with another sector size too;
 *             7 the toolstack unplugs the disk ("online" 0, Closing).
 *
 * After every operation the backend takes what was published and checks it
 * (response_backend.h), and at the end the frontend is closed. What is
 * checked, aborting on any violation:
 *  - a request is accepted exactly when it lies within the disk; every one
 *    accepted is completed exactly once (by the end), with BLKIF_RSP_OKAY,
 *    _ERROR or _EOPNOTSUPP; one refused is never completed;
 *  - a request completes OKAY only if OKAY responses with the real ids of
 *    ring requests taken after it was submitted cover every byte (every
 *    range of a discard), and a flush or FUA write only with an OKAY answer
 *    to a flush; a read OKAY has the disk's bytes, and no read or write
 *    buffer changes outside its data, nor a write buffer inside it;
 *  - a read through the copy pool that fails has no byte of a failed answer;
 *  - once the device was seen broken or unplugged, nothing completes OKAY,
 *    nothing new goes on a ring, and (unless the backend keeps a page)
 *    everything has completed; XENBUS is told once of a broken device, the
 *    owner at most once of a removal;
 *  - every ring request belongs to a request in flight, names the right part
 *    of its buffer (never another's page, none with persistent grants), and
 *    carries bytes no other ring request of the connection carries; what
 *    response_backend.h checks of each holds;
 *  - after closing, no grant, channel, page or memory is left.
 */
#ifndef WINPV_TESTS_VBDFRONT_RESPONSE_HARNESS_H
#define WINPV_TESTS_VBDFRONT_RESPONSE_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vbd/front.h"

#define RH_MAX_REQUESTS 64
#define RH_MAX_OPS      256

/* What a run ended with. */
struct rh_outcome {
    int open_rc;
    uint32_t requests; /* made, accepted or not */
    bool accepted[RH_MAX_REQUESTS];
    enum vbd_scsi_op op[RH_MAX_REQUESTS];
    int16_t status[RH_MAX_REQUESTS]; /* of each accepted request */
    uint8_t calls[RH_MAX_REQUESTS];  /* its completions */
    uint64_t read_bytes_checked;     /* of reads done OKAY, found to be the disk's */
    bool broken;                     /* before closing */
    bool unplugged;                  /* vbd_front_gone(), before closing */
    uint32_t gone;                   /* times the owner was told of a removal */
    uint32_t fails;                  /* times XENBUS was told the device failed */
    uint32_t connects;               /* times the backend connected */
    struct vbd_front_info info;      /* before closing */
    struct vbd_front_stats stats;    /* before closing */
};

/* Run @data (@size bytes) as above; what happened into *out. Context: passive. */
void rh_run(const uint8_t *data, size_t size, struct rh_outcome *out);

#endif /* WINPV_TESTS_VBDFRONT_RESPONSE_HARNESS_H */
