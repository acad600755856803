/*
 * sim/nt/storport_dump.c - Storport's crash-dump and hibernation mode: the
 * dump port (diskdump.sys on Windows) driving a second copy of the disk's
 * miniport at HIGH_LEVEL, polled, one request at a time. A test
 * instrument: stricter than Windows wherever the documentation sets a
 * rule (docs/ARCHITECTURE.md, "XENVBD's dump mode").
 *
 * storport_dump_run, on the control socket's "dump" request:
 *  1. SRB_FUNCTION_DUMP_POINTERS to the normal miniport for the disk's
 *     target (Windows asks when it prepares the dump stack, at boot):
 *     MINIPORT_DUMP_POINTERS with Version and Size, its
 *     MiniportPrivateDumpData handed to the copy, its
 *     MaximumTransferLength the dump's largest request. A miniport that
 *     does not answer has no dump stack: the request fails, nothing else
 *     happens.
 *  2. The image loaded again as dump_NAME (crash) or hiber_NAME
 *     (hibernation), its own copy in memory, its imports bound here: the
 *     dump port's Storport functions, the few kernel functions a miniport
 *     may call at HIGH_LEVEL without a lock (DbgPrint, memcpy ...), and
 *     for every other import a stop that names it: a pool allocation, a
 *     wait, a spinlock, a DPC, a timer, a registry read in dump mode stops
 *     the guest with a verifier finding. The dump port's memory (the SRB,
 *     its data buffer, the HwDeviceExtension, the DumpRegion the normal
 *     miniport asked for with RequestedDumpBufferSize, at most 64 KiB)
 *     is taken before the crash.
 *  3. The crash: this thread at HIGH_LEVEL takes every other vCPU, and no
 *     interrupt is delivered any more (nt_machine_freeze): the normal
 *     miniport is frozen where it was. A hibernation first requires the
 *     adapter quiesced (no SRB with the miniport).
 *  4. DriverEntry(NULL, NULL), which must call StorPortInitialize (NULL
 *     driver object and registry path); HwFindAdapter with "dump=1" and
 *     the dump-mode PORT_CONFIGURATION_INFORMATION (DumpMode, DumpRegion,
 *     MiniportDumpData); HwInitialize. All at HIGH_LEVEL.
 *  5. INQUIRY of the target; WRITE(16)s of the file at the offset, each
 *     at most the dump's largest transfer; READ(16)s of the same blocks,
 *     compared; SYNCHRONIZE CACHE(10); SRB_FUNCTION_SHUTDOWN. Each goes
 *     through HwBuildIo (when the miniport has one) and HwStartIo, then
 *     HwInterrupt is polled, a 10 µs stall between polls, until the
 *     miniport gives the SRB back with RequestComplete; one not given back
 *     within 10 s of polls, given back twice or still pending stops the
 *     guest. The miniport returns to the dump port at HIGH_LEVEL with no
 *     spinlock held, each time.
 *  6. The answer goes back, then the machine ends (storport_dump_end):
 *     Windows restarts after a crash dump and powers off after a
 *     hibernation; nothing of the frozen machine is unloaded.
 *
 * Not simulated: threads at PASSIVE_LEVEL go on during the dump (Windows
 * stops them with the other processors); the dump copy is loaded at the
 * request, not at boot; DUMP_MODE_MARK_MEMORY and DUMP_MODE_RESUME;
 * StorPortMarkDumpMemory; crash-dump filter drivers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "exports.h"
#include "exports_impl.h"
#include "image.h"
#include "kernel.h"
#include "scsi/bytes.h"
#include "storport.h"
#include "storport_dump.h"

#define STORPORT_DUMP  "storport.sys:dump" /* the dump port's exports, as the copy binds them */
#define NONPAGED_POOL  0
#define DUMP_TAG       0x706d7544 /* 'Dump' */
#define SENSE_LENGTH   18
#define REGION_MAX     (64u << 10) /* the most uncached memory seen given in dump mode */
#define POLL_STALL_NS  10000ull
#define POLLS_MAX      1000000u /* 10 s of 10 µs stalls */
#define FORBIDDEN_MAX  128
#define INQUIRY_LENGTH 36
#define SCSI_INQUIRY   0x12
#define SCSI_READ_16   0x88
#define SCSI_WRITE_16  0x8a
#define SCSI_SYNC_10   0x35
#define SG_MAX         (2u << 20 >> 12) /* pieces of the largest buffer taken */
#define TRANSFER_MAX   (2u << 20)

