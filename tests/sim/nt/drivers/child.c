/*
 * tests/sim/nt/drivers/child.c - a child driver of XENBUS, built for tests
 * only: a WDM function driver for XENBUS's XENIFACE child that, when
 * started, asks its bus for interfaces with IRP_MN_QUERY_INTERFACE as a
 * real child driver does:
 *  - STORE: reads its domain's id, writes a key the toolstack checks;
 *  - EVTCHN: opens a port dom0 may bind, answers each event with one;
 *  - GNTTAB: grants dom0 a page holding CHILD_GRANT_TEXT, taken with
 *    MmAllocatePagesForMdlEx and written through its MDL's mapping;
 * publishing the port and grant reference under data/child/ for dom0;
 *  - SUSPEND: early and late callbacks, logged; restored in a new domain
 *    (its channel disconnected, its grant gone from the new table), it
 *    shares a port and a page with dom0 again, as a frontend reconnects.
 * It
 * shows that XENBUS refuses an unknown interface, an unserved version and
 * a short buffer, holds what it got until it is stopped or removed, then
 * gives everything back; it logs each step.
 */
#include "nt_headers.h"
#include "winpv/evtchn_interface.h"
#include "winpv/gnttab_interface.h"
#include "winpv/store_interface.h"
#include "winpv/suspend_interface.h"

#include "child_driver.h"
#include "query_interface.h"

struct child {
    DEVICE_OBJECT *self;
    DEVICE_OBJECT *lower;
    struct winpv_store_interface_v1 store;
    struct winpv_evtchn_interface_v1 evtchn;
    struct winpv_gnttab_interface_v1 gnttab;
    BOOLEAN have_store, have_evtchn, have_gnttab;
    struct winpv_evtchn_channel *channel;
    volatile LONG events;
    MDL *page; /* its one page granted to dom0 */
    uint32_t ref;
    BOOLEAN granted;
    struct winpv_suspend_interface_v1 suspend;
    BOOLEAN have_suspend;
    struct winpv_suspend_callback *early, *late;
};

static const struct winpv_guid store_guid = WINPV_STORE_INTERFACE_GUID;
static const struct winpv_guid evtchn_guid = WINPV_EVTCHN_INTERFACE_GUID;
static const struct winpv_guid gnttab_guid = WINPV_GNTTAB_INTERFACE_GUID;
static const struct winpv_guid suspend_guid = WINPV_SUSPEND_INTERFACE_GUID;
static const struct winpv_guid unknown_guid = {0x12345678, 1, 2, {3, 4, 5, 6, 7, 8, 9, 10}};

/* Queries XENBUS must refuse. */
struct refusal {
    const char *what;
    const struct winpv_guid *guid;
    USHORT version;
    USHORT short_by; /* bytes fewer than the table needs */
};

static const struct refusal refusals[] = {
    {"unknown interface", &unknown_guid, 1, 0},
    {"STORE version 99", &store_guid, 99, 0},
    {"STORE in a short buffer", &store_guid, 1, 8},
};

/* Read through a pointer held as an absolute address: the image has base relocations, as
 * drivers do. */
static const struct refusal *volatile refusal_table = refusals;

static void log_refusals(struct child *child)
{
    for (unsigned int i = 0; i < sizeof(refusals) / sizeof(refusals[0]); i++) {
        const struct refusal *r = &refusal_table[i];
        struct winpv_store_interface_v1 table;
        NTSTATUS status = winpv_query_interface(child->lower, r->guid, r->version, &table,
                                                sizeof(table) - r->short_by);

        DbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_INFO_LEVEL, "child: %s: %#lx\n", r->what,
                   (ULONG)status);
    }
}

static void use_store(struct child *child)
{
    struct winpv_store_interface_v1 *store = &child->store;
    char *domid = NULL;
    int rc;

    rc = store->read(store->header.context, 0, "domid", &domid, NULL);
    if (rc == 0) {
        DbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_INFO_LEVEL, "child: STORE v1: domain %s\n", domid);
        store->free(store->header.context, domid);
    } else {
        DbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_ERROR_LEVEL, "child: STORE read failed: %d\n", rc);
    }
    rc = store->write(store->header.context, 0, "data/child-driver", "started", 7);
    DbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_INFO_LEVEL, "child: wrote data/child-driver: %d\n", rc);
}

