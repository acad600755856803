/*
 * tests/vbd/scsi/scsi_unit_test.c - the commands that describe the unit: READ
 * CAPACITY (10) and (16) for small, 2 TiB-crossing and 4096-byte-block
 * disks; MODE SENSE (6) and (10) with write protection, the caching page
 * and all pages; TEST UNIT READY, REPORT LUNS, START STOP UNIT, REQUEST
 * SENSE; unknown commands; which disk descriptions are served.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include <xen/errno.h>

#include "scsi_fixture.h"

#define FILL 0xee

static uint8_t buf[512];
static struct vbd_scsi_result res;

static void command(const struct vbd_scsi_disk *disk, const uint8_t *cdb, uint32_t cdb_len,
                    uint32_t len)
{
    memset(buf, FILL, sizeof(buf));
    run_in(disk, cdb, cdb_len, buf, len, &res);
}

static void read_capacity_10(const struct vbd_scsi_disk *disk)
{
    uint8_t cdb[10] = {0x25};

    command(disk, cdb, sizeof(cdb), 8);
}

static void read_capacity_16(const struct vbd_scsi_disk *disk, uint32_t alloc)
{
    uint8_t cdb[16] = {0x9e, 0x10};

    put_be(cdb + 10, alloc, 4);
    command(disk, cdb, sizeof(cdb), sizeof(buf));
}

static void test_read_capacity_10(void **state)
{
    struct vbd_scsi_disk disk = plain_disk();
    uint8_t lba_without_pmi[10] = {0x25, 0, 0, 0, 0, 1};

    read_capacity_10(&disk);
    assert_done(&res, 8, 8);
    assert_int_equal(be(buf, 4), GIB_SECTORS - 1); /* the last LBA */
    assert_int_equal(be(buf + 4, 4), 512);

    disk.sector_size = 4096;
    read_capacity_10(&disk);
    assert_int_equal(be(buf, 4), GIB_SECTORS / 8 - 1);
    assert_int_equal(be(buf + 4, 4), 4096);

    command(&disk, lba_without_pmi, sizeof(lba_without_pmi), 8);
    assert_sense(&res, 0x05, 0x24, 0x00, 8);
}

static void test_read_capacity_10_of_big_disks(void **state)
{
    struct vbd_scsi_disk disk = plain_disk();

    disk.sectors = 1ull << 32; /* 2 TiB exactly: the last LBA still fits */
    read_capacity_10(&disk);
    assert_int_equal(be(buf, 4), 0xffffffff);
    disk.sectors = (1ull << 32) + 1; /* one block more: all ones says "ask (16)" */
    read_capacity_10(&disk);
    assert_int_equal(be(buf, 4), 0xffffffff);
    disk.sectors = 1ull << 45;
    read_capacity_10(&disk);
    assert_int_equal(be(buf, 4), 0xffffffff);
    disk.sectors = (1ull << 32) - 1;
    read_capacity_10(&disk);
    assert_int_equal(be(buf, 4), 0xfffffffe);

    disk.sectors = 1ull << 35; /* 16 TiB of 4 KiB blocks: 2^32 of them */
    disk.sector_size = 4096;
    read_capacity_10(&disk);
    assert_int_equal(be(buf, 4), 0xffffffff);
    assert_int_equal(be(buf + 4, 4), 4096);
}

