/*
 * tests/vbd/front/suspend_test.c - a disk across saves and restores of its
 * domain: a guest of winpv-simd running XENBUS's services and the blkif
 * frontend on winpv-blkback, writer threads writing and reading all the
 * while, saved and restored as a new domain 100 times as Xen's toolstack
 * does (suspended by XENBUS, saved, restored paused, introduced, the disk
 * given a backend of the new domain and the old one retired, unpaused). Every
 * tenth time the backend is frozen first and killed after the suspend, so
 * requests are on the ring, unanswered, when the domain stops. Each write
 * stamps every sector with its sector number and the write's sequence
 * number: at the end every sector of the image file must hold the last
 * write acknowledged there (or zeros if none), and every read must have
 * returned what the last acknowledged writes put there. Also: suspends
 * cancelled in the middle of the same I/O, the same domain going on; and
 * 20 cycles on Debian's QEMU xen-disk, moved to each new domain. The
 * disk's dump context (core/vbd/dump.h) stays where it was and is valid
 * again, rewritten, after every restore.
 */
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include <xen/errno.h>
#include <xen/io/blkif.h>

#include "blkback.h"
#include "guest.h"
#include "os.h"
#include "os_posix.h"
#include "qemu.h"
#include "support/blkfront/blkio.h"
#include "support/sim/sim_fixture.h"
#include "vbd/dump.h"
#include "support/vbd/front_fixture.h"

#define CYCLES         100
#define QEMU_CYCLES    20 /* QEMU is slower to start: fewer on it */
#define FROZEN_EVERY   10 /* cycles: the backend frozen with requests on its ring */
#define WRITERS        4  /* threads, each with a queue and a part of the disk of its own */
#define DISK_SECTORS   (DISK_BYTES / 512)
#define WRITER_SECTORS (DISK_SECTORS / WRITERS)
#define MAX_SECTORS    32 /* a request moves 1 to 32 sectors */

/* The disk's backend: winpv-blkback, or Debian's QEMU. */
static enum { ON_BLKBACK, ON_QEMU } backend_kind;
static struct blkback backend;
static struct qemu qemu;
static struct vbd_front *front;

/* -- the guest's vCPUs ---------------------------------------------------------- */

/*
 * A suspended domain runs nothing, and its memory is what the save took:
 * the writer threads (the guest's other vCPUs) touch guest pages only
 * while holding this for reading, and the suspend holds it for writing
 * around the hypercall, as XENBUS's shell holds the other processors.
 */
static pthread_rwlock_t vcpus;

static void run_held(void *ctx, void (*fn)(void *arg), void *arg)
{
    struct os_spinlock lock;
    os_irql_t irql;

    (void)ctx;
    pthread_rwlock_wrlock(&vcpus);
    os_spin_init(&lock);
    irql = os_spin_lock(&lock);
    fn(arg);
    os_spin_unlock(&lock, irql);
    pthread_rwlock_unlock(&vcpus);
}

static const struct xenbus_suspend_hold hold = {.run_held = run_held};

/* -- what a write puts in a sector ---------------------------------------------- */

/* Whether @p is what write @seq put in @sector (0: never written, zeros). */
static bool sector_holds(const uint8_t *p, uint64_t sector, uint64_t seq)
{
    uint8_t want[512];

    memset(want, 0, sizeof(want));
    if (seq)
        fill_pattern(want, sizeof(want), sector * 512, seq);
    return memcmp(p, want, sizeof(want)) == 0;
}

/* -- the writers ---------------------------------------------------------------- */

static volatile uint64_t next_seq; /* the last write's sequence number, over all writers */
static volatile int writers_stop;

struct writer {
    pthread_t thread;
    unsigned int index;
    uint64_t first;                /* its first sector */
    uint64_t last[WRITER_SECTORS]; /* the write each sector must hold: acknowledged last */
    struct test_buffer buf;        /* MAX_SECTORS of guest pages */
    struct test_io io;             /* its request */
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool answered;  /* lock: the request completed */
    bool submitted; /* lock: accepted by the frontend and not answered yet */
    int16_t status;
    int calls;
    volatile uint64_t writes; /* acknowledged, read by the test as they come */
    /* Counted by the writer, read by the test once it is joined. */
    uint64_t reads, failures, bad_reads, extra_calls;
    uint32_t rng;
};

