/*
 * tests/sim/blkback/blkback_request_test.c - winpv-blkback's request checks
 * (sim/blkback/request.c) on their own: every field a frontend controls,
 * at and past its limits, for each operation and with features on and off.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "blkback/request.h"

#define SECTORS 8192

static struct blk_segment segs[BLKIF_SEGS_PER_INDIRECT_PAGE * 2];
static struct blk_op op = {.segs = segs};

static const struct blk_limits all = {
    .sectors = SECTORS,
    .unit = 512,
    .flush = true,
    .barrier = true,
    .discard = true,
    .discard_secure = true,
    .max_indirect_segments = 1024,
};

static union blkif_sring_entry rw(uint8_t op_code, uint64_t sector, unsigned int nseg)
{
    union blkif_sring_entry e;

    memset(&e, 0, sizeof(e));
    e.req.operation = op_code;
    e.req.nr_segments = (uint8_t)nseg;
    e.req.id = 0x1122334455667788ull;
    e.req.sector_number = sector;
    for (unsigned int i = 0; i < nseg && i < BLKIF_MAX_SEGMENTS_PER_REQUEST; i++)
        e.req.seg[i] =
            (struct blkif_request_segment){.gref = 10 + i, .first_sect = 0, .last_sect = 7};
    return e;
}

static int16_t parse(const union blkif_sring_entry *e, const struct blk_limits *lim)
{
    return request_parse(e, lim, &op);
}

static void test_a_read_becomes_a_byte_range_and_pages(void **state)
{
    union blkif_sring_entry e = rw(BLKIF_OP_READ, 13, 3);

    e.req.seg[0].first_sect = 3;
    e.req.seg[2].last_sect = 4;
    assert_int_equal(parse(&e, &all), BLKIF_RSP_OKAY);
    assert_int_equal(op.kind, BLK_READ);
    assert_int_equal(op.id, 0x1122334455667788ull);
    assert_int_equal(op.rsp_operation, BLKIF_OP_READ);
    assert_int_equal(op.offset, 13 * 512);
    assert_int_equal(op.nr_segments, 3);
    assert_int_equal(op.length, (5 + 8 + 5) * 512);
    assert_int_equal(segs[0].gref, 10);
    assert_int_equal(segs[0].offset, 3 * 512);
    assert_int_equal(segs[0].length, 5 * 512);
    assert_int_equal(segs[2].offset, 0);
    assert_int_equal(segs[2].length, 5 * 512);
}

static void test_segments_must_lie_in_their_page(void **state)
{
    union blkif_sring_entry e = rw(BLKIF_OP_WRITE, 0, 2);

    e.req.seg[1].first_sect = 4;
    e.req.seg[1].last_sect = 3;
    assert_int_equal(parse(&e, &all), BLKIF_RSP_ERROR);
    e.req.seg[1].first_sect = 0;
    e.req.seg[1].last_sect = 8;
    assert_int_equal(parse(&e, &all), BLKIF_RSP_ERROR);
    e.req.seg[1].first_sect = 255;
    e.req.seg[1].last_sect = 255;
    assert_int_equal(parse(&e, &all), BLKIF_RSP_ERROR);
    e.req.seg[1].first_sect = 7;
    e.req.seg[1].last_sect = 7;
    assert_int_equal(parse(&e, &all), BLKIF_RSP_OKAY);
}

static void test_segment_counts(void **state)
{
    union blkif_sring_entry e = rw(BLKIF_OP_READ, 0, 0);

    assert_int_equal(parse(&e, &all), BLKIF_RSP_ERROR);
    e = rw(BLKIF_OP_READ, 0, BLKIF_MAX_SEGMENTS_PER_REQUEST);
    assert_int_equal(parse(&e, &all), BLKIF_RSP_OKAY);
    e.req.nr_segments = BLKIF_MAX_SEGMENTS_PER_REQUEST + 1;
    assert_int_equal(parse(&e, &all), BLKIF_RSP_ERROR);
    e.req.nr_segments = 255;
    assert_int_equal(parse(&e, &all), BLKIF_RSP_ERROR);
}

static void test_ranges_must_lie_in_the_disk(void **state)
{
    union blkif_sring_entry e = rw(BLKIF_OP_READ, SECTORS - 8, 1);

    assert_int_equal(parse(&e, &all), BLKIF_RSP_OKAY);
    e.req.sector_number = SECTORS - 7;
    assert_int_equal(parse(&e, &all), BLKIF_RSP_ERROR);
    e.req.sector_number = SECTORS;
    assert_int_equal(parse(&e, &all), BLKIF_RSP_ERROR);
    e.req.sector_number = UINT64_MAX - 3; /* the end would wrap */
    assert_int_equal(parse(&e, &all), BLKIF_RSP_ERROR);
}

