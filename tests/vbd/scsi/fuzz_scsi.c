/*
 * tests/vbd/scsi/fuzz_scsi.c - any disk description, CDB, buffer and direction:
 * vbd_scsi_execute() never crashes nor touches memory it was not given
 * (the CDB and buffer are allocated to their exact sizes for ASan), its
 * sense data is always well-formed fixed format, a data-in answer leaves
 * the buffer past it alone, and every block operation lies within the disk
 * and the buffer. Pieces and failure reports are checked the same way.
 * The unit attention check then answers the same command for a disk that
 * was known differently before (the input's piece size flips fields):
 * a report is well-formed UNIT ATTENTION sense, REQUEST SENSE returns it as
 * data, and the conditions run out after one of each kind.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "support/fuzz/fuzz_input.h"
#include "vbd/scsi.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The opcodes served, so that most inputs reach a handler. */
static const uint8_t opcodes[] = {0x00, 0x03, 0x08, 0x0a, 0x12, 0x1a, 0x1b, 0x25, 0x28, 0x2a, 0x35,
                                  0x42, 0x5a, 0x88, 0x8a, 0x91, 0x93, 0x9e, 0xa0, 0xa8, 0xaa};

static void check(bool ok)
{
    if (!ok)
        abort();
}

static void read_disk(struct fuzz_input *in, struct vbd_scsi_disk *disk, char *serial)
{
    uint8_t shape = (uint8_t)fuzz_take(in, 1), flags = (uint8_t)fuzz_take(in, 1);
    uint32_t serial_len;

    disk->sectors = fuzz_take(in, 8);
    disk->sectors >>= fuzz_take(in, 1) % 64;
    disk->sector_size = shape & 0x80 ? (uint32_t)fuzz_take(in, 4) : 512u << (shape % 8);
    disk->physical_sector_size = shape & 0x40   ? (uint32_t)fuzz_take(in, 4)
                                 : shape & 0x20 ? disk->sector_size << (fuzz_take(in, 1) % 17)
                                                : 0;
    disk->max_transfer = shape & 0x10 ? (uint32_t)fuzz_take(in, 4) : 0;
    disk->discard_granularity = (uint32_t)fuzz_take(in, 4);
    disk->discard_alignment = (uint32_t)fuzz_take(in, 4);
    disk->read_only = flags & 0x01;
    disk->removable = flags & 0x02;
    disk->cdrom = flags & 0x04;
    disk->flush = flags & 0x08;
    disk->discard = flags & 0x10;
    disk->discard_secure = flags & 0x20;
    disk->lu_id = flags & 0x40 ? fuzz_take(in, 8) : 0;
    serial_len = (uint32_t)fuzz_take(in, 1) % 72;
    for (uint32_t i = 0; i < serial_len; i++)
        serial[i] = (char)fuzz_take(in, 1);
    serial[serial_len] = '\0';
    disk->serial = flags & 0x80 ? serial : NULL;
}

static bool within_disk(const struct vbd_scsi_disk *disk, uint64_t sector, uint64_t sectors)
{
    uint64_t end = vbd_scsi_capacity(disk) * (disk->sector_size / 512);
    uint32_t per_block = disk->sector_size / 512;

    return sectors && sector <= end && sectors <= end - sector && sector % per_block == 0 &&
           sectors % per_block == 0;
}

static void check_sense(const struct vbd_scsi_result *res)
{
    check(res->sense_len == VBD_SCSI_SENSE_LEN);
    check(res->sense[0] == 0x70);
    check(res->sense[2] >= 0x01 && res->sense[2] <= 0x0f);
    check(res->sense[7] == VBD_SCSI_SENSE_LEN - 8);
    check(res->io.op == VBD_SCSI_OP_NONE);
    check(res->transferred == 0);
}

