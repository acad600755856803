/*
 * tests/sim/nt/drivers/badminiport.c - a Storport miniport that breaks one
 * of Storport's documented rules, chosen by its service name, to show the
 * simulated Storport holds a miniport to them:
 *
 *   sp_bad_size            registers an HW_INITIALIZATION_DATA of a size no
 *                          Storport takes (StorPortInitialize: REVISION_MISMATCH)
 *   sp_no_transfer_length  finds its adapter without setting MaximumTransferLength
 *                          and NumberOfPhysicalBreaks (a verifier stop)
 *   sp_passive_outside     asks for passive initialization in HwFindAdapter
 *                          (refused), then in HwInitialize (granted), and logs both
 *   sp_bus_change_path     reports a bus change (BusChangeDetected) on a bus
 *                          it does not have (PathId 1 of 1 bus): a verifier stop
 *   sp_bus_change_irql     reports a bus change at HIGH_LEVEL, above its DIRQL:
 *                          a verifier stop
 *   sp_perf_opts           asks for concurrent channels in HwFindAdapter
 *                          (refused), then in HwInitialize queries what is
 *                          offered and asks for DPC redirection, which is not
 *                          (refused), and for two concurrent channels
 *                          (granted); logs each answer
 *   sp_srbex               asks for STORAGE_REQUEST_BLOCKs (SrbTypeFlags) and
 *                          logs the form, function, address and CDB of each
 *                          SRB (any other name: no ask, SCSI_REQUEST_BLOCKs)
 *   sp_srbex_as_srb        asks for them, then answers as though it had a
 *                          SCSI_REQUEST_BLOCK (DataTransferLength written over
 *                          SrbLength): a verifier stop
 */
#include "storport_abi.h"

#include "service_name.h"

enum rule {
    SP_BEHAVE,
    SP_BAD_SIZE,
    SP_NO_TRANSFER_LENGTH,
    SP_PASSIVE_OUTSIDE,
    SP_BUS_CHANGE_PATH,
    SP_BUS_CHANGE_IRQL,
    SP_PERF_OPTS,
    SP_SRBEX,
    SP_SRBEX_AS_SRB,
};

static enum rule chosen;

/* StorPortInitializePerfOpts (asking @flags, or querying): its answer and the flags, logged. */
static void perf_opts(PVOID extension, const char *where, BOOLEAN query, ULONG flags)
{
    PERF_CONFIGURATION_DATA perf = {.Version = STOR_PERF_VERSION_2,
                                    .Size = sizeof(perf),
                                    .Flags = flags,
                                    .ConcurrentChannels = 2};
    ULONG status = StorPortExtendedFunction(STOR_EXT_INITIALIZE_PERF, extension, query, &perf);

    DbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_INFO_LEVEL,
               "badminiport: %s: perf opts %s %#lx -> %#lx, flags %#lx\n", where,
               query ? "query" : "ask", flags, status, perf.Flags);
}

static BOOLEAN passive_initialize(PVOID extension)
{
    DbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_INFO_LEVEL, "badminiport: passive initialization ran\n");
    return TRUE;
}

static ULONG find_adapter(PVOID extension, PVOID context, PVOID bus, PCHAR arguments,
                          PPORT_CONFIGURATION_INFORMATION config, PBOOLEAN reserved)
{
    LONG granted = TRUE;

    if (chosen == SP_PASSIVE_OUTSIDE) {
        StorPortNotification(0x1000, extension, passive_initialize, &granted);
        DbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_INFO_LEVEL,
                   "badminiport: passive initialization asked in HwFindAdapter: %s\n",
                   granted ? "granted" : "refused");
    }
    if (chosen == SP_PERF_OPTS)
        perf_opts(extension, "HwFindAdapter", FALSE, STOR_PERF_CONCURRENT_CHANNELS);
    if (chosen != SP_NO_TRANSFER_LENGTH) {
        config->MaximumTransferLength = 64 * 1024;
        config->NumberOfPhysicalBreaks = 17;
    }
    return SP_RETURN_FOUND;
}

static BOOLEAN initialize(PVOID extension)
{
    LONG granted = FALSE;
    KIRQL old;

    if (chosen == SP_BUS_CHANGE_PATH)
        StorPortNotification(STOR_BUS_CHANGE_DETECTED, extension, (UCHAR)1);
    if (chosen == SP_BUS_CHANGE_IRQL) {
        KeRaiseIrql(HIGH_LEVEL, &old);
        StorPortNotification(STOR_BUS_CHANGE_DETECTED, extension, (UCHAR)0);
        KeLowerIrql(old);
    }
    if (chosen == SP_PERF_OPTS) {
        perf_opts(extension, "HwInitialize", TRUE, 0);
        perf_opts(extension, "HwInitialize", FALSE, STOR_PERF_DPC_REDIRECTION);
        perf_opts(extension, "HwInitialize", FALSE, STOR_PERF_CONCURRENT_CHANNELS);
    }
    if (chosen == SP_PASSIVE_OUTSIDE) {
        StorPortNotification(0x1000, extension, passive_initialize, &granted);
        DbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_INFO_LEVEL,
                   "badminiport: passive initialization asked in HwInitialize: %s\n",
                   granted ? "granted" : "refused");
    }
    return TRUE;
}

