/*
 * windows/xenbus/driver.c - XENBUS driver entry: dispatch table, AddDevice,
 * unload.
 */
#include "fdo.h"
#include "os.h"

#define XENBUS_REMOVE_LOCK_TAG 'bXnW'
#define SERVICE_PATH_MAX       256 /* characters: Services\<name> is about 60 */

static WCHAR service_path[SERVICE_PATH_MAX];
UNICODE_STRING xenbus_service_path;

/* Held across the pass-down so REMOVE cannot detach fdo->lower under it. */
NTSTATUS xenbus_dispatch_other(DEVICE_OBJECT *device, IRP *irp)
{
    struct xenbus_fdo *fdo = fdo_from_device(device);
    NTSTATUS status;

    if (xenbus_kind_of(device) == XENBUS_PDO) {
        /* A child has nothing below it: what it does not handle ends here. */
        status = irp->IoStatus.Status;
        IoCompleteRequest(irp, IO_NO_INCREMENT);
        return status;
    }
    status = IoAcquireRemoveLock(&fdo->remove_lock, irp);

    if (!NT_SUCCESS(status)) {
        irp->IoStatus.Status = status;
        IoCompleteRequest(irp, IO_NO_INCREMENT);
        return status;
    }
    status = xenbus_pass_down(fdo, irp);
    IoReleaseRemoveLock(&fdo->remove_lock, irp);
    return status;
}

NTSTATUS xenbus_add_device(DRIVER_OBJECT *driver, DEVICE_OBJECT *pdo)
{
    DEVICE_OBJECT *device;
    struct xenbus_fdo *fdo;
    NTSTATUS status;

    status = IoCreateDevice(driver, sizeof(*fdo), NULL, FILE_DEVICE_BUS_EXTENDER,
                            FILE_DEVICE_SECURE_OPEN, FALSE, &device);
    if (!NT_SUCCESS(status))
        return status;
    fdo = fdo_from_device(device);
    RtlZeroMemory(fdo, sizeof(*fdo));
    fdo->kind = XENBUS_FDO;
    fdo->self = device;
    fdo->pdo = pdo;
    fdo->state = FDO_ADDED;
    IoInitializeRemoveLock(&fdo->remove_lock, XENBUS_REMOVE_LOCK_TAG, 0, 0);
    /* Enumeration takes it whatever the device serves (a device standing by has no children). */
    os_mutex_init(&fdo->children_lock);

    fdo->lower = IoAttachDeviceToDeviceStack(device, pdo);
    if (fdo->lower == NULL) {
        IoDeleteDevice(device);
        return STATUS_NO_SUCH_DEVICE;
    }
    device->Flags |= DO_POWER_PAGABLE;
    device->Flags &= ~DO_DEVICE_INITIALIZING;
    return STATUS_SUCCESS;
}

static void driver_unload(DRIVER_OBJECT *driver)
{
    os_log(OS_LOG_INFO, "xenbus: unloaded\n");
}

DRIVER_INITIALIZE DriverEntry;

/* Discarded after it returns (the INIT section). */
__attribute__((section("INIT"))) NTSTATUS DriverEntry(DRIVER_OBJECT *driver,
                                                      UNICODE_STRING *registry_path)
{
    USHORT length = registry_path->Length;

    /*
     * Kept, terminated, for the unplug's registry reads (the caller's copy
     * is gone after return); one too long stays empty: the unplug says so.
     */
    if (length < sizeof(service_path)) {
        RtlCopyMemory(service_path, registry_path->Buffer, length);
        service_path[length / sizeof(WCHAR)] = 0;
        xenbus_service_path = (UNICODE_STRING){length, sizeof(service_path), service_path};
    }
    for (unsigned int i = 0; i <= IRP_MJ_MAXIMUM_FUNCTION; i++)
        driver->MajorFunction[i] = xenbus_dispatch_other;
    driver->MajorFunction[IRP_MJ_CREATE] = xenbus_dispatch_agent;
    driver->MajorFunction[IRP_MJ_CLEANUP] = xenbus_dispatch_agent;
    driver->MajorFunction[IRP_MJ_CLOSE] = xenbus_dispatch_agent;
    driver->MajorFunction[IRP_MJ_DEVICE_CONTROL] = xenbus_dispatch_agent;
    driver->MajorFunction[IRP_MJ_SHUTDOWN] = xenbus_dispatch_agent;
    driver->MajorFunction[IRP_MJ_PNP] = xenbus_dispatch_pnp;
    driver->MajorFunction[IRP_MJ_POWER] = xenbus_dispatch_power;
    driver->DriverExtension->AddDevice = xenbus_add_device;
    driver->DriverUnload = driver_unload;
    os_log(OS_LOG_INFO, "xenbus: loaded\n");
    return STATUS_SUCCESS;
}
