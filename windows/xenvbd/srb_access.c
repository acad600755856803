/*
 * windows/xenvbd/srb_access.c - an SRB's fields from either form
 * (srb_access.h). An extended SRB is read only where its SrbLength says
 * it has bytes: each structure's offset and size are checked against it,
 * without overflow, before the structure is read.
 */
#include "srb_access.h"

/* Whether @size bytes at @offset lie within @length, and @offset is aligned to 8 as srb.h has it. */
static BOOLEAN within(ULONG length, ULONG offset, ULONG size)
{
    return (offset & 7) == 0 && offset <= length && size <= length - offset;
}

/* The CDB, SCSI status and sense buffer of a SCSI datum into @v. */
static void take_scsi(struct xenvbd_srb_view *v, UCHAR *cdb, ULONG cdb_length, UCHAR *scsi_status,
                      UCHAR *sense_length, PVOID sense)
{
    v->cdb = cdb;
    v->cdb_length = cdb_length;
    v->scsi_status = scsi_status;
    v->sense_length_field = sense_length;
    v->sense_length = *sense_length;
    v->sense = sense;
}

/* CDB16 and CDB32 differ only in the CDB's room: one reading serves both. */
_Static_assert(offsetof(SRBEX_DATA_SCSI_CDB32, SenseInfoBuffer) ==
                       offsetof(SRBEX_DATA_SCSI_CDB16, SenseInfoBuffer) &&
                   offsetof(SRBEX_DATA_SCSI_CDB32, Cdb) == offsetof(SRBEX_DATA_SCSI_CDB16, Cdb),
               "CDB16 and CDB32 share their fixed fields");

/* The SCSI datum at @offset of @srb into @v; FALSE when it does not fit. Another kind is skipped. */
static BOOLEAN view_scsi_datum(PSTORAGE_REQUEST_BLOCK srb, ULONG offset, struct xenvbd_srb_view *v)
{
    UCHAR *at = (UCHAR *)srb + offset;
    ULONG type = ((const SRBEX_DATA *)at)->Type;

    if (type == SRBEX_DATA_TYPE_SCSI_CDB16 || type == SRBEX_DATA_TYPE_SCSI_CDB32) {
        SRBEX_DATA_SCSI_CDB16 *c = (SRBEX_DATA_SCSI_CDB16 *)at;
        BOOLEAN big = type == SRBEX_DATA_TYPE_SCSI_CDB32;
        ULONG size = big ? sizeof(SRBEX_DATA_SCSI_CDB32) : sizeof(SRBEX_DATA_SCSI_CDB16);

        if (!within(srb->SrbLength, offset, size) ||
            c->Length < size - offsetof(SRBEX_DATA, Data) ||
            c->CdbLength > size - offsetof(SRBEX_DATA_SCSI_CDB16, Cdb))
            return FALSE;
        take_scsi(v, c->Cdb, c->CdbLength, &c->ScsiStatus, &c->SenseInfoBufferLength,
                  c->SenseInfoBuffer);
    } else if (type == SRBEX_DATA_TYPE_SCSI_CDBVAR) {
        SRBEX_DATA_SCSI_CDB_VAR *c = (SRBEX_DATA_SCSI_CDB_VAR *)at;
        ULONG head = offsetof(SRBEX_DATA_SCSI_CDB_VAR, Cdb);

        /* The fixed part, then its CDB: within the datum's Length and the SRB's. */
        if (!within(srb->SrbLength, offset, head) ||
            c->Length < SRBEX_DATA_SCSI_CDB_VAR_LENGTH_MIN ||
            c->CdbLength > c->Length - SRBEX_DATA_SCSI_CDB_VAR_LENGTH_MIN ||
            c->CdbLength > srb->SrbLength - offset - head)
            return FALSE;
        take_scsi(v, c->Cdb, c->CdbLength, &c->ScsiStatus, &c->SenseInfoBufferLength,
                  c->SenseInfoBuffer);
    }
    return TRUE; /* another kind of datum (I/O information, ...) is not read */
}

static BOOLEAN view_legacy(PSCSI_REQUEST_BLOCK srb, struct xenvbd_srb_view *v)
{
    if (srb->CdbLength > sizeof(srb->Cdb))
        return FALSE;
    v->function = srb->Function;
    v->path = srb->PathId;
    v->target = srb->TargetId;
    v->lun = srb->Lun;
    v->flags = srb->SrbFlags;
    v->data = srb->DataBuffer;
    v->length = srb->DataTransferLength;
    v->extension = srb->SrbExtension;
    v->transferred = &srb->DataTransferLength;
    take_scsi(v, srb->Cdb, srb->CdbLength, &srb->ScsiStatus, &srb->SenseInfoBufferLength,
              srb->SenseInfoBuffer);
    return TRUE;
}

static BOOLEAN view_extended(PSTORAGE_REQUEST_BLOCK srb, struct xenvbd_srb_view *v)
{
    const STOR_ADDR_BTL8 *address;
    ULONG offsets;

    if (srb->Signature != SRB_SIGNATURE || srb->Version != STORAGE_REQUEST_BLOCK_VERSION_1 ||
        srb->SrbLength < sizeof(STORAGE_REQUEST_BLOCK))
        return FALSE;
    /* The offsets array, then the address: a BTL8 one. */
    offsets = (srb->SrbLength - offsetof(STORAGE_REQUEST_BLOCK, SrbExDataOffset)) / sizeof(ULONG);
    if (srb->NumSrbExData > offsets ||
        !within(srb->SrbLength, srb->AddressOffset, sizeof(STOR_ADDR_BTL8)) ||
        srb->AddressOffset < sizeof(STORAGE_REQUEST_BLOCK))
        return FALSE;
    address = (const STOR_ADDR_BTL8 *)((UCHAR *)srb + srb->AddressOffset);
    if (address->Type != STOR_ADDRESS_TYPE_BTL8 ||
        address->AddressLength < STOR_ADDR_BTL8_ADDRESS_LENGTH)
        return FALSE;
    v->function = srb->SrbFunction;
    v->path = address->Path;
    v->target = address->Target;
    v->lun = address->Lun;
    v->flags = srb->SrbFlags;
    v->data = srb->DataBuffer;
    v->length = srb->DataTransferLength;
    v->extension = srb->MiniportContext;
    v->transferred = &srb->DataTransferLength;
    for (ULONG i = 0; i < srb->NumSrbExData; i++) {
        ULONG offset = srb->SrbExDataOffset[i];

        if (offset < sizeof(STORAGE_REQUEST_BLOCK) ||
            !within(srb->SrbLength, offset, offsetof(SRBEX_DATA, Data)) ||
            !view_scsi_datum(srb, offset, v))
            return FALSE;
    }
    return TRUE;
}

BOOLEAN xenvbd_srb_view(PVOID srb, struct xenvbd_srb_view *v)
{
    PSCSI_REQUEST_BLOCK legacy = srb;

    RtlZeroMemory(v, sizeof(*v));
    v->srb = srb;
    if (legacy->Function != SRB_FUNCTION_STORAGE_REQUEST_BLOCK)
        return view_legacy(legacy, v);
    v->extended = TRUE;
    return view_extended(srb, v);
}

void xenvbd_srb_set_status(PVOID srb, UCHAR status)
{
    ((PSCSI_REQUEST_BLOCK)srb)->SrbStatus = status;
}
