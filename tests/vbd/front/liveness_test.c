/*
 * tests/vbd/front/liveness_test.c - no request of the blkif frontend waits
 * on a healthy winpv-blkback: bursts of 4 KiB reads and writes, of every
 * size around a full ring (one request, one short of full, exactly full,
 * one more, twice over, some submitted again from their completions as
 * Storport does), each after an idle gap of its own length (none, shorter
 * than the backend's busy polling, longer: it sleeps on its event
 * channel), so that every side's last look before sleeping (the rings'
 * final checks, event-index hold-off, the dom0 event stream's mask,
 * winpv-simd's delivery, the upcall) meets the other side's last request
 * or response at every point. A lost event or wake-up leaves a burst
 * unfinished: each must end within BURST_LIMIT_NS (a liveness bound, far
 * above a burst's time), and the watchdog (30 s) must never reset.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include <xen/io/blkif.h>

#include "support/sim/sim_fixture.h"
#include "support/vbd/front_fixture.h"
#include "blkback.h"
#include "os.h"
#include "os_posix.h"

#define BURSTS         1500
#define MAX_BURST      96 /* three one-page rings */
#define BURST_LIMIT_NS (10ull * 1000 * 1000 * 1000)

/* One request of a burst, perhaps submitted again from its completion. */
struct burst_io {
    struct vbd_front_request req;
    uint32_t again; /* submissions left after this one */
};

static struct blkback backend;
static struct vbd_front *front;
static struct test_buffer buffer; /* a page for each request of a burst */
static struct burst_io ios[MAX_BURST];
static volatile uint32_t left, failures;
static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint32_t next_random(uint32_t below)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng % below);
}

static void aim(struct burst_io *b)
{
    uint32_t blocks = DISK_BYTES / 4096;

    b->req.io.op = next_random(2) ? VBD_SCSI_OP_READ : VBD_SCSI_OP_WRITE;
    b->req.io.sector = (uint64_t)next_random(blocks) * 8;
    b->req.io.sectors = 8;
}

static void burst_done(void *ctx, struct vbd_front_request *req, int16_t status);

static void submit(struct burst_io *b)
{
    b->req.done = burst_done;
    b->req.ctx = b;
    if (vbd_front_submit(front, 0, &b->req) != 0) {
        os_atomic_add32(&failures, 1);
        os_atomic_sub32(&left, 1);
    }
}

/* In the event callback: again while it may (same place), else one fewer left. */
static void burst_done(void *ctx, struct vbd_front_request *req, int16_t status)
{
    struct burst_io *b = ctx;

    (void)req;
    if (status != BLKIF_RSP_OKAY)
        os_atomic_add32(&failures, 1);
    if (status == BLKIF_RSP_OKAY && b->again > 0) {
        b->again--;
        submit(b);
        return;
    }
    os_atomic_sub32(&left, 1);
}

static void sleep_ns(uint64_t ns)
{
    struct timespec ts = {(time_t)(ns / 1000000000u), (long)(ns % 1000000000u)};

    if (ns)
        nanosleep(&ts, NULL);
}

/* Burst sizes around a ring of @slots; gaps around the backend's busy polling (50 us). */
static uint32_t burst_size(uint32_t n, uint32_t slots)
{
    const uint32_t sizes[] = {1,         slots - 1, slots,
                              slots + 1, 2 * slots, 1 + next_random(MAX_BURST)};
    uint32_t size = sizes[n % (sizeof(sizes) / sizeof(sizes[0]))];

    return size < MAX_BURST ? size : MAX_BURST;
}

static const uint64_t gaps_ns[] = {0, 10000, 40000, 60000, 200000, 2000000};

/* Run one burst; false (said why) when it did not end within BURST_LIMIT_NS. */
static bool run_burst(uint32_t n, uint32_t size)
{
    uint64_t until;

    os_atomic_store32(&left, size);
    for (uint32_t i = 0; i < size; i++) {
        struct burst_io *b = &ios[i];

        b->req = (struct vbd_front_request){
            .buffer = buffer.data + (size_t)i * 4096, .sg = &buffer.sg[i], .nr_sg = 1};
        b->again = next_random(4) == 0 ? 1 + next_random(3) : 0;
        aim(b);
        /* Alternately as a thread of the OS and as Storport's StartIo, at dispatch level. */
        if (n % 2)
            os_posix_dispatch_enter();
        submit(b);
        if (n % 2)
            os_posix_dispatch_leave();
    }
    until = os_time_ns() + BURST_LIMIT_NS;
    while (os_atomic_load32(&left) != 0 && os_time_ns() < until)
        sleep_ns(20000);
    if (os_atomic_load32(&left) == 0)
        return true;
    fprintf(stderr, "burst %u of %u requests: %u unanswered after %llu s\n", n, size,
            os_atomic_load32(&left), (unsigned long long)(BURST_LIMIT_NS / 1000000000u));
    return false;
}

/* The disk every burst runs on: winpv-blkback, and the frontend on one one-page ring. */
static int disk_up(void **state)
{
    const struct vbd_front_options opt = {.max_queues = 1, .no_multi_page_ring = true};
    struct blkback_disk disk = {.image = image_path};

    if (front_fixture_setup(state) != 0)
        return -1;
    reset_image(DISK_BYTES);
    if (blkback_start(&fx.simd, &store, fx.domid, 0, &disk, &backend) != 0)
        return -1;
    return vbd_front_open(&svc, VDEV_ID, &opt, &front) == 0 ? 0 : -1;
}

/* Closed and unplugged (as far as it came up), then the guest's teardown. */
static int disk_down(void **state)
{
    bool unplugged = true;

    if (front)
        vbd_front_close(front);
    if (backend.process.pid > 0)
        unplugged = blkback_unplug(&store, &backend, 5000) == 0;
    return front_fixture_teardown(state) == 0 && unplugged ? 0 : -1;
}

static void test_no_request_waits_on_a_healthy_backend(void **state)
{
    struct vbd_front_info info;
    struct vbd_front_stats stats;

    (void)state;
    vbd_front_get_info(front, &info);
    assert_int_equal(info.ring_slots, 32);
    buffer_alloc(&buffer, MAX_BURST * 4096, 0);
    assert_int_equal(buffer.nr_sg, MAX_BURST);
    for (uint32_t n = 0; n < BURSTS; n++) {
        sleep_ns(gaps_ns[(n / 6) % (sizeof(gaps_ns) / sizeof(gaps_ns[0]))]);
        if (!run_burst(n, burst_size(n, info.ring_slots)))
            break;
    }
    assert_int_equal(os_atomic_load32(&left), 0);
    assert_int_equal(os_atomic_load32(&failures), 0);
    vbd_front_get_stats(front, &stats);
    assert_int_equal(stats.timeouts, 0);
    assert_int_equal(stats.reconnects, 0);
    assert_false(vbd_front_broken(front));
    buffer_free(&buffer);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_request_waits_on_a_healthy_backend),
    };

    return cmocka_run_group_tests_name("vbdfront liveness against winpv-blkback", tests, disk_up,
                                       disk_down);
}
