/*
 * tests/vbd/scsi/scsi_inquiry_test.c - INQUIRY as SPC-4 and SBC-3 lay it out:
 * standard data for a fixed disk, a removable one and a CD drive; each
 * vital product data page; allocation lengths and short buffers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "scsi_fixture.h"

#define FILL 0xee /* what the buffer holds before: bytes past the answer keep it */

static uint8_t buf[256];
static struct vbd_scsi_result res;

/* INQUIRY with EVPD @evpd for @page, allocation length @alloc, into buf (@len bytes). */
static void inquiry(const struct vbd_scsi_disk *disk, int evpd, uint8_t page, uint16_t alloc,
                    uint32_t len)
{
    uint8_t cdb[6] = {0x12, (uint8_t)evpd, page};

    put_be(cdb + 3, alloc, 2);
    memset(buf, FILL, sizeof(buf));
    run_in(disk, cdb, sizeof(cdb), buf, len, &res);
}

/* Page @page of @disk: checks its header and returns its page length. */
static uint32_t vpd(const struct vbd_scsi_disk *disk, uint8_t page)
{
    uint32_t page_len;

    inquiry(disk, 1, page, sizeof(buf), sizeof(buf));
    assert_int_equal(res.status, 0);
    assert_int_equal(buf[0], disk->cdrom ? 0x05 : 0x00);
    assert_int_equal(buf[1], page);
    page_len = (uint32_t)be(buf + 2, 2);
    assert_done(&res, 4 + page_len, sizeof(buf));
    assert_int_equal(buf[4 + page_len], FILL);
    return page_len;
}

static void assert_invalid_field(uint32_t len)
{
    assert_sense(&res, 0x05, 0x24, 0x00, len); /* ILLEGAL REQUEST, INVALID FIELD IN CDB */
}

static void test_standard_data_of_a_fixed_disk(void **state)
{
    struct vbd_scsi_disk disk = plain_disk();

    inquiry(&disk, 0, 0, 96, 96);
    assert_done(&res, 36, 96);
    assert_int_equal(buf[0], 0x00);     /* qualifier 0: connected; direct-access block device */
    assert_int_equal(buf[1], 0x00);     /* RMB clear: a fixed disk never says removable */
    assert_int_equal(buf[2], 0x06);     /* SPC-4 */
    assert_int_equal(buf[3] & 0x0f, 2); /* response data format 2 */
    assert_int_equal(buf[4], 36 - 5);   /* additional length */
    assert_true(buf[7] & 0x02);         /* CMDQUE: commands are queued */
    assert_memory_equal(buf + 8, "XEN     ", 8);
    assert_memory_equal(buf + 16, "PV DISK         ", 16);
    assert_memory_equal(buf + 32, "1.0 ", 4);
    assert_int_equal(buf[36], FILL);
}

static void test_standard_data_of_a_removable_disk(void **state)
{
    struct vbd_scsi_disk disk = plain_disk();

    disk.removable = true;
    inquiry(&disk, 0, 0, 36, 36);
    assert_done(&res, 36, 36);
    assert_int_equal(buf[0], 0x00);
    assert_int_equal(buf[1], 0x80); /* RMB */
}

static void test_standard_data_of_a_cdrom(void **state)
{
    struct vbd_scsi_disk disk = plain_disk();

    disk.cdrom = true;
    disk.sector_size = 2048;
    inquiry(&disk, 0, 0, 36, 36);
    assert_done(&res, 36, 36);
    assert_int_equal(buf[0], 0x05); /* CD/DVD device */
    assert_int_equal(buf[1], 0x00); /* not said to be removable: it was not */
    assert_memory_equal(buf + 16, "PV CDROM        ", 16);

    disk.removable = true;
    inquiry(&disk, 0, 0, 36, 36);
    assert_int_equal(buf[1], 0x80);
}