static void test_read_capacity_16(void **state)
{
    struct vbd_scsi_disk disk = plain_disk();

    disk.sectors = (1ull << 45) + 3;
    read_capacity_16(&disk, 32);
    assert_done(&res, 32, sizeof(buf));
    assert_int_equal(be(buf, 8), (1ull << 45) + 2);
    assert_int_equal(be(buf + 8, 4), 512);
    assert_int_equal(buf[12], 0);                  /* no protection */
    assert_int_equal(buf[13] & 0x0f, 0);           /* one logical block per physical one */
    assert_int_equal(buf[14] & 0x80, 0);           /* LBPME: not without discard */
    assert_int_equal(be(buf + 14, 2) & 0x3fff, 0); /* lowest aligned LBA */
    assert_int_equal(buf[32], FILL);

    disk.physical_sector_size = 4096;
    disk.discard = true;
    read_capacity_16(&disk, 32);
    assert_int_equal(buf[13] & 0x0f, 3); /* 2^3 logical blocks per physical block */
    assert_int_equal(buf[14] & 0x80, 0x80);
    assert_int_equal(buf[14] & 0x40, 0); /* LBPRZ */
    assert_int_equal(be(buf + 14, 2) & 0x3fff, 0);

    disk.sector_size = 4096;
    disk.physical_sector_size = 0;
    read_capacity_16(&disk, 12); /* allocation length cuts it */
    assert_done(&res, 12, sizeof(buf));
    assert_int_equal(be(buf, 8), (1ull << 42) - 1);
    assert_int_equal(be(buf + 8, 4), 4096);
    assert_int_equal(buf[12], FILL);
}

static void test_other_service_actions_are_refused(void **state)
{
    struct vbd_scsi_disk disk = plain_disk();
    uint8_t get_lba_status[16] = {0x9e, 0x12, [13] = 32};

    command(&disk, get_lba_status, sizeof(get_lba_status), 32);
    assert_sense(&res, 0x05, 0x24, 0x00, 32);
}

/* MODE SENSE(6) or (10) of @page with page control @pc; CDB byte 1 @flags. */
static void mode_sense(const struct vbd_scsi_disk *disk, bool ten, uint8_t flags, uint8_t pc,
                       uint8_t page, uint16_t alloc)
{
    uint8_t cdb[10] = {ten ? 0x5a : 0x1a, flags, (uint8_t)(pc << 6 | page)};

    if (ten)
        put_be(cdb + 7, alloc, 2);
    else
        cdb[4] = (uint8_t)alloc;
    command(disk, cdb, ten ? 10 : 6, sizeof(buf));
}

struct mode_data {
    uint32_t len;         /* bytes returned */
    uint8_t specific;     /* device-specific parameter */
    uint32_t desc_len;    /* block descriptor length */
    const uint8_t *desc;  /* block descriptors */
    const uint8_t *pages; /* the first page */
    uint32_t pages_len;
};

/* What MODE SENSE returned, through its header as a host reads it. */
static struct mode_data mode_data(bool ten)
{
    struct mode_data m;
    uint32_t header = ten ? 8 : 4;

    assert_int_equal(res.status, 0);
    m.len = res.transferred;
    m.specific = ten ? buf[3] : buf[2];
    m.desc_len = ten ? (uint32_t)be(buf + 6, 2) : buf[3];
    assert_int_equal(ten ? be(buf, 2) + 2 : buf[0] + 1u, m.len); /* mode data length */
    m.desc = buf + header;
    m.pages = m.desc + m.desc_len;
    m.pages_len = m.len - header - m.desc_len;
    return m;
}

/* The page @code in @m, checking every page's length on the way; NULL if absent. */
static const uint8_t *find_page(const struct mode_data *m, uint8_t code)
{
    const uint8_t *found = NULL;
    uint32_t at = 0;

    while (at < m->pages_len) {
        assert_int_equal(m->pages[at] & 0x40, 0); /* SPF: no subpages */
        if ((m->pages[at] & 0x3f) == code)
            found = m->pages + at;
        at += 2 + m->pages[at + 1];
    }
    assert_int_equal(at, m->pages_len);
    return found;
}

static void test_mode_sense_caching_page(void **state)
{
    struct vbd_scsi_disk disk = plain_disk();
    struct mode_data m;

    for (int ten = 0; ten < 2; ten++) {
        const uint8_t *caching;

        disk.flush = true;
        mode_sense(&disk, ten, 0x08, 0, 0x08, 255); /* DBD: no block descriptor */
        m = mode_data(ten);
        assert_int_equal(m.desc_len, 0);
        assert_int_equal(m.specific & 0x80, 0);    /* not write protected */
        assert_int_equal(m.specific & 0x10, 0x10); /* DPOFUA */
        caching = find_page(&m, 0x08);
        assert_non_null(caching);
        assert_int_equal(caching[1], 0x12);
        assert_int_equal(caching[2] & 0x04, 0x04); /* WCE: there is a cache to flush */
        assert_int_equal(caching[2] & 0x01, 0);    /* RCD: reads are cached */
        assert_null(find_page(&m, 0x0a));

        disk.flush = false;
        mode_sense(&disk, ten, 0x08, 0, 0x08, 255);
        m = mode_data(ten);
        assert_int_equal(find_page(&m, 0x08)[2] & 0x04, 0);
    }
}

