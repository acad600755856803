/*
 * sim/nt/io_irp.c - IRPs: allocation, IofCallDriver, IofCompleteRequest
 * with completion routines, and the kernel's own requests (PnP, power)
 * sent down a stack and waited for.
 *
 * Each IRP carries a hidden header before it that counts its completions,
 * so completing one twice, or never completing one the kernel sent, is a
 * verifier failure naming the driver.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "exports_impl.h"
#include "io.h"
#include "clock.h"
#include "kernel.h"

#define IRP_MAGIC                      0x5052494e54505757ull
#define NO_MORE_IRP_STACK_LOCATIONS    0x35
#define MULTIPLE_IRP_COMPLETE_REQUESTS 0x44

struct irp_header {
    uint64_t magic;
    bool synchronous;      /* IoBuildSynchronousFsdRequest's: freed by the I/O manager */
    bool completed;        /* IofCompleteRequest ran to the end, or a routine claimed it */
    bool finished;         /* every stack location passed: the kernel's request is done */
    uint64_t completed_by; /* the first completion's caller */
    IRP irp[];
};

static pthread_mutex_t irp_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t irp_finished = PTHREAD_COND_INITIALIZER;

static struct irp_header *header_of(IRP *irp, uint64_t caller)
{
    struct irp_header *h = (struct irp_header *)((uint8_t *)irp - sizeof(struct irp_header));

    if (irp == NULL || h->magic != IRP_MAGIC || irp->Type != NT_TYPE_IRP)
        nt_verifier_fail(NT_VERIFY_ARGUMENT, caller, "%p is no IRP the I/O manager made",
                         (void *)irp);
    return h;
}

IO_STACK_LOCATION *nt_irp_next_stack(IRP *irp);

IRP *nt_irp_alloc(int8_t stack_size)
{
    size_t size = sizeof(IRP) + (size_t)stack_size * sizeof(IO_STACK_LOCATION);
    struct irp_header *h = calloc(1, sizeof(*h) + size);
    IRP *irp;

    if (h == NULL)
        return NULL;
    h->magic = IRP_MAGIC;
    irp = h->irp;
    irp->Type = NT_TYPE_IRP;
    irp->Size = (uint16_t)size;
    irp->StackCount = stack_size;
    irp->CurrentLocation = (int8_t)(stack_size + 1);
    irp->Tail.Overlay.CurrentStackLocation = nt_irp_stack(irp, stack_size);
    irp->IoStatus.Status = STATUS_NOT_SUPPORTED;
    return irp;
}

void nt_irp_free(IRP *irp)
{
    struct irp_header *h = header_of(irp, 0);

    h->magic = 0;
    free(h);
}

static NT_EXPORT IRP *IoAllocateIrp(int8_t stack_size, BOOLEAN charge_quota)
{
    nt_require_irql(DISPATCH_LEVEL, NT_CALLER, __func__);
    if (stack_size < 1)
        nt_verifier_fail(NT_VERIFY_ARGUMENT, NT_CALLER, "IoAllocateIrp(%d)", stack_size);
    return nt_irp_alloc(stack_size);
}
NT_REGISTER(NTOSKRNL, IoAllocateIrp);

static NT_EXPORT void IoFreeIrp(IRP *irp)
{
    nt_require_irql(DISPATCH_LEVEL, NT_CALLER, __func__);
    header_of(irp, NT_CALLER);
    nt_irp_free(irp);
}
NT_REGISTER(NTOSKRNL, IoFreeIrp);

/*
 * An IRP a driver sends and waits for. Only IRP_MJ_PNP is implemented (a
 * driver asking its bus for an interface); the transfer majors would need
 * buffers and MDLs the kernel does not model yet, so they stop the guest
 * by name rather than pretend.
 */
static NT_EXPORT IRP *IoBuildSynchronousFsdRequest(uint32_t major, DEVICE_OBJECT *device,
                                                   void *buffer, uint32_t length,
                                                   LARGE_INTEGER *offset, KEVENT *event,
                                                   IO_STATUS_BLOCK *iosb)
{
    uint64_t caller = NT_CALLER;
    IO_STACK_LOCATION *stack;
    IRP *irp;

    nt_require_irql(PASSIVE_LEVEL, caller, __func__);
    if (device == NULL || device->Type != NT_TYPE_DEVICE || event == NULL || iosb == NULL)
        nt_verifier_fail(NT_VERIFY_ARGUMENT, caller,
                         "IoBuildSynchronousFsdRequest: device %p, event %p, status block %p",
                         (void *)device, (void *)event, (void *)iosb);
    if (major != IRP_MJ_PNP || buffer != NULL || length != 0)
        nt_verifier_fail(NT_VERIFY_ARGUMENT, caller,
                         "IoBuildSynchronousFsdRequest for major %#x with a buffer: not "
                         "implemented (IRP_MJ_PNP only)",
                         major);
    irp = nt_irp_alloc(device->StackSize);
    if (irp == NULL)
        return NULL;
    header_of(irp, caller)->synchronous = true;
    irp->UserEvent = event;
    irp->UserIosb = iosb;
    stack = nt_irp_next_stack(irp);
    stack->MajorFunction = (uint8_t)major;
    return irp;
}
NT_REGISTER(NTOSKRNL, IoBuildSynchronousFsdRequest);

