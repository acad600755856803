/*
 * sim/nt/io_cancel.c - cancelling IRPs: the system-wide cancel spinlock
 * (IoAcquireCancelSpinLock, IoReleaseCancelSpinLock) and IoCancelIrp.
 * IoSetCancelRoutine is inline in wdm.h (an interlocked exchange of
 * Irp->CancelRoutine), so drivers set and clear routines without the
 * kernel.
 *
 * IoCancelIrp marks the IRP cancelled and, when a cancel routine is set,
 * takes it away and calls it holding the cancel spinlock, with the IRQL
 * to go back to in Irp->CancelIrql: the routine must release the lock
 * with IoReleaseCancelSpinLock(Irp->CancelIrql). One that returns holding
 * it, or leaves the IRQL raised, stops the guest.
 */
#include "exports_impl.h"
#include "io.h"
#include "kernel.h"

typedef NT_EXPORT void DRIVER_CANCEL(DEVICE_OBJECT *device, IRP *irp);

static KSPIN_LOCK cancel_lock;

static NT_EXPORT void IoAcquireCancelSpinLock(KIRQL *irql)
{
    uint64_t caller = NT_CALLER;

    nt_require_irql(DISPATCH_LEVEL, caller, __func__);
    if (irql == NULL)
        nt_verifier_fail(NT_VERIFY_ARGUMENT, caller, "IoAcquireCancelSpinLock(NULL)");
    *irql = nt_raise_irql(DISPATCH_LEVEL, caller);
    nt_spinlock_acquire(&cancel_lock, caller);
}
NT_REGISTER(NTOSKRNL, IoAcquireCancelSpinLock);

static NT_EXPORT void IoReleaseCancelSpinLock(KIRQL irql)
{
    uint64_t caller = NT_CALLER;

    if (nt_irql() != DISPATCH_LEVEL)
        nt_verifier_fail(NT_VERIFY_IRQL, caller,
                         "IoReleaseCancelSpinLock at IRQL %u (the lock holds DISPATCH_LEVEL)",
                         nt_irql());
    if (irql > DISPATCH_LEVEL)
        nt_verifier_fail(NT_VERIFY_ARGUMENT, caller,
                         "IoReleaseCancelSpinLock(%u): above the IRQL the lock was taken from",
                         irql);
    nt_spinlock_release(&cancel_lock, caller);
    nt_lower_irql(irql, caller);
}
NT_REGISTER(NTOSKRNL, IoReleaseCancelSpinLock);

bool nt_irp_cancel(IRP *irp, uint64_t caller)
{
    DRIVER_CANCEL *routine;
    DEVICE_OBJECT *device;
    unsigned int spinlocks;
    KIRQL irql;

    nt_require_irql(DISPATCH_LEVEL, caller, "IoCancelIrp");
    nt_irp_check(irp, caller);
    irql = nt_raise_irql(DISPATCH_LEVEL, caller);
    spinlocks = nt_current()->spinlocks;
    nt_spinlock_acquire(&cancel_lock, caller);
    irp->Cancel = TRUE;
    routine = __atomic_exchange_n((DRIVER_CANCEL **)&irp->CancelRoutine, NULL, __ATOMIC_SEQ_CST);
    if (routine == NULL) {
        nt_spinlock_release(&cancel_lock, caller);
        nt_lower_irql(irql, caller);
        return false;
    }
    irp->CancelIrql = irql;
    device = irp->CurrentLocation <= irp->StackCount
                 ? irp->Tail.Overlay.CurrentStackLocation->DeviceObject
                 : NULL;
    nt_driver_call((const void *)routine, (uint64_t)(uintptr_t)device, (uint64_t)(uintptr_t)irp, 0,
                   0);
    if (nt_current()->spinlocks != spinlocks)
        nt_verifier_fail(NT_VERIFY_SPINLOCK_HELD, (uint64_t)(uintptr_t)routine,
                         "cancel routine returned without IoReleaseCancelSpinLock");
    if (nt_irql() != irql)
        nt_verifier_fail(NT_VERIFY_IRQL, (uint64_t)(uintptr_t)routine,
                         "cancel routine returned at IRQL %u, not the caller's %u", nt_irql(),
                         irql);
    return true;
}

static NT_EXPORT BOOLEAN IoCancelIrp(IRP *irp)
{
    return nt_irp_cancel(irp, NT_CALLER);
}
NT_REGISTER(NTOSKRNL, IoCancelIrp);
