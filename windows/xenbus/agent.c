/*
 * windows/xenbus/agent.c - the toolstack's power-off and reboot requests
 * handed to the user-mode agent (winpv/agent_ioctl.h says why and how),
 * and Windows's own shutdown seen through IRP_MJ_SHUTDOWN.
 *
 * While the bus serves, its device interface is enabled and the FDO takes
 * IRP_MJ_CREATE, IRP_MJ_CLEANUP, IRP_MJ_CLOSE and IRP_MJ_DEVICE_CONTROL.
 * The first handle that waits is the agent's: from then until it is
 * cleaned up, power-off, reboot and halt are offered to the toolstack
 * besides suspend. The one pending wait is guarded by the agent's
 * spinlock and a cancel routine; whoever takes it out of agent->waiting
 * completes it, except that a wait whose cancel routine already runs is
 * left to that routine (the request then waits for the next wait).
 *
 * On IRP_MJ_SHUTDOWN (Windows shuts down, whoever asked) nothing more is
 * offered: the toolstack asks no request of a guest going down.
 *
 * Lock order: the agent's spinlock alone (no call out under it).
 */
#include "fdo.h"
#include "os.h"
#include "winpv/agent_ioctl.h"

static const GUID agent_interface = WINPV_AGENT_INTERFACE_INIT;

#define OFFERED_WITH_AGENT                                                         \
    (XENBUS_SHUTDOWN_SUSPEND | XENBUS_SHUTDOWN_POWEROFF | XENBUS_SHUTDOWN_REBOOT | \
     XENBUS_SHUTDOWN_HALT)

static NTSTATUS complete(IRP *irp, NTSTATUS status, ULONG_PTR information)
{
    irp->IoStatus.Status = status;
    irp->IoStatus.Information = information;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    return status;
}

/*
 * Offer @handled to the toolstack (and, with @done, let the engine take
 * requests again) unless the bus stopped serving: the offer lock keeps
 * xenbus_agent_stop from going on, and the engine from going, under it.
 * Context: passive.
 */
static void offer(struct xenbus_fdo *fdo, unsigned int handled, BOOLEAN done)
{
    struct xenbus_agent *agent = &fdo->agent;
    BOOLEAN serving;
    KIRQL irql;

    os_mutex_lock(&agent->offer_lock);
    KeAcquireSpinLock(&agent->lock, &irql);
    serving = agent->serving;
    KeReleaseSpinLock(&agent->lock, irql);
    if (serving) {
        xenbus_shutdown_offer(fdo->shutdown, handled);
        if (done)
            xenbus_shutdown_done(fdo->shutdown);
    }
    os_mutex_unlock(&agent->offer_lock);
}

/* Complete a wait with @action. Context: dispatch or below. */
static void answer(IRP *irp, uint32_t action)
{
    struct winpv_agent_request *out = irp->AssociatedIrp.SystemBuffer;

    out->version = WINPV_AGENT_REQUEST_VERSION;
    out->action = action;
    complete(irp, STATUS_SUCCESS, sizeof(*out));
}

static void agent_cancel(DEVICE_OBJECT *device, IRP *irp)
{
    struct xenbus_fdo *fdo = fdo_from_device(device);
    KIRQL irql;

    IoReleaseCancelSpinLock(irp->CancelIrql);
    KeAcquireSpinLock(&fdo->agent.lock, &irql);
    if (fdo->agent.waiting == irp)
        fdo->agent.waiting = NULL;
    KeReleaseSpinLock(&fdo->agent.lock, irql);
    complete(irp, STATUS_CANCELLED, 0);
}

/*
 * Take the pending wait out, cancel routine and all; NULL when there is
 * none or its cancel routine runs (which completes it). Agent lock held.
 */
static IRP *take_waiting_locked(struct xenbus_agent *agent)
{
    IRP *irp = agent->waiting;

    agent->waiting = NULL;
    if (irp && IoSetCancelRoutine(irp, NULL) == NULL)
        return NULL;
    return irp;
}

