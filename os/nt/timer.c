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
    KeInitializeTimer(&timer->timer);
    KeInitializeDpc(&timer->dpc, timer_dpc, timer);
}

void os_timer_arm(struct os_timer *timer, uint64_t delay_ns)
{
    LARGE_INTEGER due = {.QuadPart = -(LONGLONG)(delay_ns / 100)};

    KeSetTimer(&timer->timer, due, &timer->dpc);
}

bool os_timer_cancel(struct os_timer *timer)
{
    return KeCancelTimer(&timer->timer) ? true : false;
}

void os_timer_sync(struct os_timer *timer)
{
    KeCancelTimer(&timer->timer);
    KeFlushQueuedDpcs();
    /* The callback may have armed the timer again before it returned. */
    KeCancelTimer(&timer->timer);
}
