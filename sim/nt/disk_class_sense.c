/*
 * sim/nt/disk_class_sense.c - what the disk class does with a command that
 * comes back with a unit attention, as Windows's class driver does
 * (classpnp's sense interpretation: a unit attention is retried): the
 * command is sent again, and when the disk said its capacity data changed
 * (ASC 2Ah, ASCQ 09h: a resize) the capacity is read again first
 * (READ CAPACITY(16)) and the new size logged, as disk.sys updates the
 * disk's geometry on the capacity change event. A unit attention for the
 * same command more than DISK_CLASS_RETRIES times gives up and returns it.
 */
#include "disk_class.h"
#include "kernel.h"
#include "scsi/bytes.h"
#include "scsi/scsi.h"

/* The unit attention @out reports, as ASC << 8 | ASCQ; -1 when it is none. */
static int unit_attention(const struct srb_outcome *out)
{
    if (out->scsi_status != SCSI_STATUS_CHECK_CONDITION ||
        !(out->srb_status & SRB_STATUS_AUTOSENSE_VALID) ||
        out->sense_length <= SCSI_SENSE_OFF_ASCQ ||
        (out->sense[SCSI_SENSE_OFF_KEY] & SCSI_SENSE_KEY_MASK) != SCSI_KEY_UNIT_ATTENTION)
        return -1;
    return out->sense[SCSI_SENSE_OFF_ASC] << 8 | out->sense[SCSI_SENSE_OFF_ASCQ];
}

/* The disk's new capacity, read and logged (a unit attention on it is retried too). */
static void capacity_changed(struct adapter *a, uint8_t target)
{
    uint8_t cdb[16] = {SCSI_OP_SERVICE_ACTION_IN16, SCSI_SAI_READ_CAPACITY_16};
    uint8_t data[SCSI_READ_CAPACITY_16_LEN] = {0};
    struct srb_outcome out;
    unsigned int tries = 0;

    cdb[13] = sizeof(data);
    do
        out = storport_command(a, target, cdb, sizeof(cdb), SRB_DIR_IN, data, sizeof(data));
    while (unit_attention(&out) >= 0 && ++tries <= DISK_CLASS_RETRIES);
    if (SRB_STATUS(out.srb_status) != SRB_STATUS_SUCCESS || out.transferred < 12) {
        nt_log("disk: unit 0:%u:0: capacity data has changed; READ CAPACITY(16) failed (SRB "
               "status %#x)\n",
               target, out.srb_status);
        return;
    }
    nt_log("disk: unit 0:%u:0: capacity data has changed: now %llu blocks of %u bytes\n", target,
           (unsigned long long)scsi_get64(data) + 1, scsi_get32(data + 8));
}

bool disk_class_retry(struct adapter *a, uint8_t target, const struct srb_outcome *out,
                      uint8_t opcode)
{
    int attention = unit_attention(out);

    if (attention < 0)
        return false;
    if (attention == (SCSI_ASC_PARAMETERS_CHANGED << 8 | SCSI_ASCQ_CAPACITY_DATA_CHANGED))
        capacity_changed(a, target);
    else
        nt_log("disk: unit 0:%u:0: unit attention (ASC %#x, ASCQ %#x): command %#x again\n", target,
               attention >> 8, attention & 0xff, opcode);
    return true;
}

struct srb_outcome disk_class_command(struct adapter *a, uint8_t target, const uint8_t *cdb,
                                      uint8_t cdb_length, enum srb_direction dir, void *data,
                                      uint32_t length)
{
    struct srb_outcome out;
    unsigned int tries = 0;

    do
        out = storport_command(a, target, cdb, cdb_length, dir, data, length);
    while (tries++ < DISK_CLASS_RETRIES && disk_class_retry(a, target, &out, cdb[0]));
    return out;
}
