/*
 * tests/vbd/scsi/scsi_discard_test.c - UNMAP and WRITE SAME(16) with UNMAP as
 * DISCARD operations: several descriptors, empty ones, 4096-byte blocks,
 * the secure flag; malformed parameter lists (short, lengths past what was
 * sent, too many descriptors, out of range); disks without discard and
 * read-only ones.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "scsi_fixture.h"

#define UNMAP           0x42
#define WRITE_SAME_16   0x93
#define WS_UNMAP        0x08
#define WS_ANCHOR       0x10
#define WS_NDOB         0x01
#define MAX_DESCRIPTORS 16 /* what page 0xB0 advertises */

static uint8_t list[8 + 16 * (MAX_DESCRIPTORS + 2)];
static struct vbd_scsi_result res;

static struct vbd_scsi_disk discard_disk(void)
{
    struct vbd_scsi_disk disk = plain_disk();

    disk.discard = true;
    return disk;
}

/* A parameter list of @n descriptors from @lbas / @counts; returns its length. */
static uint32_t build_list(uint32_t n, const uint64_t *lbas, const uint32_t *counts)
{
    memset(list, 0, sizeof(list));
    put_be(list, 6 + 16 * n, 2); /* UNMAP data length: what follows this field */
    put_be(list + 2, 16 * n, 2); /* block descriptor data length */
    for (uint32_t i = 0; i < n; i++) {
        put_be(list + 8 + 16 * i, lbas[i], 8);
        put_be(list + 8 + 16 * i + 8, counts[i], 4);
    }
    return 8 + 16 * n;
}

/* UNMAP with parameter list length @param_len, @len bytes of the list sent. */
static void unmap(const struct vbd_scsi_disk *disk, uint16_t param_len, uint32_t len)
{
    uint8_t cdb[10] = {UNMAP};

    put_be(cdb + 7, param_len, 2);
    run(disk, cdb, sizeof(cdb), list, len, VBD_SCSI_DIR_OUT, &res);
}

static void assert_discard(uint32_t nr_ranges, uint32_t consumed, uint32_t len)
{
    assert_int_equal(res.status, 0);
    assert_int_equal(res.sense_len, 0);
    assert_int_equal(res.io.op, VBD_SCSI_OP_DISCARD);
    assert_int_equal(res.io.nr_ranges, nr_ranges);
    assert_int_equal(res.transferred, consumed);
    assert_int_equal(res.residual, len - consumed);
}

static void assert_range(uint32_t i, uint64_t sector, uint64_t sectors)
{
    assert_int_equal(res.io.ranges[i].sector, sector);
    assert_int_equal(res.io.ranges[i].sectors, sectors);
}

static void test_descriptors_become_ranges(void **state)
{
    const uint64_t lbas[] = {100, 5000, 0, GIB_SECTORS - 8};
    const uint32_t counts[] = {8, 1, 0, 8}; /* an empty descriptor unmaps nothing */
    struct vbd_scsi_disk disk = discard_disk();
    uint32_t len = build_list(4, lbas, counts);

    unmap(&disk, (uint16_t)len, len);
    assert_discard(3, len, len);
    assert_range(0, 100, 8);
    assert_range(1, 5000, 1);
    assert_range(2, GIB_SECTORS - 8, 8);
    assert_false(res.io.secure);

    disk.discard_secure = true;
    unmap(&disk, (uint16_t)len, len + 100); /* a bigger buffer than the list */
    assert_discard(3, len, len + 100);
    assert_true(res.io.secure);
}

static void test_4096_byte_blocks(void **state)
{
    const uint64_t lbas[] = {3, GIB_SECTORS / 8 - 1};
    const uint32_t counts[] = {2, 1};
    struct vbd_scsi_disk disk = discard_disk();
    uint32_t len = build_list(2, lbas, counts);

    disk.sector_size = 4096;
    unmap(&disk, (uint16_t)len, len);
    assert_discard(2, len, len);
    assert_range(0, 24, 16);
    assert_range(1, GIB_SECTORS - 8, 8);
}