NTSTATUS nt_irp_call(DEVICE_OBJECT *device, IRP *irp, uint64_t caller)
{
    IO_STACK_LOCATION *stack;
    DRIVER_DISPATCH *dispatch;
    unsigned int spinlocks = nt_current()->spinlocks;
    NTSTATUS status;

    nt_require_irql(DISPATCH_LEVEL, caller, "IoCallDriver");
    header_of(irp, caller);
    if (device == NULL || device->Type != NT_TYPE_DEVICE)
        nt_verifier_fail(NT_VERIFY_ARGUMENT, caller, "IoCallDriver to %p, no device object",
                         (void *)device);
    irp->CurrentLocation--;
    if (irp->CurrentLocation <= 0)
        nt_bugcheck(NO_MORE_IRP_STACK_LOCATIONS, (uint64_t)(uintptr_t)irp, 0, 0, 0, caller);
    stack = --irp->Tail.Overlay.CurrentStackLocation;
    stack->DeviceObject = device;
    dispatch = device->DriverObject->MajorFunction[stack->MajorFunction];
    if (dispatch == NULL)
        nt_verifier_fail(NT_VERIFY_ARGUMENT, caller, "driver of device %p has no dispatch for %#x",
                         (void *)device, stack->MajorFunction);
    status = (NTSTATUS)nt_driver_call(dispatch, (uint64_t)(uintptr_t)device,
                                      (uint64_t)(uintptr_t)irp, 0, 0);
    if (nt_current()->spinlocks > spinlocks)
        nt_verifier_fail(NT_VERIFY_SPINLOCK_HELD, (uint64_t)(uintptr_t)dispatch,
                         "dispatch routine (major %#x) returned holding %u more spinlock(s)",
                         stack->MajorFunction, nt_current()->spinlocks - spinlocks);
    return status;
}

static NT_EXPORT NTSTATUS IofCallDriver(DEVICE_OBJECT *device, IRP *irp)
{
    return nt_irp_call(device, irp, NT_CALLER);
}
NT_REGISTER(NTOSKRNL, IofCallDriver);

/* Power IRPs go down the stack as any other since Windows Vista. */
static NT_EXPORT NTSTATUS PoCallDriver(DEVICE_OBJECT *device, IRP *irp)
{
    uint64_t caller = NT_CALLER;

    if (irp->Tail.Overlay.CurrentStackLocation[-1].MajorFunction != IRP_MJ_POWER)
        nt_verifier_fail(NT_VERIFY_ARGUMENT, caller,
                         "PoCallDriver with a request that is not "
                         "IRP_MJ_POWER");
    return nt_irp_call(device, irp, caller);
}
NT_REGISTER(NTOSKRNL, PoCallDriver);

/* Since Windows Vista it has nothing to do but be called for a power IRP. */
static NT_EXPORT void PoStartNextPowerIrp(IRP *irp)
{
    uint64_t caller = NT_CALLER;

    nt_require_irql(DISPATCH_LEVEL, caller, __func__);
    header_of(irp, caller);
    if (irp->Tail.Overlay.CurrentStackLocation->MajorFunction != IRP_MJ_POWER)
        nt_verifier_fail(NT_VERIFY_ARGUMENT, caller,
                         "PoStartNextPowerIrp with a request that is not IRP_MJ_POWER");
}
NT_REGISTER(NTOSKRNL, PoStartNextPowerIrp);

static bool routine_wanted(const IO_STACK_LOCATION *stack, const IRP *irp)
{
    if (stack->CompletionRoutine == NULL)
        return false;
    if (irp->Cancel)
        return stack->Control & SL_INVOKE_ON_CANCEL;
    return NT_SUCCESS(irp->IoStatus.Status) ? stack->Control & SL_INVOKE_ON_SUCCESS
                                            : stack->Control & SL_INVOKE_ON_ERROR;
}

static void finish(struct irp_header *h)
{
    pthread_mutex_lock(&irp_lock);
    h->finished = true;
    pthread_cond_broadcast(&irp_finished);
    pthread_mutex_unlock(&irp_lock);
}