/* Each event from dom0 is counted and answered (DISPATCH_LEVEL, never concurrent with itself). */
static void event_from_dom0(void *ctx, unsigned int vcpu)
{
    struct child *child = ctx;
    LONG n = InterlockedIncrement(&child->events);
    int rc = child->evtchn.notify(child->evtchn.header.context, child->channel);

    /* KeGetCurrentProcessorNumber is an inline read of the processor control region. */
    DbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_INFO_LEVEL,
               "child: event %ld from dom0 on vCPU %u (processor %lu, IRQL %u), answered: %d\n", n,
               vcpu, KeGetCurrentProcessorNumber(), KeGetCurrentIrql(), rc);
}

static int publish(struct child *child, const char *key, uint32_t value)
{
    char text[16];
    int n = 0;

    do
        text[sizeof(text) - 1 - n++] = (char)('0' + value % 10);
    while ((value /= 10) != 0 && n < 10);
    return child->store.write(child->store.header.context, 0, key, text + sizeof(text) - n,
                              (size_t)n);
}

/* A port dom0 may bind, and a page granted to it; both published for dom0. */
static NTSTATUS share_with_dom0(struct child *child)
{
    struct winpv_evtchn_bind bind = {.kind = WINPV_EVTCHN_UNBOUND, .remote_domid = 0};
    PHYSICAL_ADDRESS low = {.QuadPart = 0}, high = {.QuadPart = -1}, skip = {.QuadPart = 0};
    uint64_t gfn;
    UCHAR *va;
    int rc;

    rc = child->evtchn.open(child->evtchn.header.context, &bind, event_from_dom0, child,
                            &child->channel);
    if (rc)
        return STATUS_UNSUCCESSFUL;
    /* On the second vCPU: its DPC must run there, and say so. */
    rc = child->evtchn.bind_vcpu(child->evtchn.header.context, child->channel, 1);
    DbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_INFO_LEVEL, "child: port bound to vCPU 1: %d\n", rc);
    child->page =
        MmAllocatePagesForMdlEx(low, high, skip, PAGE_SIZE, MmCached, MM_ALLOCATE_FULLY_REQUIRED);
    if (child->page == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    va = MmGetSystemAddressForMdlSafe(child->page, NormalPagePriority);
    if (va == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    RtlCopyMemory(va, CHILD_GRANT_TEXT, sizeof(CHILD_GRANT_TEXT));
    MmUnmapLockedPages(va, child->page);
    gfn = MmGetMdlPfnArray(child->page)[0];
    rc = child->gnttab.alloc(child->gnttab.header.context, &child->ref);
    if (rc == 0) {
        rc = child->gnttab.grant(child->gnttab.header.context, child->ref, 0, gfn, true);
        if (rc)
            child->gnttab.free(child->gnttab.header.context, child->ref);
    }
    if (rc)
        return STATUS_UNSUCCESSFUL;
    child->granted = TRUE;
    rc = publish(child, "data/child/port",
                 child->evtchn.port(child->evtchn.header.context, child->channel));
    if (rc == 0)
        rc = publish(child, "data/child/gref", child->ref);
    DbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_INFO_LEVEL, "child: port and grant published: %d\n", rc);
    return rc ? STATUS_UNSUCCESSFUL : STATUS_SUCCESS;
}

static void stop_sharing(struct child *child)
{
    if (child->channel)
        child->evtchn.close(child->evtchn.header.context, child->channel);
    child->channel = NULL;
    if (child->granted) {
        /* dom0 unmapped before the device goes; a grant still mapped would stay busy. */
        int rc = child->gnttab.revoke(child->gnttab.header.context, child->ref);

        DbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_INFO_LEVEL, "child: grant revoked: %d\n", rc);
        if (rc == 0)
            child->gnttab.free(child->gnttab.header.context, child->ref);
        child->granted = FALSE;
    }
    if (child->page) {
        MmFreePagesFromMdl(child->page);
        ExFreePool(child->page);
    }
    child->page = NULL;
}

