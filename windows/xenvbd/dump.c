/*
 * windows/xenvbd/dump.c - XENVBD's crash-dump and hibernation mode
 * (docs/ARCHITECTURE.md, "XENVBD's dump mode").
 *
 * Normal mode: SRB_FUNCTION_DUMP_POINTERS for a target is answered with
 * MINIPORT_DUMP_POINTERS whose MiniportPrivateDumpData is the context the
 * target's frontend keeps (core/vbd/dump.h: the live ring described at
 * each connection, 1 MiB of pages granted once).
 *
 * Dump mode: Windows loads the image again (dump_xenvbd.sys,
 * hiber_xenvbd.sys) and calls DriverEntry(NULL, NULL), which registers
 * the callbacks below instead of the normal ones; HwFindAdapter gets that
 * context as ConfigInfo->MiniportDumpData, and everything runs at
 * HIGH_LEVEL, polled: no XENBUS (its code may hold locks the crash froze),
 * no pool, no waits, no DPCs or timers. The copy writes on the live ring
 * through core/vbd/dump.c, kicks the backend with EVTCHNOP_send by its own
 * VMCALL/VMMCALL (os_hypercall, the instruction chosen from the CPU's
 * vendor in DriverEntry, never a hypercall page), and finds completions by
 * polling the response index in HwInterrupt. A backend that does not
 * answer is given up after DUMP_POLLS_MAX polls with a stall each (no
 * clock is read in dump mode): the SRB fails, and so does everything after
 * it. A context not valid (a connection being made or gone, a broken
 * device) finds no adapter: no dump rather than a wrong one.
 *
 * Hibernation is the same (the system quiesced first). Resume from
 * hibernation is not claimed (no STOR_FEATURE_DUMP_RESUME_CAPABLE): the
 * context is stale in a new boot.
 */
#include <xen/event_channel.h>
#include <xen/xen.h>

#include "adapter.h"
#include "hv/hv.h"
#include "os.h"
#include "os_nt.h"
#include "srb_access.h"
#include "vbd/dump.h"

_Static_assert(VBD_DUMP_MAX_BYTES == VBD_FRONT_MAX_TRANSFER_DEFAULT,
               "the dump's largest transfer is the normal path's");

#define DUMP_POLL_STALL_US 100u
#define DUMP_POLLS_MAX     100000u /* 10 s of stalls, besides the dump port's own */

/* The dump copy's HwDeviceExtension. */
struct xenvbd_dump_adapter {
    struct vbd_dump writer;
    PSCSI_REQUEST_BLOCK srb;     /* the one SRB on the ring, completed from HwInterrupt */
    ULONG polls;                 /* HwInterrupt calls that found it unanswered */
    UCHAR mode;                  /* DUMP_MODE_CRASH or DUMP_MODE_HIBER */
    struct xenvbd_srb_view view; /* the SRB on the ring, either form */
    struct vbd_scsi_result res;
};

/* -- normal mode ------------------------------------------------------------ */

void xenvbd_dump_pointers(struct xenvbd_adapter *adapter, const struct xenvbd_srb_view *v)
{
    MINIPORT_DUMP_POINTERS *p = v->data;
    const struct vbd_dump_context *ctx = NULL;
    struct xenvbd_target *t = NULL;
    struct vbd_front *front = NULL;

    if (v->path == 0 && v->target < XENVBD_MAX_TARGETS && v->lun == 0) {
        t = &adapter->target[v->target];
        front = xenvbd_target_enter(t);
    }
    if (front)
        ctx = vbd_front_dump_context(front);
    if (ctx == NULL || p == NULL || v->length < sizeof(*p)) {
        os_log(OS_LOG_WARN, "xenvbd: no dump pointers for target %u: %s\n", (unsigned int)v->target,
               front ? "no dump context" : "no disk");
        xenvbd_srb_set_status(v->srb, front ? SRB_STATUS_ERROR : SRB_STATUS_NO_DEVICE);
    } else {
        RtlZeroMemory(p, sizeof(*p));
        p->Version = DUMP_MINIPORT_VERSION_1;
        p->Size = sizeof(*p);
        RtlCopyMemory(p->DriverName, L"xenvbd", sizeof(L"xenvbd"));
        p->MiniportPrivateDumpData = (PVOID)ctx;
        p->AdapterInterfaceType = Internal;
        p->MaximumTransferLength = VBD_DUMP_MAX_BYTES;
        p->NumberOfPhysicalBreaks = VBD_DUMP_MAX_BYTES / PAGE_SIZE + 1;
        p->NumberOfBuses = 1;
        p->Master = TRUE;
        p->MapBuffers = STOR_MAP_ALL_BUFFERS_INCLUDING_READ_WRITE;
        p->MaximumNumberOfTargets = XENVBD_MAX_TARGETS;
        xenvbd_srb_set_status(v->srb, SRB_STATUS_SUCCESS);
        os_log(OS_LOG_INFO, "xenvbd: vbd %s: dump pointers given\n", t->id);
    }
    if (front)
        xenvbd_target_leave(t);
    StorPortNotification(STOR_REQUEST_COMPLETE, adapter, v->srb);
}

