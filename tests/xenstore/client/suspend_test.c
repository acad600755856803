/*
 * tests/xenstore/client/suspend_test.c - the client around a suspend of the
 * domain, against a daemon the test plays (fake_store): requests made
 * while suspended wait for the resume; a cancelled suspend goes on with the
 * same connection; after a restore, what the old connection left in the
 * reply ring (half a message) is dropped, the watches are registered again
 * on the new one, and a reply ring whose indices are impossible breaks the
 * connection instead of being read.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "fake_store.h"
#include "os.h"

static struct fake_store fs;
static struct xsd_sockmsg hdr;
static char payload[XENSTORE_PAYLOAD_MAX + 1];

static int setup(void **state)
{
    (void)state;
    fake_store_open(&fs);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    fake_store_close(&fs);
    return 0;
}

/* A read on a thread of its own, while the test plays the daemon. */
struct call {
    pthread_t thread;
    int rc;
    char *value;
};

static void *read_main(void *arg)
{
    struct call *c = arg;

    c->rc = xs_read(fs.client, XS_TX_NONE, "node", &c->value, NULL);
    return NULL;
}

static void call_start(struct call *c)
{
    assert_int_equal(pthread_create(&c->thread, NULL, read_main, c), 0);
}

static int call_end(struct call *c)
{
    pthread_join(c->thread, NULL);
    return c->rc;
}

/* Take a read and answer it with @value. */
static void answer_read(const char *value)
{
    assert_true(fake_store_take(&fs, &hdr, payload));
    assert_int_equal(hdr.type, XS_READ);
    fake_store_reply(&fs, XS_READ, hdr.req_id, value, strlen(value));
}

static void assert_read_works(const char *value)
{
    struct call c = {0};

    call_start(&c);
    answer_read(value);
    assert_int_equal(call_end(&c), 0);
    assert_string_equal(c.value, value);
    os_free(c.value);
}

static void test_a_request_waits_for_the_resume(void **state)
{
    struct call c = {0};
    XENSTORE_RING_IDX prod;

    (void)state;
    assert_int_equal(xs_client_suspend(fs.client), 0);
    prod = fs.intf->req_prod;
    call_start(&c);
    usleep(100000);
    assert_int_equal(fs.intf->req_prod, prod); /* nothing sent */
    assert_int_equal(xs_client_resume(fs.client, NULL), 0);
    answer_read("after");
    assert_int_equal(call_end(&c), 0);
    assert_string_equal(c.value, "after");
    os_free(c.value);
}

struct suspend_call {
    pthread_t thread;
    int rc;
    volatile int done;
};

static void *suspend_main(void *arg)
{
    struct suspend_call *s = arg;

    s->rc = xs_client_suspend(fs.client);
    __atomic_store_n(&s->done, 1, __ATOMIC_RELEASE);
    return NULL;
}

/* A request in flight is waited for: the suspend returns once it has its reply. */
static void test_suspend_waits_for_the_reply_in_flight(void **state)
{
    struct call c = {0};
    struct suspend_call s = {0};

    (void)state;
    call_start(&c);
    assert_true(fake_store_take(&fs, &hdr, payload));
    assert_int_equal(pthread_create(&s.thread, NULL, suspend_main, &s), 0);
    usleep(100000);
    assert_int_equal(__atomic_load_n(&s.done, __ATOMIC_ACQUIRE), 0);
    fake_store_reply(&fs, XS_READ, hdr.req_id, "answered", 8);
    pthread_join(s.thread, NULL);
    assert_int_equal(s.rc, 0);
    assert_int_equal(call_end(&c), 0);
    assert_string_equal(c.value, "answered");
    os_free(c.value);
    assert_int_equal(xs_client_resume(fs.client, NULL), 0);
}

/* No reply within the request timeout: the suspend gives up; the request goes on. */
static void test_suspend_gives_up_on_a_silent_daemon(void **state)
{
    struct call c = {0};

    (void)state;
    call_start(&c);
    assert_true(fake_store_take(&fs, &hdr, payload));
    xs_client_set_timeout(fs.client, 100ull * 1000 * 1000);
    assert_int_equal(xs_client_suspend(fs.client), -XEN_ETIMEDOUT);
    fake_store_reply(&fs, XS_READ, hdr.req_id, "late", 4);
    assert_int_equal(call_end(&c), 0);
    os_free(c.value);
    assert_int_equal(xs_client_resume(fs.client, NULL), 0);
    assert_read_works("again");
}

