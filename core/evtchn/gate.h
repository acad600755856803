/*
 * core/evtchn/gate.h - one runner at a time, without waiting: a caller that
 * finds the gate held leaves a request instead, which the holder sees
 * before it leaves. Used for a channel's callback (an event for it taken on
 * another vCPU) and for a vCPU's upcall (a second call while one runs).
 * Context: any.
 */
#ifndef WINPV_CORE_EVTCHN_GATE_H
#define WINPV_CORE_EVTCHN_GATE_H

#include "os.h"

#define GATE_HELD   1u /* someone runs */
#define GATE_AGAIN  2u /* asked for while held */
#define GATE_CLOSED 4u /* never entered again */

/* Returns true when the caller now holds the gate; otherwise AGAIN is recorded (unless closed). */
static inline bool gate_enter(volatile uint32_t *gate)
{
    for (;;) {
        uint32_t old = os_atomic_load32(gate);

        if (old & GATE_CLOSED)
            return false;
        if (os_atomic_cas32(gate, old, old | (old & GATE_HELD ? GATE_AGAIN : GATE_HELD)))
            return !(old & GATE_HELD);
    }
}

/*
 * Leave, unless a request came meanwhile: then it is taken (cleared), the
 * gate stays held and false is returned, for the holder to see to it and
 * try again. On leaving, *was is the state just before.
 */
static inline bool gate_try_leave(volatile uint32_t *gate, uint32_t *was)
{
    for (;;) {
        uint32_t old = os_atomic_load32(gate);

        if (old & GATE_AGAIN) {
            if (os_atomic_cas32(gate, old, old & ~GATE_AGAIN))
                return false;
        } else if (os_atomic_cas32(gate, old, old & ~GATE_HELD)) {
            *was = old;
            return true;
        }
    }
}

/* Close for good; returns whether it was held (the holder then sees CLOSED on leaving). */
static inline bool gate_close(volatile uint32_t *gate)
{
    for (;;) {
        uint32_t old = os_atomic_load32(gate);

        if (os_atomic_cas32(gate, old, old | GATE_CLOSED))
            return old & GATE_HELD;
    }
}

#endif /* WINPV_CORE_EVTCHN_GATE_H */
