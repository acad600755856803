/*
 * sim/nt/io_remlock.c - remove locks (IoInitializeRemoveLockEx,
 * IoAcquireRemoveLockEx, IoReleaseRemoveLockEx,
 * IoReleaseRemoveLockAndWaitEx), the free build's: the count starts at one
 * for the device itself, which ReleaseAndWait gives up with the caller's.
 */
#include <stdatomic.h>

#include "exports_impl.h"
#include "kernel.h"

/* Windows's KeSetEvent/KeInitializeEvent, reached without an import. */
static void set_event(KEVENT *event)
{
    pthread_mutex_lock(&nt_dispatcher_lock);
    event->Header.SignalState = 1;
    nt_dispatcher_signal_locked();
    pthread_mutex_unlock(&nt_dispatcher_lock);
}

static void check_size(uint32_t size, uint64_t caller, const char *function)
{
    if (size != sizeof(IO_REMOVE_LOCK_COMMON_BLOCK))
        nt_verifier_fail(NT_VERIFY_ARGUMENT, caller,
                         "%s: lock size %u (the free build's lock is %zu bytes)", function, size,
                         sizeof(IO_REMOVE_LOCK_COMMON_BLOCK));
}

static NT_EXPORT void IoInitializeRemoveLockEx(IO_REMOVE_LOCK *lock, uint32_t tag,
                                               uint32_t max_minutes, uint32_t high_watermark,
                                               uint32_t size)
{
    uint64_t caller = NT_CALLER;

    nt_require_irql(PASSIVE_LEVEL, caller, __func__);
    check_size(size, caller, __func__);
    lock->Common.Removed = 0;
    lock->Common.IoCount = 1;
    lock->Common.RemoveEvent.Header.Type = NT_EVENT_SYNCHRONIZATION;
    lock->Common.RemoveEvent.Header.Size = sizeof(KEVENT) / sizeof(int32_t);
    lock->Common.RemoveEvent.Header.SignalState = 0;
    lock->Common.RemoveEvent.Header.WaitListHead.Flink =
        &lock->Common.RemoveEvent.Header.WaitListHead;
    lock->Common.RemoveEvent.Header.WaitListHead.Blink =
        &lock->Common.RemoveEvent.Header.WaitListHead;
}
NT_REGISTER(NTOSKRNL, IoInitializeRemoveLockEx);

static _Atomic int32_t *count_of(IO_REMOVE_LOCK *lock)
{
    return (_Atomic int32_t *)&lock->Common.IoCount;
}

static void release(IO_REMOVE_LOCK *lock, uint64_t caller)
{
    int32_t left = atomic_fetch_sub(count_of(lock), 1) - 1;

    if (left < 0)
        nt_verifier_fail(NT_VERIFY_ARGUMENT, caller, "remove lock %p released more than acquired",
                         (void *)lock);
    if (left == 0)
        set_event(&lock->Common.RemoveEvent);
}

static NT_EXPORT NTSTATUS IoAcquireRemoveLockEx(IO_REMOVE_LOCK *lock, void *tag, const char *file,
                                                uint32_t line, uint32_t size)
{
    uint64_t caller = NT_CALLER;

    nt_require_irql(DISPATCH_LEVEL, caller, __func__);
    check_size(size, caller, __func__);
    atomic_fetch_add(count_of(lock), 1);
    if (lock->Common.Removed) {
        release(lock, caller);
        return STATUS_DELETE_PENDING;
    }
    return STATUS_SUCCESS;
}
NT_REGISTER(NTOSKRNL, IoAcquireRemoveLockEx);

static NT_EXPORT void IoReleaseRemoveLockEx(IO_REMOVE_LOCK *lock, void *tag, uint32_t size)
{
    uint64_t caller = NT_CALLER;

    nt_require_irql(DISPATCH_LEVEL, caller, __func__);
    check_size(size, caller, __func__);
    release(lock, caller);
}
NT_REGISTER(NTOSKRNL, IoReleaseRemoveLockEx);

static NT_EXPORT void IoReleaseRemoveLockAndWaitEx(IO_REMOVE_LOCK *lock, void *tag, uint32_t size)
{
    uint64_t caller = NT_CALLER;

    nt_require_irql(PASSIVE_LEVEL, caller, __func__);
    check_size(size, caller, __func__);
    lock->Common.Removed = 1;
    release(lock, caller); /* the caller's own acquisition */
    release(lock, caller); /* the device's, held since initialization */
    nt_wait_for_object(&lock->Common.RemoveEvent.Header, NULL, caller, __func__);
}
NT_REGISTER(NTOSKRNL, IoReleaseRemoveLockAndWaitEx);
