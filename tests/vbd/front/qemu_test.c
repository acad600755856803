/*
 * tests/vbd/front/qemu_test.c - the blkif frontend against Debian's QEMU
 * (7.2) xen-disk on winpv-simd: what QEMU offers (its backend nodes) is
 * what the frontend uses, and data written through the frontend — large,
 * many at once, on unaligned buffers, by SCSI commands — is in the image
 * and reads back.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <xen/io/blkif.h>
#include <xen/io/xenbus.h>
#include <blkif/nodes.h>

#include "support/blkfront/blkio.h"
#include "support/sim/sim_fixture.h"
#include "support/vbd/front_fixture.h"
#include "os.h"
#include "qemu.h"
#include "xenstore/number.h"

static struct qemu qemu;
static struct vbd_front *front;

static int start(void **state)
{
    (void)state;
    reset_image(DISK_BYTES);
    return qemu_start(&fx.simd, &store, fx.domid, 0, image_path, &qemu);
}

static int stop(void **state)
{
    int rc;

    (void)state;
    if (front)
        vbd_front_close(front);
    front = NULL;
    rc = qemu_unplug(&store, &qemu, 5000);
    memset(&qemu, 0, sizeof(qemu));
    return rc;
}

/* A number QEMU published, or @absent. */
static uint64_t offered(const char *node, uint64_t absent)
{
    char path[192];
    const char *value;
    uint64_t number;

    snprintf(path, sizeof(path), "%s/%s", qemu.backend_path, node);
    value = store_read(path);
    if (!value)
        return absent;
    assert_int_equal(xs_number_parse(value, strlen(value), UINT64_MAX, &number), 0);
    return number;
}

static void test_what_qemu_offers_is_used(void **state)
{
    uint64_t order = offered(BLKIF_NODE_MAX_RING_PAGE_ORDER, 0),
             queues = offered(BLKIF_NODE_MAX_QUEUES, 1);
    uint64_t segments = offered(BLKIF_NODE_MAX_INDIRECT_SEGMENTS, 0);
    struct vbd_front_info info;

    (void)state;
    assert_int_equal(vbd_front_open(&svc, VDEV_ID, NULL, &front), 0);
    assert_int_equal(qemu_backend_state(&store, &qemu), XenbusStateConnected);
    vbd_front_get_info(front, &info);
    fprintf(stderr,
            "QEMU offers: max-ring-page-order %llu, multi-queue-max-queues %llu, "
            "indirect %llu, persistent %llu, flush %llu, barrier %llu, discard %llu\n",
            (unsigned long long)order, (unsigned long long)queues, (unsigned long long)segments,
            (unsigned long long)offered(BLKIF_NODE_PERSISTENT, 0),
            (unsigned long long)offered(BLKIF_NODE_FLUSH_CACHE, 0),
            (unsigned long long)offered(BLKIF_NODE_BARRIER, 0),
            (unsigned long long)offered(BLKIF_NODE_DISCARD, 0));
    assert_int_equal(info.ring_pages, 1u << (order < 4 ? order : 4));
    assert_int_equal(info.queues, queues < os_cpu_count() ? queues : os_cpu_count());
    assert_int_equal(info.indirect, segments > BLKIF_MAX_SEGMENTS_PER_REQUEST);
    assert_int_equal(info.persistent, offered(BLKIF_NODE_PERSISTENT, 0) != 0);
    assert_int_equal(info.flush_op, offered(BLKIF_NODE_FLUSH_CACHE, 0) ? BLKIF_OP_FLUSH_DISKCACHE
                                    : offered(BLKIF_NODE_BARRIER, 0)   ? BLKIF_OP_WRITE_BARRIER
                                                                       : 0);
    assert_int_equal(info.discard, offered(BLKIF_NODE_DISCARD, 0) != 0);
    assert_int_equal(info.sector_unit, offered(BLKIF_NODE_SECTOR_SIZE, 512));
    assert_int_equal(vbd_front_disk(front).sectors, DISK_BYTES / 512);
    assert_false(vbd_front_disk(front).read_only);
}

