/*
 * sim/nt/storport.c - storport.sys for a physical miniport on a
 * PnP-enumerated PDO, as far as it is built: registration
 * (StorPortInitialize), the adapter's FDO (AddDevice), its start
 * (HwFindAdapter at PASSIVE_LEVEL, HwInitialize at the adapter's DIRQL,
 * HwPassiveInitializeRoutine when enabled, HwAdapterControl's supported
 * types), its stop and removal (ScsiStopAdapter at DIRQL), and the
 * miniport's calls into the port (StorPortNotification,
 * StorPortExtendedFunction) that these need.
 *
 * After a start, and again whenever the miniport reports a bus change,
 * Storport enumerates the adapter's targets with SRBs through HwBuildIo
 * and HwStartIo (storport_bus.c, storport_srb.c). Not built yet, and
 * refused by name where a miniport would meet it: units as PnP devices
 * and their class driver's requests, DPCs, timers, dump mode, virtual
 * miniports, any extended function but GetDeviceObjects and
 * InitializePerformanceOptimizations (storport_perf.c).
 *
 * Stricter than Windows where the documentation sets a rule: a miniport
 * that does not set MaximumTransferLength and NumberOfPhysicalBreaks in
 * HwFindAdapter, or enables passive initialization outside HwInitialize,
 * stops the guest.
 *
 * An adapter's life is one state (enum adapter_state), changed in
 * set_state. Lock order: adapters_lock alone (see storport.h for the
 * others), never held across a call into the miniport.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "exports_impl.h"
#include "io.h"
#include "kernel.h"
#include "pnp.h"
#include "storport.h"

#define NONPAGED_POOL          0
#define EXTENSION_TAG          0x74784553 /* 'SExt' */
#define FILE_DEVICE_CONTROLLER 0x04

static pthread_mutex_t adapters_lock = PTHREAD_MUTEX_INITIALIZER;
static struct miniport *miniports;
static struct adapter *adapters;

static void set_state(struct adapter *a, enum adapter_state state)
{
    static const char *const names[] = {"added", "started", "stopped", "removed"};

    a->state = state;
    nt_log("storport: adapter %p %s\n", (void *)a->fdo, names[state]);
}

/* The adapter whose HwDeviceExtension is @hw_extension; the miniport's call is stopped otherwise. */
struct adapter *storport_adapter_of(void *hw_extension, uint64_t caller, const char *function)
{
    struct adapter *a;

    pthread_mutex_lock(&adapters_lock);
    for (a = adapters; a && a->hw_extension != hw_extension; a = a->next)
        ;
    pthread_mutex_unlock(&adapters_lock);
    if (a == NULL || hw_extension == NULL)
        nt_verifier_fail(NT_VERIFY_ARGUMENT, caller,
                         "%s(%p): no HwDeviceExtension Storport gave an adapter", function,
                         hw_extension);
    return a;
}

static struct miniport *miniport_of(DRIVER_OBJECT *driver)
{
    struct miniport *m;

    pthread_mutex_lock(&adapters_lock);
    for (m = miniports; m && m->driver != driver; m = m->next)
        ;
    pthread_mutex_unlock(&adapters_lock);
    return m;
}

/* -- PnP ------------------------------------------------------------------- */

struct forwarded {
    pthread_mutex_t lock;
    pthread_cond_t done;
    bool completed;
};

static NT_EXPORT NTSTATUS forwarded_done(DEVICE_OBJECT *device, IRP *irp, void *context)
{
    struct forwarded *f = context;

    pthread_mutex_lock(&f->lock);
    f->completed = true;
    pthread_cond_broadcast(&f->done);
    pthread_mutex_unlock(&f->lock);
    return STATUS_MORE_PROCESSING_REQUIRED; /* the IRP is Storport's again */
}

