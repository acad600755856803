/*
 * sim/nt/ke_timer.c - kernel timers (KeInitializeTimer, KeInitializeTimerEx,
 * KeSetTimer, KeSetTimerEx, KeCancelTimer, KeReadStateTimer).
 *
 * Set timers are linked through their own TimerListEntry, as Windows keeps
 * them, in one list a timer thread serves: at the due time the timer is
 * signalled (waiters wake) and its DPC, if any, is queued; a periodic
 * timer is set again. DueTime holds the absolute interrupt time it is due.
 */
#include <errno.h>
#include <stdatomic.h>
#include <time.h>

#include "clock.h"
#include "exports_impl.h"
#include "kernel.h"

#define NOTIFICATION_TIMER    0
#define SYNCHRONIZATION_TIMER 1

static pthread_mutex_t timers_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t timers_changed;
static LIST_ENTRY timers = {&timers, &timers};
static pthread_t timer_thread;
static bool stopping, started;

static bool is_timer(const KTIMER *timer)
{
    return timer && (timer->Header.Type == NT_TIMER_NOTIFICATION ||
                     timer->Header.Type == NT_TIMER_SYNCHRONIZATION);
}

static NT_EXPORT void KeInitializeTimerEx(KTIMER *timer, uint32_t type)
{
    uint64_t caller = NT_CALLER;

    nt_require_irql(DISPATCH_LEVEL, caller, __func__);
    if (timer == NULL || type > SYNCHRONIZATION_TIMER)
        nt_verifier_fail(NT_VERIFY_ARGUMENT, caller, "KeInitializeTimerEx(%p, %u)", (void *)timer,
                         type);
    timer->Header.Type =
        type == NOTIFICATION_TIMER ? NT_TIMER_NOTIFICATION : NT_TIMER_SYNCHRONIZATION;
    timer->Header.Signalling = 0;
    timer->Header.Size = sizeof(*timer) / sizeof(int32_t);
    timer->Header.SignalState = 0;
    timer->Header.WaitListHead.Flink = timer->Header.WaitListHead.Blink =
        &timer->Header.WaitListHead;
    timer->DueTime = 0;
    timer->TimerListEntry.Flink = timer->TimerListEntry.Blink = NULL;
    timer->Dpc = NULL;
    timer->Processor = 0;
    timer->Period = 0;
}
NT_REGISTER(NTOSKRNL, KeInitializeTimerEx);

static NT_EXPORT void KeInitializeTimer(KTIMER *timer)
{
    nt_require_irql(DISPATCH_LEVEL, NT_CALLER, __func__);
    KeInitializeTimerEx(timer, NOTIFICATION_TIMER);
}
NT_REGISTER(NTOSKRNL, KeInitializeTimer);

/* Take @timer off the list; whether it was on it. Called with timers_lock held. */
static bool unlink_locked(KTIMER *timer)
{
    if (timer->TimerListEntry.Flink == NULL)
        return false;
    timer->TimerListEntry.Blink->Flink = timer->TimerListEntry.Flink;
    timer->TimerListEntry.Flink->Blink = timer->TimerListEntry.Blink;
    timer->TimerListEntry.Flink = timer->TimerListEntry.Blink = NULL;
    return true;
}

static void insert_locked(KTIMER *timer)
{
    timer->TimerListEntry.Flink = &timers;
    timer->TimerListEntry.Blink = timers.Blink;
    timers.Blink->Flink = &timer->TimerListEntry;
    timers.Blink = &timer->TimerListEntry;
    pthread_cond_broadcast(&timers_changed);
}

/* A Windows due time (negative: relative; positive: absolute system time) as interrupt time. */
static uint64_t due_interrupt_time(int64_t due)
{
    uint64_t now = nt_interrupt_time();

    if (due < 0)
        return now + (uint64_t)-due;
    return now + ((uint64_t)due > nt_system_time() ? (uint64_t)due - nt_system_time() : 0);
}

static NT_EXPORT BOOLEAN KeSetTimerEx(KTIMER *timer, int64_t due, int32_t period, KDPC *dpc)
{
    uint64_t caller = NT_CALLER;
    bool was_set;

    nt_require_irql(DISPATCH_LEVEL, caller, __func__);
    if (!is_timer(timer) || period < 0)
        nt_verifier_fail(NT_VERIFY_ARGUMENT, caller, "KeSetTimerEx(%p, period %d)", (void *)timer,
                         period);
    pthread_mutex_lock(&timers_lock);
    was_set = unlink_locked(timer);
    pthread_mutex_lock(&nt_dispatcher_lock);
    timer->Header.SignalState = 0;
    pthread_mutex_unlock(&nt_dispatcher_lock);
    timer->DueTime = due_interrupt_time(due);
    timer->Period = (uint32_t)period;
    timer->Dpc = dpc;
    timer->Processor = nt_current_vcpu();
    insert_locked(timer);
    pthread_mutex_unlock(&timers_lock);
    return was_set;
}
NT_REGISTER(NTOSKRNL, KeSetTimerEx);

static NT_EXPORT BOOLEAN KeSetTimer(KTIMER *timer, int64_t due, KDPC *dpc)
{
    nt_require_irql(DISPATCH_LEVEL, NT_CALLER, __func__);
    return KeSetTimerEx(timer, due, 0, dpc);
}
NT_REGISTER(NTOSKRNL, KeSetTimer);

