/*
 * sim/nt/io_interrupt.c - device interrupts (IoConnectInterruptEx,
 * IoDisconnectInterruptEx, KeSynchronizeExecution,
 * KeAcquireInterruptSpinLock, KeReleaseInterruptSpinLock).
 *
 * A device's interrupt line comes with its resources (struct nt_device).
 * When the line is raised for a vCPU (nt_interrupt_raise: the platform
 * device's line, from winpv-simd's upcall) the connected service routine
 * runs at the interrupt's IRQL as that vCPU, under the interrupt's
 * spinlock. It does not wait for the vCPU: an interrupt preempts whatever
 * runs there, DPCs included, as on hardware; code that shares data with
 * the routine must synchronize with the interrupt's spinlock.
 */
#include <stdlib.h>
#include <unistd.h>

#include "exports_impl.h"
#include "io.h"
#include "kernel.h"

struct nt_interrupt {
    DEVICE_OBJECT *pdo;
    KSERVICE_ROUTINE *isr;
    void *context;
    KSPIN_LOCK own_lock;
    KSPIN_LOCK *lock; /* the caller's, or own_lock */
    KIRQL irql;       /* the synchronize IRQL */
    uint32_t line;
    struct nt_interrupt *next;
};

static pthread_mutex_t interrupts_lock = PTHREAD_MUTEX_INITIALIZER;
static struct nt_interrupt *interrupts;
static uint64_t raised, serviced;