static struct writer writers[WRITERS];
static bool writers_running;

static uint64_t acknowledged(struct writer *w)
{
    return __atomic_load_n(&w->writes, __ATOMIC_ACQUIRE);
}

static uint32_t next_random(struct writer *w)
{
    w->rng = w->rng * 1103515245u + 12345u;
    return w->rng >> 8;
}

static void writer_done(void *ctx, struct vbd_front_request *req, int16_t status)
{
    struct writer *w = ctx;

    pthread_mutex_lock(&w->lock);
    w->calls += req == &w->io.req ? 1 : 100;
    w->status = status;
    w->answered = true;
    w->submitted = false;
    pthread_cond_broadcast(&w->cond);
    pthread_mutex_unlock(&w->lock);
}

/* One request of @sectors from @at (in the writer's part); its status. */
static int16_t writer_run(struct writer *w, enum vbd_scsi_op op, uint32_t at, uint32_t sectors)
{
    int16_t status;
    int rc;

    io_rw(&w->io, op, w->first + at, sectors, &w->buf);
    w->io.req.done = writer_done;
    w->io.req.ctx = w;
    pthread_mutex_lock(&w->lock);
    w->answered = false;
    w->calls = 0;
    pthread_mutex_unlock(&w->lock);
    os_posix_dispatch_enter();
    rc = vbd_front_submit(front, w->index, &w->io.req);
    os_posix_dispatch_leave();
    if (rc)
        return BLKIF_RSP_ERROR;
    pthread_mutex_lock(&w->lock);
    w->submitted = !w->answered;
    while (!w->answered)
        pthread_cond_wait(&w->cond, &w->lock);
    status = w->status;
    pthread_mutex_unlock(&w->lock);
    return status;
}

static void *writer_main(void *arg)
{
    struct writer *w = arg;

    while (!__atomic_load_n(&writers_stop, __ATOMIC_ACQUIRE)) {
        uint32_t sectors = 1 + next_random(w) % MAX_SECTORS;
        uint32_t at = next_random(w) % (WRITER_SECTORS - sectors + 1);
        bool read = next_random(w) % 4 == 0;
        uint64_t seq = 0;
        int16_t status;

        pthread_rwlock_rdlock(&vcpus);
        if (read) {
            memset(w->buf.data, 0xee, (size_t)sectors * 512);
        } else {
            seq = __atomic_add_fetch(&next_seq, 1, __ATOMIC_RELAXED);
            for (uint32_t s = 0; s < sectors; s++)
                fill_pattern(w->buf.data + s * 512, 512, (w->first + at + s) * 512, seq);
        }
        pthread_rwlock_unlock(&vcpus);
        status = writer_run(w, read ? VBD_SCSI_OP_READ : VBD_SCSI_OP_WRITE, at, sectors);
        pthread_rwlock_rdlock(&vcpus);
        pthread_mutex_lock(&w->lock);
        w->extra_calls += w->calls != 1;
        if (status != BLKIF_RSP_OKAY) {
            w->failures++;
        } else if (read) {
            for (uint32_t s = 0; s < sectors; s++)
                w->bad_reads +=
                    !sector_holds(w->buf.data + s * 512, w->first + at + s, w->last[at + s]);
            w->reads++;
        } else {
            for (uint32_t s = 0; s < sectors; s++)
                w->last[at + s] = seq;
            __atomic_add_fetch(&w->writes, 1, __ATOMIC_RELEASE);
        }
        pthread_mutex_unlock(&w->lock);
        pthread_rwlock_unlock(&vcpus);
    }
    return NULL;
}

static void writers_start(void)
{
    next_seq = 0;
    writers_stop = 0;
    for (unsigned int i = 0; i < WRITERS; i++) {
        struct writer *w = &writers[i];

        memset(w, 0, sizeof(*w));
        w->index = i;
        w->first = (uint64_t)i * WRITER_SECTORS;
        w->rng = 0x9e3779b9u * (i + 1);
        pthread_mutex_init(&w->lock, NULL);
        pthread_cond_init(&w->cond, NULL);
        buffer_alloc(&w->buf, MAX_SECTORS * 512, 0);
        assert_int_equal(pthread_create(&w->thread, NULL, writer_main, w), 0);
    }
    writers_running = true;
}

