/*
 * sim/nt/storport_srbex.c - an SRB in the form its miniport takes, as
 * Windows 8 and later's Storport sends it: a STORAGE_REQUEST_BLOCK to a
 * miniport that set SRB_TYPE_FLAG_STORAGE_REQUEST_BLOCK in SrbTypeFlags, a
 * SCSI_REQUEST_BLOCK to any other.
 *
 * The extended form is laid out as srb.h's InitializeStorageRequestBlock
 * does: the STORAGE_REQUEST_BLOCK, then (pointer aligned) the STOR_ADDR_BTL8
 * at AddressOffset, then for SRB_FUNCTION_EXECUTE_SCSI one datum, an
 * SRBEX_DATA_SCSI_CDB16 at SrbExDataOffset[0], holding the CDB, the SCSI
 * status and the sense buffer; the legacy Function byte is
 * SRB_FUNCTION_STORAGE_REQUEST_BLOCK and the function proper SrbFunction.
 *
 * At completion the SRB is read back from its form, and held to the rules
 * the documentation gives for what a miniport writes: SrbStatus, the SCSI
 * status, DataTransferLength (lowered on an underrun, never above what was
 * given) and, with SRB_STATUS_AUTOSENSE_VALID, SenseInfoBufferLength (the
 * sense returned, never above the buffer). Everything else of an extended
 * SRB is the port's: its header, SrbFlags ("read-only"), the zero guards
 * ("set to 0", against drivers that take it for a SCSI_REQUEST_BLOCK), the
 * address and the datum's fixed fields. A miniport that writes them, as
 * one does that writes a SCSI_REQUEST_BLOCK's fields into it, stops the guest.
 */
#include <stdio.h>
#include <string.h>

#include "storport.h"

#define BTL8_OFFSET  sizeof(STORAGE_REQUEST_BLOCK)
#define CDB16_OFFSET (BTL8_OFFSET + sizeof(STOR_ADDR_BTL8))

_Static_assert(CDB16_OFFSET + sizeof(SRBEX_DATA_SCSI_CDB16) == STORPORT_SRB_ROOM, "SRB room");
_Static_assert(sizeof(SCSI_REQUEST_BLOCK) <= STORPORT_SRB_ROOM, "SRB room (legacy)");
_Static_assert(offsetof(STORAGE_REQUEST_BLOCK, SrbStatus) ==
                   offsetof(SCSI_REQUEST_BLOCK, SrbStatus),
               "SrbStatus where both forms have it");

bool storport_srb_extended(const struct miniport *m)
{
    return (m->init.SrbTypeFlags & SRB_TYPE_FLAG_STORAGE_REQUEST_BLOCK) != 0;
}

static void build_legacy(SCSI_REQUEST_BLOCK *srb, const struct srb_spec *spec)
{
    memset(srb, 0, sizeof(*srb));
    srb->Length = sizeof(*srb);
    srb->Function = spec->function;
    srb->TargetId = spec->target;
    srb->CdbLength = spec->cdb_length;
    srb->SenseInfoBufferLength = spec->sense_length;
    srb->SrbFlags = spec->flags;
    srb->DataTransferLength = spec->length;
    srb->TimeOutValue = spec->timeout;
    srb->DataBuffer = spec->data;
    srb->SenseInfoBuffer = spec->sense;
    srb->SrbExtension = spec->extension;
    memcpy(srb->Cdb, spec->cdb, spec->cdb_length);
}

/* The extended SRB @spec makes, in @srb (STORPORT_SRB_ROOM bytes). */
static void build_extended(uint8_t *block, const struct srb_spec *spec)
{
    STORAGE_REQUEST_BLOCK *srb = (STORAGE_REQUEST_BLOCK *)block;
    STOR_ADDR_BTL8 *address = (STOR_ADDR_BTL8 *)(block + BTL8_OFFSET);
    SRBEX_DATA_SCSI_CDB16 *scsi = (SRBEX_DATA_SCSI_CDB16 *)(block + CDB16_OFFSET);
    bool execute = spec->function == SRB_FUNCTION_EXECUTE_SCSI;

    memset(block, 0, STORPORT_SRB_ROOM);
    srb->Length = offsetof(STORAGE_REQUEST_BLOCK, Signature);
    srb->Function = SRB_FUNCTION_STORAGE_REQUEST_BLOCK;
    srb->Signature = SRB_SIGNATURE;
    srb->Version = STORAGE_REQUEST_BLOCK_VERSION_1;
    srb->SrbLength = execute ? STORPORT_SRB_ROOM : CDB16_OFFSET;
    srb->SrbFunction = spec->function;
    srb->SrbFlags = spec->flags;
    srb->TimeOutValue = spec->timeout;
    srb->AddressOffset = BTL8_OFFSET;
    srb->DataTransferLength = spec->length;
    srb->DataBuffer = spec->data;
    srb->MiniportContext = spec->extension;
    address->Type = STOR_ADDRESS_TYPE_BTL8;
    address->AddressLength = STOR_ADDR_BTL8_ADDRESS_LENGTH;
    address->Target = spec->target;
    if (!execute)
        return; /* "Extended SRB data is not required for this function" */
    srb->NumSrbExData = 1;
    srb->SrbExDataOffset[0] = CDB16_OFFSET;
    scsi->Type = SRBEX_DATA_TYPE_SCSI_CDB16;
    scsi->Length = SRBEX_DATA_SCSI_CDB16_LENGTH;
    scsi->SenseInfoBufferLength = spec->sense_length;
    scsi->CdbLength = spec->cdb_length;
    scsi->SenseInfoBuffer = spec->sense;
    memcpy(scsi->Cdb, spec->cdb, spec->cdb_length);
}

