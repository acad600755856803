/*
 * tests/vbd/front/blkback_test.c - the blkif frontend (core/vbd/front) in a
 * guest of winpv-simd, reaching XENBUS's services only through the
 * interface tables, against winpv-blkback on an image file. Every data test
 * writes a pattern through the frontend, finds it in the image file, and
 * reads it back through the frontend; each transport feature is checked to
 * be the one in use (negotiated nodes, the frontend's counters).
 */
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <xen/errno.h>
#include <xen/io/blkif.h>
#include <xen/io/xenbus.h>
#include <blkif/nodes.h>

#include "support/blkfront/blkio.h"
#include "support/sim/sim_fixture.h"
#include "blkback.h"
#include "support/vbd/front_fixture.h"
#include "os.h"
#include "os_posix.h"

static struct blkback backend;
static struct vbd_front *front;

static void start_backend_with(const struct blkback_disk *cfg)
{
    struct blkback_disk d = *cfg;

    d.image = image_path;
    assert_int_equal(blkback_start(&fx.simd, &store, fx.domid, 0, &d, &backend), 0);
}

static void start_backend(const char *const *args)
{
    start_backend_with(&(struct blkback_disk){.args = args});
}

static void connect(const struct vbd_front_options *opt)
{
    assert_int_equal(vbd_front_open(&svc, VDEV_ID, opt, &front), 0);
    assert_int_equal(blkback_backend_state(&store, &backend), XenbusStateConnected);
    assert_string_equal(guest_node("device/vbd/" VDEV_ID "/state"), "4");
}

static void stop_all(void)
{
    vbd_front_close(front);
    front = NULL;
    assert_string_equal(guest_node("device/vbd/" VDEV_ID "/state"), "6");
    assert_int_equal(blkback_unplug(&store, &backend, 5000), 0);
}

/* Whatever a failed test left connected or running is ended. */
static int cleanup(void **state)
{
    int rc = 0;

    (void)state;
    if (front)
        vbd_front_close(front);
    front = NULL;
    if (backend.process.pid > 0)
        rc = blkback_unplug(&store, &backend, 2000);
    memset(&backend, 0, sizeof(backend));
    return rc == 0 ? 0 : -1;
}

static struct vbd_front_info info(void)
{
    struct vbd_front_info i;

    vbd_front_get_info(front, &i);
    return i;
}

static struct vbd_front_stats stats(void)
{
    struct vbd_front_stats s;

    vbd_front_get_stats(front, &s);
    return s;
}

/* The host writes the pattern into the image directly. */
static void host_writes(uint64_t offset, size_t len, uint8_t seed)
{
    uint8_t *buf = malloc(len);

    assert_non_null(buf);
    fill_pattern(buf, len, offset, seed);
    assert_int_equal(pwrite(image_fd, buf, len, (off_t)offset), (ssize_t)len);
    free(buf);
}

/* Written through the frontend, in the image, read back through the frontend. */
static void round_trip(uint64_t sector, uint32_t bytes, uint32_t offset, uint8_t seed)
{
    write_pattern(front, sector, bytes, offset, seed);
    assert_true(image_holds_pattern(image_fd, sector * 512, bytes, seed));
    read_pattern(front, sector, bytes, offset, (uint8_t)seed);
}