static void test_the_most_descriptors(void **state)
{
    uint64_t lbas[MAX_DESCRIPTORS + 1];
    uint32_t counts[MAX_DESCRIPTORS + 1];
    struct vbd_scsi_disk disk = discard_disk();
    uint32_t len;

    for (int i = 0; i <= MAX_DESCRIPTORS; i++) {
        lbas[i] = 1000 * (uint64_t)i;
        counts[i] = 10;
    }
    len = build_list(MAX_DESCRIPTORS, lbas, counts);
    unmap(&disk, (uint16_t)len, len);
    assert_discard(MAX_DESCRIPTORS, len, len);
    assert_range(MAX_DESCRIPTORS - 1, 1000 * (MAX_DESCRIPTORS - 1), 10);

    len = build_list(MAX_DESCRIPTORS + 1, lbas, counts); /* one more than advertised */
    unmap(&disk, (uint16_t)len, len);
    assert_sense(&res, 0x05, 0x26, 0x00, len); /* INVALID FIELD IN PARAMETER LIST */
}

static void test_nothing_to_unmap(void **state)
{
    const uint64_t lbas[] = {1, 2};
    const uint32_t counts[] = {0, 0};
    struct vbd_scsi_disk disk = discard_disk();
    uint32_t len = build_list(2, lbas, counts);

    unmap(&disk, (uint16_t)len, len); /* only empty descriptors */
    assert_done(&res, len, len);
    unmap(&disk, 0, 0); /* no parameter list at all */
    assert_done(&res, 0, 0);
    len = build_list(0, NULL, NULL); /* a header and no descriptors */
    unmap(&disk, (uint16_t)len, len);
    assert_done(&res, len, len);
}

static void test_malformed_parameter_lists(void **state)
{
    const uint64_t lbas[] = {10, 20};
    const uint32_t counts[] = {1, 1};
    struct vbd_scsi_disk disk = discard_disk();
    uint32_t len = build_list(2, lbas, counts);

    unmap(&disk, 7, 7);                      /* shorter than the header */
    assert_sense(&res, 0x05, 0x1a, 0x00, 7); /* PARAMETER LIST LENGTH ERROR */

    unmap(&disk, (uint16_t)len, len - 1); /* the CDB says more than the buffer holds */
    assert_sense(&res, 0x05, 0x24, 0x00, len - 1);

    put_be(list + 2, len - 8 + 1, 2); /* descriptors a byte past the list's end */
    unmap(&disk, (uint16_t)len, len);
    assert_sense(&res, 0x05, 0x26, 0x00, len);

    len = build_list(2, lbas, counts);
    put_be(list, len - 1, 2); /* UNMAP data length past the end */
    unmap(&disk, (uint16_t)len, len);
    assert_sense(&res, 0x05, 0x26, 0x00, len);

    len = build_list(2, lbas, counts);
    put_be(list + 2, 31, 2); /* a partial second descriptor is ignored */
    unmap(&disk, (uint16_t)len, len);
    assert_discard(1, len, len);
    assert_range(0, 10, 1);

    unmap(&disk, 65535, sizeof(list)); /* a list length the buffer cannot hold */
    assert_sense(&res, 0x05, 0x24, 0x00, sizeof(list));
}

static void test_ranges_must_lie_on_the_disk(void **state)
{
    const uint64_t lbas[] = {0, GIB_SECTORS - 1, UINT64_MAX};
    const uint32_t counts[] = {1, 2, 2};
    struct vbd_scsi_disk disk = discard_disk();
    uint32_t len = build_list(2, lbas, counts);

    unmap(&disk, (uint16_t)len, len); /* the second runs off the end: none is done */
    assert_sense(&res, 0x05, 0x21, 0x00, len);
    len = build_list(3, lbas, counts);
    put_be(list + 8 + 16 + 8, 1, 4);
    unmap(&disk, (uint16_t)len, len); /* the third wraps */
    assert_sense(&res, 0x05, 0x21, 0x00, len);
}

