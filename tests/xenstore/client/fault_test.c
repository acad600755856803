/*
 * tests/xenstore/client/fault_test.c - the client when the real xenstored stalls or
 * the connection breaks: timeouts while the daemon is stopped (SIGSTOP),
 * late replies dropped, a message cut short by a timeout finished later, a
 * connection broken by an impossible message, the daemon's reconnection
 * feature where it is offered (oxenstored; not C xenstored), and the
 * connection closed under a waiting request.
 */
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "support/xenstore/dom0.h"
#include "support/xenstore/fixture.h"
#include "os.h"
#include "os_posix.h"
#include "support/xenstore/store_glue.h"
#include "xenstore/client.h"

#define SHORT_TIMEOUT_NS (200ull * 1000 * 1000)

static void daemon_stop(void)
{
    assert_int_equal(kill(store.daemon.pid, SIGSTOP), 0);
}

static void daemon_continue(void)
{
    assert_int_equal(kill(store.daemon.pid, SIGCONT), 0);
}

static bool offers_reconnection(void)
{
    return store_glue_page()->server_features & XENSTORE_SERVER_FEATURE_RECONNECTION;
}

static struct xs_client_stats stats(void)
{
    struct xs_client_stats s;

    xs_client_get_stats(xs, &s);
    return s;
}

/* Wait up to 5 s for the count of late replies to reach @count. */
static void wait_for_unsolicited(uint64_t count)
{
    for (int i = 0; i < 500 && stats().unsolicited < count; i++)
        usleep(10000);
    assert_int_equal(stats().unsolicited, count);
}

static void assert_usable(void)
{
    char path[128], *value;

    guest_path(path, sizeof(path), "~/data/usable");
    assert_int_equal(xs_write_str(xs, XS_TX_NONE, path, "yes"), 0);
    assert_int_equal(xs_read(xs, XS_TX_NONE, path, &value, NULL), 0);
    assert_string_equal(value, "yes");
    os_free(value);
    assert_false(xs_client_broken(xs));
}

/*
 * What each daemon offers: oxenstored the reconnection feature, C
 * xenstored (4.17) nothing, so there reconnection is -XEN_EOPNOTSUPP and
 * the client is left as it was.
 */
static void test_features(void **state)
{
    uint32_t features = store_glue_page()->server_features;

    printf("# %s: server_features %#x\n", store.kind == XENSTORED_C ? "xenstored" : "oxenstored",
           features);
    if (store.kind == XENSTORED_OCAML) {
        assert_true(offers_reconnection());
    } else {
        assert_false(offers_reconnection());
        assert_int_equal(xs_client_reconnect(xs), -XEN_EOPNOTSUPP);
    }
    assert_usable();
}

static void test_timeout_then_the_late_reply_is_dropped(void **state)
{
    char path[128], *value;
    uint64_t start;

    guest_path(path, sizeof(path), "~/data/late");
    assert_true(dom0_write_str(path, "v"));
    xs_client_set_timeout(xs, SHORT_TIMEOUT_NS);
    daemon_stop();
    start = os_time_ns();
    assert_int_equal(xs_read(xs, XS_TX_NONE, path, &value, NULL), -XEN_ETIMEDOUT);
    assert_true(os_time_ns() - start >= SHORT_TIMEOUT_NS);
    assert_int_equal(stats().timeouts, 1);
    daemon_continue();
    wait_for_unsolicited(1);
    assert_usable();
    assert_int_equal(stats().timeouts, 1);
}

/*
 * A 4 KiB write does not fit the 1 KiB ring of a stopped daemon: it times
 * out halfway. Its rest still goes when the daemon runs again, so the
 * stream stays whole: the write is done after all, its reply dropped.
 */
static void test_timeout_halfway_through_a_message(void **state)
{
    static char value[4000];
    char path[128];
    unsigned int len;
    char *got;

    memset(value, 'h', sizeof(value));
    guest_path(path, sizeof(path), "~/data/halfway");
    xs_client_set_timeout(xs, SHORT_TIMEOUT_NS);
    daemon_stop();
    assert_int_equal(xs_write(xs, XS_TX_NONE, path, value, sizeof(value)), -XEN_ETIMEDOUT);
    assert_false(xs_client_broken(xs));
    daemon_continue();
    wait_for_unsolicited(1);
    got = dom0_read(path, &len);
    assert_non_null(got);
    assert_int_equal(len, sizeof(value));
    free(got);
    assert_usable();
}