static void test_one_page_one_queue_direct(void **state)
{
    static const uint8_t read10[10] = {0x28, 0, 0, 0, 0x10, 0, 0, 0, 8, 0};
    static const uint8_t write10[10] = {0x2a, 0, 0, 0, 0x10, 0, 0, 0, 8, 0};
    struct test_buffer b;
    uint8_t key;

    (void)state;
    reset_image(DISK_BYTES);
    start_backend((const char *const[]){"--max-queues", "1", "--max-ring-page-order", "0",
                                        "--max-indirect-segments", "0", "--no-persistent", NULL});
    connect(NULL);
    assert_int_equal(info().queues, 1);
    assert_int_equal(info().ring_pages, 1);
    assert_int_equal(info().ring_slots, 32);
    assert_int_equal(info().max_segments, BLKIF_MAX_SEGMENTS_PER_REQUEST);
    assert_false(info().indirect);
    assert_false(info().persistent);
    assert_int_equal(info().handle, VDEV);
    assert_int_equal(info().sector_unit, 512);
    assert_int_equal(vbd_front_disk(front).sectors, DISK_BYTES / 512);
    assert_int_equal(vbd_front_disk(front).sector_size, 512);
    assert_false(vbd_front_disk(front).read_only);
    assert_string_equal(guest_node("device/vbd/" VDEV_ID "/protocol"), "x86_64-abi");
    assert_non_null(guest_node("device/vbd/" VDEV_ID "/ring-ref"));
    assert_null(guest_node("device/vbd/" VDEV_ID "/ring-page-order"));

    /* 16 pages: two ring requests of at most 11 segments each way. */
    round_trip(100, 64 * 1024, 0, 1);
    assert_int_equal(stats().ring_requests, 4);
    assert_int_equal(stats().copied_requests, 0);
    /* What the host put in the image, the guest reads. */
    host_writes(2u << 20, 40 * 1024, 2);
    read_pattern(front, (2u << 20) / 512, 40 * 1024, 0, 2);

    /* As XENVBD runs SCSI commands: WRITE(10) and READ(10) of 8 blocks at LBA 4096. */
    buffer_alloc(&b, 4096, 0);
    fill_pattern(b.data, 4096, 4096 * 512, 3);
    assert_int_equal(scsi_run(front, write10, 10, &b, VBD_SCSI_DIR_OUT, &key), 0);
    assert_true(image_holds_pattern(image_fd, 4096 * 512, 4096, 3));
    memset(b.data, 0, 4096);
    assert_int_equal(scsi_run(front, read10, 10, &b, VBD_SCSI_DIR_IN, &key), 0);
    for (uint32_t i = 0; i < 4096; i++)
        assert_int_equal(b.data[i], pattern_byte(4096 * 512 + i, 3));
    buffer_free(&b);
    assert_int_equal(stats().failed, 0);
    assert_int_equal(stats().completed, stats().submitted);
    stop_all();
}

/* Many requests at once: the ring fills, the rest wait and go as slots free. */
static void test_deep_queue_on_a_multi_page_ring(void **state)
{
    enum { COUNT = 200 };
    struct vbd_front_options opt = {
        .max_queues = 1, .max_ring_page_order = 2, .no_persistent = true};
    static struct test_buffer bufs[COUNT];
    static struct test_io ios[COUNT];

    (void)state;
    reset_image(DISK_BYTES);
    start_backend(NULL);
    connect(&opt);
    assert_int_equal(info().ring_pages, 4);
    assert_int_equal(info().ring_slots, 128);
    assert_string_equal(guest_node("device/vbd/" VDEV_ID "/ring-page-order"), "2");
    assert_non_null(guest_node("device/vbd/" VDEV_ID "/ring-ref3"));
    for (int i = 0; i < COUNT; i++) {
        buffer_alloc(&bufs[i], 4096, 0);
        fill_pattern(bufs[i].data, 4096, (uint64_t)i * 4096, 4);
        io_rw(&ios[i], VBD_SCSI_OP_WRITE, (uint64_t)i * 8, 8, &bufs[i]);
    }
    for (int i = 0; i < COUNT; i++)
        io_start(front, 0, &ios[i]);
    for (int i = 0; i < COUNT; i++)
        assert_int_equal(io_wait(&ios[i]), BLKIF_RSP_OKAY);
    assert_true(image_holds_pattern(image_fd, 0, COUNT * 4096, 4));
    assert_true(stats().waits > 0);
    for (int i = 0; i < COUNT; i++) {
        memset(bufs[i].data, 0, 4096);
        io_rw(&ios[i], VBD_SCSI_OP_READ, (uint64_t)i * 8, 8, &bufs[i]);
        io_start(front, 0, &ios[i]);
    }
    for (int i = 0; i < COUNT; i++) {
        assert_int_equal(io_wait(&ios[i]), BLKIF_RSP_OKAY);
        assert_int_equal(io_calls(&ios[i]), 1);
        for (uint32_t j = 0; j < 4096; j++)
            assert_int_equal(bufs[i].data[j], pattern_byte((uint64_t)i * 4096 + j, 4));
        buffer_free(&bufs[i]);
    }
    stop_all();
}