/* The SRB's form, function, address and CDB, logged (its layout trusted: a test's). */
static void log_srb(PSCSI_REQUEST_BLOCK srb)
{
    PSTORAGE_REQUEST_BLOCK x = (PSTORAGE_REQUEST_BLOCK)srb;
    const STOR_ADDR_BTL8 *address;
    const SRBEX_DATA_SCSI_CDB16 *scsi;

    if (srb->Function != SRB_FUNCTION_STORAGE_REQUEST_BLOCK) {
        DbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_INFO_LEVEL,
                   "badminiport: SCSI_REQUEST_BLOCK: function %u, target %u, CDB %#x\n",
                   srb->Function, srb->TargetId, srb->Cdb[0]);
        return;
    }
    address = (const STOR_ADDR_BTL8 *)((PUCHAR)x + x->AddressOffset);
    scsi = (const SRBEX_DATA_SCSI_CDB16 *)((PUCHAR)x + x->SrbExDataOffset[0]);
    DbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_INFO_LEVEL,
               "badminiport: STORAGE_REQUEST_BLOCK %#lx v%lu of %lu bytes: function %lu, "
               "BTL8 target %u, datum %#lx, CDB %#x, sense %u bytes\n",
               x->Signature, x->Version, x->SrbLength, x->SrbFunction, address->Target, scsi->Type,
               scsi->Cdb[0], scsi->SenseInfoBufferLength);
}

/* No target: every SRB is answered NO_DEVICE. */
static BOOLEAN start_io(PVOID extension, PSCSI_REQUEST_BLOCK srb)
{
    if (chosen == SP_SRBEX || chosen == SP_SRBEX_AS_SRB || chosen == SP_BEHAVE)
        log_srb(srb);
    if (chosen == SP_SRBEX_AS_SRB)
        srb->DataTransferLength = 0;
    srb->SrbStatus = SRB_STATUS_NO_DEVICE;
    StorPortNotification(0, extension, srb);
    return TRUE;
}

static BOOLEAN reset_bus(PVOID extension, ULONG path)
{
    return TRUE;
}

DRIVER_INITIALIZE DriverEntry;

/* Its callbacks in data, as a driver's are: the image carries their relocations. */
static const HW_INITIALIZATION_DATA registration = {
    .HwInitializationDataSize = sizeof(HW_INITIALIZATION_DATA),
    .AdapterInterfaceType = Internal,
    .HwInitialize = initialize,
    .HwStartIo = start_io,
    .HwFindAdapter = find_adapter,
    .HwResetBus = reset_bus,
    .DeviceExtensionSize = 64,
};

__attribute__((section("INIT"))) NTSTATUS DriverEntry(DRIVER_OBJECT *driver,
                                                      UNICODE_STRING *registry_path)
{
    HW_INITIALIZATION_DATA init = registration;

    if (service_is(registry_path, L"sp_bad_size"))
        chosen = SP_BAD_SIZE;
    else if (service_is(registry_path, L"sp_no_transfer_length"))
        chosen = SP_NO_TRANSFER_LENGTH;
    else if (service_is(registry_path, L"sp_passive_outside"))
        chosen = SP_PASSIVE_OUTSIDE;
    else if (service_is(registry_path, L"sp_bus_change_path"))
        chosen = SP_BUS_CHANGE_PATH;
    else if (service_is(registry_path, L"sp_bus_change_irql"))
        chosen = SP_BUS_CHANGE_IRQL;
    else if (service_is(registry_path, L"sp_perf_opts"))
        chosen = SP_PERF_OPTS;
    else if (service_is(registry_path, L"sp_srbex"))
        chosen = SP_SRBEX;
    else if (service_is(registry_path, L"sp_srbex_as_srb"))
        chosen = SP_SRBEX_AS_SRB;
    if (chosen == SP_SRBEX || chosen == SP_SRBEX_AS_SRB)
        init.SrbTypeFlags = SRB_TYPE_FLAG_STORAGE_REQUEST_BLOCK;
    /* The Windows 7 physical form's size, which the simulated Storport does not take. */
    if (chosen == SP_BAD_SIZE)
        init.HwInitializationDataSize = 136;
    return StorPortInitialize(driver, registry_path, &init, NULL);
}
