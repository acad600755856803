/*
 * sim/nt/ke_event.c - events, and waiting on any dispatcher object
 * (KeInitializeEvent, KeSetEvent, KeResetEvent, KeClearEvent,
 * KeReadStateEvent, KeWaitForSingleObject: events, timers, mutexes,
 * semaphores, threads).
 *
 * The object's state lives in the driver's KEVENT, as on Windows; the
 * kernel keeps no copy. Every dispatcher object shares one lock and one
 * condition: a change wakes every waiter to look again.
 */
#include <errno.h>
#include <time.h>

#include "clock.h"
#include "exports_impl.h"
#include "kernel.h"

pthread_mutex_t nt_dispatcher_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t dispatcher_changed;
static pthread_once_t cond_once = PTHREAD_ONCE_INIT;

static void init_cond(void)
{
    pthread_condattr_t attr;

    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&dispatcher_changed, &attr);
    pthread_condattr_destroy(&attr);
}

void nt_dispatcher_signal_locked(void)
{
    pthread_once(&cond_once, init_cond);
    pthread_cond_broadcast(&dispatcher_changed);
}

static void check_event(const KEVENT *event, uint64_t caller, const char *function)
{
    if (event == NULL)
        nt_verifier_fail(NT_VERIFY_ARGUMENT, caller, "%s: NULL event", function);
    if (event->Header.Type != NT_EVENT_NOTIFICATION &&
        event->Header.Type != NT_EVENT_SYNCHRONIZATION)
        nt_verifier_fail(NT_VERIFY_ARGUMENT, caller,
                         "%s: object %p is no initialized event (type %u)", function,
                         (const void *)event, event->Header.Type);
}

static NT_EXPORT void KeInitializeEvent(KEVENT *event, uint32_t type, BOOLEAN state)
{
    uint64_t caller = NT_CALLER;

    nt_require_irql(DISPATCH_LEVEL, caller, __func__);
    if (type > NT_EVENT_SYNCHRONIZATION)
        nt_verifier_fail(NT_VERIFY_ARGUMENT, caller, "KeInitializeEvent: type %u", type);
    event->Header.Type = (uint8_t)type;
    event->Header.Signalling = 0;
    event->Header.Size = sizeof(*event) / sizeof(int32_t);
    event->Header.Reserved1 = 0;
    event->Header.SignalState = state ? 1 : 0;
    event->Header.WaitListHead.Flink = &event->Header.WaitListHead;
    event->Header.WaitListHead.Blink = &event->Header.WaitListHead;
}

static NT_EXPORT int32_t KeSetEvent(KEVENT *event, int32_t increment, BOOLEAN wait)
{
    uint64_t caller = NT_CALLER;
    int32_t previous;

    /* With Wait TRUE the caller must wait next, which it may not above APC_LEVEL. */
    nt_require_irql(wait ? APC_LEVEL : DISPATCH_LEVEL, caller, __func__);
    check_event(event, caller, __func__);
    pthread_mutex_lock(&nt_dispatcher_lock);
    previous = event->Header.SignalState;
    event->Header.SignalState = 1;
    nt_dispatcher_signal_locked();
    pthread_mutex_unlock(&nt_dispatcher_lock);
    return previous;
}

/* KeResetEvent and KeClearEvent: not signalled; the state it had. */
static int32_t reset(KEVENT *event, uint64_t caller, const char *function)
{
    int32_t previous;

    nt_require_irql(DISPATCH_LEVEL, caller, function);
    check_event(event, caller, function);
    pthread_mutex_lock(&nt_dispatcher_lock);
    previous = event->Header.SignalState;
    event->Header.SignalState = 0;
    pthread_mutex_unlock(&nt_dispatcher_lock);
    return previous;
}

static NT_EXPORT int32_t KeResetEvent(KEVENT *event)
{
    return reset(event, NT_CALLER, __func__);
}

static NT_EXPORT void KeClearEvent(KEVENT *event)
{
    reset(event, NT_CALLER, __func__);
}

static NT_EXPORT int32_t KeReadStateEvent(KEVENT *event)
{
    uint64_t caller = NT_CALLER;
    int32_t state;

    nt_require_irql(DISPATCH_LEVEL, caller, __func__);
    check_event(event, caller, __func__);
    pthread_mutex_lock(&nt_dispatcher_lock);
    state = event->Header.SignalState;
    pthread_mutex_unlock(&nt_dispatcher_lock);
    return state;
}

/*
 * Take the object if it is signalled: a synchronization event or timer
 * resets, a semaphore counts down, a mutex becomes (again) the thread's; a
 * notification event or timer and an ended thread stay signalled.
 */
