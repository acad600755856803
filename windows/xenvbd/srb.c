/*
 * windows/xenvbd/srb.c - HwStartIo: an SRB for a target, answered through
 * core/vbd/scsi on the disk as its frontend negotiated it: at once for
 * what the SCSI layer answers itself (INQUIRY and its VPD pages, READ
 * CAPACITY, MODE SENSE, every error, with autosense), or as a block
 * operation on the ring (vbd_front_submit), the SRB given back to
 * Storport from the frontend's completion. Before that, a change of the
 * disk (a resize) is reported once as a unit attention
 * (vbd_scsi_attention_check: CAPACITY DATA HAS CHANGED), as a disk tells
 * its initiator. A target being removed is out of sight from the moment
 * its frontend is taken from the table (targets.c): its SRBs are answered
 * SRB_STATUS_NO_DEVICE, as are those its frontend fails because the disk
 * was unplugged. A block operation's data is named to the frontend twice,
 * as it needs: the buffer's system address (Storport maps every buffer:
 * STOR_MAP_ALL_BUFFERS_INCLUDING_READ_WRITE) and its frames, from
 * Storport's scatter/gather list. The SRB comes in either form, the
 * extended one (STORAGE_REQUEST_BLOCK) being what XENVBD asks for: its
 * fields are read and answered through srb_access.h's view, and one that
 * does not hold together is answered SRB_STATUS_BAD_SRB_BLOCK_LENGTH.
 */
#include "adapter.h"
#include "os.h"
#include "srb_access.h"
#include "vbd/scsi.h"

enum vbd_scsi_dir xenvbd_srb_direction(ULONG flags)
{
    switch (flags & (SRB_FLAGS_DATA_IN | SRB_FLAGS_DATA_OUT)) {
    case SRB_FLAGS_DATA_IN:
        return VBD_SCSI_DIR_IN;
    case SRB_FLAGS_DATA_OUT:
        return VBD_SCSI_DIR_OUT;
    case SRB_FLAGS_DATA_IN | SRB_FLAGS_DATA_OUT:
        return VBD_SCSI_DIR_BOTH;
    default:
        return VBD_SCSI_DIR_NONE;
    }
}

void xenvbd_srb_report(const struct xenvbd_srb_view *v, const struct vbd_scsi_result *res)
{
    UCHAR status = res->status == 0 ? SRB_STATUS_SUCCESS : SRB_STATUS_ERROR;

    *v->scsi_status = res->status;
    *v->transferred = res->transferred;
    if (res->status != 0 && res->sense_len && v->sense && v->sense_length) {
        ULONG n = res->sense_len < v->sense_length ? res->sense_len : v->sense_length;

        RtlCopyMemory(v->sense, res->sense, n);
        *v->sense_length_field = (UCHAR)n;
        status |= SRB_STATUS_AUTOSENSE_VALID;
    }
    xenvbd_srb_set_status(v->srb, status);
}

/* The SRB's target is not there (any more). */
static void no_device(const struct xenvbd_srb_view *v)
{
    xenvbd_srb_set_status(v->srb, SRB_STATUS_NO_DEVICE);
    if (v->scsi_status)
        *v->scsi_status = 0;
    *v->transferred = 0;
}

/* The frontend is done with the SRB's block operation: report it and give the SRB back. */
static void io_done(void *ctx, struct vbd_front_request *req, int16_t status)
{
    struct xenvbd_srb *x = ctx;

    if (status != 0 && vbd_front_gone(x->front)) {
        no_device(&x->view); /* unplugged: no medium error of a disk still there */
    } else {
        if (status != 0)
            vbd_scsi_io_failed(&x->res, status);
        xenvbd_srb_report(&x->view, &x->res);
    }
    StorPortNotification(STOR_REQUEST_COMPLETE, x->adapter, x->view.srb);
}

/*
 * The SRB's data as page pieces in @x->sg, from Storport's scatter/gather
 * list; false when it does not cover the buffer or needs more pieces than
 * the largest transfer does.
 */
static BOOLEAN frames_of(struct xenvbd_srb *x)
{
    STOR_SCATTER_GATHER_LIST *list = StorPortGetScatterGatherList(x->adapter, x->view.srb);
    ULONG covered = 0;

    x->nr_sg = 0;
    if (list == NULL)
        return FALSE;
    for (ULONG i = 0; i < list->NumberOfElements; i++) {
        ULONG64 pa = (ULONG64)list->List[i].PhysicalAddress.QuadPart;
        ULONG left = list->List[i].Length;

        while (left > 0) {
            ULONG in_page = PAGE_SIZE - (ULONG)(pa & (PAGE_SIZE - 1));
            ULONG n = left < in_page ? left : in_page;

            if (x->nr_sg == XENVBD_MAX_SG)
                return FALSE;
            x->sg[x->nr_sg++] =
                (struct vbd_front_sg){pa >> PAGE_SHIFT, (uint32_t)(pa & (PAGE_SIZE - 1)), n};
            pa += n;
            left -= n;
            covered += n;
        }
    }
    return covered >= x->view.length;
}