static void test_each_queue_carries_requests(void **state)
{
    struct vbd_front_options opt = {.max_queues = 3, .no_persistent = true};
    char path[160];
    struct test_buffer b[3];
    struct test_io t[3];

    (void)state;
    reset_image(DISK_BYTES);
    start_backend(NULL); /* offers 4 queues: we take 3 */
    snprintf(path, sizeof(path), "%s/multi-queue-max-queues", backend.backend_path);
    assert_string_equal(store_read(path), "4");
    connect(&opt);
    assert_int_equal(info().queues, 3);
    assert_string_equal(guest_node("device/vbd/" VDEV_ID "/multi-queue-num-queues"), "3");
    assert_non_null(guest_node("device/vbd/" VDEV_ID "/queue-2/event-channel"));
    assert_null(guest_node("device/vbd/" VDEV_ID "/event-channel"));
    for (unsigned int q = 0; q < 3; q++) {
        buffer_alloc(&b[q], 32768, 0);
        fill_pattern(b[q].data, 32768, (uint64_t)(1000 + 100 * q) * 512, (uint8_t)(5 + q));
        io_rw(&t[q], VBD_SCSI_OP_WRITE, 1000 + 100 * q, 64, &b[q]);
        io_start(front, q, &t[q]);
    }
    for (unsigned int q = 0; q < 3; q++) {
        assert_int_equal(io_wait(&t[q]), BLKIF_RSP_OKAY);
        assert_true(image_holds_pattern(image_fd, (1000 + 100 * q) * 512, 32768, (uint8_t)(5 + q)));
        assert_true(stats().queue_requests[q] > 0);
        memset(b[q].data, 0, 32768);
        io_rw(&t[q], VBD_SCSI_OP_READ, 1000 + 100 * q, 64, &b[q]);
        assert_int_equal(io_run(front, q, &t[q]), BLKIF_RSP_OKAY);
        for (uint32_t j = 0; j < 32768; j++)
            assert_int_equal(b[q].data[j],
                             pattern_byte((1000 + 100 * q) * 512 + j, (uint8_t)(5 + q)));
        buffer_free(&b[q]);
    }
    /* Queue numbers beyond the count wrap. */
    round_trip(3000, 4096, 0, 8);
    stop_all();
}

static void test_indirect_requests(void **state)
{
    struct vbd_front_options opt = {.max_queues = 1, .max_segments = 64, .no_persistent = true};

    (void)state;
    reset_image(DISK_BYTES);
    start_backend((const char *const[]){"--max-indirect-segments", "256", NULL});
    connect(&opt);
    assert_true(info().indirect);
    assert_int_equal(info().max_segments, 64);
    /* 1 MiB is 256 pages: four indirect requests of 64 segments each way. */
    round_trip(2048, 1u << 20, 0, 9);
    assert_int_equal(stats().indirect_requests, 8);
    assert_int_equal(stats().ring_requests, 8);
    stop_all();

    /* With persistent grants: data and segment lists both in the pool. */
    opt.no_persistent = false;
    start_backend((const char *const[]){"--max-indirect-segments", "256", NULL});
    connect(&opt);
    assert_true(info().indirect);
    assert_true(info().persistent);
    round_trip(4096, 1u << 20, 0, 10);
    assert_int_equal(stats().indirect_requests, 8);
    assert_int_equal(stats().copied_requests, 8);
    stop_all();
}

/* Whether the backend's log says @text. */
static bool backend_log_says(const char *text)
{
    char buf[8192];
    int fd = open(backend.process.log, O_RDONLY | O_CLOEXEC);
    ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;

    if (fd >= 0)
        close(fd);
    if (n < 0)
        return false;
    buf[n] = '\0';
    return strstr(buf, text) != NULL;
}

static void test_persistent_grants(void **state)
{
    struct vbd_front_options opt = {.max_queues = 1};

    (void)state;
    reset_image(DISK_BYTES);
    start_backend(NULL);
    connect(&opt);
    assert_true(info().persistent);
    assert_string_equal(guest_node("device/vbd/" VDEV_ID "/feature-persistent"), "1");
    assert_true(backend_log_says("persistent on"));
    for (int i = 0; i < 4; i++)
        round_trip(512 + 256 * i, 128 * 1024, 0, (uint8_t)(11 + i));
    assert_int_equal(stats().copied_requests, stats().ring_requests);
    assert_int_equal(stats().bounced_requests, 0);
    stop_all();
}

