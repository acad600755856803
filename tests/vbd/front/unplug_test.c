/*
 * tests/vbd/front/unplug_test.c - the blkif frontend when the toolstack
 * unplugs its disk, through the toolstack's own removal path: winpv-blkback
 * taken away by blkback_unplug ("online" 0; the backend closes and exits)
 * and QEMU's xen-disk by qemu_unplug ("online" 0 and Closing, as libxl
 * writes them, the path of `winpv-sim disk-remove`), each in the middle of
 * a stream of writes kept in flight on two queues. Every write completes
 * exactly once, those acknowledged are in the image, the toolstack
 * finishes well within the time a reconnection would wait, the frontend's
 * last state is Closed and it writes nothing after, nothing is sent again,
 * the owner is told once (after every request completed), and what comes
 * after fails at once. A restart is still a restart: reconnect_test.c.
 *
 * The same holds when the removal comes at an awkward time: while the
 * frontend waits for a stopped backend to come back, when the backend dies
 * and its directory is taken away without a word (a driver domain
 * destroyed), and while the frontend is still opening.
 */
#include <pthread.h>
#include <signal.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <xenstore.h>

#include <xen/io/blkif.h>
#include <xen/io/xenbus.h>

#include "support/blkfront/blkio.h"
#include "support/sim/sim_fixture.h"
#include "blkback.h"
#include "support/vbd/front_fixture.h"
#include "os.h"
#include "os_posix.h"
#include "qemu.h"

#define PLACES        32 /* writes kept in flight, each to a place of its own */
#define PLACE_SECTORS 8
#define PLACE_BYTES   (PLACE_SECTORS * 512)
#define WARM_UP       300 /* writes completed before the disk is unplugged */

/* What a reconnection would wait for, and what the removal must stay well within. */
#define RECONNECT_NS     (20ull * 1000 * 1000 * 1000)
#define REMOVAL_LIMIT_MS 2000

static struct blkback backend;
static struct qemu qemu;
static struct vbd_front *front;

/* -- a stream of writes ----------------------------------------------------- */

/* One place on the disk and the write to it in flight; the next goes when it completes. */
struct place {
    struct vbd_front_request req;
    struct test_buffer buf;
    unsigned int index;
    uint64_t seq;   /* the write in flight, or the last one */
    uint64_t acked; /* the last write acknowledged, 0 for none */
    bool busy;      /* submitted, not yet completed */
};

static struct {
    pthread_mutex_t lock;
    struct place places[PLACES];
    uint64_t next_seq;
    unsigned int running; /* places still writing */
    uint64_t submitted, completed, failed, twice, refused;
} stream = {.lock = PTHREAD_MUTEX_INITIALIZER};

static uint64_t place_offset(const struct place *p)
{
    return (uint64_t)p->index * PLACE_BYTES;
}

static void place_done(void *ctx, struct vbd_front_request *req, int16_t status);

/* Write p->seq's data to the place (p->busy set, counted). Context: any. */
static void place_submit(struct place *p)
{
    int rc;

    fill_pattern(p->buf.data, PLACE_BYTES, place_offset(p), p->seq);
    memset(&p->req, 0, sizeof(p->req));
    p->req.io.op = VBD_SCSI_OP_WRITE;
    p->req.io.sector = place_offset(p) / 512;
    p->req.io.sectors = PLACE_SECTORS;
    p->req.buffer = p->buf.data;
    p->req.sg = p->buf.sg;
    p->req.nr_sg = p->buf.nr_sg;
    p->req.done = place_done;
    p->req.ctx = p;
    rc = vbd_front_submit(front, p->index % 2, &p->req);
    if (rc) {
        pthread_mutex_lock(&stream.lock);
        stream.refused++;
        stream.running--;
        p->busy = false;
        pthread_mutex_unlock(&stream.lock);
    }
}

/* Not on the test's thread: counted, asserted later. Each success writes the place again. */
static void place_done(void *ctx, struct vbd_front_request *req, int16_t status)
{
    struct place *p = ctx;
    bool again;

    pthread_mutex_lock(&stream.lock);
    if (!p->busy || req != &p->req)
        stream.twice++;
    p->busy = false;
    stream.completed++;
    if (status == BLKIF_RSP_OKAY)
        p->acked = p->seq;
    else
        stream.failed++;
    again = status == BLKIF_RSP_OKAY;
    if (again) {
        p->seq = ++stream.next_seq;
        p->busy = true;
        stream.submitted++;
    } else {
        stream.running--;
    }
    pthread_mutex_unlock(&stream.lock);
    if (again)
        place_submit(p);
}

