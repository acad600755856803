/*
 * core/vbd/scsi_unit.c - commands about the unit rather than its blocks:
 * TEST UNIT READY, START STOP UNIT, REQUEST SENSE, REPORT LUNS.
 */
#include "vbd/scsi_internal.h"

void scsi_test_unit_ready(struct scsi_cmd *cmd)
{
    scsi_medium_present(cmd);
}

/* Nothing to spin up or eject: the backend's medium is always as it is. */
void scsi_start_stop_unit(struct scsi_cmd *cmd)
{
}

/*
 * Sense travels with each command (autosense): nothing is left pending here.
 * A pending unit attention replaces this answer's sense data in
 * vbd_scsi_attention_check() (scsi_attention.c).
 */
void scsi_request_sense(struct scsi_cmd *cmd)
{
    uint8_t sense[VBD_SCSI_SENSE_LEN];

    if (cmd->cdb[1] & SCSI_REQUEST_SENSE_DESC) {
        scsi_invalid_cdb(cmd);
        return;
    }
    scsi_sense_fixed(sense, SCSI_KEY_NO_SENSE, SCSI_ASC_NO_ADDITIONAL, 0);
    scsi_data_in(cmd, sense, sizeof(sense), cmd->cdb[4]);
}

/* One logical unit, LUN 0, and no well-known ones. */
void scsi_report_luns(struct scsi_cmd *cmd)
{
    uint8_t data[SCSI_REPORT_LUNS_HEADER_LEN + SCSI_LUN_LEN] = {0};
    uint32_t luns;

    switch (cmd->cdb[2]) {
    case SCSI_REPORT_LUNS_ALL:
    case SCSI_REPORT_LUNS_ADDRESSED:
        luns = 1;
        break;
    case SCSI_REPORT_LUNS_WELL_KNOWN:
        luns = 0;
        break;
    default:
        scsi_invalid_cdb(cmd);
        return;
    }
    scsi_put32(data, luns * SCSI_LUN_LEN);
    scsi_data_in(cmd, data, SCSI_REPORT_LUNS_HEADER_LEN + luns * SCSI_LUN_LEN,
                 scsi_get32(cmd->cdb + 6));
}
