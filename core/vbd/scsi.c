/* core/vbd/scsi.c - see scsi.h: the description check, the dispatch and the shared helpers. */
#include <stddef.h>
#include <string.h>

#include <xen/errno.h>

#include "vbd/scsi_internal.h"

struct scsi_command {
    uint8_t opcode;
    uint8_t cdb_len;
    void (*handler)(struct scsi_cmd *cmd);
};

/* Every command this target serves; any other opcode is INVALID COMMAND OPERATION CODE. */
static const struct scsi_command commands[] = {
    {SCSI_OP_TEST_UNIT_READY, 6, scsi_test_unit_ready},
    {SCSI_OP_REQUEST_SENSE, 6, scsi_request_sense},
    {SCSI_OP_READ_6, 6, scsi_read_write},
    {SCSI_OP_WRITE_6, 6, scsi_read_write},
    {SCSI_OP_INQUIRY, 6, scsi_inquiry},
    {SCSI_OP_MODE_SENSE_6, 6, scsi_mode_sense},
    {SCSI_OP_START_STOP_UNIT, 6, scsi_start_stop_unit},
    {SCSI_OP_READ_CAPACITY_10, 10, scsi_read_capacity_10},
    {SCSI_OP_READ_10, 10, scsi_read_write},
    {SCSI_OP_WRITE_10, 10, scsi_read_write},
    {SCSI_OP_SYNCHRONIZE_CACHE, 10, scsi_synchronize_cache},
    {SCSI_OP_UNMAP, 10, scsi_unmap},
    {SCSI_OP_MODE_SENSE_10, 10, scsi_mode_sense},
    {SCSI_OP_READ_16, 16, scsi_read_write},
    {SCSI_OP_WRITE_16, 16, scsi_read_write},
    {SCSI_OP_SYNCHRONIZE_CACHE16, 16, scsi_synchronize_cache},
    {SCSI_OP_WRITE_SAME_16, 16, scsi_write_same_16},
    {SCSI_OP_SERVICE_ACTION_IN16, 16, scsi_service_action_in_16},
    {SCSI_OP_REPORT_LUNS, 12, scsi_report_luns},
    {SCSI_OP_READ_12, 12, scsi_read_write},
    {SCSI_OP_WRITE_12, 12, scsi_read_write},
};

static bool power_of_two(uint32_t v)
{
    return v && !(v & (v - 1));
}

static bool serial_ok(const char *serial)
{
    size_t i;

    if (!serial)
        return true;
    for (i = 0; i <= VBD_SCSI_SERIAL_MAX && serial[i]; i++) {
        if (serial[i] < 0x20 || serial[i] > 0x7e)
            return false;
    }
    return i <= VBD_SCSI_SERIAL_MAX;
}

int vbd_scsi_disk_check(const struct vbd_scsi_disk *disk)
{
    uint32_t logical = disk->sector_size;
    uint32_t physical = disk->physical_sector_size ? disk->physical_sector_size : logical;

    if (!power_of_two(logical) || logical < 512 || logical > VBD_SCSI_SECTOR_SIZE_MAX)
        return -XEN_EINVAL;
    if (!power_of_two(physical) || physical < logical ||
        physical / logical > (1u << VBD_SCSI_PHYSICAL_EXP_MAX))
        return -XEN_EINVAL;
    if (disk->max_transfer && disk->max_transfer < logical)
        return -XEN_EINVAL;
    if (!serial_ok(disk->serial))
        return -XEN_EINVAL;
    return 0;
}

static uint32_t sector_shift(uint32_t sector_size)
{
    uint32_t shift = 0;

    while ((512u << shift) < sector_size)
        shift++;
    return shift;
}

uint64_t vbd_scsi_capacity(const struct vbd_scsi_disk *disk)
{
    if (vbd_scsi_disk_check(disk))
        return 0;
    return disk->sectors >> sector_shift(disk->sector_size);
}

void vbd_scsi_execute(const struct vbd_scsi_disk *disk, const struct vbd_scsi_request *req,
                      struct vbd_scsi_result *res)
{
    struct scsi_cmd cmd = {.disk = disk, .req = req, .res = res};
    uint32_t cdb_len = req->cdb_len < SCSI_CDB_MAX ? req->cdb_len : SCSI_CDB_MAX;
    const struct scsi_command *command = NULL;

