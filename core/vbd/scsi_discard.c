/*
 * core/vbd/scsi_discard.c - UNMAP and WRITE SAME(16) with UNMAP become a
 * DISCARD. UNMAP's parameter list comes from the caller's buffer: each byte
 * of it is read once, every length in it checked against what was sent.
 */
#include <string.h>

#include "vbd/scsi_internal.h"

/* Add blocks @lba..+@count (in range, not empty) to the DISCARD in @cmd's result. */
static void add_range(struct scsi_cmd *cmd, uint64_t lba, uint64_t count)
{
    struct vbd_scsi_io *io = &cmd->res->io;

    io->op = VBD_SCSI_OP_DISCARD;
    io->secure = cmd->disk->discard_secure;
    io->ranges[io->nr_ranges].sector = lba << cmd->shift;
    io->ranges[io->nr_ranges].sectors = count << cmd->shift;
    io->nr_ranges++;
}

/* The block descriptors of the parameter list at @list (@len bytes, at least the header). */
static void unmap_descriptors(struct scsi_cmd *cmd, const uint8_t *list, uint32_t len)
{
    uint8_t header[SCSI_UNMAP_HEADER_LEN];
    uint32_t data_len, desc_len, count;

    memcpy(header, list, sizeof(header));
    data_len = scsi_get16(header);     /* what follows this field */
    desc_len = scsi_get16(header + 2); /* what the descriptors take */
    if (data_len > len - 2 || desc_len > len - SCSI_UNMAP_HEADER_LEN) {
        scsi_invalid_param(cmd);
        return;
    }
    count = desc_len / SCSI_UNMAP_DESC_LEN; /* a partial last descriptor is ignored */
    if (count > VBD_SCSI_MAX_DISCARD_RANGES) {
        scsi_invalid_param(cmd);
        return;
    }
    for (uint32_t i = 0; i < count; i++) {
        uint8_t desc[SCSI_UNMAP_DESC_LEN];
        uint64_t lba;
        uint32_t blocks;

        memcpy(desc, list + SCSI_UNMAP_HEADER_LEN + i * SCSI_UNMAP_DESC_LEN, sizeof(desc));
        lba = scsi_get64(desc);
        blocks = scsi_get32(desc + 8);
        if (!scsi_in_range(cmd, lba, blocks))
            return;
        if (blocks)
            add_range(cmd, lba, blocks);
    }
    cmd->res->transferred = len;
}

void scsi_unmap(struct scsi_cmd *cmd)
{
    uint32_t len = scsi_get16(cmd->cdb + 7);

    if (!cmd->disk->discard) { /* page 0xB2 says LBPU 0: UNMAP is not a command here */
        scsi_check_condition(cmd->res, SCSI_KEY_ILLEGAL_REQUEST, SCSI_ASC_INVALID_OPCODE, 0);
        return;
    }
    if (!scsi_medium_present(cmd) || !scsi_writable(cmd))
        return;
    if (cmd->cdb[1] & SCSI_UNMAP_ANCHOR) {
        scsi_invalid_cdb(cmd);
        return;
    }
    if (!len)
        return; /* no parameter list: nothing to unmap, not an error */
    if (!scsi_buffer_allows(cmd, len, VBD_SCSI_DIR_OUT))
        return;
    if (len < SCSI_UNMAP_HEADER_LEN) {
        scsi_check_condition(cmd->res, SCSI_KEY_ILLEGAL_REQUEST, SCSI_ASC_PARAM_LIST_LENGTH, 0);
        return;
    }
    unmap_descriptors(cmd, cmd->req->buffer, len);
}

void scsi_write_same_16(struct scsi_cmd *cmd)
{
    uint8_t flags = cmd->cdb[1];
    uint64_t lba = scsi_get64(cmd->cdb + 2);
    uint32_t blocks = scsi_get32(cmd->cdb + 10);
    uint32_t data = flags & SCSI_WRITE_SAME_NDOB ? 0 : cmd->disk->sector_size;

    /*
     * Only the unmapping form is served, and only when the backend discards;
     * 0 blocks ("to the end") is refused, as page 0xB0's WSNZ says.
     */
    if (!scsi_medium_present(cmd) || !scsi_writable(cmd))
        return;
    if (!(flags & SCSI_WRITE_SAME_UNMAP) || !cmd->disk->discard ||
        (flags & (SCSI_WRITE_SAME_ANCHOR | SCSI_RW_PROTECT_MASK)) || !blocks) {
        scsi_invalid_cdb(cmd);
        return;
    }
    if (!scsi_in_range(cmd, lba, blocks))
        return;
    if (!scsi_buffer_allows(cmd, data, VBD_SCSI_DIR_OUT))
        return;
    add_range(cmd, lba, blocks);
    cmd->res->transferred = data; /* the block of data is taken and not looked at */
}
