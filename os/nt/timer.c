/* os/nt/timer.c - one-shot timers: a KTIMER whose DPC calls back. */
#include "os.h"

static void timer_dpc(PKDPC dpc, PVOID context, PVOID arg1, PVOID arg2)
{
    struct os_timer *timer = context;

    timer->fn(timer->ctx);
}

void os_timer_init(struct os_timer *timer, os_timer_fn fn, void *ctx)
{
    timer->fn = fn;
    timer->ctx = ctx;
    os_atomic_store32(&timer->stopping, 0);
    KeInitializeTimer(&timer->timer);
    KeInitializeDpc(&timer->dpc, timer_dpc, timer);
}

void os_timer_arm(struct os_timer *timer, uint64_t delay_ns)
{
    LARGE_INTEGER due = {.QuadPart = -(LONGLONG)(delay_ns / 100)};

    if (os_atomic_load32(&timer->stopping))
        return;
    KeSetTimer(&timer->timer, due, &timer->dpc);
}

bool os_timer_cancel(struct os_timer *timer)
{
    return KeCancelTimer(&timer->timer) ? true : false;
}

void os_timer_sync(struct os_timer *timer)
{
    os_atomic_xchg32(&timer->stopping, 1);
    /*
     * A callback running now may have read the flag before it was set and
     * re-arm the timer: let it return, then cancel, then flush once more so
     * a DPC the timer queued before the cancel has run (and could not
     * re-arm).
     */
    KeFlushQueuedDpcs();
    KeCancelTimer(&timer->timer);
    KeFlushQueuedDpcs();
}