static void check_io(const struct vbd_scsi_disk *disk, const struct vbd_scsi_request *req,
                     const struct vbd_scsi_result *res)
{
    const struct vbd_scsi_io *io = &res->io;

    switch (io->op) {
    case VBD_SCSI_OP_NONE:
        break;
    case VBD_SCSI_OP_READ:
    case VBD_SCSI_OP_WRITE:
        check(within_disk(disk, io->sector, io->sectors));
        check(io->offset == 0 && (uint64_t)io->sectors * 512 == res->transferred);
        check(req->dir == VBD_SCSI_DIR_BOTH ||
              req->dir == (io->op == VBD_SCSI_OP_READ ? VBD_SCSI_DIR_IN : VBD_SCSI_DIR_OUT));
        check(io->op == VBD_SCSI_OP_READ || !disk->read_only);
        check(!io->flush_after || (io->op == VBD_SCSI_OP_WRITE && disk->flush));
        break;
    case VBD_SCSI_OP_FLUSH:
        check(disk->flush && !disk->read_only);
        break;
    case VBD_SCSI_OP_DISCARD:
        check(disk->discard && !disk->read_only);
        check(io->nr_ranges >= 1 && io->nr_ranges <= VBD_SCSI_MAX_DISCARD_RANGES);
        check(io->secure == disk->discard_secure);
        for (uint32_t i = 0; i < io->nr_ranges; i++)
            check(within_disk(disk, io->ranges[i].sector, io->ranges[i].sectors));
        break;
    default:
        check(false);
    }
}

/* Cut a READ or WRITE into pieces of at most @max bytes: they must tile it. */
static void check_pieces(const struct vbd_scsi_disk *disk, const struct vbd_scsi_result *res,
                         uint32_t max)
{
    struct vbd_scsi_io piece;
    uint32_t done = 0, n;

    while ((n = vbd_scsi_io_piece(disk, &res->io, done, max, &piece)) != 0) {
        check(n <= max && n % disk->sector_size == 0 && piece.sectors * 512ull == n);
        check(piece.sector == res->io.sector + done / 512 && piece.offset == done);
        done += n;
    }
    if (res->io.op == VBD_SCSI_OP_READ || res->io.op == VBD_SCSI_OP_WRITE)
        check(max < disk->sector_size || done == res->transferred);
}

/* What the initiator knew before @disk: @disk with fields flipped by @flips. */
static struct vbd_scsi_disk earlier_disk(const struct vbd_scsi_disk *disk, uint32_t flips)
{
    struct vbd_scsi_disk before = *disk;

    before.sectors ^= flips >> 8;
    before.read_only ^= flips & 0x01;
    before.flush ^= (flips & 0x02) != 0;
    before.discard ^= (flips & 0x04) != 0;
    before.removable ^= (flips & 0x08) != 0;
    if (flips & 0x10)
        before.sector_size = 512;
    if (flips & 0x20)
        before.max_transfer = 0;
    return before;
}

/* A UNIT ATTENTION the check reported, as sense data or as REQUEST SENSE's data. */
static void check_attention_sense(const uint8_t *sense)
{
    check(sense[0] == 0x70 && (sense[2] & 0x0f) == 0x06 && sense[7] == VBD_SCSI_SENSE_LEN - 8);
    check((sense[12] == 0x2a && (sense[13] == 0x01 || sense[13] == 0x09)) ||
          (sense[12] == 0x28 && sense[13] == 0x00) || (sense[12] == 0x3f && sense[13] == 0x03));
}