static void test_allocation_length_and_buffer_cut_the_data(void **state)
{
    struct vbd_scsi_disk disk = plain_disk();

    inquiry(&disk, 0, 0, 5, 96); /* the allocation length is the limit */
    assert_done(&res, 5, 96);
    assert_int_equal(buf[4], 31);
    assert_int_equal(buf[5], FILL);

    inquiry(&disk, 0, 0, 255, 20); /* the buffer is */
    assert_done(&res, 20, 20);
    assert_memory_equal(buf + 16, "PV D", 4);
    assert_int_equal(buf[20], FILL);

    inquiry(&disk, 0, 0, 0, 96); /* nothing asked: nothing written */
    assert_done(&res, 0, 96);
    assert_int_equal(buf[0], FILL);

    inquiry(&disk, 1, 0x83, 3, 96); /* VPD pages too */
    assert_done(&res, 3, 96);
    assert_int_equal(buf[3], FILL);
}

static void test_supported_pages(void **state)
{
    static const uint8_t disk_pages[] = {0x00, 0x80, 0x83, 0xb0, 0xb1, 0xb2};
    static const uint8_t no_serial[] = {0x00, 0x83, 0xb0, 0xb1, 0xb2};
    static const uint8_t cdrom_pages[] = {0x00, 0x80, 0x83};
    struct vbd_scsi_disk disk = plain_disk();

    disk.serial = "S1";
    assert_int_equal(vpd(&disk, 0x00), sizeof(disk_pages));
    assert_memory_equal(buf + 4, disk_pages, sizeof(disk_pages));

    disk.serial = NULL;
    assert_int_equal(vpd(&disk, 0x00), sizeof(no_serial));
    assert_memory_equal(buf + 4, no_serial, sizeof(no_serial));

    disk.serial = "S1";
    disk.cdrom = true;
    assert_int_equal(vpd(&disk, 0x00), sizeof(cdrom_pages));
    assert_memory_equal(buf + 4, cdrom_pages, sizeof(cdrom_pages));
}

/* Every page page 0x00 lists can be read; no other page can. */
static void test_exactly_the_listed_pages_answer(void **state)
{
    struct vbd_scsi_disk disks[3] = {plain_disk(), plain_disk(), plain_disk()};

    disks[0].serial = "S1";
    disks[2].cdrom = true;
    for (int d = 0; d < 3; d++) {
        uint8_t listed[256] = {0};
        uint32_t n = vpd(&disks[d], 0x00);

        for (uint32_t i = 0; i < n; i++)
            listed[buf[4 + i]] = 1;
        for (int page = 0; page < 256; page++) {
            inquiry(&disks[d], 1, (uint8_t)page, 255, 255);
            if (listed[page])
                assert_int_equal(res.status, 0);
            else
                assert_invalid_field(255);
        }
    }
}

static void test_unit_serial_number(void **state)
{
    struct vbd_scsi_disk disk = plain_disk();

    disk.serial = "51712-xvda";
    assert_int_equal(vpd(&disk, 0x80), 10);
    assert_memory_equal(buf + 4, "51712-xvda", 10);

    disk.serial = NULL; /* no serial number: no page */
    inquiry(&disk, 1, 0x80, 255, 255);
    assert_invalid_field(255);
}

struct designator {
    uint8_t code_set, association, type, len;
    const uint8_t *id;
};

/* The designators of page 0x83 in buf (length @page_len), walked as a host walks them. */
static int designators(uint32_t page_len, struct designator *out, int max)
{
    uint32_t at = 4;
    int n = 0;

    while (at < 4 + page_len) {
        assert_true(at + 4 <= 4 + page_len);
        assert_true(n < max);
        out[n].code_set = buf[at] & 0x0f;
        out[n].association = (buf[at + 1] >> 4) & 0x03;
        out[n].type = buf[at + 1] & 0x0f;
        out[n].len = buf[at + 3];
        out[n].id = buf + at + 4;
        at += 4 + out[n].len;
        n++;
    }
    assert_int_equal(at, 4 + page_len);
    return n;
}

