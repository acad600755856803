/*
 * tests/vbd/front/watchdog_test.c - the frontend's watchdog for requests
 * left unanswered (core/vbd/front_reconnect.c), against a backend played in
 * this process (response_backend.h) on the fake XENBUS tables: a healthy
 * backend under load is never reset.
 *
 * Under load a queue's lock is busy, and the watchdog's timer waits for it
 * while requests are issued on that queue or the next. The test makes that
 * wait happen every time: the first grant of a request on queue 0 is made
 * (under queue 0's lock) only once the watchdog has started its pass, and
 * meanwhile a request goes on queue 1. Both requests are a second old or
 * less when the watchdog looks, its timeout is 4 s: a reset is wrong.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <time.h>

#include <cmocka.h>

#include <xen/io/blkif.h>

#include "fake_services.h"
#include "response_backend.h"
/* The watchdog's timer: whether its pass has started. */
#include "vbd/front_internal.h"

#define VDEV_ID    "51712"
#define TIMEOUT_NS (4ull * 1000 * 1000 * 1000) /* the watchdog then looks every second */
#define WAIT_NS    (10ull * 1000 * 1000 * 1000)

/* A 4 KiB read of its own page, and its completion. */
struct read_request {
    struct vbd_front_request req;
    struct vbd_front_sg sg;
    void *page;
    volatile uint32_t calls;
    volatile int32_t status;
};

static struct fake_services fx;
static struct rb_backend rb;
static struct vbd_front *front;
static struct read_request on_queue0, on_queue1;

/* The gnttab table the frontend gets: alloc holds queue 0 as described above. */
static struct winpv_gnttab_interface_v1 holding_gnttab;
static volatile uint32_t hold_next_alloc;
static bool watchdog_seen;
static int queue1_rc = -1; /* vbd_front_submit's, on queue 1 */

static void sleep_ms(unsigned int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000};

    nanosleep(&ts, NULL);
}

static void read_done(void *ctx, struct vbd_front_request *req, int16_t status)
{
    struct read_request *r = ctx;

    (void)req;
    os_atomic_store32((volatile uint32_t *)&r->status, (uint32_t)status);
    os_atomic_add32(&r->calls, 1);
}

static void read_init(struct read_request *r, uint64_t sector)
{
    uint64_t gfn;

    r->page = os_pages_alloc(1, &gfn);
    assert_non_null(r->page);
    r->sg = (struct vbd_front_sg){gfn, 0, OS_PAGE_SIZE};
    r->req = (struct vbd_front_request){
        .io = {.op = VBD_SCSI_OP_READ, .sector = sector, .sectors = OS_PAGE_SIZE / 512},
        .buffer = r->page,
        .sg = &r->sg,
        .nr_sg = 1,
        .done = read_done,
        .ctx = r,
    };
}

static bool watchdog_running(void)
{
    return __atomic_load_n(&front->watchdog.running, __ATOMIC_ACQUIRE);
}

/* The watchdog's pass started (false when it did not within WAIT_NS). */
static bool wait_for_watchdog(void)
{
    uint64_t until = os_time_ns() + WAIT_NS;

    while (!watchdog_running() && os_time_ns() < until)
        sleep_ms(1);
    return watchdog_running();
}

static void *submit_on_queue1(void *unused)
{
    (void)unused;
    queue1_rc = vbd_front_submit(front, 1, &on_queue1.req);
    return NULL;
}

/*
 * Under queue 0's lock, once: wait for the watchdog's pass to start (it then
 * waits for this lock), give it time to get there, and issue a request on
 * queue 1 meanwhile, from another processor as it were.
 */
static int alloc_holding_queue0(void *context, uint32_t *ref)
{
    if (os_atomic_cas32(&hold_next_alloc, 1, 0)) {
        pthread_t other;

        watchdog_seen = wait_for_watchdog();
        sleep_ms(100);
        if (pthread_create(&other, NULL, submit_on_queue1, NULL) == 0)
            pthread_join(other, NULL);
    }
    return fx.gnttab.table.alloc(context, ref);
}