static void stream_start(void)
{
    stream.next_seq = 0;
    stream.running = PLACES;
    stream.submitted = stream.completed = stream.failed = stream.twice = stream.refused = 0;
    for (unsigned int k = 0; k < PLACES; k++) {
        struct place *p = &stream.places[k];

        memset(p, 0, sizeof(*p));
        buffer_alloc(&p->buf, PLACE_BYTES, 0);
        p->index = k;
    }
    for (unsigned int k = 0; k < PLACES; k++) {
        struct place *p = &stream.places[k];

        pthread_mutex_lock(&stream.lock);
        p->seq = ++stream.next_seq;
        p->busy = true;
        stream.submitted++;
        pthread_mutex_unlock(&stream.lock);
        /* As Storport's StartIo, at DISPATCH_LEVEL. */
        os_posix_dispatch_enter();
        place_submit(p);
        os_posix_dispatch_leave();
    }
}

/* Wait until @done says so (asked under the stream's lock), at most about @ms. */
static bool stream_wait(bool (*done)(void), int ms)
{
    for (int waited_ms = 0;; waited_ms++) {
        bool ok;

        pthread_mutex_lock(&stream.lock);
        ok = done();
        pthread_mutex_unlock(&stream.lock);
        if (ok || waited_ms >= ms)
            return ok;
        usleep(1000);
    }
}

static bool warmed_up(void)
{
    return stream.completed >= WARM_UP || stream.running < PLACES;
}

static bool stopped(void)
{
    return stream.running == 0;
}

static void stream_free(void)
{
    for (unsigned int k = 0; k < PLACES; k++)
        buffer_free(&stream.places[k].buf);
}

/* -- the owner's view --------------------------------------------------------- */

static struct {
    volatile int calls;
    volatile bool all_completed; /* every write completed when told */
} owner;

static void disk_gone(void *ctx)
{
    (void)ctx;
    pthread_mutex_lock(&stream.lock);
    owner.all_completed = stream.completed == stream.submitted;
    pthread_mutex_unlock(&stream.lock);
    __atomic_add_fetch(&owner.calls, 1, __ATOMIC_SEQ_CST);
}

/* -- the frontend's state node, as dom0 sees it --------------------------------- */

/*
 * Read as fast as a handle of our own allows, from before the removal until
 * after the toolstack removed the directory: the last value there was, and
 * whether anything wrote it again once it was gone.
 */
static struct {
    pthread_t thread;
    volatile int stop;
    char last[16];
    bool seen_gone;
    int rewritten; /* values read after the node was gone */
} sampler;

static void *sample(void *arg)
{
    const char *path = arg;
    struct xs_handle *xsh = xs_open(0);

    if (!xsh)
        return NULL;
    while (!__atomic_load_n(&sampler.stop, __ATOMIC_SEQ_CST)) {
        unsigned int len;
        char *value = xs_read(xsh, XBT_NULL, path, &len);

        if (value && sampler.seen_gone)
            sampler.rewritten++;
        if (value)
            snprintf(sampler.last, sizeof(sampler.last), "%s", value);
        else if (sampler.last[0])
            sampler.seen_gone = true;
        free(value);
    }
    xs_close(xsh);
    return NULL;
}

static void sampler_start(const char *path)
{
    memset(&sampler, 0, sizeof(sampler));
    assert_int_equal(pthread_create(&sampler.thread, NULL, sample, (void *)path), 0);
}

static void sampler_stop(void)
{
    __atomic_store_n(&sampler.stop, 1, __ATOMIC_SEQ_CST);
    pthread_join(sampler.thread, NULL);
}

/* -- the tests ------------------------------------------------------------------ */

/* Close the frontend, if open; how long that took, in ms. */
static uint64_t close_front(void)
{
    uint64_t start = os_time_ns();

    if (front)
        vbd_front_close(front);
    front = NULL;
    return (os_time_ns() - start) / 1000000;
}

/* vbd_front_open on a thread of its own (test_unplugged_while_opening). */
static struct {
    pthread_t thread;
    int rc;
    bool running; /* started, not yet joined */
} opening;

