/*
 * tests/sim/nt/drivers/dumpdisk.c - a Storport miniport with one disk of
 * 3 MiB held in its own image, with a crash-dump and hibernation mode, to
 * show what the simulated Storport's dump mode (sim/nt/storport_dump.c)
 * does and holds a miniport to.
 *
 * Normal mode: SCSI commands on the disk, answered at once. Asked for its
 * dump pointers, it hands out a context naming its disk (and the case it
 * plays), as a real miniport hands its prepared state to its dump copy.
 * Dump mode (DriverEntry with NULL arguments): the copy finds the context
 * in ConfigInfo->MiniportDumpData, checks "dump=1" and DumpMode, and
 * answers each request from HwInterrupt, which the dump port polls.
 *
 * The case, by the service it was installed as:
 *   dumpdisk         behaves
 *   dump_pool        allocates pool in dump mode's HwFindAdapter: a stop
 *   dump_passive     asks for passive initialization in dump mode: a stop
 *   dump_no_pointers answers no dump pointers: no dump stack
 */
#include "storport_abi.h"

#include "service_name.h"

#define DISK_BYTES   (3u << 20)
#define BLOCK        512
#define MAX_TRANSFER (1u << 20)
#define CONTEXT_TAG  0x6b736944706d7544ull /* "DumpDisk" */

enum rule { BEHAVE, DUMP_POOL, DUMP_PASSIVE, DUMP_NO_POINTERS };

/* What the normal copy hands its dump copy. */
struct dump_context {
    ULONG64 magic;
    enum rule rule;
    UCHAR *disk;
};

static UCHAR disk[DISK_BYTES];
static struct dump_context context;
static enum rule chosen;
static BOOLEAN dump_mode;
static const struct dump_context *dumping; /* the dump copy's: the normal copy's context */

/* The dump copy's one request, answered at the next HwInterrupt. */
struct extension {
    PSCSI_REQUEST_BLOCK pending;
};

static ULONG64 get_be(const UCHAR *p, unsigned int n)
{
    ULONG64 v = 0;

    for (unsigned int i = 0; i < n; i++)
        v = v << 8 | p[i];
    return v;
}

static void put_be(UCHAR *p, ULONG64 v, unsigned int n)
{
    for (unsigned int i = n; i-- > 0; v >>= 8)
        p[i] = (UCHAR)v;
}

static void sense(PSCSI_REQUEST_BLOCK srb, UCHAR key, UCHAR asc)
{
    UCHAR *s = srb->SenseInfoBuffer;

    srb->ScsiStatus = 2; /* CHECK CONDITION */
    srb->SrbStatus = SRB_STATUS_ERROR;
    srb->DataTransferLength = 0;
    if (s && srb->SenseInfoBufferLength >= 18) {
        for (unsigned int i = 0; i < 18; i++)
            s[i] = 0;
        s[0] = 0x70;
        s[2] = key;
        s[7] = 10;
        s[12] = asc;
        srb->SenseInfoBufferLength = 18;
        srb->SrbStatus |= SRB_STATUS_AUTOSENSE_VALID;
    }
}

/* A SCSI command on @d. */
static void execute(UCHAR *d, PSCSI_REQUEST_BLOCK srb)
{
    const UCHAR *cdb = srb->Cdb;
    UCHAR *buf = srb->DataBuffer;
    ULONG64 lba = 0, blocks = 0;

    srb->SrbStatus = SRB_STATUS_SUCCESS;
    srb->ScsiStatus = 0;
    switch (cdb[0]) {
    case 0x00: /* TEST UNIT READY */
    case 0x35: /* SYNCHRONIZE CACHE(10) */
        return;
    case 0x12: /* INQUIRY */
        if ((cdb[1] & 1) || srb->DataTransferLength < 36) {
            sense(srb, 5, 0x24);
            return;
        }
        for (unsigned int i = 0; i < 36; i++)
            buf[i] = 0;
        buf[2] = 5;
        buf[3] = 2;
        buf[4] = 31;
        memcpy(buf + 8, "WINPV   DUMPDISK        0001", 28);
        srb->DataTransferLength = 36;
        return;
    case 0x25: /* READ CAPACITY(10) */
        put_be(buf, DISK_BYTES / BLOCK - 1, 4);
        put_be(buf + 4, BLOCK, 4);
        srb->DataTransferLength = 8;
        return;
    case 0x9e: /* READ CAPACITY(16) */
        if ((cdb[1] & 0x1f) != 0x10 || srb->DataTransferLength < 12) {
            sense(srb, 5, 0x24);
            return;
        }
        for (unsigned int i = 0; i < srb->DataTransferLength && i < 32; i++)
            buf[i] = 0;
        put_be(buf, DISK_BYTES / BLOCK - 1, 8);
        put_be(buf + 8, BLOCK, 4);
        srb->DataTransferLength = srb->DataTransferLength < 32 ? srb->DataTransferLength : 32;
        return;
    case 0x28: /* READ(10) */
    case 0x2a: /* WRITE(10) */
        lba = get_be(cdb + 2, 4);
        blocks = get_be(cdb + 7, 2);
        break;
    case 0x88: /* READ(16) */
    case 0x8a: /* WRITE(16) */
        lba = get_be(cdb + 2, 8);
        blocks = get_be(cdb + 10, 4);
        break;
    default:
        sense(srb, 5, 0x20);
        return;
    }
    if (lba + blocks > DISK_BYTES / BLOCK || blocks * BLOCK > srb->DataTransferLength) {
        sense(srb, 5, 0x21);
        return;
    }
    if (cdb[0] == 0x28 || cdb[0] == 0x88)
        memcpy(buf, d + lba * BLOCK, blocks * BLOCK);
    else
        memcpy(d + lba * BLOCK, buf, blocks * BLOCK);
    srb->DataTransferLength = (ULONG)(blocks * BLOCK);
}

