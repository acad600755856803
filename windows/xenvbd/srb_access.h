/*
 * windows/xenvbd/srb_access.h - what HwStartIo reads from an SRB and writes
 * back, from either form Storport sends: SCSI_REQUEST_BLOCK, or
 * STORAGE_REQUEST_BLOCK (Windows 8 and later, asked for in SrbTypeFlags).
 *
 * xenvbd_srb_view checks an extended SRB before anything in it is used:
 * its signature and version, then every offset (the address, each
 * extended datum, a variable CDB) and every length against SrbLength; a
 * request that fails is answered SRB_STATUS_BAD_SRB_BLOCK_LENGTH, having
 * been read no further. Storport builds these; the check is for the
 * simulated kernel, which may send bad ones on purpose.
 */
#ifndef WINPV_XENVBD_SRB_ACCESS_H
#define WINPV_XENVBD_SRB_ACCESS_H

#include "storport_abi.h"
#include "vbd/scsi.h"

/* An SRB's fields, wherever its form keeps them. */
struct xenvbd_srb_view {
    PVOID srb;
    BOOLEAN extended; /* a STORAGE_REQUEST_BLOCK */
    ULONG function;   /* SRB_FUNCTION_*: SrbFunction of an extended SRB */
    UCHAR path, target, lun;
    ULONG flags; /* SRB_FLAGS_* */
    PVOID data;
    ULONG length;
    PVOID extension;  /* SrbExtension, MiniportContext */
    const UCHAR *cdb; /* NULL when the SRB has none (not EXECUTE_SCSI, or no CDB datum) */
    ULONG cdb_length;
    PVOID sense;
    UCHAR sense_length;
    /* Where the answer goes: the SRB's own fields. */
    UCHAR *scsi_status;        /* NULL: nowhere (an extended SRB without a CDB datum) */
    UCHAR *sense_length_field; /* likewise */
    ULONG *transferred;        /* DataTransferLength */
};

/*
 * @v filled from @srb, which Storport gave HwStartIo; FALSE when it is an
 * extended SRB whose layout does not hold (then only its SrbStatus may be
 * written: xenvbd_srb_set_status).
 */
BOOLEAN xenvbd_srb_view(PVOID srb, struct xenvbd_srb_view *v);

/* SrbStatus, at the same offset in both forms. */
void xenvbd_srb_set_status(PVOID srb, UCHAR status);

/*
 * The SRB of @v answered from @res (status, data length, sense when the
 * initiator gave room), and the direction of SRB_FLAGS_* @flags: the same
 * in normal and dump mode (srb.c). Context: any.
 */
void xenvbd_srb_report(const struct xenvbd_srb_view *v, const struct vbd_scsi_result *res);
enum vbd_scsi_dir xenvbd_srb_direction(ULONG flags);

#endif /* WINPV_XENVBD_SRB_ACCESS_H */
