/*
 * sim/blkback/misbehave.h - winpv-blkback as a backend that breaks the
 * protocol on purpose, for tests of a frontend's defences (the same
 * frontend that a test runs against the well-behaved backend, unchanged):
 * --misbehave KIND answers --misbehave-after N requests properly, then
 * gets one answer wrong as KIND says, then answers properly again (what
 * it does is on the ring; its own bookkeeping of requests stays right):
 *
 *   unknown-id   the answer carries an id the request did not have (~id)
 *   duplicate    the answer comes twice: again in place of the next one
 *                on its ring (which is never given)
 *   status       a status outside the protocol (MISBEHAVE_BAD_STATUS)
 *   operation    another operation than the request's
 *   overrun      the answer is published with a response index far
 *                beyond the requests (MISBEHAVE_OVERRUN more)
 *
 * Nodes that make no sense are the other half (--node in options.h).
 */
#ifndef WINPV_BLKBACK_MISBEHAVE_H
#define WINPV_BLKBACK_MISBEHAVE_H

#include <stdbool.h>
#include <stdint.h>

#include <xen/io/blkif.h>

#define MISBEHAVE_BAD_STATUS 7
#define MISBEHAVE_OVERRUN    1000u

enum misbehaviour {
    MISBEHAVE_NONE,
    MISBEHAVE_UNKNOWN_ID,
    MISBEHAVE_DUPLICATE,
    MISBEHAVE_STATUS,
    MISBEHAVE_OPERATION,
    MISBEHAVE_OVERRUN_INDEX,
};

/* How and when, and the answers given so far (over every connection of the process). */
struct misbehave {
    enum misbehaviour kind;
    uint64_t after;
    uint64_t answered;
};

/* The misbehaviour named @name (as --misbehave takes it); false when there is none such. */
bool misbehave_parse(const char *name, enum misbehaviour *kind);

/*
 * The answer @rsp about to be written, counted, and spoilt when its turn
 * has come: the id, status or operation changed here; DUPLICATE and
 * OVERRUN_INDEX returned for the ring's owner to carry out (the answer
 * left as it is). Returns what was done, MISBEHAVE_NONE but once.
 */
enum misbehaviour misbehave_answer(struct misbehave *m, struct blkif_response *rsp);

#endif /* WINPV_BLKBACK_MISBEHAVE_H */
