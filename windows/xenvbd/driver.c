/*
 * windows/xenvbd/driver.c - XENVBD's entry: registration with Storport,
 * and a PnP hook in front of Storport's, so that a stop or removal of the
 * adapter closes the frontends at PASSIVE_LEVEL first (Storport's own
 * ScsiStopAdapter comes at DIRQL). Storport set the dispatch table in
 * StorPortInitialize; its PnP dispatch is kept and called after ours.
 * Called with NULL arguments, it is the dump copy's entry (dump.c).
 */
#include "adapter.h"
#include "os.h"

static DRIVER_DISPATCH *storport_pnp;

static NTSTATUS dispatch_pnp(DEVICE_OBJECT *device, IRP *irp)
{
    struct xenvbd_adapter *adapter = xenvbd_adapter_of(device);
    UCHAR minor = IoGetCurrentIrpStackLocation(irp)->MinorFunction;

    if (adapter && (minor == IRP_MN_STOP_DEVICE || minor == IRP_MN_REMOVE_DEVICE ||
                    minor == IRP_MN_SURPRISE_REMOVAL))
        xenvbd_adapter_stop(adapter);
    return storport_pnp(device, irp);
}

DRIVER_INITIALIZE DriverEntry;

__attribute__((section("INIT"))) NTSTATUS DriverEntry(DRIVER_OBJECT *driver,
                                                      UNICODE_STRING *registry_path)
{
    HW_INITIALIZATION_DATA init;
    NTSTATUS status;

    if (driver == NULL && registry_path == NULL)
        return xenvbd_dump_entry(); /* dump_xenvbd.sys or hiber_xenvbd.sys */
    RtlZeroMemory(&init, sizeof(init));
    init.HwInitializationDataSize = sizeof(init);
    init.AdapterInterfaceType = Internal; /* what XENBUS's PDO reports as its bus */
    init.HwInitialize = xenvbd_initialize;
    init.HwStartIo = xenvbd_start_io;
    init.HwFindAdapter = xenvbd_find_adapter;
    init.HwResetBus = xenvbd_reset_bus;
    init.HwAdapterControl = xenvbd_adapter_control;
    init.DeviceExtensionSize = sizeof(struct xenvbd_adapter);
    init.MapBuffers = STOR_MAP_ALL_BUFFERS_INCLUDING_READ_WRITE;
    init.SrbExtensionSize = sizeof(struct xenvbd_srb);
    init.TaggedQueuing = TRUE;
    init.AutoRequestSense = TRUE;
    init.MultipleRequestPerLu = TRUE;
    init.FeatureSupport = STOR_FEATURE_FULL_PNP_DEVICE_CAPABILITIES | STOR_FEATURE_DUMP_POINTERS;
    init.SrbTypeFlags = SRB_TYPE_FLAG_STORAGE_REQUEST_BLOCK; /* Windows 8's SRBs (srb_access.h) */
    status = StorPortInitialize(driver, registry_path, &init, NULL);
    if (!NT_SUCCESS(status)) {
        os_log(OS_LOG_ERROR, "xenvbd: StorPortInitialize failed (%#x)\n", (unsigned int)status);
        return status;
    }
    storport_pnp = driver->MajorFunction[IRP_MJ_PNP];
    driver->MajorFunction[IRP_MJ_PNP] = dispatch_pnp;
    os_log(OS_LOG_INFO, "xenvbd: loaded\n");
    return STATUS_SUCCESS;
}
