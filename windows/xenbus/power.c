/*
 * windows/xenbus/power.c - power IRPs: XENBUS has no power policy of its
 * own yet and passes every power IRP down unchanged.
 */
#include "fdo.h"

NTSTATUS xenbus_dispatch_power(DEVICE_OBJECT *device, IRP *irp)
{
    struct xenbus_fdo *fdo = fdo_from_device(device);
    NTSTATUS status;

    if (xenbus_kind_of(device) == XENBUS_PDO)
        return xenbus_pdo_dispatch_power(device->DeviceExtension, irp);
    status = IoAcquireRemoveLock(&fdo->remove_lock, irp);

    if (!NT_SUCCESS(status)) {
        PoStartNextPowerIrp(irp);
        irp->IoStatus.Status = status;
        IoCompleteRequest(irp, IO_NO_INCREMENT);
        return status;
    }
    /* Required before Windows Vista, harmless after. */
    PoStartNextPowerIrp(irp);
    IoSkipCurrentIrpStackLocation(irp);
    status = PoCallDriver(fdo->lower, irp);
    IoReleaseRemoveLock(&fdo->remove_lock, irp);
    return status;
}