static union blkif_sring_entry discard_entry(uint64_t sector, uint64_t count, uint8_t flag)
{
    struct blkif_request_discard d = {.operation = BLKIF_OP_DISCARD,
                                      .flag = flag,
                                      .id = 7,
                                      .sector_number = sector,
                                      .nr_sectors = count};
    union blkif_sring_entry e;

    memset(&e, 0, sizeof(e));
    memcpy(&e, &d, sizeof(d));
    return e;
}

static void test_discard(void **state)
{
    struct blk_limits plain = all;
    union blkif_sring_entry e = discard_entry(100, 50, BLKIF_DISCARD_SECURE);

    assert_int_equal(parse(&e, &all), BLKIF_RSP_OKAY);
    assert_int_equal(op.kind, BLK_DISCARD);
    assert_int_equal(op.offset, 100 * 512);
    assert_int_equal(op.length, 50 * 512);
    assert_true(op.secure);
    /* Secure only where offered; otherwise the flag is ignored. */
    plain.discard_secure = false;
    assert_int_equal(parse(&e, &plain), BLKIF_RSP_OKAY);
    assert_false(op.secure);
    e = discard_entry(SECTORS - 10, 11, 0);
    assert_int_equal(parse(&e, &all), BLKIF_RSP_ERROR);
    e = discard_entry(10, UINT64_MAX, 0);
    assert_int_equal(parse(&e, &all), BLKIF_RSP_ERROR);
    e = discard_entry(SECTORS, 0, 0);
    assert_int_equal(parse(&e, &all), BLKIF_RSP_OKAY);
    plain.discard = false;
    e = discard_entry(0, 8, 0);
    assert_int_equal(parse(&e, &plain), BLKIF_RSP_EOPNOTSUPP);
}

static void test_features_off_and_unknown_operations(void **state)
{
    struct blk_limits none = {.sectors = SECTORS, .unit = 512};
    union blkif_sring_entry e = rw(BLKIF_OP_FLUSH_DISKCACHE, 0, 0);

    assert_int_equal(parse(&e, &all), BLKIF_RSP_OKAY);
    assert_int_equal(op.kind, BLK_FLUSH);
    assert_int_equal(op.nr_segments, 0);
    assert_int_equal(parse(&e, &none), BLKIF_RSP_EOPNOTSUPP);
    e = rw(BLKIF_OP_WRITE_BARRIER, 8, 2);
    assert_int_equal(parse(&e, &all), BLKIF_RSP_OKAY);
    assert_int_equal(op.kind, BLK_BARRIER);
    assert_int_equal(op.length, 2 * 4096);
    assert_int_equal(parse(&e, &none), BLKIF_RSP_EOPNOTSUPP);
    for (unsigned int code = BLKIF_OP_RESERVED_1; code < 256; code++) {
        if (code == BLKIF_OP_DISCARD || code == BLKIF_OP_INDIRECT)
            continue;
        e = rw((uint8_t)code, 0, 1);
        assert_int_equal(parse(&e, &all), BLKIF_RSP_EOPNOTSUPP);
        assert_int_equal(op.rsp_operation, code);
    }
}

static void test_readonly_refuses_every_write(void **state)
{
    struct blk_limits ro = all;
    union blkif_sring_entry e = rw(BLKIF_OP_WRITE, 0, 1);

    ro.readonly = true;
    assert_int_equal(parse(&e, &ro), BLKIF_RSP_ERROR);
    e = rw(BLKIF_OP_WRITE_BARRIER, 0, 1);
    assert_int_equal(parse(&e, &ro), BLKIF_RSP_ERROR);
    e = discard_entry(0, 8, 0);
    assert_int_equal(parse(&e, &ro), BLKIF_RSP_ERROR);
    e = rw(BLKIF_OP_READ, 0, 1);
    assert_int_equal(parse(&e, &ro), BLKIF_RSP_OKAY);
}