static void test_mode_sense_write_protect(void **state)
{
    struct vbd_scsi_disk disk = plain_disk();

    disk.read_only = true;
    for (int ten = 0; ten < 2; ten++) {
        mode_sense(&disk, ten, 0x08, 0, 0x3f, 255);
        assert_int_equal(mode_data(ten).specific & 0x80, 0x80);
    }
}

static void test_mode_sense_all_pages(void **state)
{
    struct vbd_scsi_disk disk = plain_disk();
    struct mode_data m;

    disk.flush = true;
    mode_sense(&disk, false, 0, 0, 0x3f, 255);
    m = mode_data(false);
    assert_int_equal(m.desc_len, 8); /* a short block descriptor */
    assert_int_equal(be(m.desc, 4), GIB_SECTORS);
    assert_int_equal(be(m.desc + 5, 3), 512);
    assert_int_equal(find_page(&m, 0x08)[2] & 0x04, 0x04);
    assert_non_null(find_page(&m, 0x0a));
    assert_int_equal(find_page(&m, 0x0a)[1], 0x0a);
    assert_int_equal(find_page(&m, 0x0a)[3] >> 4, 1); /* queue algorithm: unrestricted */

    mode_sense(&disk, false, 0, 0, 0x3f, 4); /* the header alone */
    assert_done(&res, 4, sizeof(buf));
    assert_int_equal(buf[0] + 1, 4 + 8 + 20 + 12); /* says how much there was */
    assert_int_equal(buf[4], FILL);

    mode_sense(&disk, false, 0, 0, 0x0a, 255); /* the control page alone */
    m = mode_data(false);
    assert_non_null(find_page(&m, 0x0a));
    assert_null(find_page(&m, 0x08));
}

static void test_mode_sense_block_descriptors(void **state)
{
    struct vbd_scsi_disk disk = plain_disk();
    struct mode_data m;

    disk.sectors = 1ull << 41; /* 2^41 blocks: too many for a short descriptor */
    mode_sense(&disk, true, 0, 0, 0x08, 255);
    m = mode_data(true);
    assert_int_equal(m.desc_len, 8);
    assert_int_equal(buf[4] & 0x01, 0); /* LONGLBA clear */
    assert_int_equal(be(m.desc, 4), 0xffffffff);

    mode_sense(&disk, true, 0x10, 0, 0x08, 255); /* LLBAA: a long descriptor */
    m = mode_data(true);
    assert_int_equal(m.desc_len, 16);
    assert_int_equal(buf[4] & 0x01, 1);
    assert_int_equal(be(m.desc, 8), 1ull << 41);
    assert_int_equal(be(m.desc + 12, 4), 512);

    disk.cdrom = true; /* MMC has none */
    mode_sense(&disk, true, 0, 0, 0x08, 255);
    m = mode_data(true);
    assert_int_equal(m.desc_len, 0);
    assert_int_equal(m.specific & 0x10, 0);
}