static NT_EXPORT BOOLEAN KeCancelTimer(KTIMER *timer)
{
    uint64_t caller = NT_CALLER;
    bool was_set;

    nt_require_irql(DISPATCH_LEVEL, caller, __func__);
    if (!is_timer(timer))
        nt_verifier_fail(NT_VERIFY_ARGUMENT, caller, "KeCancelTimer(%p): no timer", (void *)timer);
    pthread_mutex_lock(&timers_lock);
    was_set = unlink_locked(timer);
    pthread_mutex_unlock(&timers_lock);
    return was_set;
}
NT_REGISTER(NTOSKRNL, KeCancelTimer);

static NT_EXPORT BOOLEAN KeReadStateTimer(KTIMER *timer)
{
    uint64_t caller = NT_CALLER;
    bool state;

    nt_require_irql(DISPATCH_LEVEL, caller, __func__);
    if (!is_timer(timer))
        nt_verifier_fail(NT_VERIFY_ARGUMENT, caller, "KeReadStateTimer(%p): no timer",
                         (void *)timer);
    pthread_mutex_lock(&nt_dispatcher_lock);
    state = timer->Header.SignalState > 0;
    pthread_mutex_unlock(&nt_dispatcher_lock);
    return state;
}
NT_REGISTER(NTOSKRNL, KeReadStateTimer);

/* Fire every timer that is due; the earliest still pending, or UINT64_MAX. */
static uint64_t fire_due_locked(void)
{
    uint64_t now = nt_interrupt_time(), next = UINT64_MAX;
    LIST_ENTRY *e = timers.Flink;

    nt_clock_refresh();
    while (e != &timers) {
        KTIMER *timer = (KTIMER *)((uint8_t *)e - offsetof(KTIMER, TimerListEntry));
        KDPC *dpc;

        e = e->Flink;
        if (timer->DueTime > now) {
            next = timer->DueTime < next ? timer->DueTime : next;
            continue;
        }
        /*
         * Once signalled, the timer may be gone (a waiter's timer lives on
         * its stack): everything it says is read, and it is set again, first.
         */
        dpc = timer->Dpc;
        unlink_locked(timer);
        if (timer->Period) {
            timer->DueTime = now + (uint64_t)timer->Period * 10000u;
            insert_locked(timer);
            next = timer->DueTime < next ? timer->DueTime : next;
        }
        if (dpc)
            nt_dpc_queue(dpc, (void *)(uintptr_t)now, NULL, 0);
        pthread_mutex_lock(&nt_dispatcher_lock);
        timer->Header.SignalState = 1;
        nt_dispatcher_signal_locked();
        pthread_mutex_unlock(&nt_dispatcher_lock);
    }
    return next;
}

static void *timer_main(void *unused)
{
    pthread_mutex_lock(&timers_lock);
    while (!stopping) {
        uint64_t next = fire_due_locked();
        struct timespec until;

        if (next == UINT64_MAX) {
            pthread_cond_wait(&timers_changed, &timers_lock);
            continue;
        }
        clock_gettime(CLOCK_MONOTONIC, &until);
        next = (next - nt_interrupt_time()) * 100; /* ns from now, >0: it was not due */
        until.tv_sec += (time_t)(next / 1000000000u);
        until.tv_nsec += (long)(next % 1000000000u);
        if (until.tv_nsec >= 1000000000) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000;
        }
        pthread_cond_timedwait(&timers_changed, &timers_lock, &until);
    }
    pthread_mutex_unlock(&timers_lock);
    return NULL;
}

int nt_timers_start(void)
{
    pthread_condattr_t attr;

    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&timers_changed, &attr);
    pthread_condattr_destroy(&attr);
    stopping = false;
    started = pthread_create(&timer_thread, NULL, timer_main, NULL) == 0;
    return started ? 0 : -1;
}

void nt_timers_stop(void)
{
    if (!started)
        return;
    pthread_mutex_lock(&timers_lock);
    stopping = true;
    pthread_cond_broadcast(&timers_changed);
    pthread_mutex_unlock(&timers_lock);
    pthread_join(timer_thread, NULL);
    started = false;
}

/* Timers a driver left set, for the unload check: counted and forgotten. */
size_t nt_timers_set_in(uint64_t base, uint64_t size)
{
    size_t count = 0;

    pthread_mutex_lock(&timers_lock);
    for (LIST_ENTRY *e = timers.Flink; e != &timers;) {
        KTIMER *timer = (KTIMER *)((uint8_t *)e - offsetof(KTIMER, TimerListEntry));
        uint64_t at = (uint64_t)(uintptr_t)timer;

        e = e->Flink;
        if ((at >= base && at < base + size) ||
            (timer->Dpc && (uint64_t)(uintptr_t)timer->Dpc->DeferredRoutine >= base &&
             (uint64_t)(uintptr_t)timer->Dpc->DeferredRoutine < base + size)) {
            unlink_locked(timer);
            count++;
        }
    }
    pthread_mutex_unlock(&timers_lock);
    return count;
}

static NT_EXPORT NTSTATUS KeDelayExecutionThread(int8_t mode, BOOLEAN alertable, int64_t *interval)
{
    uint64_t caller = NT_CALLER;
    KTIMER timer;

    nt_require_irql(APC_LEVEL, caller, __func__);
    if (interval == NULL)
        nt_verifier_fail(NT_VERIFY_ARGUMENT, caller, "KeDelayExecutionThread with no interval");
    KeInitializeTimerEx(&timer, NOTIFICATION_TIMER);
    KeSetTimerEx(&timer, *interval, 0, NULL);
    nt_wait_for_object(&timer.Header, NULL, caller, __func__);
    return STATUS_SUCCESS;
}
NT_REGISTER(NTOSKRNL, KeDelayExecutionThread);
