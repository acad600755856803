/*
 * windows/xenvbd/adapter.c - the miniport's adapter callbacks (see
 * adapter.h for what is built).
 *
 * HwFindAdapter (PASSIVE_LEVEL) finds the stack below Storport's FDO and
 * takes XENBUS's tables; HwInitialize (at DIRQL, where nothing may wait)
 * only asks for passive initialization, in which every vbd device of the
 * domain is connected and the domain's devices followed from then on
 * (targets.c). Stopping is done before Storport's own PnP
 * handling (driver.c), at PASSIVE_LEVEL, because Storport's ScsiStopAdapter
 * comes at DIRQL, where a frontend cannot be closed.
 */
#include "adapter.h"
#include "os.h"

/* The adapters started, by FDO: driver.c's PnP hook finds its adapter here. */
static struct os_mutex adapters_lock;
static BOOLEAN adapters_lock_ready;
static struct xenvbd_adapter *started[XENVBD_MAX_TARGETS];

static void remember(struct xenvbd_adapter *adapter, BOOLEAN add)
{
    os_mutex_lock(&adapters_lock);
    for (unsigned int i = 0; i < XENVBD_MAX_TARGETS; i++) {
        if (add ? started[i] == NULL : started[i] == adapter) {
            started[i] = add ? adapter : NULL;
            break;
        }
    }
    os_mutex_unlock(&adapters_lock);
}

struct xenvbd_adapter *xenvbd_adapter_of(DEVICE_OBJECT *fdo)
{
    struct xenvbd_adapter *found = NULL;

    if (!adapters_lock_ready)
        return NULL;
    os_mutex_lock(&adapters_lock);
    for (unsigned int i = 0; i < XENVBD_MAX_TARGETS && found == NULL; i++) {
        if (started[i] && started[i]->fdo == fdo)
            found = started[i];
    }
    os_mutex_unlock(&adapters_lock);
    return found;
}

static void release_interfaces(struct xenvbd_adapter *adapter)
{
    struct winpv_interface_header *headers[XENVBD_INTERFACES] = {
        &adapter->store.header, &adapter->xenbus.header, &adapter->evtchn.header,
        &adapter->gnttab.header, &adapter->suspend.header};

    for (unsigned int i = 0; i < XENVBD_INTERFACES; i++) {
        if (adapter->held[i])
            headers[i]->dereference(headers[i]->context);
        adapter->held[i] = FALSE;
    }
}

void xenvbd_adapter_limits(PPORT_CONFIGURATION_INFORMATION config)
{
    config->MaximumTransferLength = VBD_FRONT_MAX_TRANSFER_DEFAULT;
    config->NumberOfPhysicalBreaks = VBD_FRONT_MAX_TRANSFER_DEFAULT / PAGE_SIZE + 1;
    config->NumberOfBuses = 1;
    config->MaximumNumberOfTargets = XENVBD_MAX_TARGETS;
    config->MaximumNumberOfLogicalUnits = 1;
    config->ScatterGather = TRUE;
    config->Master = TRUE;
    config->CachesData = TRUE;
    config->Dma64BitAddresses = SCSI_DMA64_MINIPORT_FULL64BIT_SUPPORTED;
}

ULONG xenvbd_find_adapter(PVOID extension, PVOID context, PVOID bus, PCHAR arguments,
                          PPORT_CONFIGURATION_INFORMATION config, PBOOLEAN reserved)
{
    struct xenvbd_adapter *adapter = extension;
    NTSTATUS status = STATUS_SUCCESS;

    if (!adapters_lock_ready) {
        os_mutex_init(&adapters_lock);
        adapters_lock_ready = TRUE;
    }
    if (StorPortExtendedFunction(STOR_EXT_GET_DEVICE_OBJECTS, extension, &adapter->fdo,
                                 &adapter->pdo, &adapter->lower) != STOR_STATUS_SUCCESS) {
        os_log(OS_LOG_ERROR, "xenvbd: Storport gave no device objects\n");
        return SP_RETURN_ERROR;
    }
    for (unsigned int i = 0; i < XENVBD_INTERFACES && NT_SUCCESS(status); i++)
        status = xenvbd_query_interface(adapter, (enum xenvbd_interface)i);
    if (!NT_SUCCESS(status)) {
        os_log(OS_LOG_ERROR, "xenvbd: XENBUS refused an interface (%#x): no adapter\n",
               (unsigned int)status);
        release_interfaces(adapter);
        return SP_RETURN_NOT_FOUND;
    }
    xenvbd_adapter_limits(config);
    config->SynchronizationModel = STOR_SYNCHRONIZE_FULL_DUPLEX;
    config->WmiDataProvider = FALSE;
    for (unsigned int i = 0; i < XENVBD_MAX_TARGETS; i++)
        xenvbd_target_init(&adapter->target[i]);
    remember(adapter, TRUE);
    os_log(OS_LOG_INFO, "xenvbd: adapter found, XENBUS's interfaces held\n");
    return SP_RETURN_FOUND;
}