static NTSTATUS get(struct child *child, const struct winpv_guid *guid, const char *name,
                    void *table, USHORT size, BOOLEAN *have)
{
    NTSTATUS status = winpv_query_interface(child->lower, guid, 1, table, size);

    DbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_INFO_LEVEL, "child: %s v1: %#lx\n", name, (ULONG)status);
    *have = NT_SUCCESS(status);
    return status;
}

/* Before the domain suspends: nothing to quiesce but what it says. */
static void suspend_early(void *arg)
{
    DbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_INFO_LEVEL, "child: suspend: early\n");
}

/* After: in a new domain what it shared with dom0 is gone, so it shares again. */
static void suspend_late(void *arg, bool cancelled)
{
    struct child *child = arg;
    NTSTATUS status = STATUS_SUCCESS;

    DbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_INFO_LEVEL,
               "child: suspend: late, cancelled %d, restored %lu time(s)\n", (int)cancelled,
               (ULONG)child->suspend.resume_count(child->suspend.header.context));
    if (cancelled)
        return;
    stop_sharing(child);
    status = share_with_dom0(child);
    DbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_INFO_LEVEL, "child: shared again: %#lx\n",
               (ULONG)status);
}

static NTSTATUS watch_suspends(struct child *child)
{
    NTSTATUS status = get(child, &suspend_guid, "SUSPEND", &child->suspend, sizeof(child->suspend),
                          &child->have_suspend);
    void *context = child->suspend.header.context;

    if (!NT_SUCCESS(status))
        return status;
    if (child->suspend.register_early(context, suspend_early, child, &child->early) != 0 ||
        child->suspend.register_late(context, suspend_late, child, &child->late) != 0)
        return STATUS_INSUFFICIENT_RESOURCES;
    return STATUS_SUCCESS;
}

static NTSTATUS start(struct child *child)
{
    NTSTATUS status;

    log_refusals(child);
    status =
        get(child, &store_guid, "STORE", &child->store, sizeof(child->store), &child->have_store);
    if (NT_SUCCESS(status))
        status = get(child, &evtchn_guid, "EVTCHN", &child->evtchn, sizeof(child->evtchn),
                     &child->have_evtchn);
    if (NT_SUCCESS(status))
        status = get(child, &gnttab_guid, "GNTTAB", &child->gnttab, sizeof(child->gnttab),
                     &child->have_gnttab);
    if (!NT_SUCCESS(status))
        return status;
    use_store(child);
    status = share_with_dom0(child);
    return NT_SUCCESS(status) ? watch_suspends(child) : status;
}

static NTSTATUS signal_completion(DEVICE_OBJECT *device, IRP *irp, PVOID context)
{
    KeSetEvent(context, IO_NO_INCREMENT, FALSE);
    return STATUS_MORE_PROCESSING_REQUIRED;
}

static NTSTATUS forward_and_wait(struct child *child, IRP *irp)
{
    KEVENT done;
    NTSTATUS status;

    KeInitializeEvent(&done, NotificationEvent, FALSE);
    IoCopyCurrentIrpStackLocationToNext(irp);
    IoSetCompletionRoutine(irp, signal_completion, &done, TRUE, TRUE, TRUE);
    status = IoCallDriver(child->lower, irp);
    if (status == STATUS_PENDING) {
        KeWaitForSingleObject(&done, Executive, KernelMode, FALSE, NULL);
        status = irp->IoStatus.Status;
    }
    return status;
}

/* Everything given back, the interfaces last. */
static void release_all(struct child *child)
{
    if (child->early)
        child->suspend.deregister(child->suspend.header.context, child->early);
    if (child->late)
        child->suspend.deregister(child->suspend.header.context, child->late);
    child->early = child->late = NULL;
    if (child->have_suspend)
        child->suspend.header.dereference(child->suspend.header.context);
    child->have_suspend = FALSE;
    stop_sharing(child);
    if (child->have_gnttab)
        child->gnttab.header.dereference(child->gnttab.header.context);
    if (child->have_evtchn)
        child->evtchn.header.dereference(child->evtchn.header.context);
    if (child->have_store)
        child->store.header.dereference(child->store.header.context);
    child->have_store = child->have_evtchn = child->have_gnttab = FALSE;
}