static void test_data_reaches_the_image(void **state)
{
    static const uint8_t sync10[10] = {0x35};
    static const uint8_t write16_fua[16] = {0x8a, 0x08, 0, 0, 0, 0,  0, 0,
                                            0x30, 0,    0, 0, 0, 16, 0, 0};
    struct test_buffer b;
    uint8_t key;

    (void)state;
    assert_int_equal(vbd_front_open(&svc, VDEV_ID, NULL, &front), 0);
    write_pattern(front, 2048, 1u << 20, 0, 31);
    assert_true(image_holds_pattern(image_fd, 2048 * 512, 1u << 20, 31));
    read_pattern(front, 2048, 1u << 20, 0, 31);
    /* Off sector boundaries: copied through the pool. */
    write_pattern(front, 100, 12 * 1024, 7, 32);
    assert_true(image_holds_pattern(image_fd, 100 * 512, 12 * 1024, 32));
    read_pattern(front, 100, 12 * 1024, 1000, 32);
    /* A FUA write and SYNCHRONIZE CACHE, as Windows sends them. */
    buffer_alloc(&b, 8192, 0);
    fill_pattern(b.data, 8192, 0x3000 * 512, 33);
    assert_int_equal(scsi_run(front, write16_fua, 16, &b, VBD_SCSI_DIR_OUT, &key), 0);
    assert_true(image_holds_pattern(image_fd, 0x3000 * 512, 8192, 33));
    assert_int_equal(scsi_run(front, sync10, 10, NULL, VBD_SCSI_DIR_NONE, &key), 0);
    buffer_free(&b);
}

/* Many requests at once over every queue QEMU gives us. */
static void test_many_at_once(void **state)
{
    enum { COUNT = 96 };
    static struct test_buffer bufs[COUNT];
    static struct test_io ios[COUNT];
    struct vbd_front_info info;

    (void)state;
    assert_int_equal(vbd_front_open(&svc, VDEV_ID, NULL, &front), 0);
    vbd_front_get_info(front, &info);
    for (unsigned int i = 0; i < COUNT; i++) {
        buffer_alloc(&bufs[i], 8192, 0);
        fill_pattern(bufs[i].data, 8192, (uint64_t)i * 8192, 34);
        io_rw(&ios[i], VBD_SCSI_OP_WRITE, (uint64_t)i * 16, 16, &bufs[i]);
        io_start(front, i, &ios[i]);
    }
    for (unsigned int i = 0; i < COUNT; i++)
        assert_int_equal(io_wait(&ios[i]), BLKIF_RSP_OKAY);
    assert_true(image_holds_pattern(image_fd, 0, COUNT * 8192, 34));
    for (unsigned int i = 0; i < COUNT; i++) {
        memset(bufs[i].data, 0, 8192);
        io_rw(&ios[i], VBD_SCSI_OP_READ, (uint64_t)i * 16, 16, &bufs[i]);
        io_start(front, i, &ios[i]);
    }
    for (unsigned int i = 0; i < COUNT; i++) {
        assert_int_equal(io_wait(&ios[i]), BLKIF_RSP_OKAY);
        assert_int_equal(io_calls(&ios[i]), 1);
        for (uint32_t j = 0; j < 8192; j++)
            assert_int_equal(bufs[i].data[j], pattern_byte((uint64_t)i * 8192 + j, 34));
        buffer_free(&bufs[i]);
    }
}

/* The smallest transport: one queue, one page, no indirect requests. */
static void test_plain_transport(void **state)
{
    struct vbd_front_options opt = {.no_multi_queue = true,
                                    .no_multi_page_ring = true,
                                    .no_indirect = true,
                                    .no_persistent = true};

    (void)state;
    assert_int_equal(vbd_front_open(&svc, VDEV_ID, &opt, &front), 0);
    write_pattern(front, 4096, 256 * 1024, 0, 35);
    assert_true(image_holds_pattern(image_fd, 4096 * 512, 256 * 1024, 35));
    read_pattern(front, 4096, 256 * 1024, 0, 35);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_what_qemu_offers_is_used, start, stop),
        cmocka_unit_test_setup_teardown(test_data_reaches_the_image, start, stop),
        cmocka_unit_test_setup_teardown(test_many_at_once, start, stop),
        cmocka_unit_test_setup_teardown(test_plain_transport, start, stop),
    };

    return cmocka_run_group_tests_name("vbdfront against QEMU xen-disk", tests, front_fixture_setup,
                                       front_fixture_teardown);
}