/* -- dump mode ---------------------------------------------------------------- */

/* EVTCHNOP_send by the copy's own hypercall instruction. */
static int kick(uint32_t port)
{
    struct evtchn_send send = {.port = port};

    return hv_evtchn_op(EVTCHNOP_send, &send);
}

static ULONG dump_find_adapter(PVOID extension, PVOID context, PVOID bus, PCHAR arguments,
                               PPORT_CONFIGURATION_INFORMATION config, PBOOLEAN again)
{
    struct xenvbd_dump_adapter *x = extension;
    int rc;

    RtlZeroMemory(x, sizeof(*x));
    if (config->DumpMode != DUMP_MODE_CRASH && config->DumpMode != DUMP_MODE_HIBER) {
        os_log(OS_LOG_ERROR, "xenvbd: dump mode %u not served\n", (unsigned int)config->DumpMode);
        return SP_RETURN_NOT_FOUND;
    }
    rc = vbd_dump_attach(&x->writer, config->MiniportDumpData, kick);
    if (rc) {
        os_log(OS_LOG_ERROR, "xenvbd: dump: the context is not usable (%d): no dump\n", rc);
        return SP_RETURN_NOT_FOUND;
    }
    x->mode = config->DumpMode;
    xenvbd_adapter_limits(config); /* as in normal mode: the same largest transfer */
    os_log(OS_LOG_INFO,
           "xenvbd: dump mode %u: vbd %u's ring of %u page(s), %s, %u segments a request\n",
           (unsigned int)x->mode, (unsigned int)x->writer.ring.handle,
           (unsigned int)x->writer.ring.ring_pages, x->writer.use_indirect ? "indirect" : "direct",
           (unsigned int)x->writer.segs_per_piece);
    return SP_RETURN_FOUND;
}

static BOOLEAN dump_initialize(PVOID extension)
{
    return TRUE;
}

static void complete(struct xenvbd_dump_adapter *x, PSCSI_REQUEST_BLOCK srb)
{
    StorPortNotification(STOR_REQUEST_COMPLETE, x, srb);
    StorPortNotification(STOR_NEXT_REQUEST, x);
}