/* Whatever a failed test left open or running is ended; a backend that ended badly fails it. */
static int cleanup(void **state)
{
    int rc = 0;

    (void)state;
    if (opening.running) {
        /* The backend may be held stopped, and the open waiting for it. */
        if (backend.process.pid > 0)
            kill(backend.process.pid, SIGCONT);
        pthread_join(opening.thread, NULL);
        opening.running = false;
    }
    close_front();
    stream_free(); /* what a failed test left; nothing is in flight once closed */
    if (backend.process.pid > 0 && blkback_unplug(&store, &backend, 2000) != 0)
        rc = -1;
    if (qemu.process.pid > 0 && qemu_unplug(&store, &qemu, 2000) != 0)
        rc = -1;
    memset(&backend, 0, sizeof(backend));
    memset(&qemu, 0, sizeof(qemu));
    return rc;
}

/*
 * With @request_timeout_ns after which a silent backend is reset, and
 * @close_timeout_ns, the most a closing frontend waits for its backend to
 * close too (0: the defaults).
 */
static void open_front(uint64_t request_timeout_ns, uint64_t close_timeout_ns)
{
    struct vbd_front_options opt = {.max_queues = 2,
                                    .reconnect_timeout_ns = RECONNECT_NS,
                                    .request_timeout_ns = request_timeout_ns,
                                    .close_timeout_ns = close_timeout_ns,
                                    .gone = disk_gone};

    memset((void *)&owner, 0, sizeof(owner));
    assert_int_equal(vbd_front_open(&svc, VDEV_ID, &opt, &front), 0);
    assert_false(vbd_front_gone(front));
}

/* The toolstack's removal, timed: 0 when it finished and how long it took. */
typedef int (*unplug_fn)(void);

/*
 * A stream of writes, the disk unplugged in its middle: everything the file
 * comment says. @before (optional) runs first, once the stream is going;
 * with @interrupted the removal found a reconnection under way, whose
 * requests taken back from the rings count as replayed though they never
 * went again.
 */
static void assert_unplugged_cleanly(void (*before)(void), unplug_fn unplug,
                                     const char *frontend_path, bool interrupted)
{
    char state_path[192];
    struct vbd_front_stats st;
    struct test_buffer b;
    struct test_io later;
    uint64_t start, took_ms;

    snprintf(state_path, sizeof(state_path), "%s/state", frontend_path);
    sampler_start(state_path);
    stream_start();
    assert_true(stream_wait(warmed_up, 10000));
    assert_int_equal(stream.running, PLACES); /* no failure before the removal */
    if (before)
        before();
    start = os_time_ns();
    assert_int_equal(unplug(), 0);
    took_ms = (os_time_ns() - start) / 1000000;
    print_message("unplugged in %llu ms\n", (unsigned long long)took_ms);
    assert_true(took_ms < REMOVAL_LIMIT_MS);
    /* Each place's last write answered or failed, once. */
    assert_true(stream_wait(stopped, REMOVAL_LIMIT_MS));
    usleep(200 * 1000); /* anything the frontend would write after, the sampler sees */
    sampler_stop();
    assert_int_equal(stream.twice, 0);
    assert_int_equal(stream.refused, 0);
    assert_int_equal(stream.completed, stream.submitted);
    assert_int_equal(stream.failed, PLACES);
    /* Acknowledged writes are in the image; the failed one after it may be too. */
    for (unsigned int k = 0; k < PLACES; k++) {
        const struct place *p = &stream.places[k];

        assert_true(p->acked > 0);
        assert_true(image_holds_pattern(image_fd, place_offset(p), PLACE_BYTES, p->acked) ||
                    image_holds_pattern(image_fd, place_offset(p), PLACE_BYTES, p->seq));
    }
    /* Closed last, nothing written again once the toolstack removed the directory. */
    assert_string_equal(sampler.last, "6");
    assert_true(sampler.seen_gone);
    assert_int_equal(sampler.rewritten, 0);
    /* Told once, after everything completed; nothing was sent again. */
    assert_true(vbd_front_gone(front));
    assert_int_equal(owner.calls, 1);
    assert_true(owner.all_completed);
    assert_false(vbd_front_broken(front));
    vbd_front_get_stats(front, &st);
    assert_int_equal(st.reconnects, 0);
    if (!interrupted)
        assert_int_equal(st.replayed, 0);
    assert_int_equal(st.completed, st.submitted);
    /* What comes after fails at once. */
    buffer_alloc(&b, 4096, 0);
    io_rw(&later, VBD_SCSI_OP_READ, 0, 8, &b);
    assert_int_equal(io_run(front, 0, &later), BLKIF_RSP_ERROR);
    assert_int_equal(io_calls(&later), 1);
    buffer_free(&b);
    /* And closing has nothing left to wait for. */
    assert_true(close_front() < 500);
    assert_int_equal(owner.calls, 1);
    stream_free();
}