static void test_device_identification(void **state)
{
    struct vbd_scsi_disk disk = plain_disk();
    struct designator d[4];

    disk.serial = "vbd-768";
    disk.lu_id = 0x0123456789abcdefull;
    assert_int_equal(designators(vpd(&disk, 0x83), d, 4), 2);
    assert_int_equal(d[0].code_set, 2);    /* ASCII */
    assert_int_equal(d[0].association, 0); /* the logical unit */
    assert_int_equal(d[0].type, 1);        /* T10 vendor ID based */
    assert_int_equal(d[0].len, 8 + 7);
    assert_memory_equal(d[0].id, "XEN     vbd-768", 15);
    assert_int_equal(d[1].code_set, 1); /* binary */
    assert_int_equal(d[1].association, 0);
    assert_int_equal(d[1].type, 3); /* NAA */
    assert_int_equal(d[1].len, 8);
    assert_int_equal(d[1].id[0] >> 4, 3); /* locally assigned */
    assert_int_equal(be(d[1].id, 8) & ((1ull << 60) - 1), 0x0123456789abcdefull);

    disk.serial = NULL;
    assert_int_equal(designators(vpd(&disk, 0x83), d, 4), 1);
    assert_int_equal(d[0].type, 3);

    disk.lu_id = 0;
    assert_int_equal(vpd(&disk, 0x83), 0);
}

static void test_block_limits_without_discard(void **state)
{
    struct vbd_scsi_disk disk = plain_disk();
    uint8_t zeros[60] = {0};

    assert_int_equal(vpd(&disk, 0xb0), 0x3c);
    assert_int_equal(buf[4] & 0x01, 1);            /* WSNZ */
    assert_int_equal(be(buf + 6, 2), 1);           /* optimal transfer granularity: one block */
    assert_int_equal(be(buf + 8, 4), 0);           /* maximum transfer length: no limit */
    assert_memory_equal(buf + 20, zeros, 44 - 20); /* no unmap, no write same limits */
}

static void test_block_limits_with_discard(void **state)
{
    struct vbd_scsi_disk disk = plain_disk();

    disk.physical_sector_size = 4096;
    disk.max_transfer = 1 << 20;
    disk.discard = true;
    disk.discard_granularity = 65536;
    disk.discard_alignment = 4096;
    assert_int_equal(vpd(&disk, 0xb0), 0x3c);
    assert_int_equal(be(buf + 6, 2), 8);               /* a physical block is 8 logical ones */
    assert_int_equal(be(buf + 8, 4), 2048);            /* 1 MiB in 512-byte blocks */
    assert_int_equal(be(buf + 20, 4), 0xffffffff);     /* maximum unmap LBA count: no limit */
    assert_int_equal(be(buf + 24, 4), 16);             /* maximum unmap descriptors */
    assert_int_equal(be(buf + 28, 4), 128);            /* optimal unmap granularity: 64 KiB */
    assert_int_equal(buf[32] & 0x80, 0x80);            /* UGAVALID */
    assert_int_equal(be(buf + 32, 4) & 0x7fffffff, 8); /* aligned at 4 KiB */
    assert_int_equal(be(buf + 36, 8), 0xffffffff);     /* maximum WRITE SAME length */
}

static void test_block_limits_in_4k_logical_blocks(void **state)
{
    struct vbd_scsi_disk disk = plain_disk();

    disk.sector_size = 4096;
    disk.max_transfer = 65536;
    disk.discard = true; /* granularity 0: one block */
    disk.discard_alignment = 4096 * 3;
    assert_int_equal(vpd(&disk, 0xb0), 0x3c);
    assert_int_equal(be(buf + 6, 2), 1);
    assert_int_equal(be(buf + 8, 4), 16);
    assert_int_equal(be(buf + 28, 4), 1);
    assert_int_equal(be(buf + 32, 4), 0x80000000); /* any block is aligned */
}