static BOOLEAN passive_initialize(PVOID extension)
{
    xenvbd_targets_start(extension);
    return TRUE;
}

/*
 * HwStartIo on every processor at once, where Storport offers it
 * (StorPortInitializePerfOpts: documented for HwInitialize): each SRB then
 * goes on the frontend queue of the processor it came on.
 */
static void ask_concurrent_channels(PVOID extension)
{
    PERF_CONFIGURATION_DATA perf = {.Version = STOR_PERF_VERSION_2, .Size = sizeof(perf)};
    ULONG status = StorPortExtendedFunction(STOR_EXT_INITIALIZE_PERF, extension, TRUE, &perf);

    if (status != STOR_STATUS_SUCCESS || !(perf.Flags & STOR_PERF_CONCURRENT_CHANNELS)) {
        os_log(OS_LOG_INFO, "xenvbd: no concurrent channels: HwStartIo one at a time\n");
        return;
    }
    perf.Flags = STOR_PERF_CONCURRENT_CHANNELS;
    perf.ConcurrentChannels = os_cpu_count();
    status = StorPortExtendedFunction(STOR_EXT_INITIALIZE_PERF, extension, FALSE, &perf);
    if (status == STOR_STATUS_SUCCESS)
        os_log(OS_LOG_INFO, "xenvbd: HwStartIo on %u processors at once\n",
               (unsigned int)perf.ConcurrentChannels);
    else
        os_log(OS_LOG_WARN, "xenvbd: concurrent channels refused (%#x)\n", (unsigned int)status);
}

BOOLEAN xenvbd_initialize(PVOID extension)
{
    LONG enabled = FALSE;

    ask_concurrent_channels(extension);
    StorPortNotification(STOR_ENABLE_PASSIVE_INITIALIZATION, extension, passive_initialize,
                         &enabled);
    return enabled != FALSE;
}

void xenvbd_adapter_stop(struct xenvbd_adapter *adapter)
{
    xenvbd_targets_stop(adapter);
    release_interfaces(adapter);
    remember(adapter, FALSE);
}

BOOLEAN xenvbd_reset_bus(PVOID extension, ULONG path)
{
    return TRUE;
}

ULONG xenvbd_adapter_control(PVOID extension, ULONG type, PVOID parameters)
{
    struct {
        ULONG MaxControlType;
        BOOLEAN SupportedTypeList[];
    } *list = parameters;

    switch (type) {
    case SCSI_QUERY_SUPPORTED_CONTROL_TYPES:
        if (list->MaxControlType > SCSI_QUERY_SUPPORTED_CONTROL_TYPES)
            list->SupportedTypeList[SCSI_QUERY_SUPPORTED_CONTROL_TYPES] = TRUE;
        if (list->MaxControlType > SCSI_STOP_ADAPTER)
            list->SupportedTypeList[SCSI_STOP_ADAPTER] = TRUE;
        return SCSI_ADAPTER_CONTROL_SUCCESS;
    case SCSI_STOP_ADAPTER:
        /* At DIRQL: the frontends were closed at PASSIVE_LEVEL before (driver.c). */
        return SCSI_ADAPTER_CONTROL_SUCCESS;
    default:
        return SCSI_ADAPTER_CONTROL_UNSUCCESSFUL;
    }
}
