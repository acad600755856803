/*
 * tests/xenstore/client/watch_test.c - the client's watches against the real
 * xenstoreds: events for dom0's writes (none lost among 10,000), relative
 * paths, callbacks that make requests, removal that waits for a running
 * callback and drops the queued ones, and a callback removing its own
 * watch.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "support/xenstore/dom0.h"
#include "support/xenstore/fixture.h"
#include "os.h"
#include "xenstore/client.h"

#define FLOOD 10000

/* The paths a watch's callback was given, in order. */
struct recorder {
    pthread_mutex_t lock;
    pthread_cond_t changed;
    unsigned int count;
    char last[256];
};

static void recorder_init(struct recorder *r)
{
    pthread_mutex_init(&r->lock, NULL);
    pthread_cond_init(&r->changed, NULL);
    r->count = 0;
    r->last[0] = '\0';
}

static void record(void *ctx, const char *path)
{
    struct recorder *r = ctx;

    pthread_mutex_lock(&r->lock);
    r->count++;
    snprintf(r->last, sizeof(r->last), "%s", path);
    pthread_cond_broadcast(&r->changed);
    pthread_mutex_unlock(&r->lock);
}

static struct timespec in_ms(int ms)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += ms / 1000;
    ts.tv_nsec += (long)(ms % 1000) * 1000000;
    if (ts.tv_nsec >= 1000000000) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000;
    }
    return ts;
}

/* Wait until @r has seen @count events in all; the last one's path must be @path. */
static void wait_for_event(struct recorder *r, unsigned int count, const char *path)
{
    struct timespec deadline = in_ms(5000);

    pthread_mutex_lock(&r->lock);
    while (r->count < count && pthread_cond_timedwait(&r->changed, &r->lock, &deadline) == 0)
        ;
    pthread_mutex_unlock(&r->lock);
    assert_int_equal(r->count, count);
    assert_string_equal(r->last, path);
}

static void test_watch_fires_for_dom0_writes(void **state)
{
    struct recorder r;
    struct xs_watch *watch;
    struct xs_client_stats stats;
    char path[128], child[160];

    recorder_init(&r);
    guest_path(path, sizeof(path), "~/data/watched");
    snprintf(child, sizeof(child), "%s/child", path);
    assert_int_equal(xs_watch_add(xs, path, record, &r, &watch), 0);
    wait_for_event(&r, 1, path); /* fired once when set */
    assert_true(dom0_write_str(path, "1"));
    wait_for_event(&r, 2, path);
    assert_true(dom0_write_str(child, "below")); /* the subtree counts */
    wait_for_event(&r, 3, child);
    xs_watch_remove(xs, watch);

    assert_true(dom0_write_str(path, "2"));
    usleep(100000);
    assert_int_equal(r.count, 3);
    xs_client_get_stats(xs, &stats);
    assert_int_equal(stats.watch_dropped, 0);
}

static void test_relative_watch_gets_relative_paths(void **state)
{
    struct recorder r;
    struct xs_watch *watch;
    char path[128];

    recorder_init(&r);
    assert_int_equal(xs_watch_add(xs, "data/relative", record, &r, &watch), 0);
    wait_for_event(&r, 1, "data/relative");
    assert_true(dom0_write_str(guest_path(path, sizeof(path), "~/data/relative"), "x"));
    wait_for_event(&r, 2, "data/relative");
    xs_watch_remove(xs, watch);
}

static void test_two_watches_on_one_path(void **state)
{
    struct recorder a, b;
    struct xs_watch *wa, *wb;
    char path[128];

    recorder_init(&a);
    recorder_init(&b);
    guest_path(path, sizeof(path), "~/data/twice");
    assert_int_equal(xs_watch_add(xs, path, record, &a, &wa), 0);
    assert_int_equal(xs_watch_add(xs, path, record, &b, &wb), 0);
    wait_for_event(&a, 1, path);
    wait_for_event(&b, 1, path);
    xs_watch_remove(xs, wa);
    assert_true(dom0_write_str(path, "x"));
    wait_for_event(&b, 2, path);
    assert_int_equal(a.count, 1);
    xs_watch_remove(xs, wb);
}

/* Callbacks run on a worker thread: they count, the test asserts. */