void storport_srb_build(void *srb, bool extended, const struct srb_spec *spec)
{
    if (extended)
        build_extended(srb, spec);
    else
        build_legacy(srb, spec);
}

struct srb_outcome storport_srb_outcome(const void *srb, bool extended, const struct srb_spec *spec)
{
    struct srb_outcome out = {0};
    uint8_t sense_length = 0;

    if (extended) {
        const STORAGE_REQUEST_BLOCK *x = srb;
        const SRBEX_DATA_SCSI_CDB16 *scsi =
            (const SRBEX_DATA_SCSI_CDB16 *)((const uint8_t *)srb + CDB16_OFFSET);
        bool execute = spec->function == SRB_FUNCTION_EXECUTE_SCSI;

        out.srb_status = x->SrbStatus;
        out.scsi_status = execute ? scsi->ScsiStatus : 0;
        out.transferred = x->DataTransferLength;
        sense_length = execute ? scsi->SenseInfoBufferLength : 0;
    } else {
        const SCSI_REQUEST_BLOCK *l = srb;

        out.srb_status = l->SrbStatus;
        out.scsi_status = l->ScsiStatus;
        out.transferred = l->DataTransferLength;
        sense_length = l->SenseInfoBufferLength;
    }
    if (out.srb_status & SRB_STATUS_AUTOSENSE_VALID) {
        out.sense_length = sense_length < sizeof(out.sense) ? sense_length : sizeof(out.sense);
        out.sense_length =
            out.sense_length < spec->sense_length ? out.sense_length : spec->sense_length;
        /* From the request's own sense buffer, wherever the SRB's field points now. */
        memcpy(out.sense, spec->sense, out.sense_length);
    }
    return out;
}

/* The port's part of the extended SRB at @srb, compared with what was built: the first difference. */
static const char *port_field_changed(const uint8_t *srb, const struct srb_spec *spec)
{
    static const struct {
        size_t offset, size;
        const char *name;
    } fields[] = {
        {offsetof(STORAGE_REQUEST_BLOCK, Length), 3, "Length or Function"},
        {offsetof(STORAGE_REQUEST_BLOCK, ReservedUlong1), 4, "ReservedUlong1"},
        {offsetof(STORAGE_REQUEST_BLOCK, Signature), 4, "Signature"},
        {offsetof(STORAGE_REQUEST_BLOCK, Version), 4, "Version"},
        {offsetof(STORAGE_REQUEST_BLOCK, SrbLength), 4, "SrbLength"},
        {offsetof(STORAGE_REQUEST_BLOCK, SrbFunction), 4, "SrbFunction"},
        {offsetof(STORAGE_REQUEST_BLOCK, SrbFlags), 4, "SrbFlags"},
        {offsetof(STORAGE_REQUEST_BLOCK, ZeroGuard1), 4, "ZeroGuard1"},
        {offsetof(STORAGE_REQUEST_BLOCK, AddressOffset), 4, "AddressOffset"},
        {offsetof(STORAGE_REQUEST_BLOCK, NumSrbExData), 4, "NumSrbExData"},
        {offsetof(STORAGE_REQUEST_BLOCK, DataBuffer), 8, "DataBuffer"},
        {offsetof(STORAGE_REQUEST_BLOCK, ZeroGuard2), 8, "ZeroGuard2"},
        {offsetof(STORAGE_REQUEST_BLOCK, SrbExDataOffset), 4, "SrbExDataOffset[0]"},
        {BTL8_OFFSET, sizeof(STOR_ADDR_BTL8), "the address (STOR_ADDR_BTL8)"},
        {CDB16_OFFSET + offsetof(SRBEX_DATA_SCSI_CDB16, Type), 8,
         "the CDB16 datum's Type or Length"},
        {CDB16_OFFSET + offsetof(SRBEX_DATA_SCSI_CDB16, CdbLength), 1, "CdbLength"},
        {CDB16_OFFSET + offsetof(SRBEX_DATA_SCSI_CDB16, SenseInfoBuffer), 8, "SenseInfoBuffer"},
    };
    uint8_t built[STORPORT_SRB_ROOM];
    size_t end = spec->function == SRB_FUNCTION_EXECUTE_SCSI ? STORPORT_SRB_ROOM : CDB16_OFFSET;

    build_extended(built, spec);
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
        if (fields[i].offset < end &&
            memcmp(srb + fields[i].offset, built + fields[i].offset, fields[i].size) != 0)
            return fields[i].name;
    return NULL;
}

bool storport_srb_inconsistent(const void *srb, bool extended, const struct srb_spec *spec,
                               char *why, size_t size)
{
    struct srb_outcome out = storport_srb_outcome(srb, extended, spec);
    const SRBEX_DATA_SCSI_CDB16 *scsi =
        (const SRBEX_DATA_SCSI_CDB16 *)((const uint8_t *)srb + CDB16_OFFSET);
    uint8_t sense_length = extended ? scsi->SenseInfoBufferLength
                                    : ((const SCSI_REQUEST_BLOCK *)srb)->SenseInfoBufferLength;
    const char *field = extended ? port_field_changed(srb, spec) : NULL;

    if (field)
        snprintf(why, size, "%s changed: the port's field of a STORAGE_REQUEST_BLOCK", field);
    else if (out.transferred > spec->length)
        snprintf(why, size, "DataTransferLength %u above the %u bytes given", out.transferred,
                 spec->length);
    else if ((out.srb_status & SRB_STATUS_AUTOSENSE_VALID) &&
             (sense_length == 0 || sense_length > spec->sense_length))
        snprintf(why, size,
                 "SRB_STATUS_AUTOSENSE_VALID with SenseInfoBufferLength %u (buffer of %u)",
                 sense_length, spec->sense_length);
    else
        return false;
    return true;
}
