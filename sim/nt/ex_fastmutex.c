/*
 * sim/nt/ex_fastmutex.c - fast mutexes (ExAcquireFastMutex,
 * ExReleaseFastMutex, ExTryToAcquireFastMutex; ExInitializeFastMutex is
 * inline: Count 1, no owner, a synchronization event).
 *
 * Count is 1 when free; taking it counts down, and a taker that does not
 * reach 0 waits on the event, which a release sets when it counts up from
 * below 0. Acquiring raises to APC_LEVEL and makes the thread the owner; a
 * fast mutex is not recursive, so taking one the thread holds (a deadlock
 * on Windows) and releasing one it does not hold stop the guest.
 */
#include <stdatomic.h>

#include "exports_impl.h"
#include "kernel.h"

static _Atomic int32_t *count_of(FAST_MUTEX *mutex)
{
    return (_Atomic int32_t *)&mutex->Count;
}

static void check(FAST_MUTEX *mutex, uint64_t caller, const char *function)
{
    if (mutex == NULL || mutex->Event.Header.Type != NT_EVENT_SYNCHRONIZATION)
        nt_verifier_fail(NT_VERIFY_ARGUMENT, caller, "%s(%p): no initialized fast mutex", function,
                         (void *)mutex);
    if (mutex->Owner == nt_current())
        nt_verifier_fail(NT_VERIFY_ARGUMENT, caller,
                         "%s(%p): the thread holds this fast mutex already (a deadlock)", function,
                         (void *)mutex);
}

static void set_event(KEVENT *event)
{
    pthread_mutex_lock(&nt_dispatcher_lock);
    event->Header.SignalState = 1;
    nt_dispatcher_signal_locked();
    pthread_mutex_unlock(&nt_dispatcher_lock);
}

static NT_EXPORT void ExAcquireFastMutex(FAST_MUTEX *mutex)
{
    uint64_t caller = NT_CALLER;
    KIRQL old;

    nt_require_irql(APC_LEVEL, caller, __func__);
    check(mutex, caller, __func__);
    old = nt_raise_irql(APC_LEVEL, caller);
    if (atomic_fetch_sub(count_of(mutex), 1) != 1)
        nt_wait_for_object(&mutex->Event.Header, NULL, caller, __func__);
    mutex->Owner = nt_current();
    mutex->OldIrql = old;
}
NT_REGISTER(NTOSKRNL, ExAcquireFastMutex);

static NT_EXPORT BOOLEAN ExTryToAcquireFastMutex(FAST_MUTEX *mutex)
{
    uint64_t caller = NT_CALLER;
    int32_t free_count = 1;
    KIRQL old;

    nt_require_irql(APC_LEVEL, caller, __func__);
    check(mutex, caller, __func__);
    old = nt_raise_irql(APC_LEVEL, caller);
    if (!atomic_compare_exchange_strong(count_of(mutex), &free_count, 0)) {
        nt_lower_irql(old, caller);
        return FALSE;
    }
    mutex->Owner = nt_current();
    mutex->OldIrql = old;
    return TRUE;
}
NT_REGISTER(NTOSKRNL, ExTryToAcquireFastMutex);

static NT_EXPORT void ExReleaseFastMutex(FAST_MUTEX *mutex)
{
    uint64_t caller = NT_CALLER;
    KIRQL old;

    if (mutex == NULL || mutex->Owner != nt_current())
        nt_verifier_fail(NT_VERIFY_ARGUMENT, caller,
                         "ExReleaseFastMutex(%p) by a thread that does not hold it", (void *)mutex);
    if (nt_irql() != APC_LEVEL)
        nt_verifier_fail(NT_VERIFY_IRQL, caller,
                         "ExReleaseFastMutex at IRQL %u (it holds "
                         "APC_LEVEL)",
                         nt_irql());
    old = (KIRQL)mutex->OldIrql;
    mutex->Owner = NULL;
    if (atomic_fetch_add(count_of(mutex), 1) != 0)
        set_event(&mutex->Event);
    nt_lower_irql(old, caller);
}
NT_REGISTER(NTOSKRNL, ExReleaseFastMutex);