static bool try_acquire(DISPATCHER_HEADER *header)
{
    if (header->Type == NT_MUTANT)
        return nt_mutex_try_acquire_locked((KMUTANT *)header);
    if (header->SignalState <= 0)
        return false;
    if (header->Type == NT_EVENT_SYNCHRONIZATION || header->Type == NT_TIMER_SYNCHRONIZATION)
        header->SignalState = 0;
    else if (header->Type == NT_SEMAPHORE)
        header->SignalState--;
    return true;
}

/* The monotonic deadline of a Windows timeout: negative relative, positive absolute. */
static struct timespec deadline_of(int64_t timeout)
{
    uint64_t wait_100ns;
    struct timespec ts;

    if (timeout < 0) {
        wait_100ns = (uint64_t)-timeout;
    } else {
        uint64_t now = nt_system_time();
        wait_100ns = (uint64_t)timeout > now ? (uint64_t)timeout - now : 0;
    }
    clock_gettime(CLOCK_MONOTONIC, &ts);
    ts.tv_sec += (time_t)(wait_100ns / 10000000u);
    ts.tv_nsec += (long)(wait_100ns % 10000000u) * 100;
    if (ts.tv_nsec >= 1000000000) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000;
    }
    return ts;
}

/* Wait for one dispatcher object; called by every Ke wait. */
NTSTATUS nt_wait_for_object(DISPATCHER_HEADER *header, const int64_t *timeout, uint64_t caller,
                            const char *function)
{
    bool poll = timeout && *timeout == 0;
    struct timespec deadline;
    NTSTATUS status = STATUS_SUCCESS;

    if (nt_irql() > DISPATCH_LEVEL || (nt_irql() == DISPATCH_LEVEL && !poll))
        nt_verifier_fail(NT_VERIFY_WAIT_AT_DISPATCH, caller, "%s at IRQL %u with %s timeout",
                         function, nt_irql(), timeout ? "a nonzero" : "no");
    if (nt_current() && nt_current()->spinlocks)
        nt_verifier_fail(NT_VERIFY_WAIT_AT_DISPATCH, caller, "%s with a spinlock held", function);
    pthread_once(&cond_once, init_cond);
    if (timeout && !poll)
        deadline = deadline_of(*timeout);
    pthread_mutex_lock(&nt_dispatcher_lock);
    while (!try_acquire(header)) {
        int err;

        if (poll) {
            status = STATUS_TIMEOUT;
            break;
        }
        if (timeout)
            err = pthread_cond_timedwait(&dispatcher_changed, &nt_dispatcher_lock, &deadline);
        else
            err = pthread_cond_wait(&dispatcher_changed, &nt_dispatcher_lock);
        if (err == ETIMEDOUT && !try_acquire(header)) {
            status = STATUS_TIMEOUT;
            /* The clock a driver reads shows the timeout passed, as after the tick that ends it. */
            nt_clock_refresh();
            break;
        } else if (err == ETIMEDOUT) {
            break;
        }
    }
    pthread_mutex_unlock(&nt_dispatcher_lock);
    return status;
}

static NT_EXPORT NTSTATUS KeWaitForSingleObject(void *object, uint32_t reason, int8_t mode,
                                                BOOLEAN alertable, int64_t *timeout)
{
    uint64_t caller = NT_CALLER;
    DISPATCHER_HEADER *header = object;

    if (object == NULL)
        nt_verifier_fail(NT_VERIFY_ARGUMENT, caller, "KeWaitForSingleObject: NULL object");
    switch (header->Type) {
    case NT_EVENT_NOTIFICATION:
    case NT_EVENT_SYNCHRONIZATION:
    case NT_TIMER_NOTIFICATION:
    case NT_TIMER_SYNCHRONIZATION:
    case NT_MUTANT:
    case NT_SEMAPHORE:
    case NT_THREAD:
        break;
    default:
        nt_verifier_fail(NT_VERIFY_ARGUMENT, caller,
                         "KeWaitForSingleObject: object %p of type %u is none the kernel "
                         "implements",
                         object, header->Type);
    }
    return nt_wait_for_object(header, timeout, caller, __func__);
}

NT_REGISTER(NTOSKRNL, KeInitializeEvent);
NT_REGISTER(NTOSKRNL, KeSetEvent);
NT_REGISTER(NTOSKRNL, KeResetEvent);
NT_REGISTER(NTOSKRNL, KeClearEvent);
NT_REGISTER(NTOSKRNL, KeReadStateEvent);
NT_REGISTER(NTOSKRNL, KeWaitForSingleObject);