static BOOLEAN dump_pointers(PSCSI_REQUEST_BLOCK srb)
{
    MINIPORT_DUMP_POINTERS *p = srb->DataBuffer;

    if (chosen == DUMP_NO_POINTERS || p == NULL || srb->DataTransferLength < sizeof(*p))
        return FALSE;
    memset(p, 0, sizeof(*p));
    p->Version = DUMP_MINIPORT_VERSION_1;
    p->Size = sizeof(*p);
    context = (struct dump_context){CONTEXT_TAG, chosen, disk};
    p->MiniportPrivateDumpData = &context;
    p->MaximumTransferLength = MAX_TRANSFER;
    p->NumberOfPhysicalBreaks = MAX_TRANSFER / PAGE_SIZE + 1;
    p->MaximumNumberOfTargets = 1;
    return TRUE;
}

static BOOLEAN start_io(PVOID extension, PSCSI_REQUEST_BLOCK srb)
{
    struct extension *x = extension;

    if (dump_mode) {
        x->pending = srb; /* answered when the dump port polls */
        return TRUE;
    }
    if (srb->Function == SRB_FUNCTION_DUMP_POINTERS)
        srb->SrbStatus = dump_pointers(srb) ? SRB_STATUS_SUCCESS : SRB_STATUS_INVALID_REQUEST;
    else if (srb->Function != SRB_FUNCTION_EXECUTE_SCSI)
        srb->SrbStatus = SRB_STATUS_INVALID_REQUEST;
    else if (srb->TargetId != 0 || srb->Lun != 0)
        srb->SrbStatus = SRB_STATUS_NO_DEVICE;
    else
        execute(disk, srb);
    StorPortNotification(STOR_REQUEST_COMPLETE, extension, srb);
    return TRUE;
}

/* Dump mode: the request waiting, answered. */
static BOOLEAN interrupt(PVOID extension)
{
    struct extension *x = extension;
    PSCSI_REQUEST_BLOCK srb = x->pending;

    if (srb == NULL)
        return FALSE;
    x->pending = NULL;
    if (srb->Function == SRB_FUNCTION_SHUTDOWN)
        srb->SrbStatus = SRB_STATUS_SUCCESS;
    else if (srb->Function != SRB_FUNCTION_EXECUTE_SCSI || srb->TargetId != 0)
        srb->SrbStatus = SRB_STATUS_INVALID_REQUEST;
    else
        execute(dumping->disk, srb);
    StorPortNotification(STOR_REQUEST_COMPLETE, extension, srb);
    StorPortNotification(STOR_NEXT_REQUEST, extension);
    return TRUE;
}

static ULONG find_adapter(PVOID extension, PVOID hw_context, PVOID bus, PCHAR arguments,
                          PPORT_CONFIGURATION_INFORMATION config, PBOOLEAN reserved)
{
    static const char dump_argument[] = "dump=1";

    if (dump_mode) {
        const struct dump_context *c = config->MiniportDumpData;

        for (unsigned int i = 0; i < sizeof(dump_argument); i++) {
            if (arguments == NULL || arguments[i] != dump_argument[i])
                return SP_RETURN_BAD_CONFIG;
        }
        if (c == NULL || c->magic != CONTEXT_TAG ||
            (config->DumpMode != DUMP_MODE_CRASH && config->DumpMode != DUMP_MODE_HIBER))
            return SP_RETURN_BAD_CONFIG;
        dumping = c;
        DbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_INFO_LEVEL, "dumpdisk: dump mode %u\n",
                   config->DumpMode);
        if (c->rule == DUMP_POOL)
            ExFreePoolWithTag(ExAllocatePoolWithTag(NonPagedPoolNx, 64, 'pmuD'), 'pmuD');
    }
    config->MaximumTransferLength = MAX_TRANSFER;
    config->NumberOfPhysicalBreaks = MAX_TRANSFER / PAGE_SIZE + 1;
    config->MaximumNumberOfTargets = 1;
    config->MaximumNumberOfLogicalUnits = 1;
    config->ScatterGather = TRUE;
    config->Master = TRUE;
    return SP_RETURN_FOUND;
}

static BOOLEAN passive_initialize(PVOID extension)
{
    return TRUE;
}

static BOOLEAN initialize(PVOID extension)
{
    LONG granted = FALSE;

    if (dump_mode && dumping->rule == DUMP_PASSIVE)
        StorPortNotification(STOR_ENABLE_PASSIVE_INITIALIZATION, extension, passive_initialize,
                             &granted);
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
    .HwInterrupt = interrupt,
    .HwFindAdapter = find_adapter,
    .HwResetBus = reset_bus,
    .DeviceExtensionSize = sizeof(struct extension),
    .MapBuffers = STOR_MAP_ALL_BUFFERS_INCLUDING_READ_WRITE,
    .AutoRequestSense = TRUE,
    .FeatureSupport = STOR_FEATURE_DUMP_POINTERS,
};

__attribute__((section("INIT"))) NTSTATUS DriverEntry(DRIVER_OBJECT *driver,
                                                      UNICODE_STRING *registry_path)
{
    HW_INITIALIZATION_DATA init = registration;

    dump_mode = registry_path == NULL;
    if (!dump_mode) {
        if (service_is(registry_path, L"dump_pool"))
            chosen = DUMP_POOL;
        else if (service_is(registry_path, L"dump_passive"))
            chosen = DUMP_PASSIVE;
        else if (service_is(registry_path, L"dump_no_pointers"))
            chosen = DUMP_NO_POINTERS;
    }
    return StorPortInitialize(driver, registry_path, &init, NULL);
}