/* Data not on 512-byte boundaries goes through the pool; data on them is granted as it is. */
static void test_unaligned_buffers_bounce(void **state)
{
    struct vbd_front_options opt = {.max_queues = 1, .no_persistent = true};
    uint64_t bounced;

    (void)state;
    reset_image(DISK_BYTES);
    start_backend(NULL);
    connect(&opt);
    write_pattern(front, 300, 20 * 1024, 100, 15);
    assert_true(image_holds_pattern(image_fd, 300 * 512, 20 * 1024, 15));
    read_pattern(front, 300, 20 * 1024, 300, 15);
    read_pattern(front, 300, 20 * 1024, 4095, 15);
    bounced = stats().bounced_requests;
    assert_true(bounced >= 3);
    round_trip(700, 12 * 1024, 512, 16);
    assert_int_equal(stats().bounced_requests, bounced);
    stop_all();
}

static void test_flush_barrier_and_fua(void **state)
{
    static const uint8_t sync10[10] = {0x35};
    static const uint8_t write10_fua[10] = {0x2a, 0x08, 0, 0, 0x20, 0, 0, 0, 8, 0};
    struct vbd_front_options opt = {.max_queues = 1};
    struct test_buffer b;
    struct test_io t;
    uint8_t key;

    (void)state;
    reset_image(DISK_BYTES);
    start_backend(NULL);
    connect(&opt);
    assert_int_equal(info().flush_op, BLKIF_OP_FLUSH_DISKCACHE);
    assert_true(vbd_front_disk(front).flush);
    assert_int_equal(scsi_run(front, sync10, 10, NULL, VBD_SCSI_DIR_NONE, &key), 0);
    assert_int_equal(stats().flushes, 1);
    /* FUA: the write, then a flush, then the completion. */
    buffer_alloc(&b, 4096, 0);
    fill_pattern(b.data, 4096, 8192 * 512, 17);
    assert_int_equal(scsi_run(front, write10_fua, 10, &b, VBD_SCSI_DIR_OUT, &key), 0);
    assert_int_equal(stats().flushes, 2);
    assert_true(image_holds_pattern(image_fd, 8192 * 512, 4096, 17));
    io_rw(&t, VBD_SCSI_OP_WRITE, 8200, 8, &b);
    t.req.io.flush_after = true;
    assert_int_equal(io_run(front, 0, &t), BLKIF_RSP_OKAY);
    assert_int_equal(stats().flushes, 3);
    stop_all();

    /* Only barriers: those flush. */
    start_backend((const char *const[]){"--no-flush", NULL});
    connect(&opt);
    assert_int_equal(info().flush_op, BLKIF_OP_WRITE_BARRIER);
    assert_int_equal(scsi_run(front, sync10, 10, NULL, VBD_SCSI_DIR_NONE, &key), 0);
    assert_int_equal(stats().flushes, 1);
    stop_all();

    /* Neither: no cache to flush; a flush asked for anyway is not supported. */
    start_backend((const char *const[]){"--no-flush", "--no-barrier", NULL});
    connect(&opt);
    assert_int_equal(info().flush_op, 0);
    assert_false(vbd_front_disk(front).flush);
    assert_int_equal(scsi_run(front, sync10, 10, NULL, VBD_SCSI_DIR_NONE, &key), 0);
    memset(&t, 0, sizeof(t));
    t.req.io.op = VBD_SCSI_OP_FLUSH;
    assert_int_equal(io_run(front, 0, &t), BLKIF_RSP_EOPNOTSUPP);
    assert_int_equal(stats().flushes, 0);
    /* FUA on a write-through disk is the write alone. */
    io_rw(&t, VBD_SCSI_OP_WRITE, 8200, 8, &b);
    t.req.io.flush_after = true;
    assert_int_equal(io_run(front, 0, &t), BLKIF_RSP_OKAY);
    buffer_free(&b);
    stop_all();
}

/* Whether the image has a hole somewhere in [offset, offset + len). */
static bool image_has_hole(uint64_t offset, uint64_t len)
{
    off_t hole = lseek(image_fd, (off_t)offset, SEEK_HOLE);

    return hole >= 0 && (uint64_t)hole < offset + len;
}