/* Each of FLOOD children seen exactly once. */
struct flood {
    char dir[128];
    size_t dir_len;
    _Atomic unsigned int seen[FLOOD];
    atomic_uint distinct, repeated, other;
};

static void flood_event(void *ctx, const char *path)
{
    struct flood *f = ctx;
    char *end;
    unsigned long n;

    if (strncmp(path, f->dir, f->dir_len) != 0 || path[f->dir_len] != '/') {
        atomic_fetch_add(&f->other, 1); /* the directory itself, when set */
        return;
    }
    n = strtoul(path + f->dir_len + 1, &end, 10);
    if (*end != '\0' || n >= FLOOD)
        atomic_fetch_add(&f->other, 1);
    else if (atomic_fetch_add(&f->seen[n], 1) == 0)
        atomic_fetch_add(&f->distinct, 1);
    else
        atomic_fetch_add(&f->repeated, 1);
}

/*
 * dom0 writes 10,000 distinct nodes as fast as libxenstore goes; every
 * write fires the guest's watch once, and every event reaches the callback.
 * The nodes are dom0's (readable by the guest), so the guest's node quota
 * does not stand in the way.
 */
static void test_ten_thousand_events_none_lost(void **state)
{
    static struct flood f;
    struct dom0_perm perms[2] = {{0, 'n'}, {guest_domid(), 'r'}};
    struct xs_client_stats stats;
    struct xs_watch *watch;
    char path[160], value[16];

    memset(&f, 0, sizeof(f));
    guest_path(f.dir, sizeof(f.dir), "~/flood");
    f.dir_len = strlen(f.dir);
    assert_true(dom0_mkdir(f.dir));
    assert_true(dom0_set_perms(f.dir, perms, 2));
    assert_int_equal(xs_watch_add(xs, f.dir, flood_event, &f, &watch), 0);
    for (int i = 0; i < FLOOD; i++) {
        snprintf(path, sizeof(path), "%s/%d", f.dir, i);
        snprintf(value, sizeof(value), "v%d", i);
        assert_true(dom0_write_str(path, value));
    }
    for (int waited = 0; waited < 60000 && atomic_load(&f.distinct) < FLOOD; waited += 10)
        usleep(10000);
    xs_watch_remove(xs, watch);
    assert_true(dom0_rm(f.dir));

    assert_int_equal(atomic_load(&f.distinct), FLOOD);
    assert_int_equal(atomic_load(&f.repeated), 0);
    assert_int_equal(atomic_load(&f.other), 1);
    xs_client_get_stats(xs, &stats);
    assert_int_equal(stats.watch_dropped, 0);
    assert_true(stats.watch_events >= FLOOD + 1);
}

/* On each change of data/ping, copy its value to data/pong. */
static void answer_ping(void *ctx, const char *path)
{
    atomic_uint *answered = ctx;
    char *value;
    size_t len;

    if (xs_read(xs, XS_TX_NONE, path, &value, &len) != 0)
        return; /* the first event comes before the node exists */
    if (xs_write(xs, XS_TX_NONE, "data/pong", value, len) == 0)
        atomic_fetch_add(answered, 1);
    os_free(value);
}

static void test_callback_makes_requests(void **state)
{
    atomic_uint answered = 0;
    struct xs_watch *watch;
    char ping[128], pong[128], *value = NULL;

    guest_path(ping, sizeof(ping), "~/data/ping");
    guest_path(pong, sizeof(pong), "~/data/pong");
    assert_int_equal(xs_watch_add(xs, ping, answer_ping, &answered, &watch), 0);
    assert_true(dom0_write_str(ping, "hello"));
    for (int i = 0; i < 500 && atomic_load(&answered) == 0; i++)
        usleep(10000);
    xs_watch_remove(xs, watch);
    value = dom0_read(pong, NULL);
    assert_non_null(value);
    assert_string_equal(value, "hello");
    free(value);
}

/* A callback that takes its time, so events queue up behind it. */
struct slow {
    atomic_uint calls, inside;
};