/* Pass @irp to the device below and wait until it completed it there. */
static NTSTATUS forward_and_wait(struct adapter *a, IRP *irp)
{
    struct forwarded f = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, false};
    IO_STACK_LOCATION *next = nt_irp_next_stack(irp);

    *next = *irp->Tail.Overlay.CurrentStackLocation;
    next->CompletionRoutine = forwarded_done;
    next->Context = &f;
    next->Control = SL_INVOKE_ON_SUCCESS | SL_INVOKE_ON_ERROR | SL_INVOKE_ON_CANCEL;
    nt_irp_call(a->lower, irp, 0);
    pthread_mutex_lock(&f.lock);
    while (!f.completed)
        pthread_cond_wait(&f.done, &f.lock);
    pthread_mutex_unlock(&f.lock);
    return irp->IoStatus.Status;
}

static NTSTATUS complete(IRP *irp, NTSTATUS status)
{
    irp->IoStatus.Status = status;
    nt_irp_complete(irp, 0);
    return status;
}

/* Pass @irp down unchanged (IoSkipCurrentIrpStackLocation, IoCallDriver). */
static NTSTATUS pass_down(struct adapter *a, IRP *irp)
{
    irp->CurrentLocation++;
    irp->Tail.Overlay.CurrentStackLocation++;
    return nt_irp_call(a->lower, irp, 0);
}

/* What Storport hands HwFindAdapter: the registration's sizes, the defaults the documentation gives. */
static void config_defaults(struct adapter *a)
{
    const HW_INITIALIZATION_DATA *init = &a->miniport->init;
    PORT_CONFIGURATION_INFORMATION *c = &a->config;

    memset(c, 0, sizeof(*c));
    c->Length = sizeof(*c);
    c->AdapterInterfaceType = init->AdapterInterfaceType;
    c->MaximumTransferLength = SP_UNINITIALIZED_VALUE;
    c->NumberOfPhysicalBreaks = SP_UNINITIALIZED_VALUE;
    c->NumberOfBuses = 1;
    c->MaximumNumberOfTargets = 1;
    c->MaximumNumberOfLogicalUnits = 1;
    c->MapBuffers = init->MapBuffers;
    c->NeedPhysicalAddresses = init->NeedPhysicalAddresses;
    c->TaggedQueuing = init->TaggedQueuing;
    c->AutoRequestSense = init->AutoRequestSense;
    c->MultipleRequestPerLu = init->MultipleRequestPerLu;
    c->DeviceExtensionSize = init->DeviceExtensionSize;
    c->SpecificLuExtensionSize = init->SpecificLuExtensionSize;
    c->SrbExtensionSize = init->SrbExtensionSize;
    c->Dma64BitAddresses = SCSI_DMA64_SYSTEM_SUPPORTED;
    c->WmiDataProvider = TRUE;
    c->MaxNumberOfIO = 1000;
    c->MaxIOsPerLun = 255;
    c->InitialLunQueueDepth = 20;
}

/* HwInitialize at the adapter's DIRQL; passive initialization may be enabled only here. */
static bool hw_initialize(struct adapter *a)
{
    void *routine = a->miniport->init.HwInitialize;
    KIRQL old = nt_raise_irql(ADAPTER_DIRQL, 0);
    bool ok;

    a->init_phase = ADAPTER_INIT_HW;
    ok = (BOOLEAN)nt_driver_call(routine, (uint64_t)(uintptr_t)a->hw_extension, 0, 0, 0);
    a->init_phase = ADAPTER_INIT_NONE;
    if (nt_irql() != ADAPTER_DIRQL || nt_current()->spinlocks)
        nt_verifier_fail(NT_VERIFY_IRQL, (uint64_t)(uintptr_t)routine,
                         "HwInitialize returned at IRQL %u holding %u spinlock(s)", nt_irql(),
                         nt_current()->spinlocks);
    nt_lower_irql(old, 0);
    return ok;
}

/* ScsiQuerySupportedControlTypes: which types Storport may send from now on. */
static void query_control_types(struct adapter *a)
{
    void *control = a->miniport->init.HwAdapterControl;
    struct {
        uint32_t MaxControlType;
        BOOLEAN SupportedTypeList[CONTROL_TYPES_MAX];
    } list = {.MaxControlType = CONTROL_TYPES_MAX};

    memset(a->control_types, 0, sizeof(a->control_types));
    if (control == NULL)
        return;
    nt_driver_call(control, (uint64_t)(uintptr_t)a->hw_extension,
                   SCSI_QUERY_SUPPORTED_CONTROL_TYPES, (uint64_t)(uintptr_t)&list, 0);
    nt_pnp_check_passive("HwAdapterControl(ScsiQuerySupportedControlTypes)", control);
    memcpy(a->control_types, list.SupportedTypeList, sizeof(a->control_types));
}