static void test_discard_punches_the_image(void **state)
{
    struct vbd_front_options opt = {.max_queues = 1};
    struct test_io t;

    (void)state;
    reset_image(DISK_BYTES);
    start_backend((const char *const[]){"--discard-granularity", "65536", "--discard-alignment",
                                        "8192", "--physical-sector-size", "4096", NULL});
    connect(&opt);
    assert_true(info().discard);
    assert_true(info().discard_secure);
    assert_true(vbd_front_disk(front).discard);
    assert_true(vbd_front_disk(front).discard_secure);
    /* What the SCSI layer reports in VPD page 0xB0 and READ CAPACITY(16). */
    assert_int_equal(vbd_front_disk(front).discard_granularity, 65536);
    assert_int_equal(vbd_front_disk(front).discard_alignment, 8192);
    assert_int_equal(vbd_front_disk(front).physical_sector_size, 4096);
    write_pattern(front, 4096, 1u << 20, 0, 18);
    assert_false(image_has_hole(4096 * 512, 1u << 20));
    memset(&t, 0, sizeof(t));
    t.req.io.op = VBD_SCSI_OP_DISCARD;
    t.req.io.nr_ranges = 2;
    t.req.io.ranges[0] = (struct vbd_scsi_range){.sector = 4096 + 256, .sectors = 256};
    t.req.io.ranges[1] = (struct vbd_scsi_range){.sector = 4096 + 1024, .sectors = 512};
    assert_int_equal(io_run(front, 0, &t), BLKIF_RSP_OKAY);
    assert_int_equal(stats().discards, 2);
    assert_true(image_is_zero(image_fd, (4096 + 256) * 512, 256 * 512));
    assert_true(image_has_hole((4096 + 256) * 512, 256 * 512));
    assert_true(image_is_zero(image_fd, (4096 + 1024) * 512, 512 * 512));
    assert_true(image_holds_pattern(image_fd, 4096 * 512, 256 * 512, 18));
    assert_true(image_holds_pattern(image_fd, (4096 + 512) * 512, 512 * 512, 18));
    /* Secure: the data is gone too. */
    t.req.io.nr_ranges = 1;
    t.req.io.secure = true;
    t.req.io.ranges[0] = (struct vbd_scsi_range){.sector = 4096 + 600, .sectors = 8};
    assert_int_equal(io_run(front, 0, &t), BLKIF_RSP_OKAY);
    assert_true(image_is_zero(image_fd, (4096 + 600) * 512, 8 * 512));
    assert_true(image_holds_pattern(image_fd, (4096 + 608) * 512, 8 * 512, 18));
    stop_all();

    /* Without the feature: not supported, nothing touched. */
    start_backend((const char *const[]){"--no-discard", NULL});
    connect(&opt);
    assert_false(info().discard);
    t.req.io.ranges[0] = (struct vbd_scsi_range){.sector = 4096, .sectors = 8};
    assert_int_equal(io_run(front, 0, &t), BLKIF_RSP_EOPNOTSUPP);
    assert_true(image_holds_pattern(image_fd, 4096 * 512, 8 * 512, 18));
    stop_all();
}

static void test_read_only_disk_refuses_writes(void **state)
{
    static const uint8_t write10[10] = {0x2a, 0, 0, 0, 0x10, 0, 0, 0, 8, 0};
    struct test_buffer b;
    struct test_io t;
    uint8_t key;

    (void)state;
    reset_image(DISK_BYTES);
    host_writes(0, 1u << 20, 19);
    start_backend_with(&(struct blkback_disk){.readonly = true});
    connect(NULL);
    assert_true(vbd_front_disk(front).read_only);
    read_pattern(front, 0, 1u << 20, 0, 19);
    buffer_alloc(&b, 4096, 0);
    io_rw(&t, VBD_SCSI_OP_WRITE, 0, 8, &b);
    assert_int_equal(io_run(front, 0, &t), BLKIF_RSP_ERROR);
    assert_int_equal(scsi_run(front, write10, 10, &b, VBD_SCSI_DIR_OUT, &key), 2);
    assert_int_equal(key, 0x07); /* DATA PROTECT */
    memset(&t, 0, sizeof(t));
    t.req.io.op = VBD_SCSI_OP_DISCARD;
    t.req.io.nr_ranges = 1;
    t.req.io.ranges[0] = (struct vbd_scsi_range){.sector = 0, .sectors = 8};
    assert_int_equal(io_run(front, 0, &t), BLKIF_RSP_ERROR);
    assert_true(image_holds_pattern(image_fd, 0, 1u << 20, 19));
    buffer_free(&b);
    stop_all();
}