static void slow_callback(void *ctx, const char *path)
{
    struct slow *s = ctx;

    atomic_fetch_add(&s->inside, 1);
    if (atomic_fetch_add(&s->calls, 1) > 0)
        usleep(300000); /* not the first event: stay a while */
    atomic_fetch_sub(&s->inside, 1);
}

static void test_remove_waits_for_the_callback_and_drops_queued_events(void **state)
{
    struct slow s = {0};
    struct xs_watch *watch;
    char path[128];

    guest_path(path, sizeof(path), "~/data/slow");
    assert_int_equal(xs_watch_add(xs, path, slow_callback, &s, &watch), 0);
    for (int i = 0; i < 500 && atomic_load(&s.calls) < 1; i++)
        usleep(1000);
    for (int i = 0; i < 3; i++)
        assert_true(dom0_write_str(path, "x"));
    for (int i = 0; i < 500 && atomic_load(&s.calls) < 2; i++)
        usleep(1000);
    assert_int_equal(atomic_load(&s.inside), 1); /* the second event's callback sleeps */
    xs_watch_remove(xs, watch);
    assert_int_equal(atomic_load(&s.inside), 0);
    /* The writes' other two events were queued behind it: dropped, not run. */
    usleep(100000);
    assert_int_equal(atomic_load(&s.calls), 2);
}

/*
 * A frontend's backend-state watch: when the state says Closed, the
 * callback closes the device, which removes this very watch.
 */
struct closing_frontend {
    struct xs_watch *watch;
    atomic_uint calls;
    atomic_bool removed;
};

static void on_backend_state(void *ctx, const char *path)
{
    struct closing_frontend *f = ctx;
    char *state;

    atomic_fetch_add(&f->calls, 1);
    if (xs_read(xs, XS_TX_NONE, path, &state, NULL) != 0)
        return;
    if (strcmp(state, "6") == 0) { /* XenbusStateClosed */
        xs_watch_remove(xs, __atomic_load_n(&f->watch, __ATOMIC_ACQUIRE));
        atomic_store(&f->removed, true);
    }
    os_free(state);
}

/*
 * The callback removes its own watch: removal returns in it, no event
 * reaches the watch afterwards, and the client's other watches are not
 * held up (before, removal waited for the very callback it ran in, and
 * every watch of the client stopped).
 */
static void test_a_callback_removes_its_own_watch(void **state)
{
    struct closing_frontend f = {0};
    struct recorder other;
    struct xs_watch *watch, *other_watch;
    char path[128], other_path[128];
    unsigned int calls;

    recorder_init(&other);
    guest_path(path, sizeof(path), "~/data/backend-state");
    guest_path(other_path, sizeof(other_path), "~/data/other");
    assert_true(dom0_write_str(path, "4")); /* XenbusStateConnected */
    assert_int_equal(xs_watch_add(xs, other_path, record, &other, &other_watch), 0);
    wait_for_event(&other, 1, other_path);
    assert_int_equal(xs_watch_add(xs, path, on_backend_state, &f, &watch), 0);
    __atomic_store_n(&f.watch, watch, __ATOMIC_RELEASE);
    for (int i = 0; i < 500 && atomic_load(&f.calls) < 1; i++)
        usleep(1000);

    assert_true(dom0_write_str(path, "6"));
    for (int i = 0; i < 500 && !atomic_load(&f.removed); i++)
        usleep(10000);
    assert_true(atomic_load(&f.removed));
    calls = atomic_load(&f.calls);
    assert_true(dom0_write_str(path, "1"));
    assert_true(dom0_write_str(other_path, "x"));
    wait_for_event(&other, 2, other_path);
    usleep(100000);
    assert_int_equal(atomic_load(&f.calls), calls);
    xs_watch_remove(xs, other_watch);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_watch_fires_for_dom0_writes),
        cmocka_unit_test(test_relative_watch_gets_relative_paths),
        cmocka_unit_test(test_two_watches_on_one_path),
        cmocka_unit_test(test_ten_thousand_events_none_lost),
        cmocka_unit_test(test_callback_makes_requests),
        cmocka_unit_test(test_remove_waits_for_the_callback_and_drops_queued_events),
        cmocka_unit_test(test_a_callback_removes_its_own_watch),
    };

    return run_on_both_daemons(tests, sizeof(tests) / sizeof(tests[0]));
}
