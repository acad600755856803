/*
 * windows/xenvbd/srb_answer.c - an SRB's answer from the SCSI layer's
 * result, and the data direction of its flags: the same in normal and
 * dump mode (dump.c).
 */
#include "adapter.h"

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

void xenvbd_srb_report(PSCSI_REQUEST_BLOCK srb, const struct vbd_scsi_result *res)
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