static void test_unmap_needs_discard_and_a_writable_disk(void **state)
{
    const uint64_t lbas[] = {10};
    const uint32_t counts[] = {1};
    struct vbd_scsi_disk disk = plain_disk();
    uint32_t len = build_list(1, lbas, counts);
    uint8_t anchor[10] = {UNMAP, 0x01, 0, 0, 0, 0, 0, 0, (uint8_t)len, 0};

    unmap(&disk, (uint16_t)len, len);
    assert_sense(&res, 0x05, 0x20, 0x00, len); /* not a command without discard */

    disk.discard = true;
    run(&disk, anchor, sizeof(anchor), list, len, VBD_SCSI_DIR_OUT, &res);
    assert_sense(&res, 0x05, 0x24, 0x00, len); /* ANCHOR: no anchored state here */
    anchor[1] = 0;                             /* data-out from a data-in buffer */
    run(&disk, anchor, sizeof(anchor), list, len, VBD_SCSI_DIR_IN, &res);
    assert_sense(&res, 0x05, 0x24, 0x00, len);

    disk.read_only = true;
    unmap(&disk, (uint16_t)len, len);
    assert_sense(&res, 0x07, 0x27, 0x00, len); /* DATA PROTECT, WRITE PROTECTED */
}

/* WRITE SAME(16) with CDB byte 1 @flags of @blocks at @lba; @len bytes of data. */
static void write_same(const struct vbd_scsi_disk *disk, uint8_t flags, uint64_t lba,
                       uint32_t blocks, uint32_t len)
{
    uint8_t cdb[16] = {WRITE_SAME_16, flags};

    put_be(cdb + 2, lba, 8);
    put_be(cdb + 10, blocks, 4);
    memset(list, 0, sizeof(list));
    run(disk, cdb, sizeof(cdb), list, len, VBD_SCSI_DIR_OUT, &res);
}

static void test_write_same_with_unmap_discards(void **state)
{
    struct vbd_scsi_disk disk = discard_disk();

    write_same(&disk, WS_UNMAP, 2048, 1 << 20, 512);
    assert_discard(1, 512, 512); /* the block of data is taken, not written */
    assert_range(0, 2048, 1 << 20);

    write_same(&disk, WS_UNMAP | WS_NDOB, GIB_SECTORS - 1, 1, 0); /* no data-out buffer */
    assert_discard(1, 0, 0);
    assert_range(0, GIB_SECTORS - 1, 1);

    disk.sector_size = 4096;
    disk.discard_secure = true;
    write_same(&disk, WS_UNMAP, 1, 2, 4096);
    assert_discard(1, 4096, 4096);
    assert_range(0, 8, 16);
    assert_true(res.io.secure);
}

static void test_write_same_refusals(void **state)
{
    struct vbd_scsi_disk disk = discard_disk();

    write_same(&disk, 0, 0, 1, 512); /* a real write of the same data: not served */
    assert_sense(&res, 0x05, 0x24, 0x00, 512);
    write_same(&disk, WS_UNMAP | WS_ANCHOR, 0, 1, 512);
    assert_sense(&res, 0x05, 0x24, 0x00, 512);
    write_same(&disk, WS_UNMAP, 0, 0, 512); /* 0 blocks: refused (WSNZ) */
    assert_sense(&res, 0x05, 0x24, 0x00, 512);
    write_same(&disk, WS_UNMAP, 0, 1, 511); /* less than the block of data */
    assert_sense(&res, 0x05, 0x24, 0x00, 511);
    write_same(&disk, WS_UNMAP, GIB_SECTORS - 1, 2, 512);
    assert_sense(&res, 0x05, 0x21, 0x00, 512);

    disk.discard = false;
    write_same(&disk, WS_UNMAP, 0, 1, 512);
    assert_sense(&res, 0x05, 0x24, 0x00, 512);

    disk.read_only = true;
    write_same(&disk, WS_UNMAP, 0, 1, 512);
    assert_sense(&res, 0x07, 0x27, 0x00, 512);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_descriptors_become_ranges),
        cmocka_unit_test(test_4096_byte_blocks),
        cmocka_unit_test(test_the_most_descriptors),
        cmocka_unit_test(test_nothing_to_unmap),
        cmocka_unit_test(test_malformed_parameter_lists),
        cmocka_unit_test(test_ranges_must_lie_on_the_disk),
        cmocka_unit_test(test_unmap_needs_discard_and_a_writable_disk),
        cmocka_unit_test(test_write_same_with_unmap_discards),
        cmocka_unit_test(test_write_same_refusals),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