static void test_4096_byte_sectors(void **state)
{
    static const uint8_t write10[10] = {0x2a, 0, 0, 0, 0x01, 0x2c, 0, 0, 2, 0}; /* LBA 300 */
    struct vbd_front_options opt = {.max_queues = 1, .no_persistent = true};
    struct test_buffer b;
    struct test_io t;
    uint8_t key;

    (void)state;
    reset_image(DISK_BYTES);
    start_backend((const char *const[]){"--sector-size", "4096", NULL});
    connect(&opt);
    assert_int_equal(info().sector_unit, 4096);
    assert_string_equal(guest_node("device/vbd/" VDEV_ID "/feature-large-sector-size"), "1");
    assert_int_equal(vbd_front_disk(front).sector_size, 4096);
    assert_int_equal(vbd_front_disk(front).sectors, DISK_BYTES / 512);
    round_trip(800, 64 * 1024, 0, 20);
    assert_int_equal(stats().bounced_requests, 0);
    /* On 512-byte but not 4096-byte boundaries: through the pool. */
    round_trip(1600, 16 * 1024, 512, 21);
    assert_true(stats().bounced_requests > 0);
    /* Not whole logical blocks: refused before anything moves. */
    buffer_alloc(&b, 8192, 0);
    io_rw(&t, VBD_SCSI_OP_WRITE, 801, 8, &b);
    t.req.done = NULL;
    assert_int_equal(vbd_front_submit(front, 0, &t.req), -XEN_EINVAL);
    io_rw(&t, VBD_SCSI_OP_WRITE, 800, 9, &b);
    t.req.done = NULL;
    assert_int_equal(vbd_front_submit(front, 0, &t.req), -XEN_EINVAL);
    /* SCSI counts 4096-byte blocks: LBA 300 is byte 300 * 4096. */
    fill_pattern(b.data, 8192, 300 * 4096, 22);
    assert_int_equal(scsi_run(front, write10, 10, &b, VBD_SCSI_DIR_OUT, &key), 0);
    assert_true(image_holds_pattern(image_fd, 300 * 4096, 8192, 22));
    buffer_free(&b);
    stop_all();

    /* And with persistent grants. */
    start_backend((const char *const[]){"--sector-size", "4096", NULL});
    opt.no_persistent = false;
    connect(&opt);
    assert_true(info().persistent);
    round_trip(2400, 40 * 1024, 0, 23);
    stop_all();
}

static void test_options_switch_features_off(void **state)
{
    struct vbd_front_options opt = {.no_multi_queue = true,
                                    .no_multi_page_ring = true,
                                    .no_indirect = true,
                                    .no_persistent = true,
                                    .no_flush = true,
                                    .no_discard = true};

    (void)state;
    reset_image(DISK_BYTES);
    start_backend(NULL); /* offers everything */
    connect(&opt);
    assert_int_equal(info().queues, 1);
    assert_int_equal(info().ring_pages, 1);
    assert_false(info().indirect);
    assert_false(info().persistent);
    assert_int_equal(info().flush_op, BLKIF_OP_WRITE_BARRIER);
    assert_false(info().discard);
    assert_string_equal(guest_node("device/vbd/" VDEV_ID "/feature-persistent"), "0");
    assert_null(guest_node("device/vbd/" VDEV_ID "/multi-queue-num-queues"));
    assert_true(backend_log_says("persistent off"));
    round_trip(64, 8192, 0, 24);
    stop_all();

    /* Everything, as far as our defaults go; nothing of the last connection is left. */
    start_backend(NULL);
    connect(NULL);
    assert_int_equal(info().queues, os_cpu_count() < 4 ? os_cpu_count() : 4);
    assert_int_equal(info().ring_pages, 16);
    assert_true(info().indirect);
    assert_int_equal(info().max_segments, VBD_FRONT_SEGMENTS_DEFAULT);
    assert_true(info().persistent);
    assert_int_equal(info().flush_op, BLKIF_OP_FLUSH_DISKCACHE);
    assert_true(info().discard);
    if (info().queues > 1)
        assert_null(guest_node("device/vbd/" VDEV_ID "/ring-ref"));
    round_trip(64, 8192, 0, 25);
    stop_all();
}

/* -- several threads at once ------------------------------------------------ */