/* Several requests queued behind a stopped daemon all time out, then all is well. */
struct stalled {
    pthread_t thread;
    int rc;
};

static void *read_stalled(void *arg)
{
    struct stalled *s = arg;
    char *value;

    s->rc = xs_read(xs, XS_TX_NONE, "data/late", &value, NULL);
    if (s->rc == 0)
        os_free(value);
    return NULL;
}

static void test_timeouts_of_several_waiters(void **state)
{
    struct stalled s[6];
    uint64_t before;
    char path[128];

    assert_true(dom0_write_str(guest_path(path, sizeof(path), "~/data/late"), "v"));
    xs_client_set_timeout(xs, SHORT_TIMEOUT_NS);
    before = stats().unsolicited;
    daemon_stop();
    for (int i = 0; i < 6; i++)
        assert_int_equal(pthread_create(&s[i].thread, NULL, read_stalled, &s[i]), 0);
    for (int i = 0; i < 6; i++) {
        pthread_join(s[i].thread, NULL);
        assert_int_equal(s[i].rc, -XEN_ETIMEDOUT);
    }
    assert_int_equal(stats().timeouts, 6);
    daemon_continue();
    wait_for_unsolicited(before + 6);
    assert_usable();
}

/*
 * A message no daemon may send (an unknown type) breaks the connection:
 * the test puts one in the reply ring while the daemon is stopped, as the
 * daemon would have. Every request fails -XEN_EIO until reconnection,
 * which oxenstored offers; then the watches are back too. C xenstored
 * offers none: the client stays broken.
 */
struct recorder {
    atomic_uint count;
};

static void count_event(void *ctx, const char *path)
{
    struct recorder *r = ctx;

    atomic_fetch_add(&r->count, 1);
}

static void inject_impossible_message(void)
{
    struct xenstore_domain_interface *intf = store_glue_page();
    struct xsd_sockmsg bad = {.type = 0x4242, .req_id = 1, .len = 0};
    const char *bytes = (const char *)&bad;
    uint32_t prod = intf->rsp_prod;

    for (size_t i = 0; i < sizeof(bad); i++)
        intf->rsp[MASK_XENSTORE_IDX(prod + i)] = bytes[i];
    __atomic_store_n(&intf->rsp_prod, prod + (uint32_t)sizeof(bad), __ATOMIC_RELEASE);
    /* The daemon would signal now: the store port's callback runs. */
    os_posix_dispatch_enter();
    xs_client_on_event(xs);
    os_posix_dispatch_leave();
}

/*
 * A watch on @path (its first event, for its registration, seen by @r),
 * then the connection broken: requests fail -XEN_EIO.
 */
static struct xs_watch *break_connection_under_a_watch(const char *path, struct recorder *r)
{
    struct xs_watch *watch;
    char *value;

    assert_int_equal(xs_watch_add(xs, path, count_event, r, &watch), 0);
    for (int i = 0; i < 500 && atomic_load(&r->count) < 1; i++)
        usleep(1000);
    daemon_stop();
    inject_impossible_message();
    daemon_continue();
    for (int i = 0; i < 500 && !xs_client_broken(xs); i++)
        usleep(1000);
    assert_true(xs_client_broken(xs));
    assert_int_equal(xs_read(xs, XS_TX_NONE, path, &value, NULL), -XEN_EIO);
    return watch;
}

/* C xenstored: no reconnection, the client stays broken. */
static void test_broken_connection_stays_broken(void **state)
{
    struct recorder r = {0};
    struct xs_watch *watch;
    char path[128];

    watch = break_connection_under_a_watch(guest_path(path, sizeof(path), "~/data/broken"), &r);
    assert_false(offers_reconnection());
    assert_int_equal(xs_client_reconnect(xs), -XEN_EOPNOTSUPP);
    assert_true(xs_client_broken(xs));
    xs_watch_remove(xs, watch);
}

