/*
 * tests/vbd/scsi/scsi_rw_test.c - READ and WRITE in all four sizes and
 * SYNCHRONIZE CACHE as block operations: the sectors they name (always
 * 512-byte ones) for 512 and 4096-byte logical blocks, the last block and
 * one past it, lengths against the buffer and the transfer limit, FUA,
 * read-only disks, an empty drive; what a failed operation reports; cutting
 * an operation into ring-sized pieces.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "scsi_fixture.h"

#define READ_6   0x08
#define WRITE_6  0x0a
#define READ_10  0x28
#define WRITE_10 0x2a
#define READ_12  0xa8
#define WRITE_12 0xaa
#define READ_16  0x88
#define WRITE_16 0x8a
#define SYNC_10  0x35
#define SYNC_16  0x91
#define FUA      0x08

static uint8_t buf[1 << 20];
static struct vbd_scsi_result res;

static bool writes(uint8_t op)
{
    return op == WRITE_6 || op == WRITE_10 || op == WRITE_12 || op == WRITE_16;
}

/* Where a READ, WRITE or SYNCHRONIZE CACHE CDB of each size keeps its fields (SBC-3). */
struct layout {
    uint32_t cdb_len, lba_at, lba_bytes, count_at, count_bytes;
};

static struct layout layout_of(uint8_t op)
{
    switch (op) {
    case READ_6:
    case WRITE_6: /* byte 1's top three bits are not LBA; no flags */
        return (struct layout){6, 1, 3, 4, 1};
    case READ_10:
    case WRITE_10:
    case SYNC_10:
        return (struct layout){10, 2, 4, 7, 2};
    case READ_12:
    case WRITE_12:
        return (struct layout){12, 2, 4, 6, 4};
    default:
        return (struct layout){16, 2, 8, 10, 4};
    }
}

/* READ or WRITE @op of @count blocks at @lba with CDB byte 1 @flags, @len bytes of buffer. */
static void rw(const struct vbd_scsi_disk *disk, uint8_t op, uint64_t lba, uint32_t count,
               uint8_t flags, uint32_t len)
{
    struct layout l = layout_of(op);
    uint8_t cdb[16] = {op};

    put_be(cdb + l.lba_at, lba, l.lba_bytes);
    put_be(cdb + l.count_at, count, l.count_bytes);
    if (l.cdb_len > 6)
        cdb[1] = flags;
    run(disk, cdb, l.cdb_len, buf, len, writes(op) ? VBD_SCSI_DIR_OUT : VBD_SCSI_DIR_IN, &res);
}

/* The command became @op of @sectors 512-byte sectors at @sector, to be reported as moving them. */
static void assert_io(enum vbd_scsi_op op, uint64_t sector, uint32_t sectors, uint32_t len)
{
    assert_int_equal(res.status, 0);
    assert_int_equal(res.sense_len, 0);
    assert_int_equal(res.io.op, op);
    assert_int_equal(res.io.sector, sector);
    assert_int_equal(res.io.sectors, sectors);
    assert_int_equal(res.io.offset, 0);
    assert_int_equal(res.transferred, sectors * 512);
    assert_int_equal(res.residual, len - sectors * 512);
}

static void test_read_and_write_in_every_size(void **state)
{
    static const uint8_t reads[] = {READ_6, READ_10, READ_12, READ_16};
    static const uint8_t writes_[] = {WRITE_6, WRITE_10, WRITE_12, WRITE_16};
    struct vbd_scsi_disk disk = plain_disk();

    for (int i = 0; i < 4; i++) {
        rw(&disk, reads[i], 0x12345, 8, 0, 4096);
        assert_io(VBD_SCSI_OP_READ, 0x12345, 8, 4096);
        assert_false(res.io.flush_after);
        rw(&disk, writes_[i], 0x12345, 8, 0, 4096);
        assert_io(VBD_SCSI_OP_WRITE, 0x12345, 8, 4096);
        assert_false(res.io.flush_after);
    }
}

static void test_six_byte_forms(void **state)
{
    struct vbd_scsi_disk disk = plain_disk();
    uint8_t cdb[6] = {READ_6, 0xe0 | 0x1f, 0xff, 0xff, 1, 0};

    run_in(&disk, cdb, 6, buf, 512, &res); /* 21 bits of LBA; byte 1's top bits are not */
    assert_io(VBD_SCSI_OP_READ, 0x1fffff, 1, 512);

    rw(&disk, WRITE_6, 7, 0, 0, 256 * 512); /* a length of 0 is 256 blocks */
    assert_io(VBD_SCSI_OP_WRITE, 7, 256, 256 * 512);
}