/* The kernel's functions a dump-mode miniport may import and call (any IRQL, no lock, no wait). */
static const char *const allowed[] = {
    "DbgPrint",
    "DbgPrintEx",
    "vDbgPrintEx",
    "vDbgPrintExWithPrefix",
    "memcpy",
    "memmove",
    "memset",
    "memcmp",
    "strlen",
    "strcmp",
    "strncmp",
    "_vsnprintf",
    "_snprintf",
    "RtlCompareMemory",
    "__C_specific_handler",
    "KeBugCheckEx",
    "MmGetPhysicalAddress",
    "KeGetCurrentProcessorNumberEx",
};

/* The one dump of the machine. */
static struct {
    /* Imports of the copy that stop the guest, by stub number. */
    const char *forbidden[FORBIDDEN_MAX];
    char names[FORBIDDEN_MAX][64];
    unsigned int forbidden_count;
    bool active;     /* the copy runs: its calls are served */
    bool registered; /* StorPortInitialize was called */
    bool ended;      /* the machine ends once the answer is out */
    HW_INITIALIZATION_DATA init;
    void *hw_extension;
    /* The request with the copy: one at a time. */
    SCSI_REQUEST_BLOCK *srb;
    uint8_t *data;
    uint32_t data_max;
    bool outstanding, completed, next_request;
    STOR_SCATTER_GATHER_LIST *sg;
} dump;

/* -- what the copy may not call ------------------------------------------- */

static __attribute__((noreturn)) void forbidden_call(unsigned int i, uint64_t caller)
{
    nt_verifier_fail(NT_VERIFY_ARGUMENT, caller,
                     "%s called in dump mode: not allowed at HIGH_LEVEL in a crash or "
                     "hibernation (no pool, waits, locks, DPCs, timers or registry)",
                     dump.forbidden[i] ? dump.forbidden[i] : "(unnamed import)");
}

#define STUB(n)                                   \
    static NT_EXPORT uint64_t forbidden_##n(void) \
    {                                             \
        forbidden_call(n, NT_CALLER);             \
    }