/* Stop and join them (each request of theirs answered first). */
static void writers_halt(void)
{
    __atomic_store_n(&writers_stop, 1, __ATOMIC_RELEASE);
    for (unsigned int i = 0; writers_running && i < WRITERS; i++) {
        pthread_join(writers[i].thread, NULL);
        buffer_free(&writers[i].buf);
    }
    writers_running = false;
}

/* Wait (up to 20 s) until every writer has had @more writes acknowledged. */
static void writers_progress(uint64_t more)
{
    uint64_t want[WRITERS];

    for (unsigned int i = 0; i < WRITERS; i++)
        want[i] = acknowledged(&writers[i]) + more;
    for (unsigned int i = 0; i < WRITERS; i++) {
        for (int ms = 0; ms < 20000 && acknowledged(&writers[i]) < want[i]; ms++)
            usleep(1000);
        assert_true(acknowledged(&writers[i]) >= want[i]);
    }
}

/* Stop and join them; no request failed, was answered twice, or read what was not written. */
static void writers_end(uint64_t *writes, uint64_t *reads)
{
    writers_halt();
    *writes = *reads = 0;
    for (unsigned int i = 0; i < WRITERS; i++) {
        struct writer *w = &writers[i];

        assert_int_equal(w->failures, 0);
        assert_int_equal(w->extra_calls, 0);
        assert_int_equal(w->bad_reads, 0);
        *writes += w->writes;
        *reads += w->reads;
    }
}

/*
 * The image file itself: each sector holds the last write acknowledged
 * there, zeros where none was. Returns the sectors that hold a write.
 */
static uint64_t check_image(void)
{
    static uint8_t image[DISK_BYTES];
    uint64_t written = 0, wrong = 0;

    assert_int_equal(pread(image_fd, image, DISK_BYTES, 0), DISK_BYTES);
    for (unsigned int i = 0; i < WRITERS; i++) {
        const struct writer *w = &writers[i];

        for (uint32_t s = 0; s < WRITER_SECTORS; s++) {
            uint64_t sector = w->first + s;

            written += w->last[s] != 0;
            if (!sector_holds(image + sector * 512, sector, w->last[s]) && wrong++ < 5) {
                uint64_t held;

                memcpy(&held, image + sector * 512 + 8, sizeof(held));
                fprintf(stderr, "sector %llu: want write %llu, the image has write %llu\n",
                        (unsigned long long)sector, (unsigned long long)w->last[s],
                        (unsigned long long)held);
            }
        }
    }
    assert_int_equal(wrong, 0);
    return written;
}

/* -- the guest's suspend and the toolstack's side --------------------------------- */

struct suspender {
    pthread_t thread;
    int result;
};

static struct suspender *suspending; /* a suspend not joined yet */

static void *suspend_main(void *arg)
{
    struct suspender *s = arg;

    s->result = xenbus_services_suspend(&services, &hold);
    return NULL;
}

static bool suspended(uint32_t domid)
{
    union sim_request_body body = {.domid.domid = domid};
    struct sim_reply reply;

    assert_int_equal(dom0_call(&fx.privcmd, SIM_DOMAIN_INFO, &body, &reply), 0);
    return (reply.body.info.flags & SIM_DOMINFO_SHUTDOWN) != 0;
}

/* The guest suspends itself on a thread of its own; wait (20 s) for the hypercall. */
static void suspend_start(struct suspender *s)
{
    assert_int_equal(pthread_create(&s->thread, NULL, suspend_main, s), 0);
    suspending = s;
    for (int i = 0; i < 10000 && !suspended(fx.domid); i++)
        usleep(2000);
    assert_true(suspended(fx.domid));
}

static int suspend_end(struct suspender *s)
{
    pthread_join(s->thread, NULL);
    suspending = NULL;
    return s->result;
}

/*
 * Save and restore as a new domain, as Xen's toolstack migrates a guest:
 * paused, introduced, the disk's backend moved to it, unpaused; then the
 * old domain released and destroyed. With @frozen the backend was frozen
 * before the suspend: it is killed, its requests never answered.
 */
