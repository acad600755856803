/* os/nt/sync.c - spinlocks, mutexes and events on their kernel counterparts. */
#include "os.h"

void os_spin_init(struct os_spinlock *lock)
{
    KeInitializeSpinLock(&lock->lock);
}

os_irql_t os_spin_lock(struct os_spinlock *lock)
{
    return KeAcquireSpinLockRaiseToDpc(&lock->lock);
}

bool os_spin_trylock(struct os_spinlock *lock, os_irql_t *saved)
{
    KIRQL old;

    /* Above DISPATCH_LEVEL (a processor held still by a suspend) raising to it would lower: not taken. */
    if (KeGetCurrentIrql() > DISPATCH_LEVEL)
        return false;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    if (KeTryToAcquireSpinLockAtDpcLevel(&lock->lock)) {
        *saved = old;
        return true;
    }
    KeLowerIrql(old);
    return false;
}

void os_spin_unlock(struct os_spinlock *lock, os_irql_t saved)
{
    KeReleaseSpinLock(&lock->lock, saved);
}

void os_mutex_init(struct os_mutex *mutex)
{
    ExInitializeFastMutex(&mutex->mutex);
}

void os_mutex_lock(struct os_mutex *mutex)
{
    ExAcquireFastMutex(&mutex->mutex);
}

void os_mutex_unlock(struct os_mutex *mutex)
{
    ExReleaseFastMutex(&mutex->mutex);
}

void os_event_init(struct os_event *event)
{
    KeInitializeEvent(&event->event, NotificationEvent, FALSE);
}

void os_event_set(struct os_event *event)
{
    KeSetEvent(&event->event, IO_NO_INCREMENT, FALSE);
}

void os_event_clear(struct os_event *event)
{
    KeClearEvent(&event->event);
}

int os_event_wait(struct os_event *event, uint64_t timeout_ns)
{
    LARGE_INTEGER timeout;
    NTSTATUS status;

    /* A negative timeout is relative, in 100 ns units. */
    timeout.QuadPart = -(LONGLONG)(timeout_ns / 100);
    status = KeWaitForSingleObject(&event->event, Executive, KernelMode, FALSE,
                                   timeout_ns == OS_WAIT_FOREVER ? NULL : &timeout);
    return status == STATUS_TIMEOUT ? -XEN_ETIMEDOUT : 0;
}
