/* windows/common/query_interface.c - see query_interface.h. */
#include "query_interface.h"

NTSTATUS winpv_query_interface(DEVICE_OBJECT *lower, const struct winpv_guid *guid, USHORT version,
                               void *table, USHORT size)
{
    IO_STATUS_BLOCK iosb;
    IO_STACK_LOCATION *stack;
    KEVENT done;
    NTSTATUS status;
    IRP *irp;

    KeInitializeEvent(&done, NotificationEvent, FALSE);
    irp = IoBuildSynchronousFsdRequest(IRP_MJ_PNP, lower, NULL, 0, NULL, &done, &iosb);
    if (irp == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    irp->IoStatus.Status = STATUS_NOT_SUPPORTED; /* as every PnP request starts */
    stack = IoGetNextIrpStackLocation(irp);
    stack->MinorFunction = IRP_MN_QUERY_INTERFACE;
    stack->Parameters.QueryInterface.InterfaceType = (const GUID *)guid;
    stack->Parameters.QueryInterface.Size = size;
    stack->Parameters.QueryInterface.Version = version;
    stack->Parameters.QueryInterface.Interface = table;
    stack->Parameters.QueryInterface.InterfaceSpecificData = NULL;
    status = IoCallDriver(lower, irp);
    if (status == STATUS_PENDING) {
        KeWaitForSingleObject(&done, Executive, KernelMode, FALSE, NULL);
        status = iosb.Status;
    }
    return status;
}