static NTSTATUS dispatch_pnp(DEVICE_OBJECT *device, IRP *irp)
{
    struct child *child = device->DeviceExtension;
    DEVICE_OBJECT *lower = child->lower;
    NTSTATUS status;

    switch (IoGetCurrentIrpStackLocation(irp)->MinorFunction) {
    case IRP_MN_START_DEVICE:
        status = forward_and_wait(child, irp);
        if (NT_SUCCESS(status))
            status = start(child);
        if (!NT_SUCCESS(status))
            release_all(child);
        irp->IoStatus.Status = status;
        IoCompleteRequest(irp, IO_NO_INCREMENT);
        return status;
    case IRP_MN_SURPRISE_REMOVAL:
    case IRP_MN_STOP_DEVICE:
        release_all(child);
        irp->IoStatus.Status = STATUS_SUCCESS;
        break;
    case IRP_MN_REMOVE_DEVICE:
        release_all(child);
        irp->IoStatus.Status = STATUS_SUCCESS;
        IoSkipCurrentIrpStackLocation(irp);
        status = IoCallDriver(lower, irp);
        IoDetachDevice(lower);
        IoDeleteDevice(device);
        return status;
    case IRP_MN_QUERY_REMOVE_DEVICE:
    case IRP_MN_QUERY_STOP_DEVICE:
    case IRP_MN_CANCEL_REMOVE_DEVICE:
    case IRP_MN_CANCEL_STOP_DEVICE:
        irp->IoStatus.Status = STATUS_SUCCESS;
        break;
    default:
        break;
    }
    IoSkipCurrentIrpStackLocation(irp);
    return IoCallDriver(lower, irp);
}

/* No power policy of its own: every power request goes to the bus. */
static NTSTATUS dispatch_power(DEVICE_OBJECT *device, IRP *irp)
{
    struct child *child = device->DeviceExtension;

    DbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_INFO_LEVEL, "child: power IRP %u, state %u\n",
               IoGetCurrentIrpStackLocation(irp)->MinorFunction,
               IoGetCurrentIrpStackLocation(irp)->Parameters.Power.State.SystemState);
    PoStartNextPowerIrp(irp);
    IoSkipCurrentIrpStackLocation(irp);
    return PoCallDriver(child->lower, irp);
}

static NTSTATUS add_device(DRIVER_OBJECT *driver, DEVICE_OBJECT *pdo)
{
    DEVICE_OBJECT *device;
    struct child *child;
    NTSTATUS status;

    status = IoCreateDevice(driver, sizeof(*child), NULL, FILE_DEVICE_UNKNOWN,
                            FILE_DEVICE_SECURE_OPEN, FALSE, &device);
    if (!NT_SUCCESS(status))
        return status;
    child = device->DeviceExtension;
    RtlZeroMemory(child, sizeof(*child));
    child->self = device;
    child->lower = IoAttachDeviceToDeviceStack(device, pdo);
    if (child->lower == NULL) {
        IoDeleteDevice(device);
        return STATUS_NO_SUCH_DEVICE;
    }
    device->Flags |= DO_POWER_PAGABLE;
    device->Flags &= ~DO_DEVICE_INITIALIZING;
    return STATUS_SUCCESS;
}

static void unload(DRIVER_OBJECT *driver)
{
    DbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_INFO_LEVEL, "child: unloaded\n");
}

DRIVER_INITIALIZE DriverEntry;

__attribute__((section("INIT"))) NTSTATUS DriverEntry(DRIVER_OBJECT *driver,
                                                      UNICODE_STRING *registry_path)
{
    driver->MajorFunction[IRP_MJ_PNP] = dispatch_pnp;
    driver->MajorFunction[IRP_MJ_POWER] = dispatch_power;
    driver->DriverExtension->AddDevice = add_device;
    driver->DriverUnload = unload;
    return STATUS_SUCCESS;
}
