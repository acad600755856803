/*
 * tests/vbd/front/reconnect_test.c - the blkif frontend when its backend
 * dies: winpv-blkback killed (SIGKILL) in the middle of a stream of writes
 * and flushes and started again, fifty times. Every write acknowledged,
 * those made while the frontend reconnects too, must be in the image file
 * with its own data by the end of its round (each sector names itself and
 * the write that put it there, so a lost, stale or misplaced write shows), a
 * flush must find the writes before it in the image when it completes, and
 * reads through the frontend must return the same. Also: a backend that
 * stops answering (the request timeout resets the connection), one that
 * never comes back (requests fail), and an online resize.
 */
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
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

#include "support/blkfront/blkio.h"
#include "support/sim/sim_fixture.h"
#include "blkback.h"
#include "support/vbd/front_fixture.h"
#include "os.h"
#include "os_posix.h"
#include "scsi/scsi.h"

#define ROUNDS       50
#define SLOTS        256 /* places a write may go, of SLOT_SECTORS each */
#define SLOT_SECTORS 8
#define SLOT_BYTES   (SLOT_SECTORS * 512)
#define BATCH        16 /* writes before the flush of a round */
#define AFTER        4  /* writes submitted while the frontend reconnects */

static struct blkback backend;
static struct vbd_front *front;

static int cleanup(void **state)
{
    int rc = 0;

    (void)state;
    if (front)
        vbd_front_close(front);
    front = NULL;
    if (backend.process.pid > 0) {
        kill(backend.process.pid, SIGCONT);
        rc = blkback_unplug(&store, &backend, 2000);
    }
    memset(&backend, 0, sizeof(backend));
    return rc == 0 ? 0 : -1;
}

static void freeze_backend(void)
{
    assert_int_equal(blkback_freeze(&backend), 0);
}

/* What write @seq puts in slot @slot: each sector names itself and the write (blkio.h). */
static void stamp(uint8_t *buf, uint32_t slot, uint64_t seq)
{
    fill_pattern(buf, SLOT_BYTES, (uint64_t)slot * SLOT_BYTES, seq);
}

/* Whether @data is what write @seq left in @slot (0: never written, zeros). */
static bool holds(const uint8_t *data, uint32_t slot, uint64_t seq)
{
    uint8_t want[SLOT_BYTES];

    if (seq == 0)
        memset(want, 0, sizeof(want));
    else
        stamp(want, slot, seq);
    return memcmp(data, want, SLOT_BYTES) == 0;
}

static bool image_holds(uint32_t slot, uint64_t seq)
{
    uint8_t data[SLOT_BYTES];

    return pread(image_fd, data, SLOT_BYTES, (off_t)slot * SLOT_BYTES) == SLOT_BYTES &&
           holds(data, slot, seq);
}

/* A round's flush: when it completes, the writes before it must be in the image. */
struct flush_check {
    struct vbd_front_request req;
    uint32_t slots[BATCH];
    uint64_t seqs[BATCH];
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int calls;
    int16_t status;
    bool writes_in_image;
};

static void flush_done(void *ctx, struct vbd_front_request *req, int16_t status)
{
    struct flush_check *f = ctx;
    bool all = true;

    (void)req;
    for (int k = 0; k < BATCH; k++)
        all &= image_holds(f->slots[k], f->seqs[k]);
    pthread_mutex_lock(&f->lock);
    f->calls++;
    f->status = status;
    f->writes_in_image = all;
    pthread_cond_broadcast(&f->cond);
    pthread_mutex_unlock(&f->lock);
}

static void flush_start(struct flush_check *f, unsigned int queue)
{
    int rc;

    memset(&f->req, 0, sizeof(f->req));
    f->req.io.op = VBD_SCSI_OP_FLUSH;
    f->req.done = flush_done;
    f->req.ctx = f;
    f->calls = 0;
    os_posix_dispatch_enter();
    rc = vbd_front_submit(front, queue, &f->req);
    os_posix_dispatch_leave();
    assert_int_equal(rc, 0);
}

static void flush_wait(struct flush_check *f)
{
    pthread_mutex_lock(&f->lock);
    while (f->calls == 0)
        pthread_cond_wait(&f->cond, &f->lock);
    pthread_mutex_unlock(&f->lock);
}

static void write_start(struct test_io *t, struct test_buffer *b, unsigned int queue, uint32_t slot,
                        uint64_t seq)
{
    stamp(b->data, slot, seq);
    io_rw(t, VBD_SCSI_OP_WRITE, (uint64_t)slot * SLOT_SECTORS, SLOT_SECTORS, b);
    io_start(front, queue, t);
}