static void test_long_lbas(void **state)
{
    struct vbd_scsi_disk disk = plain_disk();

    disk.sectors = 1ull << 40; /* 512 TiB */
    rw(&disk, READ_16, (1ull << 40) - 4, 4, 0, 2048);
    assert_io(VBD_SCSI_OP_READ, (1ull << 40) - 4, 4, 2048);
    rw(&disk, WRITE_12, 0xfffffff0, 16, 0, 8192);
    assert_io(VBD_SCSI_OP_WRITE, 0xfffffff0, 16, 8192);
}

static void assert_out_of_range(uint32_t len)
{
    assert_sense(&res, 0x05, 0x21, 0x00, len); /* ILLEGAL REQUEST, LBA OUT OF RANGE */
}

static void test_last_block_and_one_past(void **state)
{
    struct vbd_scsi_disk disk = plain_disk();
    uint64_t blocks = GIB_SECTORS;

    rw(&disk, READ_10, blocks - 1, 1, 0, 512);
    assert_io(VBD_SCSI_OP_READ, blocks - 1, 1, 512);
    rw(&disk, READ_10, blocks, 1, 0, 512);
    assert_out_of_range(512);
    rw(&disk, WRITE_10, blocks - 1, 2, 0, 1024);
    assert_out_of_range(1024);
    rw(&disk, READ_16, UINT64_MAX, 2, 0, 1024); /* LBA + length wraps */
    assert_out_of_range(1024);
    rw(&disk, READ_16, blocks, 0, 0, 0); /* no blocks just past the end: nothing to do */
    assert_done(&res, 0, 0);
    rw(&disk, READ_16, blocks + 1, 0, 0, 0);
    assert_out_of_range(0);
}

static void test_zero_blocks_is_not_an_error(void **state)
{
    struct vbd_scsi_disk disk = plain_disk();

    rw(&disk, READ_10, 5, 0, 0, 4096);
    assert_done(&res, 0, 4096);
    rw(&disk, WRITE_16, 5, 0, 0, 0);
    assert_done(&res, 0, 0);
}

static void test_4096_byte_logical_blocks(void **state)
{
    struct vbd_scsi_disk disk = plain_disk();
    uint64_t blocks = GIB_SECTORS / 8;

    disk.sector_size = 4096;
    disk.sectors = GIB_SECTORS + 7; /* a partial block at the end is not addressable */
    rw(&disk, READ_10, 10, 2, 0, 8192);
    assert_io(VBD_SCSI_OP_READ, 80, 16, 8192);
    rw(&disk, WRITE_16, blocks - 1, 1, 0, 4096);
    assert_io(VBD_SCSI_OP_WRITE, GIB_SECTORS - 8, 8, 4096);
    rw(&disk, READ_10, blocks, 1, 0, 4096);
    assert_out_of_range(4096);
    rw(&disk, READ_10, 0, 1, 0, 4095); /* a block is 4096 bytes now */
    assert_sense(&res, 0x05, 0x24, 0x00, 4095);
}

static void test_lengths_against_buffer_and_limit(void **state)
{
    struct vbd_scsi_disk disk = plain_disk();

    rw(&disk, READ_10, 0, 8, 0, 4095); /* the buffer cannot hold it */
    assert_sense(&res, 0x05, 0x24, 0x00, 4095);
    rw(&disk, READ_10, 0, 8, 0, 8192); /* a bigger buffer: the rest is residual */
    assert_io(VBD_SCSI_OP_READ, 0, 8, 8192);
    assert_int_equal(res.residual, 4096);

    disk.max_transfer = 65536;
    rw(&disk, WRITE_10, 0, 128, 0, 65536);
    assert_io(VBD_SCSI_OP_WRITE, 0, 128, 65536);
    rw(&disk, WRITE_10, 0, 129, 0, 66048); /* over MAXIMUM TRANSFER LENGTH */
    assert_sense(&res, 0x05, 0x24, 0x00, 66048);
}