static NTSTATUS start_adapter(struct adapter *a)
{
    const HW_INITIALIZATION_DATA *init = &a->miniport->init;
    BOOLEAN reserved = FALSE;
    uint32_t found;

    config_defaults(a);
    /* As Windows 8 and later: the form the miniport asked for in SrbTypeFlags. */
    nt_log("storport: SRBs sent as %s to adapter %p\n",
           storport_srb_extended(a->miniport) ? "STORAGE_REQUEST_BLOCK" : "SCSI_REQUEST_BLOCK",
           (void *)a->fdo);
    found = (uint32_t)nt_driver_call6(init->HwFindAdapter, (uint64_t)(uintptr_t)a->hw_extension, 0,
                                      0, 0, (uint64_t)(uintptr_t)&a->config,
                                      (uint64_t)(uintptr_t)&reserved);
    nt_pnp_check_passive("HwFindAdapter", init->HwFindAdapter);
    nt_log("storport: HwFindAdapter -> %u\n", found);
    if (found != SP_RETURN_FOUND)
        return STATUS_NO_SUCH_DEVICE;
    if (a->config.MaximumTransferLength == SP_UNINITIALIZED_VALUE ||
        a->config.NumberOfPhysicalBreaks == SP_UNINITIALIZED_VALUE)
        nt_verifier_fail(NT_VERIFY_ARGUMENT, (uint64_t)(uintptr_t)init->HwFindAdapter,
                         "HwFindAdapter found the adapter without setting MaximumTransferLength "
                         "and NumberOfPhysicalBreaks");
    if (!hw_initialize(a)) {
        nt_log("storport: HwInitialize failed\n");
        return STATUS_ADAPTER_HARDWARE_ERROR;
    }
    if (a->passive_initialize) {
        BOOLEAN ok;

        a->init_phase = ADAPTER_INIT_PASSIVE;
        ok = (BOOLEAN)nt_driver_call(a->passive_initialize, (uint64_t)(uintptr_t)a->hw_extension, 0,
                                     0, 0);
        a->init_phase = ADAPTER_INIT_NONE;

        nt_pnp_check_passive("HwPassiveInitializeRoutine", a->passive_initialize);
        if (!ok) {
            nt_log("storport: HwPassiveInitializeRoutine failed\n");
            return STATUS_ADAPTER_HARDWARE_ERROR;
        }
    }
    query_control_types(a);
    return STATUS_SUCCESS;
}

/* ScsiStopAdapter at DIRQL, when the miniport said it takes it. */
/* Where HwStartIo of a miniport with concurrent channels ran, and how many at once. */
static void log_concurrency(struct adapter *a)
{
    char vcpus[3 * NT_MAX_VCPUS + 1] = "";
    size_t at = 0;

    pthread_mutex_lock(&a->srbs_lock);
    for (unsigned int v = 0; v < NT_MAX_VCPUS; v++)
        if (a->start_io_vcpus & (1u << v))
            at += (size_t)snprintf(vcpus + at, sizeof(vcpus) - at, " %u", v);
    nt_log("storport: adapter %p: HwStartIo ran on processor(s)%s, at most %u at once\n",
           (void *)a->fdo, at ? vcpus : " none", a->most_in_start_io);
    pthread_mutex_unlock(&a->srbs_lock);
}

static void stop_adapter(struct adapter *a)
{
    void *control = a->miniport->init.HwAdapterControl;
    KIRQL old;

    if (a->state != ADAPTER_STARTED)
        return;
    if (a->concurrent_channels)
        log_concurrency(a);
    if (control && a->control_types[SCSI_STOP_ADAPTER]) {
        old = nt_raise_irql(ADAPTER_DIRQL, 0);
        nt_driver_call(control, (uint64_t)(uintptr_t)a->hw_extension, SCSI_STOP_ADAPTER, 0, 0);
        nt_lower_irql(old, 0);
    }
    set_state(a, ADAPTER_STOPPED);
}