/* Start the block operation in @x->res on the ring; FALSE when it could not be. */
static BOOLEAN submit(struct xenvbd_target *t, struct vbd_front *front, struct xenvbd_srb *x)
{
    BOOLEAN data = x->res.io.op == VBD_SCSI_OP_READ || x->res.io.op == VBD_SCSI_OP_WRITE;

    if (data && !frames_of(x)) {
        os_log(OS_LOG_ERROR, "xenvbd: vbd %s: the buffer's frames do not cover it\n", t->id);
        return FALSE;
    }
    x->req = (struct vbd_front_request){.io = x->res.io,
                                        .buffer = data ? x->view.data : NULL,
                                        .sg = data ? x->sg : NULL,
                                        .nr_sg = data ? x->nr_sg : 0,
                                        .done = io_done,
                                        .ctx = x};
    /* The queue of the processor it runs on: with concurrent channels, one per processor. */
    return vbd_front_submit(front, KeGetCurrentProcessorNumberEx(NULL), &x->req) == 0;
}

/* Answer the SRB of @v for target @t, entered: its frontend @front. Context: HwStartIo. */
static void execute(struct xenvbd_adapter *adapter, struct xenvbd_target *t,
                    struct vbd_front *front, const struct xenvbd_srb_view *v)
{
    struct vbd_scsi_request req = {.cdb = v->cdb,
                                   .cdb_len = v->cdb_length,
                                   .buffer = v->data,
                                   .length = v->length,
                                   .dir = xenvbd_srb_direction(v->flags)};
    struct vbd_scsi_disk disk = vbd_front_disk(front);
    struct xenvbd_srb *x = v->extension;

    /* The virtual-device number names the disk for as long as the VM has it. */
    disk.serial = t->id;
    x->adapter = adapter;
    x->front = front;
    x->view = *v;
    if (!vbd_scsi_attention_check(&t->attention, &disk, &req, &x->res))
        vbd_scsi_execute(&disk, &req, &x->res);
    if (x->res.io.op == VBD_SCSI_OP_NONE) {
        xenvbd_srb_report(v, &x->res);
        StorPortNotification(STOR_REQUEST_COMPLETE, adapter, v->srb);
        return;
    }
    if (!submit(t, front, x)) {
        xenvbd_srb_set_status(v->srb, SRB_STATUS_ERROR);
        *v->transferred = 0;
        StorPortNotification(STOR_REQUEST_COMPLETE, adapter, v->srb);
    }
}

BOOLEAN xenvbd_start_io(PVOID extension, PSCSI_REQUEST_BLOCK srb)
{
    struct xenvbd_adapter *adapter = extension;
    struct xenvbd_srb_view v;
    struct xenvbd_target *t;
    struct vbd_front *front;

    if (!xenvbd_srb_view(srb, &v)) {
        xenvbd_srb_set_status(srb, SRB_STATUS_BAD_SRB_BLOCK_LENGTH);
        StorPortNotification(STOR_REQUEST_COMPLETE, extension, srb);
        return TRUE;
    }
    if (v.function == SRB_FUNCTION_DUMP_POINTERS) {
        xenvbd_dump_pointers(adapter, &v);
        return TRUE;
    }
    if (v.function != SRB_FUNCTION_EXECUTE_SCSI || v.cdb == NULL) {
        xenvbd_srb_set_status(srb, SRB_STATUS_INVALID_REQUEST);
        StorPortNotification(STOR_REQUEST_COMPLETE, extension, srb);
        return TRUE;
    }
    if (v.path != 0 || v.target >= XENVBD_MAX_TARGETS) {
        no_device(&v);
        StorPortNotification(STOR_REQUEST_COMPLETE, extension, srb);
        return TRUE;
    }
    /* Entered until the SRB is on the ring or answered: the frontend cannot close meanwhile. */
    t = &adapter->target[v.target];
    front = xenvbd_target_enter(t);
    if (front && v.lun == 0) {
        execute(adapter, t, front, &v); /* gives the SRB back, now or when the ring answers */
    } else {
        if (front)
            xenvbd_srb_set_status(srb, SRB_STATUS_INVALID_LUN);
        else
            no_device(&v);
        StorPortNotification(STOR_REQUEST_COMPLETE, extension, srb);
    }
    if (front)
        xenvbd_target_leave(t);
    return TRUE;
}