static void test_mode_sense_page_control(void **state)
{
    struct vbd_scsi_disk disk = plain_disk();
    struct mode_data m;
    uint8_t subpage[6] = {0x1a, 0x08, 0x08, 0x01, 255, 0};
    uint8_t all_subpages[6] = {0x1a, 0x08, 0x3f, 0xff, 255, 0};

    disk.flush = true;
    mode_sense(&disk, false, 0x08, 1, 0x3f, 255); /* changeable: nothing is */
    m = mode_data(false);
    for (uint32_t at = 0; at < m.pages_len; at += 2 + m.pages[at + 1]) {
        for (uint32_t i = 2; i < 2u + m.pages[at + 1]; i++)
            assert_int_equal(m.pages[at + i], 0);
    }
    assert_int_equal(m.pages_len, 20 + 12);
    mode_sense(&disk, false, 0x08, 2, 0x08, 255); /* default: what it is */
    m = mode_data(false);
    assert_int_equal(find_page(&m, 0x08)[2] & 0x04, 0x04);
    mode_sense(&disk, false, 0x08, 3, 0x08, 255);      /* saved: none */
    assert_sense(&res, 0x05, 0x39, 0x00, sizeof(buf)); /* SAVING PARAMETERS NOT SUPPORTED */

    mode_sense(&disk, false, 0x08, 0, 0x01, 255); /* a page we do not have */
    assert_sense(&res, 0x05, 0x24, 0x00, sizeof(buf));
    command(&disk, subpage, sizeof(subpage), sizeof(buf));
    assert_sense(&res, 0x05, 0x24, 0x00, sizeof(buf));
    command(&disk, all_subpages, sizeof(all_subpages), sizeof(buf));
    m = mode_data(false);
    assert_non_null(find_page(&m, 0x08));
}

static void test_test_unit_ready(void **state)
{
    struct vbd_scsi_disk disk = plain_disk();
    uint8_t cdb[6] = {0x00};

    command(&disk, cdb, 6, 0);
    assert_done(&res, 0, 0);
    disk.sectors = 0;
    command(&disk, cdb, 6, 0);
    assert_sense(&res, 0x02, 0x3a, 0x00, 0);
}

static void test_report_luns(void **state)
{
    struct vbd_scsi_disk disk = plain_disk();
    uint8_t cdb[12] = {0xa0, 0, 0x00, 0, 0, 0, 0, 0, 1, 0, 0, 0};
    uint8_t lun0[16] = {0, 0, 0, 8}; /* one LUN: 0 */

    command(&disk, cdb, 12, sizeof(buf));
    assert_done(&res, 16, sizeof(buf));
    assert_memory_equal(buf, lun0, 16);

    cdb[2] = 0x02;
    command(&disk, cdb, 12, sizeof(buf));
    assert_memory_equal(buf, lun0, 16);

    cdb[2] = 0x01; /* well-known LUNs: none */
    command(&disk, cdb, 12, sizeof(buf));
    assert_done(&res, 8, sizeof(buf));
    assert_int_equal(be(buf, 4), 0);

    cdb[2] = 0x00;
    cdb[8] = 0;
    cdb[9] = 8; /* the header only, though it counts the LUN */
    command(&disk, cdb, 12, sizeof(buf));
    assert_done(&res, 8, sizeof(buf));
    assert_int_equal(be(buf, 4), 8);

    cdb[2] = 0x03;
    command(&disk, cdb, 12, sizeof(buf));
    assert_sense(&res, 0x05, 0x24, 0x00, sizeof(buf));
}

static void test_start_stop_unit(void **state)
{
    struct vbd_scsi_disk disk = plain_disk();
    uint8_t cdb[6] = {0x1b, 0, 0, 0, 0x01, 0};

    command(&disk, cdb, 6, 0);
    assert_done(&res, 0, 0);
}

static void test_request_sense(void **state)
{
    struct vbd_scsi_disk disk = plain_disk();
    uint8_t cdb[6] = {0x03, 0, 0, 0, 252, 0};
    uint8_t no_sense[18] = {0x70, 0, 0x00, 0, 0, 0, 0, 10};

    command(&disk, cdb, 6, sizeof(buf));
    assert_done(&res, 18, sizeof(buf));
    assert_memory_equal(buf, no_sense, 18);
    assert_int_equal(buf[18], FILL);

    cdb[4] = 8;
    command(&disk, cdb, 6, sizeof(buf));
    assert_done(&res, 8, sizeof(buf));

    cdb[1] = 0x01; /* descriptor format: not served */
    command(&disk, cdb, 6, sizeof(buf));
    assert_sense(&res, 0x05, 0x24, 0x00, sizeof(buf));
}

