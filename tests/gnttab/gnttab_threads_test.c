/*
 * tests/gnttab/gnttab_threads_test.c - workers allocate, grant, end access
 * and free concurrently on a table of plain pages while a backend thread
 * maps (pins) their grants as the hypervisor would, so that revokes wait
 * and complete from the timer. Built with TSan too: a data race in the
 * engine is a report; a reference handed out twice, a grant whose entry
 * shows another frame or a writable map of a read-only grant is a failure.
 */
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <unistd.h>

#include <cmocka.h>

#include "gnttab/gnttab.h"
#include "memory_frames.h"
#include "os.h"
#include "os_posix.h"

#define WORKERS     4
#define ROUNDS      20000
#define WINDOW      160 /* grants a worker keeps at once: together more than a frame */
#define BACKEND     3
#define FRAMES      4
#define NO_REF      UINT32_MAX
#define FRAME_OF(r) ((r) + 0x10000u) /* what a worker grants for reference r */
#define MS          (1000ull * 1000)

static struct memory_frames mf;
static struct gnttab *gt;
static uint8_t holder[FRAMES * GNTTAB_ENTRIES_PER_FRAME];
static grant_ref_t shown[WORKERS][WINDOW]; /* grants the backend may pick */
static volatile uint32_t stop;
static volatile uint64_t told, pins;

struct worker {
    pthread_t thread;
    uint8_t id;
    unsigned int seed;
    uint64_t rounds;
    const char *error;
};

static void wait_over(void *ctx, int status)
{
    if (status == 0)
        os_atomic_add64(&told, 1);
    free(ctx);
}

/* Stop showing slot @i, and hand its reference back (waiting for the backend if need be). */
static const char *end_slot(struct worker *w, uint32_t i)
{
    grant_ref_t ref = __atomic_exchange_n(&shown[w->id - 1][i], NO_REF, __ATOMIC_ACQ_REL);
    struct gnttab_deferred *later = malloc(sizeof(*later));
    uint8_t me = w->id;

    if (later == NULL)
        return "out of memory";
    /* Before: once ended, the reference may be someone else's at once. */
    if (!__atomic_compare_exchange_n(&holder[ref], &me, 0, false, __ATOMIC_SEQ_CST,
                                     __ATOMIC_SEQ_CST))
        return "a reference held by another worker";
    if (!gnttab_end_access(gt, ref, later, wait_over, later))
        free(later);
    return NULL;
}

static const char *fill_slot(struct worker *w, uint32_t i)
{
    grant_ref_t ref;
    uint8_t none = 0;

    if (gnttab_alloc(gt, &ref) != 0)
        return "allocation failed";
    if (!__atomic_compare_exchange_n(&holder[ref], &none, w->id, false, __ATOMIC_SEQ_CST,
                                     __ATOMIC_SEQ_CST))
        return "a reference handed out twice";
    /* Odd references are granted read-only, so the backend knows which. */
    if (gnttab_grant(gt, ref, BACKEND, FRAME_OF(ref), ref % 2) != 0)
        return "grant failed";
    __atomic_store_n(&shown[w->id - 1][i], ref, __ATOMIC_RELEASE);
    return NULL;
}

/* Enough of the backend's pins met, and revokes made to wait (or time is up). */
static bool enough_met(uint64_t deadline)
{
    struct gnttab_stats stats;

    gnttab_get_stats(gt, &stats);
    return (os_atomic_add64(&pins, 0) >= 200 && stats.deferred >= 10) || os_time_ns() > deadline;
}

static void *worker_main(void *arg)
{
    struct worker *w = arg;

    uint64_t deadline = os_time_ns() + 20000 * MS;

    for (; !w->error && (w->rounds < ROUNDS || !enough_met(deadline)); w->rounds++) {
        uint32_t i = (uint32_t)rand_r(&w->seed) % WINDOW;

        if (__atomic_load_n(&shown[w->id - 1][i], __ATOMIC_ACQUIRE) != NO_REF)
            w->error = end_slot(w, i);
        if (!w->error)
            w->error = fill_slot(w, i);
    }
    for (uint32_t i = 0; i < WINDOW && !w->error; i++)
        if (__atomic_load_n(&shown[w->id - 1][i], __ATOMIC_ACQUIRE) != NO_REF)
            w->error = end_slot(w, i);
    return NULL;
}