/* A wait: answered at once with a kept request, else pending. Context: passive. */
static NTSTATUS wait_request(struct xenbus_fdo *fdo, IRP *irp, IO_STACK_LOCATION *stack)
{
    struct xenbus_agent *agent = &fdo->agent;
    BOOLEAN first = FALSE;
    uint32_t kept;
    KIRQL irql;

    if (stack->Parameters.DeviceIoControl.InputBufferLength != 0)
        return complete(irp, STATUS_INVALID_PARAMETER, 0);
    if (stack->Parameters.DeviceIoControl.OutputBufferLength != sizeof(struct winpv_agent_request))
        return complete(irp, STATUS_INFO_LENGTH_MISMATCH, 0);
    KeAcquireSpinLock(&agent->lock, &irql);
    if (!agent->serving || agent->waiting) {
        NTSTATUS status = agent->serving ? STATUS_DEVICE_BUSY : STATUS_NO_SUCH_DEVICE;

        KeReleaseSpinLock(&agent->lock, irql);
        return complete(irp, status, 0);
    }
    if (agent->owner == NULL) {
        agent->owner = stack->FileObject;
        first = TRUE;
    }
    kept = agent->kept;
    agent->kept = 0;
    if (kept == 0) {
        IoMarkIrpPending(irp);
        agent->waiting = irp;
        IoSetCancelRoutine(irp, agent_cancel);
        if (irp->Cancel && IoSetCancelRoutine(irp, NULL) != NULL) {
            agent->waiting = NULL;
            KeReleaseSpinLock(&agent->lock, irql);
            complete(irp, STATUS_CANCELLED, 0);
            return STATUS_PENDING;
        }
    }
    KeReleaseSpinLock(&agent->lock, irql);
    if (first) {
        offer(fdo, OFFERED_WITH_AGENT, FALSE);
        os_log(OS_LOG_INFO, "xenbus: the agent is here: power-off and reboot offered\n");
    }
    if (kept == 0)
        return STATUS_PENDING;
    answer(irp, kept);
    return STATUS_SUCCESS;
}

/* The agent's handle is cleaned up: its wait ends, and what needs it is not offered. */
static void agent_left(struct xenbus_fdo *fdo, FILE_OBJECT *file)
{
    struct xenbus_agent *agent = &fdo->agent;
    IRP *irp = NULL;
    uint32_t kept = 0;
    BOOLEAN was_agent;
    KIRQL irql;

    KeAcquireSpinLock(&agent->lock, &irql);
    was_agent = agent->owner != NULL && agent->owner == file;
    if (was_agent) {
        agent->owner = NULL;
        irp = take_waiting_locked(agent);
        kept = agent->kept;
        agent->kept = 0;
    }
    KeReleaseSpinLock(&agent->lock, irql);
    if (!was_agent)
        return;
    if (irp)
        complete(irp, STATUS_CANCELLED, 0);
    if (kept)
        os_log(OS_LOG_WARN, "xenbus: a %s the agent never took is not carried out\n",
               kept == WINPV_AGENT_REBOOT ? "reboot" : "power-off");
    offer(fdo, XENBUS_SHUTDOWN_SUSPEND, kept != 0);
    os_log(OS_LOG_INFO, "xenbus: the agent left: power-off and reboot no longer offered\n");
}

void xenbus_agent_deliver(struct xenbus_fdo *fdo, enum xenbus_shutdown_request request)
{
    struct xenbus_agent *agent = &fdo->agent;
    uint32_t action =
        request == XENBUS_SHUTDOWN_REBOOT ? WINPV_AGENT_REBOOT : WINPV_AGENT_POWER_OFF;
    BOOLEAN present;
    IRP *irp = NULL;
    KIRQL irql;

    KeAcquireSpinLock(&agent->lock, &irql);
    present = agent->serving && agent->owner != NULL;
    if (present) {
        irp = take_waiting_locked(agent);
        if (irp == NULL)
            agent->kept = action;
    }
    KeReleaseSpinLock(&agent->lock, irql);
    if (!present) {
        os_log(OS_LOG_WARN, "xenbus: %s not carried out: no agent\n",
               xenbus_shutdown_name(request));
        xenbus_shutdown_done(fdo->shutdown);
        return;
    }
    os_log(OS_LOG_INFO, "xenbus: %s handed to the agent%s\n", xenbus_shutdown_name(request),
           irp ? "" : " (at its next wait)");
    if (irp)
        answer(irp, action);
}