static int unplug_blkback(void)
{
    return blkback_unplug(&store, &backend, 5000);
}

static int unplug_qemu(void)
{
    return qemu_unplug(&store, &qemu, 5000);
}

/* winpv-blkback on a fresh image, as the toolstack starts it. */
static void start_blkback(void)
{
    reset_image(DISK_BYTES);
    assert_int_equal(blkback_start(&fx.simd, &store, fx.domid, 0,
                                   &(struct blkback_disk){.image = image_path}, &backend),
                     0);
}

/* winpv-blkback, with persistent grants: data copied through the pool. */
static void test_blkback_unplugged_under_writes(void **state)
{
    (void)state;
    start_blkback();
    open_front(0, 0);
    assert_unplugged_cleanly(NULL, unplug_blkback, backend.frontend_path, false);
    memset(&backend, 0, sizeof(backend));
}

/* QEMU's xen-disk (`winpv-sim disk-remove`), without persistent grants: the caller's pages granted. */
static void test_qemu_unplugged_under_writes(void **state)
{
    (void)state;
    reset_image(DISK_BYTES);
    assert_int_equal(qemu_start(&fx.simd, &store, fx.domid, 0, image_path, &qemu), 0);
    open_front(0, 0);
    assert_unplugged_cleanly(NULL, unplug_qemu, qemu.frontend_path, false);
    memset(&qemu, 0, sizeof(qemu));
}

/* -- removals at awkward times ------------------------------------------------- */

/* The frontend's state node as the toolstack reads it, "" when absent. */
static void frontend_state(char *value, size_t size)
{
    char path[192];
    unsigned int len;
    char *v;

    snprintf(path, sizeof(path), "%s/state", backend.frontend_path);
    v = xs_read(store.xsh, XBT_NULL, path, &len);
    snprintf(value, size, "%s", v ? v : "");
    free(v);
}

/* Wait (at most about @ms) until the frontend's state is @want, or until it is not. */
static bool frontend_state_wait(const char *want, bool equal, int ms)
{
    for (int waited = 0;; waited += 5) {
        char state[16];

        frontend_state(state, sizeof(state));
        if ((strcmp(state, want) == 0) == equal)
            return true;
        if (waited >= ms)
            return false;
        usleep(5000);
    }
}

/*
 * What the toolstack does for a backend that is no more (libxl, once its
 * wait for the backend runs out): the frontend Closed, both directories
 * removed. 0 if the frontend closed in time.
 */
static int remove_directories(void)
{
    bool closed = frontend_state_wait("6", true, REMOVAL_LIMIT_MS);

    xs_rm(store.xsh, XBT_NULL, backend.frontend_path);
    xs_rm(store.xsh, XBT_NULL, backend.backend_path);
    return closed ? 0 : -1;
}

/* SIGTERM: winpv-blkback answers what it has, unmaps and exits, xenstore left as it was. */
static void stop_backend_and_wait_for_reconnection(void)
{
    assert_int_equal(blkback_stop(&backend), 0);
    /* Requests go unanswered: the watchdog resets, the frontend closes to reconnect. */
    assert_true(frontend_state_wait("4", false, 10000));
}

/*
 * The removal as libxl makes it for a backend that does not answer: "online"
 * 0 and Closing, a wait for the backend that runs out (here: until the
 * frontend's owner is told, as the test can tell: the frontend waited
 * close_timeout_ns for the backend), the directories removed.
 */
static int remove_stopped_backend(void)
{
    int waited = 0;

    if (xenstore_device_remove(&store, backend.backend_path) != 0)
        return -1;
    for (; waited < REMOVAL_LIMIT_MS && __atomic_load_n(&owner.calls, __ATOMIC_SEQ_CST) == 0;
         waited++)
        usleep(1000);
    return remove_directories() == 0 && waited < REMOVAL_LIMIT_MS ? 0 : -1;
}