enum { THREADS = 4, ROUNDS = 40, REGION = 1u << 20 };

struct worker {
    pthread_t thread;
    unsigned int index;
    unsigned int pass;
    uint64_t *last; /* [REGION / 512]: the write each sector of its region holds, 0 for none */
    int failures;   /* checked by the test's thread (no cmocka asserts here) */
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int done;
    int16_t status;
};

static void worker_done(void *ctx, struct vbd_front_request *req, int16_t status)
{
    struct worker *w = ctx;

    (void)req;
    pthread_mutex_lock(&w->lock);
    w->done++;
    w->status = status;
    pthread_cond_signal(&w->cond);
    pthread_mutex_unlock(&w->lock);
}

/* One request of the worker's, submitted at DISPATCH_LEVEL, waited for. */
static int16_t worker_run(struct worker *w, struct vbd_front_request *req)
{
    int16_t status;

    req->done = worker_done;
    req->ctx = w;
    os_posix_dispatch_enter();
    if (vbd_front_submit(front, w->index % 2, req) != 0)
        w->failures++;
    os_posix_dispatch_leave();
    pthread_mutex_lock(&w->lock);
    while (w->done == 0)
        pthread_cond_wait(&w->cond, &w->lock);
    status = w->status;
    w->done--;
    pthread_mutex_unlock(&w->lock);
    return status;
}

/* Writes and reads of its own region: sizes of 1 to 48 sectors, buffers at 0, 512 or 100. */
static void *worker_main(void *arg)
{
    static const uint32_t offsets[] = {0, 512, 100};
    struct worker *w = arg;
    uint64_t gfns[14];
    uint8_t *pages = os_pages_alloc(14, gfns);
    uint32_t seed = w->index * 7919 + 1;
    uint64_t first = (uint64_t)w->index * (REGION / 512);

    for (unsigned int r = 0; pages && r < ROUNDS; r++) {
        /* Its own number for each write of the test: no pass writes what an earlier one did. */
        uint64_t seq = ((uint64_t)w->pass * THREADS + w->index) * ROUNDS + r + 1;
        struct vbd_front_sg sg[14];
        struct vbd_front_request req;
        uint32_t sectors = 1 + (seed = seed * 1103515245 + 12345) % 48;
        uint32_t offset = offsets[r % 3], bytes = sectors * 512, left = bytes, nr = 0;
        uint64_t sector = first + (seed >> 8) % (REGION / 512 - 48);

        for (uint32_t p = 0; left > 0; p++) {
            uint32_t at = p == 0 ? offset : 0, len = 4096 - at < left ? 4096 - at : left;

            sg[nr++] = (struct vbd_front_sg){.gfn = gfns[p], .offset = at, .length = len};
            left -= len;
        }
        memset(&req, 0, sizeof(req));
        req.io =
            (struct vbd_scsi_io){.op = VBD_SCSI_OP_WRITE, .sector = sector, .sectors = sectors};
        req.buffer = pages + offset;
        req.sg = sg;
        req.nr_sg = nr;
        fill_pattern(pages + offset, bytes, sector * 512, seq);
        if (worker_run(w, &req) != BLKIF_RSP_OKAY)
            w->failures++;
        for (uint32_t s = 0; s < sectors; s++)
            w->last[sector - first + s] = seq;
        memset(pages, 0, 14 * 4096);
        req.io.op = VBD_SCSI_OP_READ;
        if (worker_run(w, &req) != BLKIF_RSP_OKAY)
            w->failures++;
        for (uint32_t i = 0; i < bytes; i++)
            if (pages[offset + i] != pattern_byte(sector * 512 + i, seq)) {
                w->failures++;
                break;
            }
    }
    if (pages)
        os_pages_free(pages, 14);
    else
        w->failures++;
    return NULL;
}

/* Whether worker @index's region of the image holds, in each sector, the last write there. */
static void assert_region_in_image(unsigned int index, const uint64_t *last)
{
    uint8_t *data = malloc(REGION), want[512];

    assert_non_null(data);
    assert_int_equal(pread(image_fd, data, REGION, (off_t)index * REGION), REGION);
    for (uint32_t s = 0; s < REGION / 512; s++) {
        uint64_t sector = (uint64_t)index * (REGION / 512) + s;

        memset(want, 0, sizeof(want));
        if (last[s])
            fill_pattern(want, sizeof(want), sector * 512, last[s]);
        if (memcmp(data + (size_t)s * 512, want, sizeof(want)) != 0) {
            free(data);
            fail_msg("sector %llu: not write %llu's data", (unsigned long long)sector,
                     (unsigned long long)last[s]);
        }
    }
    free(data);
}

