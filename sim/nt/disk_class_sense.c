/*
 * sim/nt/disk_class_sense.c - what the disk class does with a command that
 * comes back with a unit attention, as Windows's class driver does
 * (classpnp's sense interpretation: a unit attention is retried): the
 * command is sent again, and when the disk said its capacity data changed
 * (ASC 2Ah, ASCQ 09h: a resize) the capacity is read again first
 * (READ CAPACITY(16)) and the new size logged, as disk.sys updates the
 * disk's geometry on the capacity change event. A unit attention for the
 * same command more than RETRIES_MAX times gives up and returns it.
 */
#include "kernel.h"
#include "scsi/scsi.h"
#include "storport.h"

#define RETRIES_MAX        4 /* as classpnp retries a command */
#define CAPACITY_16_LENGTH 32

static uint64_t get_be(const uint8_t *p, unsigned int bytes)
{
    uint64_t value = 0;

    for (unsigned int i = 0; i < bytes; i++)
        value = value << 8 | p[i];
    return value;
}

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
    uint8_t data[CAPACITY_16_LENGTH] = {0};
    struct srb_outcome out;
    int tries = 0;

    cdb[13] = sizeof(data);
    do
        out = storport_command_in(a, target, cdb, sizeof(cdb), data, sizeof(data));
    while (unit_attention(&out) >= 0 && ++tries <= RETRIES_MAX);
    if (SRB_STATUS(out.srb_status) != SRB_STATUS_SUCCESS || out.transferred < 12) {
        nt_log("disk: unit 0:%u:0: capacity data has changed; READ CAPACITY(16) failed (SRB "
               "status %#x)\n",
               target, out.srb_status);
        return;
    }
    nt_log("disk: unit 0:%u:0: capacity data has changed: now %llu blocks of %u bytes\n", target,
           (unsigned long long)get_be(data, 8) + 1, (unsigned int)get_be(data + 8, 4));
}

struct srb_outcome disk_class_command_in(struct adapter *a, uint8_t target, const uint8_t *cdb,
                                         uint8_t cdb_length, void *data, uint32_t length)
{
    struct srb_outcome out;
    int tries = 0, attention;

    for (;;) {
        out = storport_command_in(a, target, cdb, cdb_length, data, length);
        attention = unit_attention(&out);
        if (attention < 0 || tries++ == RETRIES_MAX)
            return out;
        if (attention == (SCSI_ASC_PARAMETERS_CHANGED << 8 | SCSI_ASCQ_CAPACITY_DATA_CHANGED))
            capacity_changed(a, target);
        else
            nt_log("disk: unit 0:%u:0: unit attention (ASC %#x, ASCQ %#x): command %#x again\n",
                   target, attention >> 8, attention & 0xff, cdb[0]);
    }
}
