/*
 * windows/xenvbd/srb.c - HwStartIo: an SRB for a target, answered through
 * core/vbd/scsi on the disk as its frontend negotiated it.
 *
 * Built so far: every command core/vbd/scsi answers at once (INQUIRY and
 * its VPD pages, READ CAPACITY, MODE SENSE, TEST UNIT READY, REPORT LUNS,
 * and each error, with autosense). Not built yet: the block operations
 * (READ, WRITE, FLUSH, UNMAP on the ring through vbd_front_submit, their
 * data through Storport's scatter/gather list): such an SRB fails with
 * SRB_STATUS_ERROR and one log line.
 */
#include "adapter.h"
#include "os.h"
#include "vbd/scsi.h"

static enum vbd_scsi_dir direction(ULONG flags)
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

/* The SRB answered from @res: status, data length, sense when the initiator gave room. */
static void report(PSCSI_REQUEST_BLOCK srb, const struct vbd_scsi_result *res)
{
    srb->ScsiStatus = res->status;
    srb->DataTransferLength = res->transferred;
    if (res->status == 0) {
        srb->SrbStatus = SRB_STATUS_SUCCESS;
        return;
    }
    srb->SrbStatus = SRB_STATUS_ERROR;
    if (res->sense_len && srb->SenseInfoBuffer && srb->SenseInfoBufferLength) {
        ULONG n = res->sense_len < srb->SenseInfoBufferLength ? res->sense_len
                                                              : srb->SenseInfoBufferLength;

        RtlCopyMemory(srb->SenseInfoBuffer, res->sense, n);
        srb->SenseInfoBufferLength = (UCHAR)n;
        srb->SrbStatus |= SRB_STATUS_AUTOSENSE_VALID;
    }
}

static void execute(struct xenvbd_adapter *adapter, PSCSI_REQUEST_BLOCK srb)
{
    struct xenvbd_target *t = &adapter->target[srb->TargetId];
    struct vbd_scsi_request req = {.cdb = srb->Cdb,
                                   .cdb_len = srb->CdbLength,
                                   .buffer = srb->DataBuffer,
                                   .length = srb->DataTransferLength,
                                   .dir = direction(srb->SrbFlags)};
    struct vbd_scsi_disk disk = vbd_front_disk(t->front);
    struct vbd_scsi_result res;

    vbd_scsi_execute(&disk, &req, &res);
    if (res.io.op != VBD_SCSI_OP_NONE) {
        os_log(OS_LOG_ERROR, "xenvbd: vbd %s: block operation %u: not built yet\n", t->id,
               (unsigned int)res.io.op);
        srb->SrbStatus = SRB_STATUS_ERROR;
        srb->DataTransferLength = 0;
        return;
    }
    report(srb, &res);
}

BOOLEAN xenvbd_start_io(PVOID extension, PSCSI_REQUEST_BLOCK srb)
{
    struct xenvbd_adapter *adapter = extension;

    if (srb->Function != SRB_FUNCTION_EXECUTE_SCSI)
        srb->SrbStatus = SRB_STATUS_INVALID_REQUEST;
    else if (srb->PathId != 0 || srb->TargetId >= adapter->targets)
        srb->SrbStatus = SRB_STATUS_NO_DEVICE;
    else if (srb->Lun != 0)
        srb->SrbStatus = SRB_STATUS_INVALID_LUN;
    else
        execute(adapter, srb);
    StorPortNotification(STOR_REQUEST_COMPLETE, extension, srb);
    return TRUE;
}