static void test_threads_at_once(void **state)
{
    static uint64_t last[THREADS][REGION / 512];
    struct vbd_front_options opt = {
        .max_queues = 2, .max_ring_page_order = 1, .no_persistent = true};
    struct worker w[THREADS];

    (void)state;
    memset(last, 0, sizeof(last));
    reset_image(DISK_BYTES);
    start_backend(NULL);
    for (int pass = 0; pass < 2; pass++) {
        connect(&opt);
        for (unsigned int i = 0; i < THREADS; i++) {
            memset(&w[i], 0, sizeof(w[i]));
            w[i].index = i;
            w[i].pass = (unsigned int)pass;
            w[i].last = last[i];
            pthread_mutex_init(&w[i].lock, NULL);
            pthread_cond_init(&w[i].cond, NULL);
            assert_int_equal(pthread_create(&w[i].thread, NULL, worker_main, &w[i]), 0);
        }
        for (unsigned int i = 0; i < THREADS; i++) {
            pthread_join(w[i].thread, NULL);
            assert_int_equal(w[i].failures, 0);
        }
        /* What each pass wrote last is in the image, not only read back through the frontend. */
        for (unsigned int i = 0; i < THREADS; i++)
            assert_region_in_image(i, last[i]);
        assert_int_equal(stats().completed, THREADS * ROUNDS * 2);
        assert_int_equal(stats().failed, 0);
        /* Buffers at 100 bytes go through the pool; with persistent grants everything does. */
        if (pass == 0)
            assert_true(stats().bounced_requests > 0);
        else
            assert_int_equal(stats().copied_requests, stats().ring_requests);
        vbd_front_close(front);
        front = NULL;
        /* Again with persistent grants. */
        opt.no_persistent = false;
    }
    assert_int_equal(blkback_unplug(&store, &backend, 5000), 0);
}

/* A backend node that makes no sense refuses the disk, and says why where the toolstack looks. */
static void test_nonsense_sector_size_is_refused(void **state)
{
    struct vbd_front_options opt = {.close_timeout_ns = 2000000000ull};
    struct vbd_front *f = NULL;
    char path[160];
    const char *error;

    (void)state;
    reset_image(DISK_BYTES);
    start_backend(NULL);
    snprintf(path, sizeof(path), "%s/sector-size", backend.backend_path);
    store_write(path, "1000");
    assert_int_equal(vbd_front_open(&svc, VDEV_ID, &opt, &f), -XEN_EINVAL);
    assert_null(f);
    error = guest_node("error/device/vbd/" VDEV_ID "/error");
    assert_non_null(error);
    assert_non_null(strstr(error, BLKIF_NODE_SECTOR_SIZE));
    assert_int_equal(blkback_unplug(&store, &backend, 5000), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_one_page_one_queue_direct, cleanup),
        cmocka_unit_test_teardown(test_deep_queue_on_a_multi_page_ring, cleanup),
        cmocka_unit_test_teardown(test_each_queue_carries_requests, cleanup),
        cmocka_unit_test_teardown(test_indirect_requests, cleanup),
        cmocka_unit_test_teardown(test_persistent_grants, cleanup),
        cmocka_unit_test_teardown(test_unaligned_buffers_bounce, cleanup),
        cmocka_unit_test_teardown(test_flush_barrier_and_fua, cleanup),
        cmocka_unit_test_teardown(test_discard_punches_the_image, cleanup),
        cmocka_unit_test_teardown(test_read_only_disk_refuses_writes, cleanup),
        cmocka_unit_test_teardown(test_4096_byte_sectors, cleanup),
        cmocka_unit_test_teardown(test_options_switch_features_off, cleanup),
        cmocka_unit_test_teardown(test_threads_at_once, cleanup),
        cmocka_unit_test_teardown(test_nonsense_sector_size_is_refused, cleanup),
    };

    return cmocka_run_group_tests_name("vbdfront against winpv-blkback", tests, front_fixture_setup,
                                       front_fixture_teardown);
}