NTSTATUS xenbus_dispatch_agent(DEVICE_OBJECT *device, IRP *irp)
{
    struct xenbus_fdo *fdo = fdo_from_device(device);
    IO_STACK_LOCATION *stack = IoGetCurrentIrpStackLocation(irp);
    NTSTATUS status;

    if (xenbus_kind_of(device) == XENBUS_PDO)
        return xenbus_dispatch_other(device, irp);
    status = IoAcquireRemoveLock(&fdo->remove_lock, irp);
    if (!NT_SUCCESS(status))
        return complete(irp, status, 0);
    switch (stack->MajorFunction) {
    case IRP_MJ_CREATE:
        status = complete(irp, fdo->agent.serving ? STATUS_SUCCESS : STATUS_NO_SUCH_DEVICE, 0);
        break;
    case IRP_MJ_CLEANUP:
        agent_left(fdo, stack->FileObject);
        status = complete(irp, STATUS_SUCCESS, 0);
        break;
    case IRP_MJ_CLOSE:
        status = complete(irp, STATUS_SUCCESS, 0);
        break;
    case IRP_MJ_SHUTDOWN:
        os_log(OS_LOG_INFO, "xenbus: Windows shuts down: no request offered from now on\n");
        offer(fdo, 0, FALSE);
        status = complete(irp, STATUS_SUCCESS, 0);
        break;
    default: /* IRP_MJ_DEVICE_CONTROL */
        if (stack->Parameters.DeviceIoControl.IoControlCode == WINPV_IOCTL_AGENT_WAIT)
            status = wait_request(fdo, irp, stack);
        else
            status = complete(irp, STATUS_INVALID_DEVICE_REQUEST, 0);
        break;
    }
    IoReleaseRemoveLock(&fdo->remove_lock, irp);
    return status;
}

NTSTATUS xenbus_agent_start(struct xenbus_fdo *fdo)
{
    struct xenbus_agent *agent = &fdo->agent;
    NTSTATUS status;

    *agent = (struct xenbus_agent){0};
    KeInitializeSpinLock(&agent->lock);
    os_mutex_init(&agent->offer_lock);
    status = IoRegisterDeviceInterface(fdo->pdo, &agent_interface, NULL, &agent->link);
    if (!NT_SUCCESS(status))
        return status;
    status = IoRegisterShutdownNotification(fdo->self);
    if (!NT_SUCCESS(status)) {
        RtlFreeUnicodeString(&agent->link);
        return status;
    }
    agent->serving = TRUE;
    status = IoSetDeviceInterfaceState(&agent->link, TRUE);
    if (!NT_SUCCESS(status)) {
        agent->serving = FALSE;
        IoUnregisterShutdownNotification(fdo->self);
        RtlFreeUnicodeString(&agent->link);
    }
    return status;
}

void xenbus_agent_stop(struct xenbus_fdo *fdo)
{
    struct xenbus_agent *agent = &fdo->agent;
    IRP *irp;
    KIRQL irql;

    if (agent->link.Buffer == NULL)
        return;
    KeAcquireSpinLock(&agent->lock, &irql);
    agent->serving = FALSE;
    irp = take_waiting_locked(agent);
    KeReleaseSpinLock(&agent->lock, irql);
    if (irp)
        complete(irp, STATUS_CANCELLED, 0);
    /* No offer is under way once this is through, and none starts. */
    os_mutex_lock(&agent->offer_lock);
    os_mutex_unlock(&agent->offer_lock);
    IoSetDeviceInterfaceState(&agent->link, FALSE);
    IoUnregisterShutdownNotification(fdo->self);
    RtlFreeUnicodeString(&agent->link);
}