/* Stopped (perhaps for a restart), then unplugged instead while the frontend waits for it. */
static void test_unplugged_while_reconnecting(void **state)
{
    (void)state;
    start_blkback();
    /* Not so short that a write slow on a busy machine resets a healthy backend. */
    open_front(3000ull * 1000 * 1000, 500ull * 1000 * 1000);
    assert_unplugged_cleanly(stop_backend_and_wait_for_reconnection, remove_stopped_backend,
                             backend.frontend_path, true);
    memset(&backend, 0, sizeof(backend));
}

/*
 * The backend killed (its mappings die with it) and its directory taken
 * away, no "online" 0 and no Closing: the frontend sees its state go.
 */
static int kill_backend_and_remove_its_directory(void)
{
    if (component_kill(&backend.process, SIGKILL) != 0)
        return -1;
    xs_rm(store.xsh, XBT_NULL, backend.backend_path);
    return remove_directories();
}

static void test_backend_directory_vanishes(void **state)
{
    (void)state;
    start_blkback();
    open_front(0, 0);
    assert_unplugged_cleanly(NULL, kill_backend_and_remove_its_directory, backend.frontend_path,
                             true);
    memset(&backend, 0, sizeof(backend));
}

static void *open_thread(void *arg)
{
    struct vbd_front_options opt = {.gone = disk_gone};

    (void)arg;
    opening.rc = vbd_front_open(&svc, VDEV_ID, &opt, &front);
    return NULL;
}

/*
 * Unplugged while the frontend opens: it has published its rings and waits
 * for the backend (held stopped) to connect. Either the open fails with
 * ENODEV, or, had the backend connected first, the owner is told at once;
 * either way the frontend ends Closed well within the open's timeout, and
 * the toolstack's removal completes.
 */
static void test_unplugged_while_opening(void **state)
{
    uint64_t start, took_ms;

    (void)state;
    start_blkback();
    memset((void *)&owner, 0, sizeof(owner));
    memset(&opening, 0, sizeof(opening));
    /* Stopped while it waits for events, never in the middle of a message to xenstored. */
    assert_int_equal(blkback_freeze(&backend), 0);
    assert_int_equal(pthread_create(&opening.thread, NULL, open_thread, NULL), 0);
    opening.running = true;
    assert_true(frontend_state_wait("3", true, 5000)); /* Initialised: waiting */
    start = os_time_ns();
    assert_int_equal(xenstore_device_remove(&store, backend.backend_path), 0);
    assert_int_equal(kill(backend.process.pid, SIGCONT), 0);
    pthread_join(opening.thread, NULL);
    opening.running = false;
    if (opening.rc == 0) {
        print_message("the backend connected first\n");
        for (int waited = 0; waited < REMOVAL_LIMIT_MS && owner.calls == 0; waited++)
            usleep(1000);
        assert_int_equal(owner.calls, 1);
        assert_true(vbd_front_gone(front));
    } else {
        assert_int_equal(opening.rc, -XEN_ENODEV);
        assert_int_equal(owner.calls, 0);
        assert_null(front);
    }
    assert_true(frontend_state_wait("6", true, REMOVAL_LIMIT_MS));
    took_ms = (os_time_ns() - start) / 1000000;
    print_message("open ended in %llu ms after the removal\n", (unsigned long long)took_ms);
    assert_true(took_ms < REMOVAL_LIMIT_MS);
    /* The backend, running again, closes and exits; the toolstack finishes. */
    assert_int_equal(blkback_unplug(&store, &backend, 5000), 0);
    memset(&backend, 0, sizeof(backend));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_blkback_unplugged_under_writes, cleanup),
        cmocka_unit_test_teardown(test_qemu_unplugged_under_writes, cleanup),
        cmocka_unit_test_teardown(test_unplugged_while_reconnecting, cleanup),
        cmocka_unit_test_teardown(test_backend_directory_vanishes, cleanup),
        cmocka_unit_test_teardown(test_unplugged_while_opening, cleanup),
    };

    return cmocka_run_group_tests_name("vbdfront unplugged by the toolstack", tests,
                                       front_fixture_setup, front_fixture_teardown);
}