static void migrate(bool frozen)
{
    union sim_request_body body = {.domid.domid = fx.domid};
    struct sim_reply reply;
    struct suspender s;
    uint32_t old = fx.domid, restored;
    char image[400];

    suspend_start(&s);
    if (frozen)
        assert_int_equal(component_kill(&backend.process, SIGKILL), 0);
    assert_int_equal(simd_domain_save(&fx.simd, old, "saved.img"), 0);
    assert_int_equal(simd_domain_restore_paused(&fx.simd, "saved.img", &restored), 0);
    assert_int_not_equal(restored, old);
    snprintf(image, sizeof(image), "%s/saved.img", fx.simd.dir);
    unlink(image);
    assert_int_equal(xenstore_introduce_restored(&fx.simd, &store, restored, &rings), 0);
    if (backend_kind == ON_QEMU)
        assert_int_equal(qemu_move_to_domain(&fx.simd, &store, &qemu, restored), 0);
    else
        assert_int_equal(blkback_move_to_domain(&fx.simd, &store, &backend, restored), 0);
    assert_int_equal(simd_domain_unpause(&fx.simd, restored), 0);
    assert_int_equal(suspend_end(&s), 0);
    assert_int_equal(sim_guest_domid(), restored);
    assert_int_equal(xenstore_release(&store, old), 0);
    assert_int_equal(dom0_call(&fx.simd.toolstack, SIM_DOMAIN_DESTROY, &body, &reply), 0);
    fx.domid = restored;
}

/* Wait (up to a second) until every writer has a request in the frontend's hands. */
static void writers_waiting(void)
{
    for (int ms = 0; ms < 1000; ms++) {
        unsigned int waiting = 0;

        for (unsigned int i = 0; i < WRITERS; i++) {
            pthread_mutex_lock(&writers[i].lock);
            waiting += writers[i].submitted;
            pthread_mutex_unlock(&writers[i].lock);
        }
        if (waiting == WRITERS)
            return;
        usleep(1000);
    }
    fail_msg("the writers do not all have a request outstanding");
}

static void open_disk(void)
{
    const char *const args[] = {"--max-queues", "4", NULL};
    struct blkback_disk cfg = {.image = image_path, .args = args};
    struct vbd_front_options opt = {.max_queues = WRITERS, .dump = true};

    reset_image(DISK_BYTES);
    if (backend_kind == ON_QEMU)
        assert_int_equal(qemu_start(&fx.simd, &store, fx.domid, 0, image_path, &qemu), 0);
    else
        assert_int_equal(blkback_start(&fx.simd, &store, fx.domid, 0, &cfg, &backend), 0);
    assert_int_equal(vbd_front_open(&svc, VDEV_ID, &opt, &front), 0);
}

/* What a test left: a suspend, its writers (a frozen backend thawed, so they finish), the disk. */
static int cleanup(void **state)
{
    int rc = 0;

    (void)state;
    /* A test that failed mid-migration: the guest goes on where it was. */
    if (suspending) {
        simd_domain_resume(&fx.simd, fx.domid);
        xenstore_resume(&store, fx.domid);
        suspend_end(suspending);
    }
    if (backend.process.state == COMPONENT_RUNNING)
        kill(backend.process.pid, SIGCONT);
    writers_halt();
    if (front)
        vbd_front_close(front);
    front = NULL;
    if (backend.process.state == COMPONENT_RUNNING)
        rc = blkback_unplug(&store, &backend, 2000);
    if (qemu.process.state == COMPONENT_RUNNING)
        rc = qemu_unplug(&store, &qemu, 2000) || rc;
    memset(&backend, 0, sizeof(backend));
    memset(&qemu, 0, sizeof(qemu));
    backend_kind = ON_BLKBACK;
    return rc == 0 ? 0 : -1;
}