void nt_irp_complete(IRP *irp, uint64_t caller)
{
    struct irp_header *h;
    char where[1200];

    nt_require_irql(DISPATCH_LEVEL, caller, __func__);
    h = header_of(irp, caller);
    if (h->completed) {
        nt_describe_address(h->completed_by, where, sizeof(where));
        nt_verifier_fail(NT_VERIFY_IRP_COMPLETED_TWICE, caller,
                         "IRP %p completed twice (first by %s)", (void *)irp, where);
    }
    if (irp->IoStatus.Status == STATUS_PENDING)
        nt_bugcheck(MULTIPLE_IRP_COMPLETE_REQUESTS, (uint64_t)(uintptr_t)irp, 0, 0, 0, caller);
    h->completed = true;
    h->completed_by = caller;

    while (irp->CurrentLocation <= irp->StackCount) {
        IO_STACK_LOCATION *stack = irp->Tail.Overlay.CurrentStackLocation;
        bool wanted = routine_wanted(stack, irp);
        IO_COMPLETION_ROUTINE *routine = stack->CompletionRoutine;
        void *context = stack->Context;
        DEVICE_OBJECT *device;

        irp->PendingReturned = stack->Control & SL_PENDING_RETURNED;
        irp->CurrentLocation++;
        irp->Tail.Overlay.CurrentStackLocation++;
        memset(stack, 0, sizeof(*stack));
        if (wanted) {
            device = irp->CurrentLocation <= irp->StackCount
                         ? irp->Tail.Overlay.CurrentStackLocation->DeviceObject
                         : NULL;
            if ((NTSTATUS)nt_driver_call(routine, (uint64_t)(uintptr_t)device,
                                         (uint64_t)(uintptr_t)irp, (uint64_t)(uintptr_t)context,
                                         0) == STATUS_MORE_PROCESSING_REQUIRED) {
                /* The IRP is its owner's again; it may complete it once more. */
                h->completed = false;
                return;
            }
        } else if (irp->PendingReturned && irp->CurrentLocation <= irp->StackCount) {
            irp->Tail.Overlay.CurrentStackLocation->Control |= SL_PENDING_RETURNED;
        }
    }
    if (irp->UserIosb)
        *irp->UserIosb = irp->IoStatus;
    if (h->synchronous) {
        /* Its issuer waits on the event and never touches the IRP again. */
        KEVENT *event = irp->UserEvent;

        nt_irp_free(irp);
        pthread_mutex_lock(&nt_dispatcher_lock);
        event->Header.SignalState = 1;
        nt_dispatcher_signal_locked();
        pthread_mutex_unlock(&nt_dispatcher_lock);
        return;
    }
    finish(h);
}

static NT_EXPORT void IofCompleteRequest(IRP *irp, int8_t boost)
{
    nt_irp_complete(irp, NT_CALLER);
}
NT_REGISTER(NTOSKRNL, IofCompleteRequest);

IO_STACK_LOCATION *nt_irp_next_stack(IRP *irp)
{
    return irp->Tail.Overlay.CurrentStackLocation - 1;
}

void nt_irp_check(IRP *irp, uint64_t caller)
{
    header_of(irp, caller);
}

bool nt_irp_wait(IRP *irp, unsigned int timeout_ms)
{
    struct irp_header *h = header_of(irp, 0);
    struct timespec deadline;
    int err = 0;

    nt_deadline_after_ms(&deadline, timeout_ms);
    pthread_mutex_lock(&irp_lock);
    while (!h->finished && err != ETIMEDOUT) {
        if (timeout_ms == 0)
            pthread_cond_wait(&irp_finished, &irp_lock);
        else
            err = pthread_cond_timedwait(&irp_finished, &irp_lock, &deadline);
    }
    pthread_mutex_unlock(&irp_lock);
    return h->finished;
}

bool nt_irp_finished(IRP *irp)
{
    struct irp_header *h = header_of(irp, 0);
    bool finished;

    pthread_mutex_lock(&irp_lock);
    finished = h->finished;
    pthread_mutex_unlock(&irp_lock);
    return finished;
}

NTSTATUS nt_irp_send_and_wait(DEVICE_OBJECT *top, IRP *irp, unsigned int timeout_ms)
{
    IO_STACK_LOCATION sent = *nt_irp_next_stack(irp);
    NTSTATUS returned = nt_irp_call(top, irp, 0);

    if (!nt_irp_wait(irp, timeout_ms))
        nt_verifier_fail(NT_VERIFY_IRP_NOT_COMPLETED,
                         (uint64_t)(uintptr_t)top->DriverObject->MajorFunction[sent.MajorFunction],
                         "IRP (major %#x, minor %#x) was never completed within %u ms "
                         "(dispatch returned %#x)",
                         sent.MajorFunction, sent.MinorFunction, timeout_ms, (unsigned)returned);
    if (returned != STATUS_PENDING && returned != irp->IoStatus.Status)
        nt_verifier_fail(NT_VERIFY_ARGUMENT,
                         (uint64_t)(uintptr_t)top->DriverObject->MajorFunction[sent.MajorFunction],
                         "dispatch of IRP (major %#x, minor %#x) returned %#x but the IRP was "
                         "completed with %#x",
                         sent.MajorFunction, sent.MinorFunction, (unsigned)returned,
                         (unsigned)irp->IoStatus.Status);
    return irp->IoStatus.Status;
}
