/* tests/vbd/scsi/scsi_fixture.c - see scsi_fixture.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "scsi_fixture.h"

struct vbd_scsi_disk plain_disk(void)
{
    struct vbd_scsi_disk disk = {
        .sectors = GIB_SECTORS,
        .sector_size = 512,
    };

    return disk;
}

void run(const struct vbd_scsi_disk *disk, const uint8_t *cdb, uint32_t cdb_len, void *buf,
         uint32_t len, enum vbd_scsi_dir dir, struct vbd_scsi_result *res)
{
    struct vbd_scsi_request req = {
        .cdb = cdb, .cdb_len = cdb_len, .buffer = buf, .length = len, .dir = dir};

    memset(res, 0xa5, sizeof(*res)); /* every field must be set by the call */
    vbd_scsi_execute(disk, &req, res);
    assert_int_equal(res->transferred + res->residual, len);
}

void run_in(const struct vbd_scsi_disk *disk, const uint8_t *cdb, uint32_t cdb_len, void *buf,
            uint32_t len, struct vbd_scsi_result *res)
{
    run(disk, cdb, cdb_len, buf, len, VBD_SCSI_DIR_IN, res);
}

void assert_done(const struct vbd_scsi_result *res, uint32_t transferred, uint32_t len)
{
    assert_int_equal(res->status, 0x00); /* GOOD */
    assert_int_equal(res->io.op, VBD_SCSI_OP_NONE);
    assert_int_equal(res->sense_len, 0);
    assert_int_equal(res->transferred, transferred);
    assert_int_equal(res->residual, len - transferred);
}

void assert_sense(const struct vbd_scsi_result *res, uint8_t key, uint8_t asc, uint8_t ascq,
                  uint32_t len)
{
    assert_int_equal(res->status, 0x02); /* CHECK CONDITION */
    assert_int_equal(res->io.op, VBD_SCSI_OP_NONE);
    assert_int_equal(res->transferred, 0);
    assert_int_equal(res->residual, len);
    assert_int_equal(res->sense_len, 18);
    assert_int_equal(res->sense[0], 0x70); /* current error, fixed format */
    assert_int_equal(res->sense[2], key);
    assert_int_equal(res->sense[7], 10); /* additional sense length: 18 - 8 */
    assert_int_equal(res->sense[12], asc);
    assert_int_equal(res->sense[13], ascq);
}

uint64_t be(const uint8_t *p, unsigned int bytes)
{
    uint64_t v = 0;

    while (bytes--)
        v = v << 8 | *p++;
    return v;
}

void put_be(uint8_t *p, uint64_t v, unsigned int bytes)
{
    while (bytes--) {
        p[bytes] = (uint8_t)v;
        v >>= 8;
    }
}