/* Answer @req with the unit attention check on @disk, known before as @flips says. */
static void check_attention(const struct vbd_scsi_disk *disk, const struct vbd_scsi_request *req,
                            uint8_t *before, uint32_t flips)
{
    static const uint8_t test_unit_ready[6] = {0x00};
    struct vbd_scsi_request tur = {test_unit_ready, sizeof(test_unit_ready), NULL, 0,
                                   VBD_SCSI_DIR_NONE};
    struct vbd_scsi_disk earlier = earlier_disk(disk, flips);
    struct vbd_scsi_attention att;
    struct vbd_scsi_result res;
    uint32_t reports = 0;

    memcpy(req->buffer, before, req->length);
    vbd_scsi_attention_init(&att, &earlier);
    if (vbd_scsi_attention_check(&att, disk, req, &res)) {
        check(res.transferred <= req->length && res.residual == req->length - res.transferred);
        if (res.status == 0x02) {
            check_sense(&res);
            if ((res.sense[2] & 0x0f) == 0x06) {
                check_attention_sense(res.sense);
                reports++;
            }
            check(memcmp(req->buffer, before, req->length) == 0);
        } else {
            /* REQUEST SENSE, the report as its data, cut to the allocation length. */
            check(res.status == 0x00 && req->cdb[0] == 0x03 && res.transferred <= 18);
            if (res.transferred == 18)
                check_attention_sense(req->buffer);
            check(memcmp((uint8_t *)req->buffer + res.transferred, before + res.transferred,
                         req->length - res.transferred) == 0);
            reports++;
        }
    }
    /* Four kinds of condition: TEST UNIT READY reports what is left, then nothing. */
    for (int i = 0; i < 6; i++) {
        if (!vbd_scsi_attention_check(&att, disk, &tur, &res))
            break;
        check_sense(&res);
        check_attention_sense(res.sense);
        check(++reports <= 4);
    }
    check(!vbd_scsi_attention_check(&att, disk, &tur, &res));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_input in = {data, size};
    struct vbd_scsi_disk disk;
    struct vbd_scsi_request req;
    struct vbd_scsi_result res;
    char serial[72];
    uint8_t *cdb, *buffer, *before;
    uint8_t opcode_pick;
    uint32_t piece_max;

    read_disk(&in, &disk, serial);
    req.cdb_len = (uint32_t)fuzz_take(&in, 1) % 20;
    opcode_pick = (uint8_t)fuzz_take(&in, 1);
    req.dir = (enum vbd_scsi_dir)(fuzz_take(&in, 1) % 4);
    req.length = (uint32_t)fuzz_take(&in, 2);
    req.length <<= fuzz_take(&in, 1) % 2; /* up to 128 KiB: READ(6) of 256 blocks */
    piece_max = (uint32_t)fuzz_take(&in, 3);

    cdb = malloc(req.cdb_len ? req.cdb_len : 1);
    for (uint32_t i = 0; i < req.cdb_len; i++)
        cdb[i] = (uint8_t)fuzz_take(&in, 1);
    if (req.cdb_len && opcode_pick & 0x80)
        cdb[0] = opcodes[opcode_pick % sizeof(opcodes)];
    buffer = malloc(req.length ? req.length : 1);
    before = malloc(req.length ? req.length : 1);
    memset(buffer, 0, req.length);
    memcpy(buffer, in.data, in.size < req.length ? in.size : req.length);
    memcpy(before, buffer, req.length);
    req.cdb = cdb;
    req.buffer = buffer;

    vbd_scsi_execute(&disk, &req, &res);

    check(res.transferred <= req.length && res.residual == req.length - res.transferred);
    if (res.status == 0x02)
        check_sense(&res);
    else
        check(res.status == 0x00 && res.sense_len == 0);
    check_io(&disk, &req, &res);
    /* Only a data-in answer writes, and only what it reports. */
    if (res.io.op != VBD_SCSI_OP_NONE || req.dir == VBD_SCSI_DIR_OUT ||
        req.dir == VBD_SCSI_DIR_NONE)
        check(memcmp(buffer, before, req.length) == 0);
    else
        check(memcmp(buffer + res.transferred, before + res.transferred,
                     req.length - res.transferred) == 0);

    check_pieces(&disk, &res, piece_max);
    if (res.io.op != VBD_SCSI_OP_NONE) {
        vbd_scsi_io_failed(&res, (int16_t)(piece_max & 1 ? -1 : -2));
        check(res.status == 0x02 && res.residual == req.length);
        check_sense(&res);
    }
    check_attention(&disk, &req, before, piece_max);

    free(cdb);
    free(buffer);
    free(before);
    return 0;
}
