/*
 * windows/xenbus/pnp.c - Plug and Play for the XENBUS function device.
 *
 * START_DEVICE goes down the stack first (the PCI driver enables the device)
 * and is completed here afterwards; REMOVE_DEVICE waits for every IRP in
 * flight before the device is deleted. Everything else passes down.
 */
#include "fdo.h"
#include "os.h"

NTSTATUS xenbus_pass_down(struct xenbus_fdo *fdo, IRP *irp)
{
    IoSkipCurrentIrpStackLocation(irp);
    return IoCallDriver(fdo->lower, irp);
}

static NTSTATUS signal_completion(DEVICE_OBJECT *device, IRP *irp, PVOID context)
{
    KeSetEvent(context, IO_NO_INCREMENT, FALSE);
    return STATUS_MORE_PROCESSING_REQUIRED; /* the IRP is ours again */
}

/* Send @irp down and wait until the lower drivers completed it. Context: passive. */
static NTSTATUS forward_and_wait(struct xenbus_fdo *fdo, IRP *irp)
{
    KEVENT done;
    NTSTATUS status;

    KeInitializeEvent(&done, NotificationEvent, FALSE);
    IoCopyCurrentIrpStackLocationToNext(irp);
    IoSetCompletionRoutine(irp, signal_completion, &done, TRUE, TRUE, TRUE);
    status = IoCallDriver(fdo->lower, irp);
    if (status == STATUS_PENDING) {
        KeWaitForSingleObject(&done, Executive, KernelMode, FALSE, NULL);
        status = irp->IoStatus.Status;
    }
    return status;
}

static NTSTATUS complete(IRP *irp, NTSTATUS status)
{
    irp->IoStatus.Status = status;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    return status;
}

static NTSTATUS start_device(struct xenbus_fdo *fdo, IRP *irp)
{
    NTSTATUS status = forward_and_wait(fdo, irp);
    BOOLEAN serves = FALSE;

    if (NT_SUCCESS(status))
        status = xenbus_platform_device(fdo, &serves);
    /* Before the emulated devices' drivers bind; a refused build stands by. */
    if (NT_SUCCESS(status) && serves)
        status = xenbus_unplug_at_start(&serves);
    if (NT_SUCCESS(status) && serves)
        status = xenbus_start(
            fdo, IoGetCurrentIrpStackLocation(irp)->Parameters.StartDevice.AllocatedResources);
    if (NT_SUCCESS(status))
        fdo->state = serves ? FDO_STARTED : FDO_STANDING_BY;
    return complete(irp, status);
}

/* A state change the bus accepts without work of its own. */
static NTSTATUS accept_and_pass_down(struct xenbus_fdo *fdo, IRP *irp)
{
    irp->IoStatus.Status = STATUS_SUCCESS;
    return xenbus_pass_down(fdo, irp);
}

static NTSTATUS remove_device(struct xenbus_fdo *fdo, IRP *irp)
{
    NTSTATUS status;

    if (fdo->state == FDO_STARTED)
        xenbus_stop(fdo);
    fdo->state = FDO_REMOVED;
    /* The PnP manager removed the children first; what it has not met goes now. */
    xenbus_children_delete(fdo);
    /* Our own reference, taken in the dispatch routine, plus any in flight. */
    IoReleaseRemoveLockAndWait(&fdo->remove_lock, irp);
    irp->IoStatus.Status = STATUS_SUCCESS;
    status = xenbus_pass_down(fdo, irp);
    IoDetachDevice(fdo->lower);
    IoDeleteDevice(fdo->self);
    return status;
}

static NTSTATUS stop_device(struct xenbus_fdo *fdo, IRP *irp)
{
    if (fdo->state == FDO_STARTED)
        xenbus_stop(fdo);
    fdo->state = FDO_STOPPED;
    return accept_and_pass_down(fdo, irp);
}

static NTSTATUS surprise_removal(struct xenbus_fdo *fdo, IRP *irp)
{
    if (fdo->state == FDO_STARTED)
        xenbus_stop(fdo);
    fdo->state = FDO_SURPRISE_REMOVED;
    return accept_and_pass_down(fdo, irp);
}

/*
 * Children's drivers still hold interfaces: the services may not stop under
 * them. (A removal needs no such check: the PnP manager removes the
 * children, which give their interfaces back, before the bus.)
 */
static NTSTATUS query_stop(struct xenbus_fdo *fdo, IRP *irp)
{
    if (fdo->state == FDO_STARTED && xenbus_provider_references(&fdo->services.provider) > 0)
        return complete(irp, STATUS_DEVICE_BUSY);
    return accept_and_pass_down(fdo, irp);
}

/* BusRelations: the children; other relations are not the bus's to answer. */
static NTSTATUS query_device_relations(struct xenbus_fdo *fdo, IRP *irp)
{
    IO_STACK_LOCATION *stack = IoGetCurrentIrpStackLocation(irp);
    DEVICE_RELATIONS *relations;
    NTSTATUS status;

    if (stack->Parameters.QueryDeviceRelations.Type != BusRelations)
        return xenbus_pass_down(fdo, irp);
    if (irp->IoStatus.Information != 0) {
        /* A filter above already answered: nothing is above this bus. */
        return xenbus_pass_down(fdo, irp);
    }
    status = xenbus_children_relations(fdo, &relations);
    if (!NT_SUCCESS(status))
        return complete(irp, status);
    irp->IoStatus.Information = (ULONG_PTR)relations;
    irp->IoStatus.Status = STATUS_SUCCESS;
    return xenbus_pass_down(fdo, irp);
}

typedef NTSTATUS pnp_handler(struct xenbus_fdo *fdo, IRP *irp);

/* Minor functions handled here; the others pass down unchanged. */
static pnp_handler *const pnp_handlers[] = {
    [IRP_MN_START_DEVICE] = start_device,
    [IRP_MN_QUERY_REMOVE_DEVICE] = accept_and_pass_down,
    [IRP_MN_REMOVE_DEVICE] = remove_device,
    [IRP_MN_CANCEL_REMOVE_DEVICE] = accept_and_pass_down,
    [IRP_MN_STOP_DEVICE] = stop_device,
    [IRP_MN_QUERY_DEVICE_RELATIONS] = query_device_relations,
    [IRP_MN_QUERY_STOP_DEVICE] = query_stop,
    [IRP_MN_CANCEL_STOP_DEVICE] = accept_and_pass_down,
    [IRP_MN_SURPRISE_REMOVAL] = surprise_removal,
};

NTSTATUS xenbus_dispatch_pnp(DEVICE_OBJECT *device, IRP *irp)
{
    struct xenbus_fdo *fdo = fdo_from_device(device);
    UCHAR minor = IoGetCurrentIrpStackLocation(irp)->MinorFunction;
    pnp_handler *handler = xenbus_pass_down;
    NTSTATUS status;

    if (xenbus_kind_of(device) == XENBUS_PDO)
        return xenbus_pdo_dispatch_pnp(device->DeviceExtension, irp);
    status = IoAcquireRemoveLock(&fdo->remove_lock, irp);

    if (!NT_SUCCESS(status))
        return complete(irp, status);
    if (minor < sizeof(pnp_handlers) / sizeof(pnp_handlers[0]) && pnp_handlers[minor])
        handler = pnp_handlers[minor];
    status = handler(fdo, irp);
    /* remove_device released the lock (and the device is gone). */
    if (minor != IRP_MN_REMOVE_DEVICE)
        IoReleaseRemoveLock(&fdo->remove_lock, irp);
    return status;
}