static int watch_fires;

static void count_fire(void *ctx, const char *path)
{
    (void)ctx;
    (void)path;
    __atomic_add_fetch(&watch_fires, 1, __ATOMIC_SEQ_CST);
}

struct watch_call {
    pthread_t thread;
    struct xs_watch *watch;
    int rc;
};

static void *watch_main(void *arg)
{
    struct watch_call *w = arg;

    w->rc = xs_watch_add(fs.client, "watched", count_fire, NULL, &w->watch);
    return NULL;
}

static void *unwatch_main(void *arg)
{
    struct watch_call *w = arg;

    xs_watch_remove(fs.client, w->watch);
    return NULL;
}

static void *resume_main(void *arg)
{
    struct watch_call *w = arg;

    w->rc = xs_client_resume(fs.client, fs.intf);
    return NULL;
}

/*
 * After a restore: half a message the old connection left is dropped (read
 * with the next reply it would break the stream), and the watch is sent
 * again on the new connection.
 */
static void test_restore_drops_leftovers_and_registers_watches_again(void **state)
{
    struct watch_call w = {0}, r = {0};
    char token[16];

    (void)state;
    assert_int_equal(pthread_create(&w.thread, NULL, watch_main, &w), 0);
    assert_true(fake_store_take(&fs, &hdr, payload));
    assert_int_equal(hdr.type, XS_WATCH);
    fake_store_reply(&fs, XS_WATCH, hdr.req_id, "OK", 3);
    pthread_join(w.thread, NULL);
    assert_int_equal(w.rc, 0);
    snprintf(token, sizeof(token), "%s", payload + strlen(payload) + 1);

    assert_int_equal(xs_client_suspend(fs.client), 0);
    /*
     * The old daemon began a watch event and never finished it: the client
     * took the first part off the ring, the rest is still there.
     */
    fake_store_put(&fs, "\x0f\x00\x00\x00\x00\x00", 6);
    fake_store_event(&fs);
    fake_store_put(&fs, "\x00\x00\x00\x00\x20\x00", 6);
    assert_int_equal(pthread_create(&r.thread, NULL, resume_main, &r), 0);
    assert_true(fake_store_take(&fs, &hdr, payload));
    assert_int_equal(hdr.type, XS_WATCH);
    assert_string_equal(payload, "watched");
    assert_string_equal(payload + strlen(payload) + 1, token);
    fake_store_reply(&fs, XS_WATCH, hdr.req_id, "OK", 3);
    pthread_join(r.thread, NULL);
    assert_int_equal(r.rc, 0);
    assert_false(xs_client_broken(fs.client));
    assert_read_works("new connection");
    assert_int_equal(pthread_create(&w.thread, NULL, unwatch_main, &w), 0);
    assert_true(fake_store_take(&fs, &hdr, payload));
    assert_int_equal(hdr.type, XS_UNWATCH);
    fake_store_reply(&fs, XS_UNWATCH, hdr.req_id, "OK", 3);
    pthread_join(w.thread, NULL);
}

/* The page after a restore claims more replies than the ring holds: broken, not read. */
static void test_restore_onto_impossible_indices_breaks(void **state)
{
    char *value;

    (void)state;
    assert_int_equal(xs_client_suspend(fs.client), 0);
    fs.intf->rsp_prod = fs.intf->rsp_cons + XENSTORE_RING_SIZE + 1;
    assert_int_equal(xs_client_resume(fs.client, fs.intf), 0);
    assert_true(xs_client_broken(fs.client));
    assert_int_equal(xs_read(fs.client, XS_TX_NONE, "node", &value, NULL), -XEN_EIO);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_a_request_waits_for_the_resume, setup, teardown),
        cmocka_unit_test_setup_teardown(test_suspend_waits_for_the_reply_in_flight, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_suspend_gives_up_on_a_silent_daemon, setup, teardown),
        cmocka_unit_test_setup_teardown(test_restore_drops_leftovers_and_registers_watches_again,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_restore_onto_impossible_indices_breaks, setup,
                                        teardown),
    };

    return cmocka_run_group_tests_name("xsclient suspend", tests, NULL, NULL);
}