static void test_unknown_commands(void **state)
{
    /* MODE SELECT, VERIFY, WRITE SAME(10), a variable-length CDB, a vendor opcode */
    static const uint8_t opcodes[] = {0x15, 0x2f, 0x41, 0x7f, 0xc0, 0xff};
    struct vbd_scsi_disk disk = plain_disk();

    for (size_t i = 0; i < sizeof(opcodes); i++) {
        uint8_t cdb[16] = {opcodes[i]};

        command(&disk, cdb, 16, 64);
        assert_sense(&res, 0x05, 0x20, 0x00, 64); /* INVALID COMMAND OPERATION CODE */
        assert_int_equal(buf[0], FILL);
    }
}

static void test_disk_descriptions(void **state)
{
    struct vbd_scsi_disk disk = plain_disk();
    uint8_t inquiry[6] = {0x12, 0, 0, 0, 36, 0};
    char long_serial[66];

    assert_int_equal(vbd_scsi_disk_check(&disk), 0);
    assert_int_equal(vbd_scsi_capacity(&disk), GIB_SECTORS);
    disk.sector_size = 65536;
    disk.physical_sector_size = 65536u << 15;
    disk.max_transfer = 65536;
    disk.serial = "0123456789012345678901234567890123456789012345678901234567890123";
    assert_int_equal(vbd_scsi_disk_check(&disk), 0);
    assert_int_equal(vbd_scsi_capacity(&disk), GIB_SECTORS / 128);

    static const uint32_t bad_sizes[] = {0, 256, 511, 520, 1536, 131072};
    for (size_t i = 0; i < sizeof(bad_sizes) / sizeof(bad_sizes[0]); i++) {
        disk = plain_disk();
        disk.sector_size = bad_sizes[i];
        assert_int_equal(vbd_scsi_disk_check(&disk), -XEN_EINVAL);
        assert_int_equal(vbd_scsi_capacity(&disk), 0);
    }
    disk = plain_disk();
    disk.sector_size = 4096;
    disk.physical_sector_size = 512; /* smaller than a logical block */
    assert_int_equal(vbd_scsi_disk_check(&disk), -XEN_EINVAL);
    disk.physical_sector_size = 4096u << 16; /* 2^16 logical blocks to a physical one */
    assert_int_equal(vbd_scsi_disk_check(&disk), -XEN_EINVAL);
    disk.physical_sector_size = 12288;
    assert_int_equal(vbd_scsi_disk_check(&disk), -XEN_EINVAL);
    disk.physical_sector_size = 0;
    disk.max_transfer = 2048; /* not even a block */
    assert_int_equal(vbd_scsi_disk_check(&disk), -XEN_EINVAL);
    disk.max_transfer = 0;
    disk.serial = "tab\there";
    assert_int_equal(vbd_scsi_disk_check(&disk), -XEN_EINVAL);
    memset(long_serial, 'x', 65);
    long_serial[65] = '\0';
    disk.serial = long_serial;
    assert_int_equal(vbd_scsi_disk_check(&disk), -XEN_EINVAL);

    /* A description that fails the check serves nothing, not even INQUIRY. */
    command(&disk, inquiry, 6, 36);
    assert_sense(&res, 0x04, 0x44, 0x00, 36); /* HARDWARE ERROR, INTERNAL TARGET FAILURE */
    assert_int_equal(buf[0], FILL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_read_capacity_10),
        cmocka_unit_test(test_read_capacity_10_of_big_disks),
        cmocka_unit_test(test_read_capacity_16),
        cmocka_unit_test(test_other_service_actions_are_refused),
        cmocka_unit_test(test_mode_sense_caching_page),
        cmocka_unit_test(test_mode_sense_write_protect),
        cmocka_unit_test(test_mode_sense_all_pages),
        cmocka_unit_test(test_mode_sense_block_descriptors),
        cmocka_unit_test(test_mode_sense_page_control),
        cmocka_unit_test(test_test_unit_ready),
        cmocka_unit_test(test_report_luns),
        cmocka_unit_test(test_start_stop_unit),
        cmocka_unit_test(test_request_sense),
        cmocka_unit_test(test_unknown_commands),
        cmocka_unit_test(test_disk_descriptions),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
