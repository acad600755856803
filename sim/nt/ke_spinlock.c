/*
 * sim/nt/ke_spinlock.c - executive spinlocks (KeAcquireSpinLockRaiseToDpc,
 * KeReleaseSpinLock, KeAcquireSpinLockAtDpcLevel,
 * KeReleaseSpinLockFromDpcLevel, KeTryToAcquireSpinLockAtDpcLevel). KeInitializeSpinLock is inline on x64:
 * a free lock is 0.
 *
 * A held lock holds its owner thread, so taking a lock the thread already
 * holds (a deadlock on Windows) and releasing one it does not hold are
 * caught, as the checked kernel catches them.
 */
#include <sched.h>
#include <stdatomic.h>

#include "exports_impl.h"
#include "kernel.h"

#define SPIN_LOCK_ALREADY_OWNED 0x0f
#define SPIN_LOCK_NOT_OWNED     0x10

static _Atomic uint64_t *word(KSPIN_LOCK *lock)
{
    return (_Atomic uint64_t *)lock;
}

void nt_spinlock_acquire(KSPIN_LOCK *lock, uint64_t caller)
{
    uint64_t self = (uint64_t)(uintptr_t)nt_current();
    uint64_t expected = 0;

    if (lock == NULL)
        nt_verifier_fail(NT_VERIFY_ARGUMENT, caller, "spinlock at NULL");
    if (atomic_load(word(lock)) == self)
        nt_bugcheck(SPIN_LOCK_ALREADY_OWNED, (uint64_t)(uintptr_t)lock, 0, 0, 0, caller);
    while (!atomic_compare_exchange_weak(word(lock), &expected, self)) {
        expected = 0;
        sched_yield();
    }
    nt_current()->spinlocks++;
}

void nt_spinlock_release(KSPIN_LOCK *lock, uint64_t caller)
{
    uint64_t self = (uint64_t)(uintptr_t)nt_current();
    uint64_t expected = self;

    if (lock == NULL || !atomic_compare_exchange_strong(word(lock), &expected, 0))
        nt_bugcheck(SPIN_LOCK_NOT_OWNED, (uint64_t)(uintptr_t)lock, expected, 0, 0, caller);
    nt_current()->spinlocks--;
}

static NT_EXPORT KIRQL KeAcquireSpinLockRaiseToDpc(KSPIN_LOCK *lock)
{
    uint64_t caller = NT_CALLER;
    KIRQL old;

    nt_require_irql(DISPATCH_LEVEL, caller, __func__);
    old = nt_raise_irql(DISPATCH_LEVEL, caller);
    nt_spinlock_acquire(lock, caller);
    return old;
}
NT_REGISTER(NTOSKRNL, KeAcquireSpinLockRaiseToDpc);

static NT_EXPORT void KeReleaseSpinLock(KSPIN_LOCK *lock, KIRQL old)
{
    uint64_t caller = NT_CALLER;

    if (nt_irql() != DISPATCH_LEVEL)
        nt_verifier_fail(NT_VERIFY_IRQL, caller,
                         "KeReleaseSpinLock at IRQL %u (the lock "
                         "holds DISPATCH_LEVEL)",
                         nt_irql());
    nt_spinlock_release(lock, caller);
    nt_lower_irql(old, caller);
}
NT_REGISTER(NTOSKRNL, KeReleaseSpinLock);

/* The ...AtDpcLevel forms leave the IRQL alone: the caller must be at DISPATCH_LEVEL or above. */
static void require_dispatch(uint64_t caller, const char *function)
{
    if (nt_irql() < DISPATCH_LEVEL)
        nt_verifier_fail(NT_VERIFY_IRQL, caller, "%s at IRQL %u (needs DISPATCH_LEVEL)", function,
                         nt_irql());
}

static NT_EXPORT void KeAcquireSpinLockAtDpcLevel(KSPIN_LOCK *lock)
{
    uint64_t caller = NT_CALLER;

    require_dispatch(caller, __func__);
    nt_spinlock_acquire(lock, caller);
}
NT_REGISTER(NTOSKRNL, KeAcquireSpinLockAtDpcLevel);

static NT_EXPORT void KeReleaseSpinLockFromDpcLevel(KSPIN_LOCK *lock)
{
    uint64_t caller = NT_CALLER;

    require_dispatch(caller, __func__);
    nt_spinlock_release(lock, caller);
}
NT_REGISTER(NTOSKRNL, KeReleaseSpinLockFromDpcLevel);

/* Takes the lock only if it is free (held by anyone, the caller too: FALSE), at DISPATCH_LEVEL or above. */
static NT_EXPORT BOOLEAN KeTryToAcquireSpinLockAtDpcLevel(KSPIN_LOCK *lock)
{
    uint64_t caller = NT_CALLER;
    uint64_t expected = 0;

    require_dispatch(caller, __func__);
    if (lock == NULL)
        nt_verifier_fail(NT_VERIFY_ARGUMENT, caller, "spinlock at NULL");
    if (!atomic_compare_exchange_strong(word(lock), &expected, (uint64_t)(uintptr_t)nt_current()))
        return FALSE;
    nt_current()->spinlocks++;
    return TRUE;
}
NT_REGISTER(NTOSKRNL, KeTryToAcquireSpinLockAtDpcLevel);