static void test_direction_must_match(void **state)
{
    struct vbd_scsi_disk disk = plain_disk();
    uint8_t read10[10] = {READ_10, 0, 0, 0, 0, 0, 0, 0, 1, 0};
    uint8_t write10[10] = {WRITE_10, 0, 0, 0, 0, 0, 0, 0, 1, 0};

    run(&disk, read10, 10, buf, 512, VBD_SCSI_DIR_OUT, &res);
    assert_sense(&res, 0x05, 0x24, 0x00, 512);
    run(&disk, write10, 10, buf, 512, VBD_SCSI_DIR_IN, &res);
    assert_sense(&res, 0x05, 0x24, 0x00, 512);
    run(&disk, write10, 10, buf, 512, VBD_SCSI_DIR_BOTH, &res);
    assert_io(VBD_SCSI_OP_WRITE, 0, 1, 512);
}

static void test_fua_flushes_after_the_write(void **state)
{
    struct vbd_scsi_disk disk = plain_disk();

    disk.flush = true;
    rw(&disk, WRITE_10, 3, 1, FUA, 512);
    assert_io(VBD_SCSI_OP_WRITE, 3, 1, 512);
    assert_true(res.io.flush_after);
    rw(&disk, WRITE_16, 3, 1, FUA, 512);
    assert_true(res.io.flush_after);
    rw(&disk, WRITE_10, 3, 1, 0, 512);
    assert_false(res.io.flush_after);
    rw(&disk, READ_10, 3, 1, FUA, 512); /* a read has nothing to make durable */
    assert_false(res.io.flush_after);

    disk.flush = false; /* no cache to flush: the write alone is durable */
    rw(&disk, WRITE_12, 3, 1, FUA, 512);
    assert_io(VBD_SCSI_OP_WRITE, 3, 1, 512);
    assert_false(res.io.flush_after);
}

static void test_protection_information_is_refused(void **state)
{
    struct vbd_scsi_disk disk = plain_disk();

    rw(&disk, READ_10, 0, 1, 0x20, 512); /* RDPROTECT 1 */
    assert_sense(&res, 0x05, 0x24, 0x00, 512);
    rw(&disk, WRITE_16, 0, 1, 0xe0, 512);
    assert_sense(&res, 0x05, 0x24, 0x00, 512);
}

static void test_read_only_disk(void **state)
{
    static const uint8_t writes_[] = {WRITE_6, WRITE_10, WRITE_12, WRITE_16};
    struct vbd_scsi_disk disk = plain_disk();

    disk.read_only = true;
    for (int i = 0; i < 4; i++) {
        rw(&disk, writes_[i], 0, 1, 0, 512);
        assert_sense(&res, 0x07, 0x27, 0x00, 512); /* DATA PROTECT, WRITE PROTECTED */
    }
    rw(&disk, READ_10, 0, 1, 0, 512);
    assert_io(VBD_SCSI_OP_READ, 0, 1, 512);
}

static void test_empty_drive(void **state)
{
    struct vbd_scsi_disk disk = plain_disk();

    disk.cdrom = true;
    disk.sector_size = 2048;
    disk.sectors = 3; /* less than one block: no medium */
    rw(&disk, READ_10, 0, 1, 0, 2048);
    assert_sense(&res, 0x02, 0x3a, 0x00, 2048); /* NOT READY, MEDIUM NOT PRESENT */
    rw(&disk, SYNC_10, 0, 0, 0, 0);
    assert_sense(&res, 0x02, 0x3a, 0x00, 0);
}

static void test_synchronize_cache(void **state)
{
    struct vbd_scsi_disk disk = plain_disk();

    rw(&disk, SYNC_10, 0, 0, 0, 0); /* no cache: nothing to do */
    assert_done(&res, 0, 0);

    disk.flush = true;
    rw(&disk, SYNC_10, 0, 0, 0, 0);
    assert_int_equal(res.status, 0);
    assert_int_equal(res.io.op, VBD_SCSI_OP_FLUSH);
    assert_int_equal(res.transferred, 0);
    rw(&disk, SYNC_16, GIB_SECTORS - 1, 1, 0x02, 0); /* IMMED too waits for the flush */
    assert_int_equal(res.io.op, VBD_SCSI_OP_FLUSH);
    rw(&disk, SYNC_16, GIB_SECTORS, 0, 0, 0);
    assert_int_equal(res.io.op, VBD_SCSI_OP_FLUSH);
    rw(&disk, SYNC_16, GIB_SECTORS - 1, 2, 0, 0);
    assert_out_of_range(0);

    disk.read_only = true; /* nothing can be in the cache */
    rw(&disk, SYNC_10, 0, 0, 0, 0);
    assert_done(&res, 0, 0);
}