static void open_two_queues(void)
{
    const struct rb_offer offer = {
        .ring_order = 0,
        .queues = 2,
        .segments = -1,
        .sector_size = 512,
        .sectors = 1024,
    };
    const struct vbd_front_options opt = {
        .max_queues = 2,
        .no_persistent = true, /* the caller's pages granted, under the queue's lock */
        .timeout_ns = WAIT_NS,
        .close_timeout_ns = WAIT_NS,
        .reconnect_timeout_ns = WAIT_NS,
        .request_timeout_ns = TIMEOUT_NS,
    };
    struct vbd_front_info info;

    fake_services_init(&fx, "vbd", VDEV_ID, rb_frontend_state, &rb);
    rb_init(&rb, &fx, &offer, 51712);
    holding_gnttab = fx.gnttab.table;
    holding_gnttab.alloc = alloc_holding_queue0;
    fx.svc.gnttab = &holding_gnttab;
    assert_int_equal(vbd_front_open(&fx.svc, VDEV_ID, &opt, &front), 0);
    vbd_front_get_info(front, &info);
    assert_int_equal(info.queues, 2);
}

/* Every request the backend took answered OKAY, each queue's event fired. */
static void answer_all(void)
{
    for (uint32_t qi = 0; qi < 2; qi++) {
        size_t first, n;
        uint32_t port;

        pthread_mutex_lock(&rb.lock);
        n = rb_poll(&rb, qi, true, &first);
        for (size_t i = first; i < first + n; i++)
            rb_respond(&rb, qi, rb.queues[qi].seen[i].id, rb.queues[qi].seen[i].operation,
                       BLKIF_RSP_OKAY);
        rb_publish(&rb, qi, rb.queues[qi].rsp_prod);
        port = rb.queues[qi].port;
        pthread_mutex_unlock(&rb.lock);
        assert_int_equal(n, 1);
        assert_true(fake_evtchn_fire(&fx.evtchn, port));
    }
}

static void test_request_issued_while_the_watchdog_waits_is_not_late(void **state)
{
    struct vbd_front_stats stats;
    uint64_t until;

    (void)state;
    open_two_queues();
    read_init(&on_queue0, 0);
    read_init(&on_queue1, 8);
    os_atomic_store32(&hold_next_alloc, 1);
    assert_int_equal(vbd_front_submit(front, 0, &on_queue0.req), 0);
    assert_true(watchdog_seen);
    assert_int_equal(queue1_rc, 0);
    assert_int_equal(on_queue1.calls, 0); /* in flight */
    /* The pass that waited for queue 0 looks at both queues, then ends. */
    until = os_time_ns() + WAIT_NS;
    while (watchdog_running() && os_time_ns() < until)
        sleep_ms(1);
    assert_false(watchdog_running());
    vbd_front_get_stats(front, &stats);
    assert_int_equal(stats.timeouts, 0);
    assert_int_equal(stats.reconnects, 0);
    /* The backend answers: both complete, once, OKAY, with the disk's bytes. */
    answer_all();
    assert_int_equal(on_queue0.calls, 1);
    assert_int_equal(on_queue1.calls, 1);
    assert_int_equal(on_queue0.status, BLKIF_RSP_OKAY);
    assert_int_equal(on_queue1.status, BLKIF_RSP_OKAY);
    assert_int_equal(rb_pattern_mismatch(on_queue0.page, OS_PAGE_SIZE, 0, false), OS_PAGE_SIZE);
    assert_int_equal(rb_pattern_mismatch(on_queue1.page, OS_PAGE_SIZE, 8 * 512, false),
                     OS_PAGE_SIZE);
    vbd_front_close(front);
    rb_destroy(&rb);
    fake_services_destroy(&fx);
    os_pages_free(on_queue0.page, 1);
    os_pages_free(on_queue1.page, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_request_issued_while_the_watchdog_waits_is_not_late),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