    memset(res, 0, sizeof(*res));
    if (cdb_len)
        memcpy(cmd.cdb, req->cdb, cdb_len);
    if (vbd_scsi_disk_check(disk)) {
        scsi_check_condition(res, SCSI_KEY_HARDWARE_ERROR, SCSI_ASC_INTERNAL_FAILURE, 0);
        goto out;
    }
    cmd.shift = sector_shift(disk->sector_size);
    cmd.blocks = disk->sectors >> cmd.shift;
    for (size_t i = 0; cdb_len && i < sizeof(commands) / sizeof(commands[0]); i++) {
        if (commands[i].opcode == cmd.cdb[0])
            command = &commands[i];
    }
    if (!command)
        scsi_check_condition(res, SCSI_KEY_ILLEGAL_REQUEST, SCSI_ASC_INVALID_OPCODE, 0);
    else if (cdb_len < command->cdb_len)
        scsi_invalid_cdb(&cmd);
    else
        command->handler(&cmd);
out:
    res->residual = req->length - res->transferred;
}

void scsi_sense_fixed(uint8_t *sense, uint8_t key, uint8_t asc, uint8_t ascq)
{
    memset(sense, 0, SCSI_SENSE_FIXED_LEN);
    sense[0] = SCSI_SENSE_FIXED_CURRENT;
    sense[SCSI_SENSE_OFF_KEY] = key;
    sense[SCSI_SENSE_OFF_ADD_LEN] = SCSI_SENSE_FIXED_ADDITIONAL;
    sense[SCSI_SENSE_OFF_ASC] = asc;
    sense[SCSI_SENSE_OFF_ASCQ] = ascq;
}

void scsi_check_condition(struct vbd_scsi_result *res, uint8_t key, uint8_t asc, uint8_t ascq)
{
    memset(&res->io, 0, sizeof(res->io));
    res->status = SCSI_STATUS_CHECK_CONDITION;
    res->transferred = 0;
    res->sense_len = VBD_SCSI_SENSE_LEN;
    scsi_sense_fixed(res->sense, key, asc, ascq);
}

void scsi_invalid_cdb(struct scsi_cmd *cmd)
{
    scsi_check_condition(cmd->res, SCSI_KEY_ILLEGAL_REQUEST, SCSI_ASC_INVALID_FIELD_CDB, 0);
}

void scsi_invalid_param(struct scsi_cmd *cmd)
{
    scsi_check_condition(cmd->res, SCSI_KEY_ILLEGAL_REQUEST, SCSI_ASC_INVALID_FIELD_PARAM, 0);
}

bool scsi_buffer_allows(struct scsi_cmd *cmd, uint64_t bytes, enum vbd_scsi_dir dir)
{
    enum vbd_scsi_dir given = cmd->req->dir;

    if (bytes == 0)
        return true;
    if (bytes <= cmd->req->length && (given == dir || given == VBD_SCSI_DIR_BOTH))
        return true;
    scsi_invalid_cdb(cmd);
    return false;
}

void scsi_data_in(struct scsi_cmd *cmd, const uint8_t *data, uint32_t len, uint32_t alloc)
{
    uint32_t n = len < alloc ? len : alloc;

    if (n > cmd->req->length)
        n = cmd->req->length;
    if (!scsi_buffer_allows(cmd, n, VBD_SCSI_DIR_IN))
        return;
    if (n)
        memcpy(cmd->req->buffer, data, n);
    cmd->res->transferred = n;
}

bool scsi_medium_present(struct scsi_cmd *cmd)
{
    if (cmd->blocks)
        return true;
    scsi_check_condition(cmd->res, SCSI_KEY_NOT_READY, SCSI_ASC_MEDIUM_NOT_PRESENT, 0);
    return false;
}

bool scsi_writable(struct scsi_cmd *cmd)
{
    if (!cmd->disk->read_only)
        return true;
    scsi_check_condition(cmd->res, SCSI_KEY_DATA_PROTECT, SCSI_ASC_WRITE_PROTECTED, 0);
    return false;
}

bool scsi_in_range(struct scsi_cmd *cmd, uint64_t lba, uint64_t count)
{
    if (lba <= cmd->blocks && count <= cmd->blocks - lba)
        return true;
    scsi_check_condition(cmd->res, SCSI_KEY_ILLEGAL_REQUEST, SCSI_ASC_LBA_OUT_OF_RANGE, 0);
    return false;
}

uint8_t scsi_peripheral(const struct vbd_scsi_disk *disk)
{
    return disk->cdrom ? SCSI_TYPE_CDROM : SCSI_TYPE_DIRECT_ACCESS;
}