/* The backend: pin a shown grant, check what it grants, hold it a little, let go. */
static void *backend_main(void *arg)
{
    const char **error = arg;
    unsigned int seed = 99;

    while (!__atomic_load_n(&stop, __ATOMIC_ACQUIRE) && !*error) {
        grant_ref_t ref = __atomic_load_n(&shown[rand_r(&seed) % WORKERS][rand_r(&seed) % WINDOW],
                                          __ATOMIC_ACQUIRE);
        struct grant_entry_v1 *e = ref == NO_REF ? NULL : memory_entry(&mf, ref);

        if (e == NULL)
            continue;
        if (ref % 2 && memory_pin(e, BACKEND, true)) {
            *error = "a read-only grant mapped writable";
        } else if (memory_pin(e, BACKEND, ref % 2 == 0)) {
            if (os_read_once32(&e->frame) != FRAME_OF(ref))
                *error = "a pinned entry shows another frame";
            os_atomic_add64(&pins, 1);
            for (int i = 0; i < 20; i++)
                sched_yield();
            memory_unpin(e);
        }
    }
    return NULL;
}

static void test_workers_and_a_backend(void **state)
{
    struct gnttab_config config = {
        .frames = &memory_frame_ops, .frames_ctx = &mf, .retry_ns = 1 * MS, .max_frames = FRAMES};
    size_t pages_at_start = os_posix_guest_pages_in_use();
    struct worker workers[WORKERS];
    const char *backend_error = NULL;
    struct gnttab_stats stats;
    uint64_t rounds = 0;
    pthread_t backend;

    mf.max_frames = 64;
    for (uint32_t i = 0; i < WORKERS * WINDOW; i++)
        shown[i / WINDOW][i % WINDOW] = NO_REF;
    assert_int_equal(gnttab_create(&config, &gt), 0);
    assert_int_equal(pthread_create(&backend, NULL, backend_main, &backend_error), 0);
    for (int i = 0; i < WORKERS; i++) {
        workers[i] = (struct worker){.id = (uint8_t)(i + 1), .seed = (unsigned int)i};
        assert_int_equal(pthread_create(&workers[i].thread, NULL, worker_main, &workers[i]), 0);
    }
    for (int i = 0; i < WORKERS; i++) {
        pthread_join(workers[i].thread, NULL);
        if (workers[i].error)
            fail_msg("worker %d: %s", i, workers[i].error);
        rounds += workers[i].rounds;
    }
    __atomic_store_n(&stop, 1, __ATOMIC_RELEASE);
    pthread_join(backend, NULL);
    if (backend_error)
        fail_msg("backend: %s", backend_error);

    /*
     * Nothing holds a grant now: every waiting revoke completes, from the
     * timer, within its retries (up to 20 s: a loaded machine running the
     * TSan build, where 1 s was seen not to be enough).
     */
    for (int i = 0; i < 10000; i++) {
        gnttab_get_stats(gt, &stats);
        if (stats.deferred_pending == 0 && os_atomic_add64(&told, 0) == stats.deferred)
            break;
        usleep(2000);
    }
    gnttab_get_stats(gt, &stats);
    print_message("pins %llu, grants %llu, revokes that waited %llu, frames %u\n",
                  (unsigned long long)pins, (unsigned long long)stats.grants,
                  (unsigned long long)stats.deferred, stats.frames);
    assert_int_equal(stats.grants, rounds);
    assert_int_equal(stats.revokes, stats.grants);
    assert_int_equal(stats.deferred_pending, 0);
    assert_int_equal(stats.deferred_completed, stats.deferred);
    assert_int_equal(os_atomic_add64(&told, 0), stats.deferred);
    assert_true(stats.deferred >= 10);
    assert_true(pins >= 200);
    assert_true(stats.frames >= 2);
    assert_int_equal(stats.max_frames, FRAMES); /* config.max_frames wins over the hypervisor's */
    gnttab_destroy(gt);
    assert_int_equal(os_posix_guest_pages_in_use(), pages_at_start);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_workers_and_a_backend),
    };

    return cmocka_run_group_tests_name("gnttab_threads", tests, NULL, NULL);
}