static void test_failed_operations_report_medium_errors(void **state)
{
    struct vbd_scsi_disk disk = plain_disk();

    rw(&disk, READ_10, 0, 8, 0, 8192);
    vbd_scsi_io_failed(&res, -1);               /* BLKIF_RSP_ERROR */
    assert_sense(&res, 0x03, 0x11, 0x00, 8192); /* MEDIUM ERROR, UNRECOVERED READ ERROR */

    rw(&disk, WRITE_10, 0, 8, 0, 4096);
    vbd_scsi_io_failed(&res, -1);
    assert_sense(&res, 0x03, 0x0c, 0x00, 4096); /* MEDIUM ERROR, WRITE ERROR */

    disk.flush = true;
    rw(&disk, SYNC_10, 0, 0, 0, 0);
    vbd_scsi_io_failed(&res, -1);
    assert_sense(&res, 0x03, 0x0c, 0x00, 0);

    rw(&disk, SYNC_10, 0, 0, 0, 0);
    vbd_scsi_io_failed(&res, -2); /* BLKIF_RSP_EOPNOTSUPP */
    assert_sense(&res, 0x05, 0x20, 0x00, 0);
}

/* Cut res.io into pieces of at most @max bytes; returns how many, checking they tile it. */
static int pieces(const struct vbd_scsi_disk *disk, uint32_t max, uint32_t *sizes, int most)
{
    struct vbd_scsi_io piece;
    uint32_t done = 0, n;
    int count = 0;

    while ((n = vbd_scsi_io_piece(disk, &res.io, done, max, &piece)) != 0) {
        assert_true(count < most);
        assert_int_equal(piece.op, res.io.op);
        assert_int_equal(piece.sector, res.io.sector + done / 512);
        assert_int_equal(piece.sectors * 512, n);
        assert_int_equal(piece.offset, done);
        assert_true(n <= max);
        assert_int_equal(n % disk->sector_size, 0);
        done += n;
        assert_int_equal(piece.flush_after, res.io.flush_after && done == res.transferred);
        sizes[count++] = n;
    }
    assert_int_equal(done, res.transferred);
    return count;
}

static void test_pieces_for_the_ring(void **state)
{
    struct vbd_scsi_disk disk = plain_disk();
    struct vbd_scsi_io piece;
    uint32_t sizes[8];

    disk.flush = true;
    rw(&disk, WRITE_10, 1000, 200, FUA, 200 * 512); /* 100 KiB in 44 KiB pieces */
    assert_int_equal(pieces(&disk, 45056, sizes, 8), 3);
    assert_int_equal(sizes[0], 45056);
    assert_int_equal(sizes[1], 45056);
    assert_int_equal(sizes[2], 102400 - 2 * 45056);

    disk.sector_size = 4096; /* pieces hold whole logical blocks */
    rw(&disk, READ_10, 1, 25, 0, 25 * 4096);
    assert_int_equal(pieces(&disk, 45000, sizes, 8), 3);
    assert_int_equal(sizes[0], 40960);
    assert_int_equal(sizes[2], 102400 - 2 * 40960);

    assert_int_equal(vbd_scsi_io_piece(&disk, &res.io, 512, 45056, &piece), 0); /* mid-block */
    assert_int_equal(vbd_scsi_io_piece(&disk, &res.io, 0, 4095, &piece), 0);
    disk.sector_size = 512;
    rw(&disk, SYNC_10, 0, 0, 0, 0);
    assert_int_equal(vbd_scsi_io_piece(&disk, &res.io, 0, 45056, &piece), 0); /* not data */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_read_and_write_in_every_size),
        cmocka_unit_test(test_six_byte_forms),
        cmocka_unit_test(test_long_lbas),
        cmocka_unit_test(test_last_block_and_one_past),
        cmocka_unit_test(test_zero_blocks_is_not_an_error),
        cmocka_unit_test(test_4096_byte_logical_blocks),
        cmocka_unit_test(test_lengths_against_buffer_and_limit),
        cmocka_unit_test(test_direction_must_match),
        cmocka_unit_test(test_fua_flushes_after_the_write),
        cmocka_unit_test(test_protection_information_is_refused),
        cmocka_unit_test(test_read_only_disk),
        cmocka_unit_test(test_empty_drive),
        cmocka_unit_test(test_synchronize_cache),
        cmocka_unit_test(test_failed_operations_report_medium_errors),
        cmocka_unit_test(test_pieces_for_the_ring),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