static double seconds_since(const struct timespec *start)
{
    struct timespec now;

    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - start->tv_sec) + (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

/* -- the tests ------------------------------------------------------------------ */

/*
 * @cycles saves and restores under the writers; with @frozen_every, every
 * so many the backend (winpv-blkback) frozen first with requests on its ring.
 */
static void save_restore_cycles(int cycles, int frozen_every)
{
    struct vbd_front_stats before, after;
    struct timespec start;
    uint64_t writes, reads, written;
    uint32_t first_domid = fx.domid, generation;
    const struct vbd_dump_context *dump;
    int frozen_cycles = 0;

    open_disk();
    dump = vbd_front_dump_context(front);
    assert_non_null(dump);
    generation = dump->generation;
    writers_start();
    writers_progress(20);
    vbd_front_get_stats(front, &before);
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (int cycle = 0; cycle < cycles; cycle++) {
        bool frozen = frozen_every && cycle % frozen_every == frozen_every - 1;

        if (frozen) {
            assert_int_equal(blkback_freeze(&backend), 0);
            writers_waiting();
            frozen_cycles++;
        }
        migrate(frozen);
        /* The disk works in the new domain: every writer goes on. */
        writers_progress(2);
        /* The dump context, at the same address, describes the new connection. */
        assert_ptr_equal(vbd_front_dump_context(front), dump);
        assert_int_equal(dump->valid, 1);
        assert_int_equal(dump->ring.backend_id, dump->pages_domid);
        assert_true(dump->generation > generation);
        generation = dump->generation;
    }
    vbd_front_get_stats(front, &after);
    writers_end(&writes, &reads);
    written = check_image();
    printf("# %s: %d save/restore cycles (%d with the backend frozen) in %.1f s: %llu writes "
           "and %llu reads acknowledged, %llu requests sent again, %llu sectors checked in the "
           "image, domain %u to %u\n",
           backend_kind == ON_QEMU ? "QEMU" : "winpv-blkback", cycles, frozen_cycles,
           seconds_since(&start), (unsigned long long)writes, (unsigned long long)reads,
           (unsigned long long)(after.replayed - before.replayed), (unsigned long long)written,
           first_domid, fx.domid);
    /* Each restore was a reconnection; the frozen backend's requests went again. */
    assert_true(after.reconnects - before.reconnects >= (uint64_t)cycles);
    assert_true(after.replayed - before.replayed >= (uint64_t)frozen_cycles);
    assert_int_equal(after.failed, 0);
    assert_false(vbd_front_broken(front));
    assert_true(written > 0);
}

static void test_writes_survive_100_save_restore_cycles(void **state)
{
    (void)state;
    save_restore_cycles(CYCLES, FROZEN_EVERY);
}

static void test_writes_survive_save_restore_cycles_on_qemu(void **state)
{
    (void)state;
    backend_kind = ON_QEMU;
    save_restore_cycles(QEMU_CYCLES, 0);
}

static void test_a_cancelled_suspend_goes_on_in_place(void **state)
{
    struct vbd_front_stats before, after;
    const struct vbd_dump_context *dump;
    uint64_t writes, reads;
    uint32_t domid = fx.domid, generation;

    (void)state;
    open_disk();
    dump = vbd_front_dump_context(front);
    assert_non_null(dump);
    generation = dump->generation;
    writers_start();
    writers_progress(20);
    vbd_front_get_stats(front, &before);
    for (int round = 0; round < 10; round++) {
        /* Half the time with requests on the frozen backend's ring, answered after. */
        bool frozen = round % 2 == 1;
        struct suspender s;

        if (frozen) {
            assert_int_equal(blkback_freeze(&backend), 0);
            writers_waiting();
        }
        suspend_start(&s);
        assert_int_equal(simd_domain_resume(&fx.simd, domid), 0);
        assert_int_equal(xenstore_resume(&store, domid), 0);
        assert_int_equal(suspend_end(&s), 1);
        if (frozen)
            assert_int_equal(kill(backend.process.pid, SIGCONT), 0);
        writers_progress(2);
        /* Invalid while suspended, valid again after. */
        assert_int_equal(dump->valid, 1);
        assert_true(dump->generation > generation);
        generation = dump->generation;
    }
    vbd_front_get_stats(front, &after);
    writers_end(&writes, &reads);
    check_image();
    assert_int_equal(sim_guest_domid(), domid);
    /* In place: the same rings, nothing taken back or sent again. */
    assert_int_equal(after.reconnects, before.reconnects);
    assert_int_equal(after.replayed, before.replayed);
    assert_int_equal(after.failed, 0);
    assert_true(writes > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_writes_survive_100_save_restore_cycles, cleanup),
        cmocka_unit_test_teardown(test_a_cancelled_suspend_goes_on_in_place, cleanup),
        cmocka_unit_test_teardown(test_writes_survive_save_restore_cycles_on_qemu, cleanup),
    };
    pthread_rwlockattr_t attr;

    pthread_rwlockattr_init(&attr);
    pthread_rwlockattr_setkind_np(&attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
    pthread_rwlock_init(&vcpus, &attr);
    return cmocka_run_group_tests_name("vbd frontend across save and restore", tests,
                                       front_fixture_setup, front_fixture_teardown);
}