static BOOLEAN dump_start_io(PVOID extension, PSCSI_REQUEST_BLOCK srb)
{
    struct xenvbd_dump_adapter *x = extension;
    struct xenvbd_srb_view *v = &x->view;
    struct vbd_scsi_request req;
    struct vbd_scsi_disk disk = vbd_dump_disk(&x->writer);
    int rc;

    if (!xenvbd_srb_view(srb, v)) {
        xenvbd_srb_set_status(srb, SRB_STATUS_BAD_SRB_BLOCK_LENGTH);
        complete(x, srb);
        return TRUE;
    }
    switch (v->function) {
    case SRB_FUNCTION_EXECUTE_SCSI:
        break;
    case SRB_FUNCTION_SHUTDOWN: /* the last, after SYNCHRONIZE CACHE: nothing left to do */
    case SRB_FUNCTION_FLUSH:
        xenvbd_srb_set_status(srb, x->writer.failure ? SRB_STATUS_ERROR : SRB_STATUS_SUCCESS);
        complete(x, srb);
        return TRUE;
    default:
        xenvbd_srb_set_status(srb, SRB_STATUS_INVALID_REQUEST);
        complete(x, srb);
        return TRUE;
    }
    if (v->cdb == NULL) {
        xenvbd_srb_set_status(srb, SRB_STATUS_INVALID_REQUEST);
        complete(x, srb);
        return TRUE;
    }
    if (v->path != 0 || v->lun != 0) {
        xenvbd_srb_set_status(srb, SRB_STATUS_NO_DEVICE);
        complete(x, srb);
        return TRUE;
    }
    req = (struct vbd_scsi_request){.cdb = v->cdb,
                                    .cdb_len = v->cdb_length,
                                    .buffer = v->data,
                                    .length = v->length,
                                    .dir = xenvbd_srb_direction(v->flags)};
    vbd_scsi_execute(&disk, &req, &x->res);
    if (x->res.io.op == VBD_SCSI_OP_NONE) {
        xenvbd_srb_report(v, &x->res);
        complete(x, srb);
        return TRUE;
    }
    rc = vbd_dump_start(&x->writer, &x->res.io, v->data);
    if (rc == -XEN_EOPNOTSUPP) {
        /* No flush offered: nothing is cached that the backend will not write. */
        x->res = (struct vbd_scsi_result){0};
        xenvbd_srb_report(v, &x->res);
        complete(x, srb);
        return TRUE;
    }
    if (rc) {
        os_log(OS_LOG_ERROR, "xenvbd: dump: request refused (%d)%s%s\n", rc,
               x->writer.failure ? ": " : "", x->writer.failure ? x->writer.failure : "");
        vbd_scsi_io_failed(&x->res, BLKIF_RSP_ERROR);
        xenvbd_srb_report(v, &x->res);
        complete(x, srb);
        return TRUE;
    }
    x->srb = srb;
    x->polls = 0;
    return TRUE;
}

/* The dump port polls here: the SRB on the ring, moved on and completed when answered. */
static BOOLEAN dump_interrupt(PVOID extension)
{
    struct xenvbd_dump_adapter *x = extension;
    PSCSI_REQUEST_BLOCK srb = x->srb;
    int16_t status;
    int rc;

    if (srb == NULL)
        return FALSE;
    rc = vbd_dump_poll(&x->writer, &status);
    if (rc == 0) {
        if (++x->polls < DUMP_POLLS_MAX) {
            StorPortStallExecution(DUMP_POLL_STALL_US);
            return TRUE;
        }
        vbd_dump_abandon(&x->writer, "the backend did not answer");
    }
    x->srb = NULL;
    if (rc == 1 && status == BLKIF_RSP_OKAY) {
        xenvbd_srb_report(&x->view, &x->res);
    } else {
        os_log(OS_LOG_ERROR, "xenvbd: dump: %s\n",
               rc == 1 ? "the backend failed a request"
                       : (x->writer.failure ? x->writer.failure : "the request failed"));
        if (rc == 1)
            vbd_scsi_io_failed(&x->res, status);
        else
            vbd_scsi_io_failed(&x->res, BLKIF_RSP_ERROR);
        xenvbd_srb_report(&x->view, &x->res);
    }
    complete(x, srb);
    return TRUE;
}

static BOOLEAN dump_reset_bus(PVOID extension, ULONG path)
{
    return TRUE; /* ignored in dump mode */
}

NTSTATUS xenvbd_dump_entry(void)
{
    HW_INITIALIZATION_DATA init;
    NTSTATUS status = os_nt_hypercall_init();

    if (!NT_SUCCESS(status)) {
        os_log(OS_LOG_ERROR, "xenvbd: dump mode: not on Xen (%#x)\n", (unsigned int)status);
        return status;
    }
    RtlZeroMemory(&init, sizeof(init));
    init.HwInitializationDataSize = sizeof(init);
    init.AdapterInterfaceType = Internal;
    init.HwInitialize = dump_initialize;
    init.HwStartIo = dump_start_io;
    init.HwInterrupt = (PVOID)dump_interrupt;
    init.HwFindAdapter = (PVOID)dump_find_adapter;
    init.HwResetBus = dump_reset_bus;
    init.DeviceExtensionSize = sizeof(struct xenvbd_dump_adapter);
    init.MapBuffers = STOR_MAP_ALL_BUFFERS_INCLUDING_READ_WRITE;
    init.AutoRequestSense = TRUE;
    return StorPortInitialize(NULL, NULL, &init, NULL);
}