#define STUB16(x) \
    STUB(x##0)    \
    STUB(x##1)    \
    STUB(x##2)    \
    STUB(x##3)    \
    STUB(x##4)    \
    STUB(x##5)    \
    STUB(x##6)    \
    STUB(x##7)    \
    STUB(x##8) STUB(x##9) STUB(x##a) STUB(x##b) STUB(x##c) STUB(x##d) STUB(x##e) STUB(x##f)
#define REF16(x)                                                                                  \
    forbidden_##x##0, forbidden_##x##1, forbidden_##x##2, forbidden_##x##3, forbidden_##x##4,     \
        forbidden_##x##5, forbidden_##x##6, forbidden_##x##7, forbidden_##x##8, forbidden_##x##9, \
        forbidden_##x##a, forbidden_##x##b, forbidden_##x##c, forbidden_##x##d, forbidden_##x##e, \
        forbidden_##x##f

STUB16(0x0)
STUB16(0x1)
STUB16(0x2)
STUB16(0x3)
STUB16(0x4)
STUB16(0x5)
STUB16(0x6)
STUB16(0x7)

static NT_EXPORT uint64_t (*const forbidden_stubs[FORBIDDEN_MAX])(void) = {
    REF16(0x0), REF16(0x1), REF16(0x2), REF16(0x3), REF16(0x4), REF16(0x5), REF16(0x6), REF16(0x7),
};

/* The copy's imports: the dump port's Storport, the allowed kernel functions, else a stop. */
static const void *bind_dump(void *context, const char *dll, const char *name, bool *data)
{
    const void *address;
    unsigned int i;

    if (strcasecmp(dll, STORPORT) == 0)
        return nt_export_find(STORPORT_DUMP, name, data);
    address = nt_export_find(dll, name, data);
    if (address == NULL || *data)
        return address; /* unknown: the load fails by name; a variable: no code runs */
    for (i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++) {
        if (strcmp(allowed[i], name) == 0)
            return address;
    }
    if (dump.forbidden_count == FORBIDDEN_MAX)
        return NULL;
    i = dump.forbidden_count++;
    snprintf(dump.names[i], sizeof(dump.names[i]), "%s", name);
    dump.forbidden[i] = dump.names[i];
    return (const void *)forbidden_stubs[i];
}

/* -- the dump port's Storport --------------------------------------------- */

static void require_copy(void *hw_extension, uint64_t caller, const char *function)
{
    if (!dump.active || hw_extension == NULL || hw_extension != dump.hw_extension)
        nt_verifier_fail(NT_VERIFY_ARGUMENT, caller,
                         "%s(%p) in dump mode: not the HwDeviceExtension the dump port gave",
                         function, hw_extension);
}

static NT_EXPORT NTSTATUS dump_initialize(DRIVER_OBJECT *driver, UNICODE_STRING *registry_path,
                                          HW_INITIALIZATION_DATA *init, void *context)
{
    uint64_t caller = NT_CALLER;

    if (!dump.active || driver != NULL || registry_path != NULL || init == NULL)
        nt_verifier_fail(NT_VERIFY_ARGUMENT, caller,
                         "StorPortInitialize in dump mode with a driver object or registry path "
                         "(the dump port passes NULL), or without HW_INITIALIZATION_DATA");
    if (dump.registered)
        nt_verifier_fail(NT_VERIFY_ARGUMENT, caller, "StorPortInitialize twice in dump mode");
    if (init->HwInitializationDataSize != STOR_HW_INIT_DATA_SIZE || !init->HwInitialize ||
        !init->HwStartIo || !init->HwFindAdapter || !init->HwResetBus ||
        init->DeviceExtensionSize == 0)
        return STATUS_REVISION_MISMATCH;
    dump.init = *init;
    dump.registered = true;
    return STATUS_SUCCESS;
}
NT_REGISTER_AS(STORPORT_DUMP, "StorPortInitialize", dump_initialize);

static NT_EXPORT BOOLEAN dump_notification(uint32_t type, void *hw_extension, ...)
{
    uint64_t caller = NT_CALLER;
    __builtin_ms_va_list args;
    SCSI_REQUEST_BLOCK *srb;

    require_copy(hw_extension, caller, "StorPortNotification");
    __builtin_ms_va_start(args, hw_extension);
    switch (type) {
    case STOR_REQUEST_COMPLETE:
        srb = __builtin_va_arg(args, SCSI_REQUEST_BLOCK *);
        __builtin_ms_va_end(args);
        if (!dump.outstanding || srb != dump.srb || dump.completed)
            nt_verifier_fail(NT_VERIFY_IRP_COMPLETED_TWICE, caller,
                             "RequestComplete in dump mode of SRB %p, which the miniport does "
                             "not hold",
                             (void *)srb);
        if (srb->SrbStatus == SRB_STATUS_PENDING)
            nt_verifier_fail(NT_VERIFY_ARGUMENT, caller,
                             "RequestComplete in dump mode of SRB %p with SRB_STATUS_PENDING",
                             (void *)srb);
        dump.completed = true;
        return TRUE;
    case STOR_NEXT_REQUEST:
        __builtin_ms_va_end(args);
        dump.next_request = true;
        return TRUE;
    default:
        __builtin_ms_va_end(args);
        nt_verifier_fail(NT_VERIFY_ARGUMENT, caller,
                         "StorPortNotification(%#x) in dump mode: only RequestComplete and "
                         "NextRequest are served (no DPC, timer, passive initialization or bus "
                         "change)",
                         type);
    }
}
NT_REGISTER_AS(STORPORT_DUMP, "StorPortNotification", dump_notification);

static NT_EXPORT uint32_t dump_extended_function(uint32_t function, void *hw_extension, ...)
{
    uint64_t caller = NT_CALLER;

    require_copy(hw_extension, caller, "StorPortExtendedFunction");
    nt_verifier_fail(NT_VERIFY_ARGUMENT, caller,
                     "StorPortExtendedFunction(%u) in dump mode: no extended function is "
                     "allowed (StorPortAllocatePool is not supported in the dump stack)",
                     function);
}
NT_REGISTER_AS(STORPORT_DUMP, "StorPortExtendedFunction", dump_extended_function);

static NT_EXPORT STOR_SCATTER_GATHER_LIST *dump_sg_list(void *hw_extension, SCSI_REQUEST_BLOCK *srb)
{
    uint64_t caller = NT_CALLER;
    const uint8_t *va;
    uint32_t left;

    require_copy(hw_extension, caller, "StorPortGetScatterGatherList");
    if (!dump.outstanding || dump.completed || srb != dump.srb)
        nt_verifier_fail(NT_VERIFY_ARGUMENT, caller,
                         "StorPortGetScatterGatherList in dump mode of SRB %p, which the "
                         "miniport does not hold",
                         (void *)srb);
    va = srb->DataBuffer;
    left = srb->DataTransferLength;
    dump.sg->NumberOfElements = 0;
    while (left > 0) {
        uint32_t n = 4096 - (uint32_t)((uintptr_t)va & 4095);
        STOR_SCATTER_GATHER_ELEMENT *e = &dump.sg->List[dump.sg->NumberOfElements++];

        n = n < left ? n : left;
        e->PhysicalAddress.QuadPart = (int64_t)nt_physical_address(va);
        e->Length = n;
        e->Reserved = 0;
        va += n;
        left -= n;
    }
    return dump.sg;
}
NT_REGISTER_AS(STORPORT_DUMP, "StorPortGetScatterGatherList", dump_sg_list);

/* Busy for @us microseconds: Storport's own stall, in either mode. */
static NT_EXPORT void stall_execution(uint32_t us)
{
    uint64_t caller = NT_CALLER;
    struct timespec t = {.tv_sec = us / 1000000, .tv_nsec = (long)(us % 1000000) * 1000};

    if (us > 1000000)
        nt_verifier_fail(NT_VERIFY_ARGUMENT, caller,
                         "StorPortStallExecution(%u): above a second, a wait, not a stall", us);
    nanosleep(&t, NULL);
}
NT_REGISTER_ENTRY(STORPORT, "StorPortStallExecution", stall_normal, (const void *)stall_execution,
                  false);
NT_REGISTER_ENTRY(STORPORT_DUMP, "StorPortStallExecution", stall_dump,
                  (const void *)stall_execution, false);

/* -- the dump ----------------------------------------------------------- */

/* The copy returned to the dump port: still at HIGH_LEVEL, no spinlock held. */
static void check_return(const void *routine, const char *name)
{
    if (nt_irql() != HIGH_LEVEL || nt_current()->spinlocks)
        nt_verifier_fail(NT_VERIFY_IRQL, (uint64_t)(uintptr_t)routine,
                         "%s returned in dump mode at IRQL %u holding %u spinlock(s)", name,
                         nt_irql(), nt_current()->spinlocks);
}

struct dump_outcome {
    uint8_t srb_status;
    uint8_t scsi_status;
};

/* One SRB to the copy, polled until given back. @data: @length bytes at dump.data. */
static struct dump_outcome dump_srb(uint8_t function, uint8_t target, const uint8_t *cdb,
                                    uint8_t cdb_length, uint32_t flags, uint32_t length)
{
    SCSI_REQUEST_BLOCK *srb = dump.srb;
    uint8_t *sense = (uint8_t *)srb + sizeof(*srb);
    void *ext = dump.hw_extension;
    bool start = true;
    unsigned int polls;

    memset(srb, 0, sizeof(*srb));
    memset(sense, 0, SENSE_LENGTH);
    srb->Length = sizeof(*srb);
    srb->Function = function;
    srb->TargetId = target;
    srb->CdbLength = cdb_length;
    if (cdb_length)
        memcpy(srb->Cdb, cdb, cdb_length);
    srb->SrbFlags = flags;
    srb->TimeOutValue = 10;
    srb->SenseInfoBuffer = sense;
    srb->SenseInfoBufferLength = SENSE_LENGTH;
    srb->DataBuffer = length ? dump.data : NULL;
    srb->DataTransferLength = length;
    if (dump.init.SrbExtensionSize) {
        srb->SrbExtension = dump.data + dump.data_max;
        memset(srb->SrbExtension, 0, dump.init.SrbExtensionSize);
    }
    dump.outstanding = true;
    dump.completed = false;
    dump.next_request = false;
    if (dump.init.HwBuildIo) {
        start = (BOOLEAN)nt_driver_call(dump.init.HwBuildIo, (uint64_t)(uintptr_t)ext,
                                        (uint64_t)(uintptr_t)srb, 0, 0);
        check_return(dump.init.HwBuildIo, "HwBuildIo");
    }
    if (start && !dump.completed) {
        nt_driver_call(dump.init.HwStartIo, (uint64_t)(uintptr_t)ext, (uint64_t)(uintptr_t)srb, 0,
                       0);
        check_return(dump.init.HwStartIo, "HwStartIo");
    }
    for (polls = 0; !dump.completed; polls++) {
        struct timespec t = {.tv_nsec = POLL_STALL_NS};

        if (polls == POLLS_MAX)
            nt_verifier_fail(NT_VERIFY_IRP_NOT_COMPLETED, (uint64_t)(uintptr_t)dump.init.HwStartIo,
                             "SRB %p (function %#x, CDB %#x) not given back in dump mode after "
                             "%u polls of HwInterrupt",
                             (void *)srb, function, cdb_length ? cdb[0] : 0, polls);
        if (dump.init.HwInterrupt) {
            nt_driver_call(dump.init.HwInterrupt, (uint64_t)(uintptr_t)ext, 0, 0, 0);
            check_return(dump.init.HwInterrupt, "HwInterrupt");
        }
        if (!dump.completed)
            nanosleep(&t, NULL);
    }
    dump.outstanding = false;
    return (struct dump_outcome){srb->SrbStatus, srb->ScsiStatus};
}

static bool succeeded(struct dump_outcome out)
{
    return SRB_STATUS(out.srb_status) == SRB_STATUS_SUCCESS;
}

/* READ(16) or WRITE(16) of @blocks from @lba through the copy. */
static struct dump_outcome dump_rw(uint8_t target, bool write, uint64_t lba, uint32_t blocks,
                                   uint32_t length)
{
    uint8_t cdb[16] = {write ? SCSI_WRITE_16 : SCSI_READ_16};

    scsi_put64(cdb + 2, lba);
    scsi_put32(cdb + 10, blocks);
    return dump_srb(SRB_FUNCTION_EXECUTE_SCSI, target, cdb, sizeof(cdb),
                    write ? SRB_FLAGS_DATA_OUT : SRB_FLAGS_DATA_IN, length);
}

/* SRB_FUNCTION_DUMP_POINTERS to the normal miniport: 0 and @p, or -1 with why in @answer. */
static int dump_pointers(struct adapter *a, uint8_t target, MINIPORT_DUMP_POINTERS *p, char *answer,
                         size_t size)
{
    struct storport_request r, *one = &r;
    static const uint8_t no_cdb[1];
    struct srb_outcome out;

    if (storport_request_init(&r, a, sizeof(*p)) != 0) {
        snprintf(answer, size, "error no pool for the dump pointers' SRB");
        return -1;
    }
    r.function = SRB_FUNCTION_DUMP_POINTERS;
    storport_request_start(&r, target, no_cdb, 0, SRB_DIR_IN, sizeof(*p));
    storport_request_wait(&one, 1);
    out = storport_request_outcome(&r);
    memcpy(p, r.data, sizeof(*p));
    storport_request_fini(&r);
    if (SRB_STATUS(out.srb_status) != SRB_STATUS_SUCCESS) {
        snprintf(answer, size,
                 "error the miniport answered SRB_FUNCTION_DUMP_POINTERS with SRB status %#x: "
                 "no dump stack",
                 out.srb_status);
        return -1;
    }
    if (p->Version != DUMP_MINIPORT_VERSION_1 || p->Size != sizeof(*p)) {
        snprintf(answer, size,
                 "error the miniport's MINIPORT_DUMP_POINTERS has Version %#x, Size %u (%#x, "
                 "%zu required)",
                 p->Version, p->Size, DUMP_MINIPORT_VERSION_1, sizeof(*p));
        return -1;
    }
    return 0;
}

/* The dump-mode configuration HwFindAdapter gets. */
static void dump_config(PORT_CONFIGURATION_INFORMATION *c, uint8_t mode, void *dump_data,
                        void *region, uint32_t region_length)
{
    memset(c, 0, sizeof(*c));
    c->Length = sizeof(*c);
    c->AdapterInterfaceType = dump.init.AdapterInterfaceType;
    c->MaximumTransferLength = SP_UNINITIALIZED_VALUE;
    c->NumberOfPhysicalBreaks = SP_UNINITIALIZED_VALUE;
    c->NumberOfBuses = 1;
    c->MaximumNumberOfTargets = 1;
    c->MaximumNumberOfLogicalUnits = 1;
    c->MapBuffers = dump.init.MapBuffers;
    c->NeedPhysicalAddresses = dump.init.NeedPhysicalAddresses;
    c->AutoRequestSense = dump.init.AutoRequestSense;
    c->DeviceExtensionSize = dump.init.DeviceExtensionSize;
    c->SrbExtensionSize = dump.init.SrbExtensionSize;
    c->Dma64BitAddresses = SCSI_DMA64_SYSTEM_SUPPORTED;
    c->MiniportDumpData = dump_data;
    c->DumpMode = mode;
    if (region) {
        c->DumpRegion.VirtualBase = region;
        c->DumpRegion.PhysicalBase.QuadPart = (int64_t)nt_physical_address(region);
        c->DumpRegion.Length = region_length;
    }
    c->MaxNumberOfIO = 1;
    c->MaxIOsPerLun = 1;
    c->InitialLunQueueDepth = 1;
}

/* Whether [@p, @p + @n) lies on consecutive guest frames. */
static bool contiguous(const uint8_t *p, uint32_t n)
{
    uint64_t first = nt_physical_address(p);

    for (uint32_t at = 4096 - ((uintptr_t)p & 4095); at < n; at += 4096)
        if (nt_physical_address(p + at) != first + at)
            return false;
    return true;
}

/* The file's bytes, whole blocks of @block (zero after its end); NULL with why in @answer. */
static uint8_t *file_blocks(const char *path, uint32_t block, uint32_t *length, char *answer,
                            size_t size)
{
    FILE *f = fopen(path, "rb");
    uint8_t *bytes;
    long n;

    if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
        fseek(f, 0, SEEK_SET) != 0) {
        snprintf(answer, size, "error %s: cannot read it", path);
        if (f)
            fclose(f);
        return NULL;
    }
    if (n == 0 || (unsigned long)n > 64ul << 20) {
        snprintf(answer, size, "error %s: %ld bytes (from 1 to 64 MiB are dumped)", path, n);
        fclose(f);
        return NULL;
    }
    *length = (uint32_t)((n + block - 1) / block * block);
    bytes = calloc(1, *length);
    if (bytes == NULL || fread(bytes, 1, (size_t)n, f) != (size_t)n) {
        snprintf(answer, size, "error %s: cannot read it", path);
        free(bytes);
        fclose(f);
        return NULL;
    }
    fclose(f);
    return bytes;
}

/* Everything the dump port has before the crash; released only when the dump is refused. */
struct dump_memory {
    struct nt_image image;
    bool loaded;
    uint8_t *block; /* SRB, sense, data, SrbExtension */
    uint8_t *region;
    uint32_t region_length;
};

static void dump_memory_release(struct dump_memory *m)
{
    if (m->loaded)
        nt_image_unload(&m->image);
    if (m->block)
        nt_pool_free(m->block, DUMP_TAG, true, 0);
    if (m->region)
        nt_pool_free(m->region, DUMP_TAG, true, 0);
    free(dump.sg);
    dump.sg = NULL;
    dump.forbidden_count = 0;
}

/* Load the copy and take the dump port's memory; 0, or -1 with why in @answer. */
static int dump_prepare(struct adapter *a, const MINIPORT_DUMP_POINTERS *p, bool hiber,
                        struct dump_memory *m, char *answer, size_t size)
{
    const struct nt_image *normal = nt_image_find((uint64_t)(uintptr_t)a->miniport->init.HwStartIo);
    struct nt_image_binder binder = {bind_dump, NULL};
    uint32_t extension = a->miniport->init.SrbExtensionSize + 4096;
    char name[64], error[2048];

    memset(m, 0, sizeof(*m));
    if (normal == NULL) {
        snprintf(answer, size, "error the miniport's image is not known");
        return -1;
    }
    snprintf(name, sizeof(name), "%s%s", hiber ? "hiber_" : "dump_", normal->name);
    dump.forbidden_count = 0;
    if (nt_image_load_bound(normal->path, name, nt_kuser_page(), &binder, &m->image, error,
                            sizeof(error)) != 0) {
        snprintf(answer, size, "error the dump copy did not load: %.400s", error);
        return -1;
    }
    m->loaded = true;
    dump.data_max =
        p->MaximumTransferLength ? p->MaximumTransferLength : a->config.MaximumTransferLength;
    if (dump.data_max == 0 || dump.data_max > TRANSFER_MAX) {
        snprintf(answer, size, "error the dump's largest transfer (%u bytes) is none or above %u",
                 dump.data_max, TRANSFER_MAX);
        dump_memory_release(m);
        return -1;
    }
    /* The copy's own SrbExtensionSize is known only after its StorPortInitialize: room for both. */
    m->block = nt_pool_alloc_block(
        NONPAGED_POOL, sizeof(SCSI_REQUEST_BLOCK) + SENSE_LENGTH + dump.data_max + extension,
        DUMP_TAG, 0);
    dump.sg = calloc(1, sizeof(*dump.sg) + SG_MAX * sizeof(STOR_SCATTER_GATHER_ELEMENT));
    if (a->config.RequestedDumpBufferSize > REGION_MAX) {
        snprintf(answer, size, "error RequestedDumpBufferSize %u is above the %u bytes given",
                 a->config.RequestedDumpBufferSize, REGION_MAX);
        dump_memory_release(m);
        return -1;
    }
    m->region_length = a->config.RequestedDumpBufferSize;
    if (m->region_length)
        m->region = nt_pool_alloc_block(NONPAGED_POOL, m->region_length, DUMP_TAG, 0);
    if (m->block == NULL || dump.sg == NULL || (m->region_length && m->region == NULL) ||
        (m->region && !contiguous(m->region, m->region_length))) {
        snprintf(answer, size, "error no memory for the dump port");
        dump_memory_release(m);
        return -1;
    }
    dump.srb = (SCSI_REQUEST_BLOCK *)m->block;
    dump.data = m->block + sizeof(SCSI_REQUEST_BLOCK) + SENSE_LENGTH;
    return 0;
}

/* The copy started: DriverEntry, HwFindAdapter, HwInitialize. 0, or -1 with why. */
static int dump_start(struct dump_memory *m, const MINIPORT_DUMP_POINTERS *p, bool hiber,
                      PORT_CONFIGURATION_INFORMATION *c, char *answer, size_t size)
{
    void *entry = m->image.base + m->image.entry_rva;
    char arguments[] = "dump=1";
    BOOLEAN again = FALSE;
    NTSTATUS status;
    uint32_t found;

    dump.active = true;
    status = (NTSTATUS)nt_driver_call(entry, 0, 0, 0, 0);
    check_return(entry, "DriverEntry");
    nt_log("dump: %s: DriverEntry -> %#x\n", m->image.name, (unsigned int)status);
    if (!NT_SUCCESS(status) || !dump.registered) {
        snprintf(answer, size, "error %s's DriverEntry failed (%#x) or did not register",
                 m->image.name, (unsigned int)status);
        return -1;
    }
    if (dump.init.SrbExtensionSize > 4096 + sizeof(SCSI_REQUEST_BLOCK)) {
        /* The room taken before the crash covers the normal registration's extension + 4 KiB. */
        snprintf(answer, size, "error the copy's SrbExtensionSize %u is beyond the room taken",
                 dump.init.SrbExtensionSize);
        return -1;
    }
    dump.hw_extension =
        nt_pool_alloc_block(NONPAGED_POOL, dump.init.DeviceExtensionSize, DUMP_TAG, 0);
    if (dump.hw_extension == NULL) {
        snprintf(answer, size, "error no memory for the copy's HwDeviceExtension");
        return -1;
    }
    memset(dump.hw_extension, 0, dump.init.DeviceExtensionSize);
    dump_config(c, hiber ? DUMP_MODE_HIBER : DUMP_MODE_CRASH, p->MiniportPrivateDumpData, m->region,
                m->region_length);
    found = (uint32_t)nt_driver_call6(
        dump.init.HwFindAdapter, (uint64_t)(uintptr_t)dump.hw_extension, 0, 0,
        (uint64_t)(uintptr_t)arguments, (uint64_t)(uintptr_t)c, (uint64_t)(uintptr_t)&again);
    check_return(dump.init.HwFindAdapter, "HwFindAdapter");
    nt_log("dump: HwFindAdapter -> %u\n", found);
    if (found != SP_RETURN_FOUND) {
        snprintf(answer, size, "error the copy's HwFindAdapter found no adapter (%u)", found);
        return -1;
    }
    if (c->MaximumTransferLength == SP_UNINITIALIZED_VALUE ||
        c->NumberOfPhysicalBreaks == SP_UNINITIALIZED_VALUE)
        nt_verifier_fail(NT_VERIFY_ARGUMENT, (uint64_t)(uintptr_t)dump.init.HwFindAdapter,
                         "HwFindAdapter in dump mode found the adapter without setting "
                         "MaximumTransferLength and NumberOfPhysicalBreaks");
    if (!(BOOLEAN)nt_driver_call(dump.init.HwInitialize, (uint64_t)(uintptr_t)dump.hw_extension, 0,
                                 0, 0)) {
        check_return(dump.init.HwInitialize, "HwInitialize");
        snprintf(answer, size, "error the copy's HwInitialize failed");
        return -1;
    }
    check_return(dump.init.HwInitialize, "HwInitialize");
    return 0;
}

/* The largest request: the dump's limits, whole blocks, within the breaks from dump.data. */
static uint32_t chunk_of(const PORT_CONFIGURATION_INFORMATION *c, uint32_t block)
{
    uint32_t chunk =
        c->MaximumTransferLength < dump.data_max ? c->MaximumTransferLength : dump.data_max;
    uint32_t head = (uint32_t)((uintptr_t)dump.data & 4095);

    while (chunk >= block && (head + chunk + 4095) / 4096 > c->NumberOfPhysicalBreaks)
        chunk -= 4096;
    return chunk / block * block;
}

/* Write @bytes at @offset, read them back and compare, flush, shut down. 0, or -1 with why. */
static int dump_write(uint8_t target, uint32_t block, const PORT_CONFIGURATION_INFORMATION *c,
                      const uint8_t *bytes, uint32_t length, uint64_t offset, char *answer,
                      size_t size)
{
    uint8_t inquiry[6] = {SCSI_INQUIRY, 0, 0, 0, INQUIRY_LENGTH, 0};
    uint8_t sync[10] = {SCSI_SYNC_10};
    uint32_t chunk = chunk_of(c, block), at, n, requests = 0;
    struct dump_outcome out;

    if (chunk == 0) {
        snprintf(answer, size, "error the dump's limits take no whole block");
        return -1;
    }
    out = dump_srb(SRB_FUNCTION_EXECUTE_SCSI, target, inquiry, sizeof(inquiry), SRB_FLAGS_DATA_IN,
                   INQUIRY_LENGTH);
    if (!succeeded(out) || (dump.data[0] & 0x1f) != 0) {
        snprintf(answer, size, "error INQUIRY in dump mode: SRB status %#x, type %#x",
                 out.srb_status, dump.data[0] & 0x1f);
        return -1;
    }
    for (int pass = 0; pass < 2; pass++) {
        for (at = 0; at < length; at += n) {
            n = length - at < chunk ? length - at : chunk;
            if (pass == 0)
                memcpy(dump.data, bytes + at, n);
            else
                memset(dump.data, 0xa5, n);
            out = dump_rw(target, pass == 0, (offset + at) / block, n / block, n);
            requests++;
            if (!succeeded(out)) {
                snprintf(answer, size, "error %s of %u bytes at %llu in dump mode: SRB status %#x",
                         pass == 0 ? "WRITE" : "READ", n, (unsigned long long)(offset + at),
                         out.srb_status);
                return -1;
            }
            if (pass == 1 && memcmp(dump.data, bytes + at, n) != 0) {
                snprintf(answer, size,
                         "error what was read back at %llu differs from what was "
                         "written",
                         (unsigned long long)(offset + at));
                return -1;
            }
        }
    }
    out = dump_srb(SRB_FUNCTION_EXECUTE_SCSI, target, sync, sizeof(sync),
                   SRB_FLAGS_NO_DATA_TRANSFER, 0);
    if (!succeeded(out)) {
        snprintf(answer, size, "error SYNCHRONIZE CACHE in dump mode: SRB status %#x",
                 out.srb_status);
        return -1;
    }
    dump_srb(SRB_FUNCTION_SHUTDOWN, target, NULL, 0, SRB_FLAGS_NO_DATA_TRANSFER, 0);
    nt_log("dump: %u bytes written at %llu and read back in %u requests of at most %u bytes\n",
           length, (unsigned long long)offset, requests, chunk);
    snprintf(answer, size, "ok %u %u %u", length, requests, chunk);
    return 0;
}

int storport_dump_run(unsigned int disk, const char *path, uint64_t offset, bool hiber,
                      char *answer, size_t size)
{
    PORT_CONFIGURATION_INFORMATION config;
    MINIPORT_DUMP_POINTERS pointers;
    struct dump_memory memory;
    uint32_t block, length;
    uint8_t target, *bytes;
    struct adapter *a;
    bool quiet;
    KIRQL old;
    int rc;

    if (dump.ended) {
        snprintf(answer, size, "error the machine is ending after its dump");
        return -1;
    }
    a = storport_disk_hold(disk, &target, &block);
    if (a == NULL) {
        snprintf(answer, size, "error the guest has no disk %u", disk);
        return -1;
    }
    if (offset % block) {
        snprintf(answer, size, "error offset %llu: not a whole number of %u-byte blocks",
                 (unsigned long long)offset, block);
        storport_disk_release(a);
        return -1;
    }
    bytes = file_blocks(path, block, &length, answer, size);
    if (bytes == NULL || dump_pointers(a, target, &pointers, answer, size) != 0 ||
        dump_prepare(a, &pointers, hiber, &memory, answer, size) != 0) {
        free(bytes);
        storport_disk_release(a);
        return -1;
    }
    pthread_mutex_lock(&a->srbs_lock);
    quiet = a->in_flight == NULL;
    pthread_mutex_unlock(&a->srbs_lock);
    if (hiber && !quiet) {
        snprintf(answer, size, "error the adapter is not quiesced: no hibernation");
        dump_memory_release(&memory);
        free(bytes);
        storport_disk_release(a);
        return -1;
    }
    nt_log("dump: %s of disk %u (target %u): %u bytes at %llu, the machine frozen\n",
           hiber ? "hibernation" : "crash dump", disk, target, length, (unsigned long long)offset);
    /* No way back from here: the machine ends once the answer is out. */
    dump.ended = true;
    old = nt_raise_irql(HIGH_LEVEL, 0);
    nt_machine_freeze();
    rc = dump_start(&memory, &pointers, hiber, &config, answer, size);
    if (rc == 0)
        rc = dump_write(target, block, &config, bytes, length, offset, answer, size);
    dump.active = false;
    (void)old;
    free(bytes);
    return rc;
}

void storport_dump_end(void)
{
    if (!dump.ended)
        return;
    nt_log("dump: written; the machine stops\n");
    fflush(NULL);
    _exit(0);
}