static NTSTATUS connect_line_based(IO_CONNECT_INTERRUPT_PARAMETERS *params, uint64_t caller)
{
    struct nt_device *d = nt_device_of(params->LineBased.PhysicalDeviceObject);
    struct nt_interrupt *interrupt;

    if (params->LineBased.InterruptObject == NULL || params->LineBased.ServiceRoutine == NULL)
        nt_verifier_fail(NT_VERIFY_ARGUMENT, caller,
                         "IoConnectInterruptEx (line based) with no service routine or no "
                         "InterruptObject");
    if (d == NULL || !d->has_interrupt)
        return STATUS_NOT_SUPPORTED; /* no line: Windows answers the same */
    if (params->LineBased.SynchronizeIrql && params->LineBased.SynchronizeIrql < d->interrupt_irql)
        nt_verifier_fail(NT_VERIFY_ARGUMENT, caller,
                         "IoConnectInterruptEx: SynchronizeIrql %u below the line's IRQL %u",
                         params->LineBased.SynchronizeIrql, d->interrupt_irql);
    interrupt = calloc(1, sizeof(*interrupt));
    if (interrupt == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    interrupt->pdo = params->LineBased.PhysicalDeviceObject;
    interrupt->isr = params->LineBased.ServiceRoutine;
    interrupt->context = params->LineBased.ServiceContext;
    interrupt->lock =
        params->LineBased.SpinLock ? params->LineBased.SpinLock : &interrupt->own_lock;
    interrupt->irql =
        params->LineBased.SynchronizeIrql ? params->LineBased.SynchronizeIrql : d->interrupt_irql;
    interrupt->line = d->interrupt_line;
    pthread_mutex_lock(&interrupts_lock);
    interrupt->next = interrupts;
    interrupts = interrupt;
    pthread_mutex_unlock(&interrupts_lock);
    *params->LineBased.InterruptObject = interrupt;
    return STATUS_SUCCESS;
}

static NT_EXPORT NTSTATUS IoConnectInterruptEx(IO_CONNECT_INTERRUPT_PARAMETERS *params)
{
    uint64_t caller = NT_CALLER;

    nt_require_irql(PASSIVE_LEVEL, caller, __func__);
    if (params == NULL)
        nt_verifier_fail(NT_VERIFY_ARGUMENT, caller, "IoConnectInterruptEx(NULL)");
    if (params->Version != CONNECT_LINE_BASED) {
        nt_log("io: IoConnectInterruptEx version %u is not implemented (line based only)\n",
               params->Version);
        return STATUS_NOT_SUPPORTED;
    }
    return connect_line_based(params, caller);
}
NT_REGISTER(NTOSKRNL, IoConnectInterruptEx);

/* Take @interrupt off the list; false when it was not connected. */
static bool unlink_interrupt(struct nt_interrupt *interrupt)
{
    bool found = false;

    pthread_mutex_lock(&interrupts_lock);
    for (struct nt_interrupt **p = &interrupts; *p; p = &(*p)->next) {
        if (*p == interrupt) {
            *p = interrupt->next;
            found = true;
            break;
        }
    }
    pthread_mutex_unlock(&interrupts_lock);
    return found;
}

static NT_EXPORT void IoDisconnectInterruptEx(IO_DISCONNECT_INTERRUPT_PARAMETERS *params)
{
    uint64_t caller = NT_CALLER;
    struct nt_interrupt *interrupt;

    nt_require_irql(PASSIVE_LEVEL, caller, __func__);
    if (params == NULL || params->Version != CONNECT_LINE_BASED)
        nt_verifier_fail(NT_VERIFY_ARGUMENT, caller,
                         "IoDisconnectInterruptEx: version %u, not the line-based connection's",
                         params ? params->Version : 0);
    interrupt = params->ConnectionContext.InterruptObject;
    if (!unlink_interrupt(interrupt))
        nt_verifier_fail(NT_VERIFY_ARGUMENT, caller,
                         "IoDisconnectInterruptEx(%p): not a connected interrupt",
                         (void *)interrupt);
    /* A service routine running now holds the lock: wait for it to return. */
    nt_spinlock_acquire(interrupt->lock, caller);
    nt_spinlock_release(interrupt->lock, caller);
    free(interrupt);
}
NT_REGISTER(NTOSKRNL, IoDisconnectInterruptEx);

unsigned int nt_interrupt_raise(uint32_t line, unsigned int vcpu)
{
    struct nt_thread *thread = nt_current();
    unsigned int handled = 0;

    /* A frozen machine takes no interrupt: the line stays raised until the end. */
    while (__atomic_load_n(&nt_machine_frozen, __ATOMIC_SEQ_CST))
        usleep(100000);
    __atomic_add_fetch(&raised, 1, __ATOMIC_RELAXED);
    /* The list lock is held across the routine, so disconnect cannot free it meanwhile. */
    pthread_mutex_lock(&interrupts_lock);
    for (struct nt_interrupt *i = interrupts; i; i = i->next) {
        unsigned int spinlocks = thread->spinlocks;

        if (i->line != line)
            continue;
        nt_interrupt_enter(thread, vcpu, i->irql);
        nt_spinlock_acquire(i->lock, 0);
        handled += (BOOLEAN)nt_driver_call(i->isr, (uint64_t)(uintptr_t)i,
                                           (uint64_t)(uintptr_t)i->context, 0, 0)
                       ? 1
                       : 0;
        nt_spinlock_release(i->lock, 0);
        if (thread->spinlocks != spinlocks || nt_irql() != i->irql)
            nt_verifier_fail(NT_VERIFY_SPINLOCK_HELD, (uint64_t)(uintptr_t)i->isr,
                             "interrupt service routine returned at IRQL %u holding %u "
                             "spinlock(s)",
                             nt_irql(), thread->spinlocks - spinlocks);
        nt_interrupt_leave(thread);
    }
    pthread_mutex_unlock(&interrupts_lock);
    if (handled)
        __atomic_add_fetch(&serviced, 1, __ATOMIC_RELAXED);
    return handled;
}

size_t nt_interrupts_connected_in(uint64_t base, uint64_t size)
{
    size_t count = 0;

    pthread_mutex_lock(&interrupts_lock);
    for (struct nt_interrupt *i = interrupts; i; i = i->next) {
        uint64_t isr = (uint64_t)(uintptr_t)i->isr;

        count += isr >= base && isr < base + size;
    }
    pthread_mutex_unlock(&interrupts_lock);
    return count;
}

static struct nt_interrupt *check_interrupt(void *object, uint64_t caller, const char *function)
{
    bool found = false;

    pthread_mutex_lock(&interrupts_lock);
    for (struct nt_interrupt *i = interrupts; i && !found; i = i->next)
        found = i == object;
    pthread_mutex_unlock(&interrupts_lock);
    if (!found)
        nt_verifier_fail(NT_VERIFY_ARGUMENT, caller, "%s(%p): not a connected interrupt", function,
                         object);
    return object;
}

typedef BOOLEAN NTAPI KSYNCHRONIZE_ROUTINE(void *context);

static NT_EXPORT BOOLEAN KeSynchronizeExecution(void *object, KSYNCHRONIZE_ROUTINE *routine,
                                                void *context)
{
    uint64_t caller = NT_CALLER;
    struct nt_interrupt *interrupt = check_interrupt(object, caller, __func__);
    KIRQL old;
    BOOLEAN result;

    if (nt_irql() > interrupt->irql)
        nt_verifier_fail(NT_VERIFY_IRQL, caller,
                         "KeSynchronizeExecution at IRQL %u above the "
                         "interrupt's %u",
                         nt_irql(), interrupt->irql);
    old = nt_raise_irql(interrupt->irql, caller);
    nt_spinlock_acquire(interrupt->lock, caller);
    result = (BOOLEAN)nt_driver_call(routine, (uint64_t)(uintptr_t)context, 0, 0, 0);
    nt_spinlock_release(interrupt->lock, caller);
    nt_lower_irql(old, caller);
    return result;
}
NT_REGISTER(NTOSKRNL, KeSynchronizeExecution);

static NT_EXPORT KIRQL KeAcquireInterruptSpinLock(void *object)
{
    uint64_t caller = NT_CALLER;
    struct nt_interrupt *interrupt = check_interrupt(object, caller, __func__);
    KIRQL old;

    if (nt_irql() > interrupt->irql)
        nt_verifier_fail(NT_VERIFY_IRQL, caller,
                         "KeAcquireInterruptSpinLock at IRQL %u above "
                         "the interrupt's %u",
                         nt_irql(), interrupt->irql);
    old = nt_raise_irql(interrupt->irql, caller);
    nt_spinlock_acquire(interrupt->lock, caller);
    return old;
}
NT_REGISTER(NTOSKRNL, KeAcquireInterruptSpinLock);

static NT_EXPORT void KeReleaseInterruptSpinLock(void *object, KIRQL old)
{
    uint64_t caller = NT_CALLER;
    struct nt_interrupt *interrupt = check_interrupt(object, caller, __func__);

    nt_spinlock_release(interrupt->lock, caller);
    nt_lower_irql(old, caller);
}
NT_REGISTER(NTOSKRNL, KeReleaseInterruptSpinLock);