static void test_block_device_characteristics(void **state)
{
    struct vbd_scsi_disk disk = plain_disk();

    assert_int_equal(vpd(&disk, 0xb1), 0x3c);
    assert_int_equal(be(buf + 4, 2), 1); /* non-rotating medium */
}

static void test_logical_block_provisioning(void **state)
{
    struct vbd_scsi_disk disk = plain_disk();

    assert_int_equal(vpd(&disk, 0xb2), 4);
    assert_int_equal(buf[5] & 0xc0, 0); /* neither UNMAP nor WRITE SAME unmaps */
    assert_int_equal(buf[6] & 0x07, 0);

    disk.discard = true;
    assert_int_equal(vpd(&disk, 0xb2), 4);
    assert_int_equal(buf[5] & 0x80, 0x80); /* LBPU: UNMAP */
    assert_int_equal(buf[5] & 0x40, 0x40); /* LBPWS: WRITE SAME(16) with UNMAP */
    assert_int_equal(buf[5] & 0x20, 0);    /* not WRITE SAME(10) */
    assert_int_equal(buf[5] & 0x04, 0);    /* LBPRZ: unmapped blocks need not read zero */
    assert_int_equal(buf[6] & 0x07, 2);    /* thin provisioned */
}

static void test_invalid_fields(void **state)
{
    struct vbd_scsi_disk disk = plain_disk();
    uint8_t cmddt[6] = {0x12, 0x02, 0, 0, 36, 0};

    inquiry(&disk, 0, 0x83, 255, 255); /* a page code without EVPD */
    assert_invalid_field(255);
    run_in(&disk, cmddt, 6, buf, 36, &res);
    assert_invalid_field(36);
}

static void test_the_buffer_must_take_data_in(void **state)
{
    struct vbd_scsi_disk disk = plain_disk();
    uint8_t cdb[6] = {0x12, 0, 0, 0, 36, 0};

    run(&disk, cdb, 6, buf, 36, VBD_SCSI_DIR_OUT, &res);
    assert_invalid_field(36);
    run(&disk, cdb, 6, buf, 36, VBD_SCSI_DIR_BOTH, &res); /* direction unspecified */
    assert_done(&res, 36, 36);
    run(&disk, cdb, 6, NULL, 0, VBD_SCSI_DIR_NONE, &res); /* no buffer: nothing to return */
    assert_done(&res, 0, 0);
}

static void test_short_cdb_is_refused(void **state)
{
    struct vbd_scsi_disk disk = plain_disk();
    uint8_t cdb[6] = {0x12, 0, 0, 0, 36, 0};

    run_in(&disk, cdb, 5, buf, 36, &res);
    assert_invalid_field(36);
    run_in(&disk, cdb, 0, buf, 36, &res);
    assert_sense(&res, 0x05, 0x20, 0x00, 36); /* INVALID COMMAND OPERATION CODE */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_standard_data_of_a_fixed_disk),
        cmocka_unit_test(test_standard_data_of_a_removable_disk),
        cmocka_unit_test(test_standard_data_of_a_cdrom),
        cmocka_unit_test(test_allocation_length_and_buffer_cut_the_data),
        cmocka_unit_test(test_supported_pages),
        cmocka_unit_test(test_exactly_the_listed_pages_answer),
        cmocka_unit_test(test_unit_serial_number),
        cmocka_unit_test(test_device_identification),
        cmocka_unit_test(test_block_limits_without_discard),
        cmocka_unit_test(test_block_limits_with_discard),
        cmocka_unit_test(test_block_limits_in_4k_logical_blocks),
        cmocka_unit_test(test_block_device_characteristics),
        cmocka_unit_test(test_logical_block_provisioning),
        cmocka_unit_test(test_invalid_fields),
        cmocka_unit_test(test_the_buffer_must_take_data_in),
        cmocka_unit_test(test_short_cdb_is_refused),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
