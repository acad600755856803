/*
 * tests/support/sim/guest_events.h - a test guest's event-channel engine, run by
 * winpv-simd's upcall thread as the upcall DPC runs it on Windows.
 */
#ifndef WINPV_TESTS_SIM_GUEST_EVENTS_H
#define WINPV_TESTS_SIM_GUEST_EVENTS_H

#include "evtchn/evtchn.h"
#include "hv/shared_info.h"

struct guest_events {
    struct hv_shared_info *shared;
    struct evtchn_engine *engine;
};

/*
 * Map shared_info, create the engine for @vcpus and hand it to the upcall
 * thread. Returns 0, or the error of the step that failed (nothing left
 * behind).
 */
int guest_events_start(struct guest_events *ev, unsigned int vcpus);

/* Take the engine from the upcall thread (once no upcall runs it), destroy it, unmap. */
void guest_events_stop(struct guest_events *ev);

#endif /* WINPV_TESTS_SIM_GUEST_EVENTS_H */
