/* core/vbd/scsi_capacity.c - READ CAPACITY(10) and (16). */
#include "vbd/scsi_internal.h"

void scsi_read_capacity_10(struct scsi_cmd *cmd)
{
    uint8_t data[SCSI_READ_CAPACITY_10_LEN];
    uint64_t last;

    /* The obsolete LBA field may only be set together with PMI. */
    if (!(cmd->cdb[8] & SCSI_READ_CAPACITY_PMI) && scsi_get32(cmd->cdb + 2)) {
        scsi_invalid_cdb(cmd);
        return;
    }
    if (!scsi_medium_present(cmd))
        return;
    /* A disk too big for 32 bits says so with all ones: ask READ CAPACITY(16). */
    last = cmd->blocks - 1;
    scsi_put32(data, last > UINT32_MAX ? UINT32_MAX : (uint32_t)last);
    scsi_put32(data + 4, cmd->disk->sector_size);
    scsi_data_in(cmd, data, sizeof(data), sizeof(data));
}

static void read_capacity_16(struct scsi_cmd *cmd)
{
    const struct vbd_scsi_disk *disk = cmd->disk;
    uint32_t logical = disk->sector_size;
    uint32_t physical = disk->physical_sector_size ? disk->physical_sector_size : logical;
    uint8_t data[SCSI_READ_CAPACITY_16_LEN] = {0};
    uint8_t exponent = 0;

    if (!scsi_medium_present(cmd))
        return;
    while ((logical << exponent) < physical)
        exponent++;
    scsi_put64(data, cmd->blocks - 1);
    scsi_put32(data + 8, logical);
    data[13] = exponent; /* the lowest aligned LBA (bytes 14-15) is 0 */
    if (disk->discard)
        data[14] = SCSI_RC16_LBPME;
    scsi_data_in(cmd, data, sizeof(data), scsi_get32(cmd->cdb + 10));
}

void scsi_service_action_in_16(struct scsi_cmd *cmd)
{
    if ((cmd->cdb[1] & SCSI_SERVICE_ACTION_MASK) == SCSI_SAI_READ_CAPACITY_16)
        read_capacity_16(cmd);
    else
        scsi_invalid_cdb(cmd);
}