static void test_writes_survive_backend_restarts(void **state)
{
    static uint64_t last[SLOTS]; /* the write each slot must hold: acknowledged last */
    static struct test_io ios[BATCH + AFTER];
    static struct test_buffer bufs[BATCH + AFTER];
    static struct flush_check flush = {.lock = PTHREAD_MUTEX_INITIALIZER,
                                       .cond = PTHREAD_COND_INITIALIZER};
    struct vbd_front_options opt = {.max_queues = 2};
    struct vbd_front_stats st;
    uint64_t seq = 0, seqs[BATCH + AFTER];

    (void)state;
    memset(last, 0, sizeof(last));
    reset_image(DISK_BYTES);
    assert_int_equal(blkback_start(&fx.simd, &store, fx.domid, 0,
                                   &(struct blkback_disk){.image = image_path}, &backend),
                     0);
    assert_int_equal(vbd_front_open(&svc, VDEV_ID, &opt, &front), 0);
    for (int k = 0; k < BATCH + AFTER; k++)
        buffer_alloc(&bufs[k], SLOT_BYTES, 0);
    for (uint32_t r = 0; r < ROUNDS; r++) {
        unsigned int queue = r % 2;

        /* Every other round the backend is frozen first: all of it is in flight at the kill. */
        if (r % 2 == 0)
            freeze_backend();
        for (uint32_t k = 0; k < BATCH; k++) {
            flush.slots[k] = (r * 37 + k * 16) % SLOTS;
            flush.seqs[k] = seqs[k] = ++seq;
            write_start(&ios[k], &bufs[k], queue, flush.slots[k], seq);
        }
        flush_start(&flush, queue);
        assert_int_equal(blkback_restart(&fx.simd, &store, &backend), 0);
        /* These go while the frontend reconnects: they wait, then follow. */
        for (uint32_t k = BATCH; k < BATCH + AFTER; k++) {
            seqs[k] = ++seq;
            write_start(&ios[k], &bufs[k], queue, (r * 37 + k * 16 + 8) % SLOTS, seq);
        }
        for (uint32_t k = 0; k < BATCH + AFTER; k++) {
            uint32_t slot = (uint32_t)(ios[k].req.io.sector / SLOT_SECTORS);

            assert_int_equal(io_wait(&ios[k]), BLKIF_RSP_OKAY);
            assert_int_equal(io_calls(&ios[k]), 1);
            last[slot] = seqs[k];
        }
        /*
         * Every write of the round acknowledged is in the image now, those
         * made while the frontend reconnected too: the round's slots are
         * all different, and a later round may write over them.
         */
        for (uint32_t k = 0; k < BATCH + AFTER; k++)
            if (!image_holds((uint32_t)(ios[k].req.io.sector / SLOT_SECTORS), seqs[k]))
                fail_msg("round %u: write %u (sequence %llu) acknowledged, not in the image", r, k,
                         (unsigned long long)seqs[k]);
        flush_wait(&flush);
        assert_int_equal(flush.status, BLKIF_RSP_OKAY);
        assert_int_equal(flush.calls, 1);
        assert_true(flush.writes_in_image);
    }
    vbd_front_get_stats(front, &st);
    assert_int_equal(st.reconnects, ROUNDS);
    assert_true(st.replayed >= BATCH * (ROUNDS / 2)); /* at least the frozen rounds' */
    assert_int_equal(st.failed, 0);
    assert_false(vbd_front_broken(front));
    assert_false(vbd_front_gone(front)); /* a restart ("online" stays 1) is no removal */
    /* Every acknowledged write in the image, and read back through the frontend. */
    for (uint32_t slot = 0; slot < SLOTS; slot++) {
        struct test_io t;

        assert_true(image_holds(slot, last[slot]));
        io_rw(&t, VBD_SCSI_OP_READ, (uint64_t)slot * SLOT_SECTORS, SLOT_SECTORS, &bufs[0]);
        assert_int_equal(io_run(front, slot % 2, &t), BLKIF_RSP_OKAY);
        assert_true(holds(bufs[0].data, slot, last[slot]));
    }
    for (int k = 0; k < BATCH + AFTER; k++)
        buffer_free(&bufs[k]);
    vbd_front_close(front);
    front = NULL;
    assert_int_equal(blkback_unplug(&store, &backend, 5000), 0);
}

