/*
 * core/vbd/scsi_rw.c - READ and WRITE (6, 10, 12, 16) and SYNCHRONIZE CACHE
 * become block operations; what a failed one reports; cutting one to the
 * ring's size.
 */
#include <string.h>

#include <xen/io/blkif.h>

#include "vbd/scsi_internal.h"

struct block_range {
    uint64_t lba;
    uint64_t count;
    uint8_t flags; /* CDB byte 1 of the forms that have one */
};

/* The LBA and length fields of a READ, WRITE or SYNCHRONIZE CACHE CDB. */
static void decode_range(const uint8_t *cdb, struct block_range *r)
{
    switch (cdb[0]) {
    case SCSI_OP_READ_6:
    case SCSI_OP_WRITE_6:
        r->lba = scsi_get24(cdb + 1) & SCSI_RW6_LBA_MASK;
        r->count = cdb[4] ? cdb[4] : 256; /* 0 means 256 blocks here */
        r->flags = 0;
        break;
    case SCSI_OP_READ_10:
    case SCSI_OP_WRITE_10:
    case SCSI_OP_SYNCHRONIZE_CACHE:
        r->lba = scsi_get32(cdb + 2);
        r->count = scsi_get16(cdb + 7);
        r->flags = cdb[1];
        break;
    case SCSI_OP_READ_12:
    case SCSI_OP_WRITE_12:
        r->lba = scsi_get32(cdb + 2);
        r->count = scsi_get32(cdb + 6);
        r->flags = cdb[1];
        break;
    default: /* the 16-byte forms */
        r->lba = scsi_get64(cdb + 2);
        r->count = scsi_get32(cdb + 10);
        r->flags = cdb[1];
        break;
    }
}

static bool is_write(uint8_t opcode)
{
    return opcode == SCSI_OP_WRITE_6 || opcode == SCSI_OP_WRITE_10 || opcode == SCSI_OP_WRITE_12 ||
           opcode == SCSI_OP_WRITE_16;
}

void scsi_read_write(struct scsi_cmd *cmd)
{
    const struct vbd_scsi_disk *disk = cmd->disk;
    bool write = is_write(cmd->cdb[0]);
    struct vbd_scsi_io *io = &cmd->res->io;
    struct block_range r;
    uint64_t bytes;

    decode_range(cmd->cdb, &r);
    if (!scsi_medium_present(cmd) || (write && !scsi_writable(cmd)))
        return;
    if (r.flags & SCSI_RW_PROTECT_MASK) { /* no protection information here */
        scsi_invalid_cdb(cmd);
        return;
    }
    if (!scsi_in_range(cmd, r.lba, r.count))
        return;
    if (!r.count)
        return; /* no blocks: not an error, nothing to do */
    bytes = r.count * disk->sector_size;
    if (disk->max_transfer && bytes > disk->max_transfer) {
        scsi_invalid_cdb(cmd);
        return;
    }
    if (!scsi_buffer_allows(cmd, bytes, write ? VBD_SCSI_DIR_OUT : VBD_SCSI_DIR_IN))
        return;
    io->op = write ? VBD_SCSI_OP_WRITE : VBD_SCSI_OP_READ;
    io->sector = r.lba << cmd->shift;
    io->sectors = (uint32_t)(bytes >> 9);
    io->flush_after = write && (r.flags & SCSI_RW_FUA) && disk->flush;
    cmd->res->transferred = (uint32_t)bytes;
}

void scsi_synchronize_cache(struct scsi_cmd *cmd)
{
    struct block_range r;

    decode_range(cmd->cdb, &r);
    if (!scsi_medium_present(cmd))
        return;
    /* 0 blocks: from the LBA to the end. IMMED is not honoured: status waits for the flush. */
    if (!scsi_in_range(cmd, r.lba, r.count))
        return;
    /* Without a cache the backend wrote through; a read-only disk has nothing to write back. */
    if (cmd->disk->flush && !cmd->disk->read_only)
        cmd->res->io.op = VBD_SCSI_OP_FLUSH;
}

void vbd_scsi_io_failed(struct vbd_scsi_result *res, int16_t blkif_status)
{
    uint32_t length = res->transferred + res->residual;
    enum vbd_scsi_op op = res->io.op;

    if (blkif_status == BLKIF_RSP_EOPNOTSUPP)
        scsi_check_condition(res, SCSI_KEY_ILLEGAL_REQUEST, SCSI_ASC_INVALID_OPCODE, 0);
    else if (op == VBD_SCSI_OP_READ)
        scsi_check_condition(res, SCSI_KEY_MEDIUM_ERROR, SCSI_ASC_UNRECOVERED_READ, 0);
    else
        scsi_check_condition(res, SCSI_KEY_MEDIUM_ERROR, SCSI_ASC_WRITE_ERROR, 0);
    res->residual = length;
}

uint32_t vbd_scsi_io_piece(const struct vbd_scsi_disk *disk, const struct vbd_scsi_io *io,
                           uint32_t done, uint32_t max_bytes, struct vbd_scsi_io *piece)
{
    uint64_t total = (uint64_t)io->sectors << 9;
    uint32_t logical = disk->sector_size, n;

    if (vbd_scsi_disk_check(disk) || (io->op != VBD_SCSI_OP_READ && io->op != VBD_SCSI_OP_WRITE))
        return 0;
    if (done >= total || done % logical || max_bytes < logical)
        return 0;
    n = max_bytes - max_bytes % logical;
    if (n > total - done)
        n = (uint32_t)(total - done);
    memset(piece, 0, sizeof(*piece));
    piece->op = io->op;
    piece->sector = io->sector + (done >> 9);
    piece->sectors = n >> 9;
    piece->offset = io->offset + done;
    piece->flush_after = io->flush_after && (uint64_t)done + n == total;
    return n;
}
