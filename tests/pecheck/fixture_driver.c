/*
 * A minimal kernel driver, linked by the same toolchain and flags as the real
 * drivers, for the pecheck tests to accept and then to corrupt.
 *
 * It has what pecheck looks for in every image: DriverEntry in a discardable
 * INIT section, imports from ntoskrnl.exe and hal.dll, and a table of function
 * pointers, whose absolute addresses need base relocations.
 */
#include <ntddk.h>

DRIVER_INITIALIZE DriverEntry;
static DRIVER_UNLOAD fixture_unload;
static DRIVER_DISPATCH fixture_dispatch_create_close;
static DRIVER_DISPATCH fixture_dispatch_unsupported;

static NTSTATUS complete_request(PIRP irp, NTSTATUS status)
{
    irp->IoStatus.Status = status;
    irp->IoStatus.Information = 0;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    return status;
}

static NTSTATUS fixture_dispatch_create_close(PDEVICE_OBJECT device, PIRP irp)
{
    return complete_request(irp, STATUS_SUCCESS);
}

static NTSTATUS fixture_dispatch_unsupported(PDEVICE_OBJECT device, PIRP irp)
{
    return complete_request(irp, STATUS_NOT_SUPPORTED);
}

/* Written into the image as absolute addresses: the linker must emit a base
 * relocation for each entry. */
static PDRIVER_DISPATCH const fixture_dispatch_table[] = {
    [IRP_MJ_CREATE] = fixture_dispatch_create_close,
    [IRP_MJ_CLOSE] = fixture_dispatch_create_close,
    [IRP_MJ_DEVICE_CONTROL] = fixture_dispatch_unsupported,
};

static void fixture_unload(PDRIVER_OBJECT driver)
{
    DbgPrint("pecheck fixture: unload\n");
}

__attribute__((section("INIT"))) NTSTATUS DriverEntry(PDRIVER_OBJECT driver,
                                                      PUNICODE_STRING registry_path)
{
    ULONG major;

    for (major = 0; major <= IRP_MJ_MAXIMUM_FUNCTION; major++) {
        driver->MajorFunction[major] = fixture_dispatch_unsupported;
        if (major < ARRAYSIZE(fixture_dispatch_table) && fixture_dispatch_table[major])
            driver->MajorFunction[major] = fixture_dispatch_table[major];
    }
    driver->DriverUnload = fixture_unload;

    /* An import from hal.dll, so the image names two kernel modules. */
    KeStallExecutionProcessor(1);
    DbgPrint("pecheck fixture: loaded\n");
    return STATUS_SUCCESS;
}