static void start_and_connect(const struct vbd_front_options *opt)
{
    reset_image(DISK_BYTES);
    assert_int_equal(blkback_start(&fx.simd, &store, fx.domid, 0,
                                   &(struct blkback_disk){.image = image_path}, &backend),
                     0);
    assert_int_equal(vbd_front_open(&svc, VDEV_ID, opt, &front), 0);
}

static void stop_all(void)
{
    vbd_front_close(front);
    front = NULL;
    assert_int_equal(blkback_unplug(&store, &backend, 5000), 0);
}

static struct vbd_front_stats stats(void)
{
    struct vbd_front_stats s;

    vbd_front_get_stats(front, &s);
    return s;
}

/* A backend that stops answering (frozen) and wakes up later: the frontend resets and goes on. */
static void test_unanswered_request_resets(void **state)
{
    struct vbd_front_options opt = {.max_queues = 1, .request_timeout_ns = 400000000};
    struct test_buffer b;
    struct test_io t;

    (void)state;
    start_and_connect(&opt);
    buffer_alloc(&b, 8192, 0);
    fill_pattern(b.data, 8192, 1000 * 512, 41);
    freeze_backend();
    io_rw(&t, VBD_SCSI_OP_WRITE, 1000, 16, &b);
    io_start(front, 0, &t);
    usleep(1500 * 1000);
    assert_int_equal(io_calls(&t), 0);
    assert_int_equal(stats().timeouts, 1);
    /* Reset: we closed, waiting for the backend to follow. */
    assert_string_equal(guest_node("device/vbd/" VDEV_ID "/state"), "6");
    assert_int_equal(kill(backend.process.pid, SIGCONT), 0);
    assert_int_equal(io_wait(&t), BLKIF_RSP_OKAY);
    assert_int_equal(io_calls(&t), 1);
    assert_true(image_holds_pattern(image_fd, 1000 * 512, 8192, 41));
    /* Connected again, and serving. */
    while (stats().reconnects == 0)
        usleep(10 * 1000);
    assert_false(vbd_front_broken(front));
    read_pattern(front, 1000, 8192, 0, 41);
    write_pattern(front, 2000, 4096, 0, 42);
    assert_true(image_holds_pattern(image_fd, 2000 * 512, 4096, 42));
    buffer_free(&b);
    stop_all();
}

/* A backend that never comes back: what was in flight and what comes after fails. */
static void test_backend_gone_for_good_fails_requests(void **state)
{
    struct vbd_front_options opt = {.max_queues = 1,
                                    .request_timeout_ns = 300000000,
                                    .reconnect_timeout_ns = 500000000,
                                    .close_timeout_ns = 500000000};
    struct test_buffer b;
    struct test_io t, later;

    (void)state;
    start_and_connect(&opt);
    buffer_alloc(&b, 4096, 0);
    freeze_backend();
    io_rw(&t, VBD_SCSI_OP_WRITE, 64, 8, &b);
    io_start(front, 0, &t);
    assert_int_equal(io_wait(&t), BLKIF_RSP_ERROR);
    assert_int_equal(io_calls(&t), 1);
    assert_true(vbd_front_broken(front));
    io_rw(&later, VBD_SCSI_OP_READ, 64, 8, &b);
    assert_int_equal(io_run(front, 0, &later), BLKIF_RSP_ERROR);
    assert_int_equal(kill(backend.process.pid, SIGCONT), 0);
    buffer_free(&b);
    stop_all();
}

/* Back with other features (one queue, no persistent grants): requests of the lost queue go on. */
static void test_features_change_across_a_restart(void **state)
{
    static const char *const fewer[] = {"--max-queues", "1", "--no-persistent"};
    struct vbd_front_options opt = {.max_queues = 2};
    struct vbd_front_info info;
    struct test_buffer b[2];
    struct test_io t[2];

    (void)state;
    start_and_connect(&opt);
    vbd_front_get_info(front, &info);
    assert_int_equal(info.queues, 2);
    assert_true(info.persistent);
    freeze_backend();
    for (unsigned int q = 0; q < 2; q++) {
        buffer_alloc(&b[q], 8192, 0);
        fill_pattern(b[q].data, 8192, (4000 + 16 * q) * 512, (uint8_t)(50 + q));
        io_rw(&t[q], VBD_SCSI_OP_WRITE, 4000 + 16 * q, 16, &b[q]);
        io_start(front, q, &t[q]);
    }
    for (unsigned int i = 0; i < 3; i++)
        strcpy(backend.args[backend.nr_args++], fewer[i]);
    assert_int_equal(blkback_restart(&fx.simd, &store, &backend), 0);
    for (unsigned int q = 0; q < 2; q++) {
        assert_int_equal(io_wait(&t[q]), BLKIF_RSP_OKAY);
        assert_int_equal(io_calls(&t[q]), 1);
        assert_true(image_holds_pattern(image_fd, (4000 + 16 * q) * 512, 8192, (uint8_t)(50 + q)));
        buffer_free(&b[q]);
    }
    vbd_front_get_info(front, &info);
    assert_int_equal(info.queues, 1);
    assert_false(info.persistent);
    assert_int_equal(stats().replayed, 2);
    /* And it serves on. */
    write_pattern(front, 6000, 4096, 0, 52);
    read_pattern(front, 6000, 4096, 0, 52);
    stop_all();
}