static union blkif_sring_entry indirect_entry(uint8_t indirect_op, unsigned int nseg)
{
    struct blkif_request_indirect ind = {.operation = BLKIF_OP_INDIRECT,
                                         .indirect_op = indirect_op,
                                         .nr_segments = (uint16_t)nseg,
                                         .id = 99,
                                         .sector_number = 16,
                                         .indirect_grefs = {501, 502, 503}};
    union blkif_sring_entry e;

    memset(&e, 0, sizeof(e));
    memcpy(&e, &ind, sizeof(ind));
    return e;
}

static void test_indirect(void **state)
{
    static struct blkif_request_segment list[BLKIF_SEGS_PER_INDIRECT_PAGE * 2];
    struct blk_limits none = all;
    union blkif_sring_entry e = indirect_entry(BLKIF_OP_WRITE, 513);

    for (unsigned int i = 0; i < 513; i++)
        list[i] = (struct blkif_request_segment){.gref = i, .first_sect = 1, .last_sect = 2};
    assert_int_equal(parse(&e, &all), BLKIF_RSP_OKAY);
    assert_int_equal(op.kind, BLK_WRITE);
    assert_int_equal(op.rsp_operation, BLKIF_OP_WRITE);
    assert_int_equal(op.id, 99);
    assert_int_equal(op.nr_indirect_pages, 2);
    assert_int_equal(op.indirect_grefs[1], 502);
    assert_int_equal(request_parse_indirect(list, &all, &op), BLKIF_RSP_OKAY);
    assert_int_equal(op.length, 513 * 2 * 512);
    assert_int_equal(op.offset, 16 * 512);
    assert_int_equal(segs[512].gref, 512);
    assert_int_equal(segs[512].offset, 512);

    list[400].last_sect = 8;
    assert_int_equal(parse(&e, &all), BLKIF_RSP_OKAY);
    assert_int_equal(request_parse_indirect(list, &all, &op), BLKIF_RSP_ERROR);
    list[400].last_sect = 2;
    e = indirect_entry(BLKIF_OP_WRITE, 0);
    assert_int_equal(parse(&e, &all), BLKIF_RSP_ERROR);
    e = indirect_entry(BLKIF_OP_WRITE, 1025);
    assert_int_equal(parse(&e, &all), BLKIF_RSP_ERROR);
    e = indirect_entry(BLKIF_OP_FLUSH_DISKCACHE, 8);
    assert_int_equal(parse(&e, &all), BLKIF_RSP_ERROR);
    e = indirect_entry(BLKIF_OP_INDIRECT, 8);
    assert_int_equal(parse(&e, &all), BLKIF_RSP_ERROR);
    none.max_indirect_segments = 0;
    e = indirect_entry(BLKIF_OP_READ, 8);
    assert_int_equal(parse(&e, &none), BLKIF_RSP_EOPNOTSUPP);
}

static void test_large_sectors_count_in_the_disks_unit(void **state)
{
    struct blk_limits big = all;
    union blkif_sring_entry e = rw(BLKIF_OP_READ, 3, 1);

    big.unit = 4096;
    big.sectors = 100;
    e.req.seg[0].last_sect = 0;
    assert_int_equal(parse(&e, &big), BLKIF_RSP_OKAY);
    assert_int_equal(op.offset, 3 * 4096);
    assert_int_equal(op.length, 4096);
    e.req.seg[0].last_sect = 1;
    assert_int_equal(parse(&e, &big), BLKIF_RSP_ERROR);
    e.req.seg[0].last_sect = 0;
    e.req.sector_number = 100;
    assert_int_equal(parse(&e, &big), BLKIF_RSP_ERROR);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_read_becomes_a_byte_range_and_pages),
        cmocka_unit_test(test_segments_must_lie_in_their_page),
        cmocka_unit_test(test_segment_counts),
        cmocka_unit_test(test_ranges_must_lie_in_the_disk),
        cmocka_unit_test(test_discard),
        cmocka_unit_test(test_features_off_and_unknown_operations),
        cmocka_unit_test(test_readonly_refuses_every_write),
        cmocka_unit_test(test_indirect),
        cmocka_unit_test(test_large_sectors_count_in_the_disks_unit),
    };

    return cmocka_run_group_tests_name("blkback_request", tests, NULL, NULL);
}