static void remove_adapter(struct adapter *a)
{
    struct adapter **p;

    storport_units_close(a);
    stop_adapter(a);
    set_state(a, ADAPTER_REMOVED);
    pthread_mutex_lock(&adapters_lock);
    for (p = &adapters; *p && *p != a; p = &(*p)->next)
        ;
    if (*p)
        *p = a->next;
    pthread_mutex_unlock(&adapters_lock);
    if (a->in_flight)
        nt_verifier_fail(NT_VERIFY_IRP_NOT_COMPLETED, 0,
                         "the adapter is removed while the miniport holds SRB %p",
                         (void *)a->in_flight->srb);
    pthread_cond_destroy(&a->srb_completed);
    pthread_mutex_destroy(&a->srbs_lock);
    pthread_mutex_destroy(&a->scan_lock);
    nt_pool_free(a->hw_extension, EXTENSION_TAG, true, 0);
    nt_device_detach(a->lower);
    nt_device_delete(a->fdo, 0);
}

static NT_EXPORT NTSTATUS storport_dispatch_pnp(DEVICE_OBJECT *device, IRP *irp)
{
    struct adapter *a = device->DeviceExtension;
    IO_STACK_LOCATION *stack = irp->Tail.Overlay.CurrentStackLocation;
    NTSTATUS status;

    switch (stack->MinorFunction) {
    case IRP_MN_START_DEVICE:
        status = forward_and_wait(a, irp);
        if (NT_SUCCESS(status))
            status = start_adapter(a);
        set_state(a, NT_SUCCESS(status) ? ADAPTER_STARTED : ADAPTER_STOPPED);
        complete(irp, status);
        /* What the PnP manager's first BusRelations would have Storport do. */
        if (NT_SUCCESS(status))
            storport_scan(a);
        return status;
    case IRP_MN_STOP_DEVICE:
        storport_units_close(a);
        stop_adapter(a);
        irp->IoStatus.Status = STATUS_SUCCESS;
        return pass_down(a, irp);
    case IRP_MN_SURPRISE_REMOVAL:
        storport_units_close(a);
        stop_adapter(a);
        irp->IoStatus.Status = STATUS_SUCCESS;
        return pass_down(a, irp);
    case IRP_MN_REMOVE_DEVICE: {
        DEVICE_OBJECT *lower = a->lower;

        irp->IoStatus.Status = STATUS_SUCCESS;
        irp->CurrentLocation++;
        irp->Tail.Overlay.CurrentStackLocation++;
        remove_adapter(a);
        return nt_irp_call(lower, irp, 0);
    }
    case IRP_MN_QUERY_STOP_DEVICE:
    case IRP_MN_QUERY_REMOVE_DEVICE:
    case IRP_MN_CANCEL_STOP_DEVICE:
    case IRP_MN_CANCEL_REMOVE_DEVICE:
        irp->IoStatus.Status = STATUS_SUCCESS;
        return pass_down(a, irp);
    default:
        return pass_down(a, irp);
    }
}

static NT_EXPORT NTSTATUS storport_dispatch_power(DEVICE_OBJECT *device, IRP *irp)
{
    return pass_down(device->DeviceExtension, irp);
}

/* Requests Storport does not serve yet: refused as an unknown request is. */
static NT_EXPORT NTSTATUS storport_dispatch_other(DEVICE_OBJECT *device, IRP *irp)
{
    return complete(irp, STATUS_INVALID_DEVICE_REQUEST);
}