/*
 * The image grows and the backend says so while connected: the disk grows,
 * Windows is told (CAPACITY DATA HAS CHANGED, once) and sees the new size,
 * and the new end is usable.
 */
static void test_online_resize(void **state)
{
    static const uint8_t test_unit_ready[6] = {0x00};
    static const uint8_t read_capacity_16[16] = {0x9e, 0x10, [13] = 32};
    struct vbd_front_options opt = {.max_queues = 1};
    uint64_t deadline = os_time_ns() + 5000000000ull;
    struct test_buffer capacity;
    uint8_t key;

    (void)state;
    start_and_connect(&opt);
    assert_int_equal(vbd_front_disk(front).sectors, DISK_BYTES / 512);
    assert_int_equal(scsi_run(front, test_unit_ready, 6, NULL, VBD_SCSI_DIR_NONE, &key), 0);
    assert_int_equal(blkback_resize(&store, &backend, 2ull * DISK_BYTES), 0);
    while (vbd_front_disk(front).sectors != 2 * DISK_BYTES / 512 && os_time_ns() < deadline)
        usleep(10 * 1000);
    assert_int_equal(vbd_front_disk(front).sectors, 2 * DISK_BYTES / 512);
    assert_int_equal(stats().resizes, 1);
    assert_int_equal(stats().reconnects, 0);
    /* CHECK CONDITION, UNIT ATTENTION, CAPACITY DATA HAS CHANGED; then good again. */
    assert_int_equal(scsi_run(front, test_unit_ready, 6, NULL, VBD_SCSI_DIR_NONE, &key), 2);
    assert_int_equal(key, SCSI_KEY_UNIT_ATTENTION);
    assert_int_equal(scsi_sense[SCSI_SENSE_OFF_ASC], SCSI_ASC_PARAMETERS_CHANGED);
    assert_int_equal(scsi_sense[SCSI_SENSE_OFF_ASCQ], SCSI_ASCQ_CAPACITY_DATA_CHANGED);
    assert_int_equal(scsi_run(front, test_unit_ready, 6, NULL, VBD_SCSI_DIR_NONE, &key), 0);
    buffer_alloc(&capacity, 32, 0);
    assert_int_equal(scsi_run(front, read_capacity_16, 16, &capacity, VBD_SCSI_DIR_IN, &key), 0);
    /* The last logical block's address, big-endian. */
    for (int i = 0; i < 8; i++)
        assert_int_equal(capacity.data[i],
                         (uint8_t)((2ull * DISK_BYTES / 512 - 1) >> (56 - 8 * i)));
    buffer_free(&capacity);
    /* The new end is there to write and read. */
    write_pattern(front, 2 * DISK_BYTES / 512 - 8, 4096, 0, 43);
    assert_true(image_holds_pattern(image_fd, 2ull * DISK_BYTES - 4096, 4096, 43));
    read_pattern(front, 2 * DISK_BYTES / 512 - 8, 4096, 0, 43);
    stop_all();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_writes_survive_backend_restarts, cleanup),
        cmocka_unit_test_teardown(test_unanswered_request_resets, cleanup),
        cmocka_unit_test_teardown(test_backend_gone_for_good_fails_requests, cleanup),
        cmocka_unit_test_teardown(test_features_change_across_a_restart, cleanup),
        cmocka_unit_test_teardown(test_online_resize, cleanup),
    };

    return cmocka_run_group_tests_name("vbdfront reconnection against winpv-blkback", tests,
                                       front_fixture_setup, front_fixture_teardown);
}
