/*
 * windows/xenbus/upcall.c - Xen's event upcall as the platform device's
 * interrupt.
 *
 * Xen raises the upcall through the platform PCI device's interrupt line
 * (HVM_PARAM_CALLBACK_IRQ names its GSI). The service routine runs on the
 * vCPU Xen interrupted and only queues that vCPU's DPC; the DPC delivers
 * the events (xenbus_services_upcall), at DISPATCH_LEVEL, where the event
 * engine's callbacks expect to run.
 */
#include <xen/hvm/params.h>

#include "fdo.h"
#include "hv/hv.h"
#include "os.h"
#include "xenbus/services.h"

/* HVM_PARAM_CALLBACK_IRQ: the type in bits 63:56; type 0 is a GSI. */
#define CALLBACK_VIA_GSI(gsi) ((uint64_t)(gsi))

static void upcall_dpc(KDPC *dpc, PVOID context, PVOID arg1, PVOID arg2)
{
    struct xenbus_fdo *fdo = context;

    xenbus_services_upcall(&fdo->services, (unsigned int)(ULONG_PTR)arg1);
}

static BOOLEAN upcall_isr(PKINTERRUPT interrupt, PVOID context)
{
    struct xenbus_fdo *fdo = context;
    ULONG vcpu = KeGetCurrentProcessorNumberEx(NULL);

    if (vcpu >= fdo->vcpus)
        return FALSE;
    KeInsertQueueDpc(&fdo->upcall_dpc[vcpu], (PVOID)(ULONG_PTR)vcpu, NULL);
    return TRUE;
}

/* The interrupt line the PnP manager gave the platform device (raw resources). */
static NTSTATUS find_gsi(const CM_RESOURCE_LIST *raw, ULONG *gsi)
{
    if (raw == NULL || raw->Count == 0)
        return STATUS_INSUFFICIENT_RESOURCES;
    for (ULONG i = 0; i < raw->List[0].PartialResourceList.Count; i++) {
        const CM_PARTIAL_RESOURCE_DESCRIPTOR *d =
            &raw->List[0].PartialResourceList.PartialDescriptors[i];

        if (d->Type == CmResourceTypeInterrupt) {
            *gsi = d->u.Interrupt.Level;
            return STATUS_SUCCESS;
        }
    }
    return STATUS_INSUFFICIENT_RESOURCES;
}

NTSTATUS xenbus_upcall_connect(struct xenbus_fdo *fdo, const CM_RESOURCE_LIST *raw)
{
    IO_CONNECT_INTERRUPT_PARAMETERS params;
    ULONG gsi;
    NTSTATUS status = find_gsi(raw, &gsi);
    int rc;

    if (!NT_SUCCESS(status)) {
        os_log(OS_LOG_ERROR, "xenbus: the platform device has no interrupt\n");
        return status;
    }
    fdo->vcpus = os_cpu_count();
    if (fdo->vcpus > XENBUS_MAX_VCPUS)
        fdo->vcpus = XENBUS_MAX_VCPUS;
    for (ULONG i = 0; i < fdo->vcpus; i++) {
        KeInitializeDpc(&fdo->upcall_dpc[i], upcall_dpc, fdo);
        KeSetTargetProcessorDpc(&fdo->upcall_dpc[i], (CCHAR)i);
    }
    RtlZeroMemory(&params, sizeof(params));
    params.Version = CONNECT_LINE_BASED;
    params.LineBased.PhysicalDeviceObject = fdo->pdo;
    params.LineBased.InterruptObject = &fdo->interrupt;
    params.LineBased.ServiceRoutine = upcall_isr;
    params.LineBased.ServiceContext = fdo;
    status = IoConnectInterruptEx(&params);
    if (!NT_SUCCESS(status)) {
        os_log(OS_LOG_ERROR, "xenbus: connecting the upcall interrupt failed (%#x)\n",
               (unsigned int)status);
        return status;
    }
    rc = hv_set_param(HVM_PARAM_CALLBACK_IRQ, CALLBACK_VIA_GSI(gsi));
    if (rc) {
        os_log(OS_LOG_ERROR, "xenbus: Xen refused the upcall on GSI %u (%d)\n", (unsigned int)gsi,
               rc);
        xenbus_upcall_disconnect(fdo);
        return STATUS_UNSUCCESSFUL;
    }
    return STATUS_SUCCESS;
}

void xenbus_upcall_disconnect(struct xenbus_fdo *fdo)
{
    IO_DISCONNECT_INTERRUPT_PARAMETERS params;

    if (fdo->interrupt == NULL)
        return;
    hv_set_param(HVM_PARAM_CALLBACK_IRQ, 0);
    RtlZeroMemory(&params, sizeof(params));
    params.Version = CONNECT_LINE_BASED;
    params.ConnectionContext.InterruptObject = fdo->interrupt;
    IoDisconnectInterruptEx(&params);
    fdo->interrupt = NULL;
    /* A DPC the last interrupt queued may still be about to run. */
    KeFlushQueuedDpcs();
}