static NT_EXPORT NTSTATUS storport_add_device(DRIVER_OBJECT *driver, DEVICE_OBJECT *pdo)
{
    struct miniport *m = miniport_of(driver);
    DEVICE_OBJECT *fdo;
    struct adapter *a;
    NTSTATUS status;

    if (m == NULL)
        return STATUS_NO_SUCH_DEVICE;
    status = nt_device_create(driver, sizeof(*a), FILE_DEVICE_CONTROLLER, 0, &fdo);
    if (!NT_SUCCESS(status))
        return status;
    a = fdo->DeviceExtension;
    /* Closing until its first enumeration: no unit, no user, no bus change's enumeration. */
    *a = (struct adapter){
        .magic = ADAPTER_MAGIC, .miniport = m, .fdo = fdo, .pdo = pdo, .closing = true};
    pthread_mutex_init(&a->srbs_lock, NULL);
    pthread_mutex_init(&a->scan_lock, NULL);
    pthread_cond_init(&a->srb_completed, NULL);
    /* Zeroed once: a later start finds it as the miniport left it. */
    a->hw_extension =
        nt_pool_alloc_block(NONPAGED_POOL, m->init.DeviceExtensionSize, EXTENSION_TAG, 0);
    if (a->hw_extension == NULL) {
        nt_device_delete(fdo, 0);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    memset(a->hw_extension, 0, m->init.DeviceExtensionSize);
    a->lower = nt_device_attach(fdo, pdo);
    if (a->lower == NULL) {
        nt_pool_free(a->hw_extension, EXTENSION_TAG, true, 0);
        nt_device_delete(fdo, 0);
        return STATUS_NO_SUCH_DEVICE;
    }
    fdo->Flags |= DO_DIRECT_IO | DO_POWER_PAGABLE;
    fdo->Flags &= ~DO_DEVICE_INITIALIZING;
    pthread_mutex_lock(&adapters_lock);
    a->next = adapters;
    adapters = a;
    pthread_mutex_unlock(&adapters_lock);
    set_state(a, ADAPTER_ADDED);
    return STATUS_SUCCESS;
}

static NT_EXPORT void storport_unload(DRIVER_OBJECT *driver)
{
    struct miniport **p, *m = NULL;

    pthread_mutex_lock(&adapters_lock);
    for (p = &miniports; *p; p = &(*p)->next) {
        if ((*p)->driver == driver) {
            m = *p;
            *p = m->next;
            break;
        }
    }
    pthread_mutex_unlock(&adapters_lock);
    free(m);
}

/* -- the exports ------------------------------------------------------------ */

/* What the documentation requires of a registration this Storport serves; NULL when it is one. */
static const char *refusal(const HW_INITIALIZATION_DATA *init)
{
    if (init->HwInitializationDataSize != STOR_HW_INIT_DATA_SIZE)
        return "HwInitializationDataSize is not Windows 8's 208 (older forms are not implemented)";
    if (!init->HwInitialize || !init->HwStartIo || !init->HwFindAdapter || !init->HwResetBus)
        return "HwInitialize, HwStartIo, HwFindAdapter and HwResetBus are required";
    if (init->HwDmaStarted || init->HwAdapterState)
        return "HwDmaStarted and HwAdapterState must be NULL";
    if (init->FeatureSupport & STOR_FEATURE_VIRTUAL_MINIPORT)
        return "virtual miniports are not implemented";
    if (init->AdapterInterfaceType != STOR_INTERFACE_INTERNAL)
        return "only AdapterInterfaceType Internal (a bus driver's PDO) is implemented";
    if (init->DeviceExtensionSize == 0)
        return "DeviceExtensionSize 0";
    return NULL;
}

static NT_EXPORT NTSTATUS StorPortInitialize(DRIVER_OBJECT *driver, UNICODE_STRING *registry_path,
                                             HW_INITIALIZATION_DATA *init, void *context)
{
    uint64_t caller = NT_CALLER;
    struct miniport *m;
    const char *why;

    nt_require_irql(PASSIVE_LEVEL, caller, __func__);
    if (driver == NULL || registry_path == NULL || init == NULL)
        return STATUS_INVALID_PARAMETER;
    why = refusal(init);
    if (why) {
        nt_log("storport: StorPortInitialize refused: %s\n", why);
        return STATUS_REVISION_MISMATCH;
    }
    if (miniport_of(driver))
        nt_verifier_fail(NT_VERIFY_ARGUMENT, caller,
                         "StorPortInitialize again: one registration per driver is implemented");
    /* The registration's memory, which Windows may not have for the miniport either. */
    m = nt_alloc_fails("StorPortInitialize", caller) ? NULL : calloc(1, sizeof(*m));
    if (m == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    m->driver = driver;
    m->init = *init;
    pthread_mutex_lock(&adapters_lock);
    m->next = miniports;
    miniports = m;
    pthread_mutex_unlock(&adapters_lock);
    for (unsigned int i = 0; i <= IRP_MJ_MAXIMUM_FUNCTION; i++)
        driver->MajorFunction[i] = storport_dispatch_other;
    driver->MajorFunction[IRP_MJ_PNP] = storport_dispatch_pnp;
    driver->MajorFunction[IRP_MJ_POWER] = storport_dispatch_power;
    driver->DriverExtension->AddDevice = storport_add_device;
    driver->DriverUnload = storport_unload;
    return STATUS_SUCCESS;
}
NT_REGISTER(STORPORT, StorPortInitialize);

static NT_EXPORT BOOLEAN StorPortNotification(uint32_t type, void *hw_extension, ...)
{
    uint64_t caller = NT_CALLER;
    struct adapter *a = storport_adapter_of(hw_extension, caller, __func__);
    __builtin_ms_va_list args;
    void *routine;
    int32_t *succeeded;

    __builtin_ms_va_start(args, hw_extension);
    switch (type) {
    case STOR_ENABLE_PASSIVE_INITIALIZATION:
        routine = __builtin_va_arg(args, void *);
        succeeded = __builtin_va_arg(args, int32_t *);
        __builtin_ms_va_end(args);
        if (succeeded == NULL || routine == NULL)
            nt_verifier_fail(NT_VERIFY_ARGUMENT, caller,
                             "StorPortEnablePassiveInitialization without a routine or a result");
        /* Documented: only in HwInitialize; anywhere else it is refused. */
        *succeeded = a->init_phase == ADAPTER_INIT_HW;
        if (a->init_phase == ADAPTER_INIT_HW)
            a->passive_initialize = routine;
        return TRUE;
    case STOR_REQUEST_COMPLETE:
        storport_request_complete(a, __builtin_va_arg(args, void *), caller);
        __builtin_ms_va_end(args);
        return TRUE;
    case STOR_BUS_CHANGE_DETECTED:
        /* PathId is optional in the documentation, but its register is read all the same. */
        storport_bus_change(a, (uint8_t) __builtin_va_arg(args, unsigned int), caller);
        __builtin_ms_va_end(args);
        return TRUE;
    default:
        __builtin_ms_va_end(args);
        nt_verifier_fail(NT_VERIFY_ARGUMENT, caller,
                         "StorPortNotification(%#x): not implemented in the simulated Storport",
                         type);
    }
}
NT_REGISTER(STORPORT, StorPortNotification);

static NT_EXPORT uint32_t StorPortExtendedFunction(uint32_t function, void *hw_extension, ...)
{
    uint64_t caller = NT_CALLER;
    struct adapter *a = storport_adapter_of(hw_extension, caller, __func__);
    __builtin_ms_va_list args;
    DEVICE_OBJECT **adapter_do, **pdo, **lower;
    PERF_CONFIGURATION_DATA *perf;
    BOOLEAN query;

    __builtin_ms_va_start(args, hw_extension);
    switch (function) {
    case STOR_EXT_GET_DEVICE_OBJECTS:
        adapter_do = __builtin_va_arg(args, DEVICE_OBJECT **);
        pdo = __builtin_va_arg(args, DEVICE_OBJECT **);
        lower = __builtin_va_arg(args, DEVICE_OBJECT **);
        __builtin_ms_va_end(args);
        if (adapter_do == NULL || pdo == NULL || lower == NULL)
            return STOR_STATUS_INVALID_PARAMETER;
        *adapter_do = a->fdo;
        *pdo = a->pdo;
        *lower = a->lower;
        return STOR_STATUS_SUCCESS;
    case STOR_EXT_INITIALIZE_PERF:
        query = (BOOLEAN) __builtin_va_arg(args, int);
        perf = __builtin_va_arg(args, PERF_CONFIGURATION_DATA *);
        __builtin_ms_va_end(args);
        return storport_perf_opts(a, query != 0, perf, caller);
    default:
        __builtin_ms_va_end(args);
        nt_verifier_fail(NT_VERIFY_ARGUMENT, caller,
                         "StorPortExtendedFunction(%u): not implemented in the simulated Storport",
                         function);
    }
}
NT_REGISTER(STORPORT, StorPortExtendedFunction);