/* oxenstored: reconnected, the client works and its watch fires again. */
static void test_broken_connection_and_reconnection(void **state)
{
    struct recorder r = {0};
    struct xs_watch *watch;
    char path[128];

    watch =
        break_connection_under_a_watch(guest_path(path, sizeof(path), "~/data/reconnected"), &r);
    assert_true(offers_reconnection());
    assert_int_equal(xs_client_reconnect(xs), 0);
    assert_usable();
    /* The watch was registered again: it fires for dom0's write. */
    atomic_store(&r.count, 0);
    assert_true(dom0_write_str(path, "after"));
    for (int i = 0; i < 500 && atomic_load(&r.count) == 0; i++)
        usleep(1000);
    assert_true(atomic_load(&r.count) >= 1);
    xs_watch_remove(xs, watch);
}

/*
 * Requests in flight when reconnection starts fail -XEN_ENOTCONN. Where the
 * daemon has no reconnection, trying leaves them be: they complete.
 */
struct reconnect {
    pthread_t thread;
    int rc;
};

static void *reconnect_main(void *arg)
{
    struct reconnect *r = arg;

    r->rc = xs_client_reconnect(xs);
    return NULL;
}

/* The daemon stopped, and a read of data/late sent to it by @reader's thread. */
static void start_stalled_read(struct stalled *reader)
{
    char path[128];

    assert_true(dom0_write_str(guest_path(path, sizeof(path), "~/data/late"), "v"));
    daemon_stop();
    assert_int_equal(pthread_create(&reader->thread, NULL, read_stalled, reader), 0);
    for (int i = 0; i < 500 && stats().requests == 0; i++)
        usleep(1000);
    assert_int_equal(stats().requests, 1);
}

static void test_reconnection_and_requests_in_flight(void **state)
{
    struct stalled reader;
    struct reconnect reconnect;

    start_stalled_read(&reader);
    assert_int_equal(pthread_create(&reconnect.thread, NULL, reconnect_main, &reconnect), 0);
    if (offers_reconnection()) {
        pthread_join(reader.thread, NULL);
        assert_int_equal(reader.rc, -XEN_ENOTCONN); /* with the daemon still stopped */
        daemon_continue();
        pthread_join(reconnect.thread, NULL);
        assert_int_equal(reconnect.rc, 0);
    } else {
        pthread_join(reconnect.thread, NULL);
        assert_int_equal(reconnect.rc, -XEN_EOPNOTSUPP);
        daemon_continue();
        pthread_join(reader.thread, NULL);
        assert_int_equal(reader.rc, 0);
    }
    assert_usable();
}

/*
 * XENBUS disconnects the store (stop) while a request waits for a stopped
 * daemon: the client is shut down before the port closes, so the request
 * fails -XEN_ENOTCONN and nothing signals through the closed port (ASan
 * watches). Connected again, the daemon's late reply to it is dropped (it
 * names no request of the new client) and the store works.
 */
static void test_disconnect_with_a_request_waiting(void **state)
{
    struct stalled reader;

    start_stalled_read(&reader);
    store_glue_disconnect(xs);
    xs = NULL;
    pthread_join(reader.thread, NULL);
    assert_int_equal(reader.rc, -XEN_ENOTCONN);
    daemon_continue();
    assert_int_equal(store_glue_connect(&xs), 0);
    wait_for_unsolicited(1);
    assert_usable();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_features),
        cmocka_unit_test(test_timeout_then_the_late_reply_is_dropped),
        cmocka_unit_test(test_timeout_halfway_through_a_message),
        cmocka_unit_test(test_timeouts_of_several_waiters),
        cmocka_unit_test(test_reconnection_and_requests_in_flight),
        cmocka_unit_test(test_disconnect_with_a_request_waiting),
    };
    /* Last: without reconnection the ring it leaves is not to be trusted. */
    const struct CMUnitTest c_only[] = {
        cmocka_unit_test(test_broken_connection_stays_broken),
    };
    const struct CMUnitTest ocaml_only[] = {
        cmocka_unit_test(test_broken_connection_and_reconnection),
    };

    return run_on_each_daemon(tests, sizeof(tests) / sizeof(tests[0]), c_only,
                              sizeof(c_only) / sizeof(c_only[0]), ocaml_only,
                              sizeof(ocaml_only) / sizeof(ocaml_only[0]));
}
