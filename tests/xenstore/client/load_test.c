/*
 * tests/xenstore/client/load_test.c - the client under load against the real
 * xenstoreds: several threads at once writing and reading values of up to
 * a full payload, so both 1 KiB rings wrap thousands of times with
 * messages split across the wrap, and many small requests in flight at
 * once. Every value read back is the one written.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "support/xenstore/dom0.h"
#include "support/xenstore/fixture.h"
#include "os.h"
#include "support/xenstore/store_glue.h"
#include "xenstore/client.h"

#define BIG_THREADS   4
#define BIG_ROUNDS    60
#define SMALL_THREADS 16
#define SMALL_ROUNDS  200

struct worker {
    pthread_t thread;
    unsigned int id;
    atomic_uint *failures;
};

/* Bytes of value @round of thread @id, @len long: different for each. */
static void fill(char *buf, size_t len, unsigned int id, unsigned int round)
{
    for (size_t i = 0; i < len; i++)
        buf[i] = (char)(33 + (i * 7 + id * 13 + round * 31) % 90);
}

static void *big_values(void *arg)
{
    struct worker *w = arg;
    static _Thread_local char value[XENSTORE_PAYLOAD_MAX];
    char path[128], *got;
    size_t got_len;

    guest_path(path, sizeof(path), "~/data/load/big%u", w->id);
    for (unsigned int round = 0; round < BIG_ROUNDS; round++) {
        /* Lengths move about, so message edges fall anywhere in the ring. */
        size_t len = XENSTORE_PAYLOAD_MAX - (strlen(path) + 1) - (round * 97 + w->id * 11) % 3000;

        fill(value, len, w->id, round);
        if (xs_write(xs, XS_TX_NONE, path, value, len) != 0 ||
            xs_read(xs, XS_TX_NONE, path, &got, &got_len) != 0) {
            atomic_fetch_add(w->failures, 1);
            continue;
        }
        if (got_len != len || memcmp(got, value, len) != 0)
            atomic_fetch_add(w->failures, 1);
        os_free(got);
    }
    return NULL;
}

static void *small_values(void *arg)
{
    struct worker *w = arg;
    char path[128], value[32], *got;

    guest_path(path, sizeof(path), "~/data/load/small%u", w->id);
    for (unsigned int round = 0; round < SMALL_ROUNDS; round++) {
        snprintf(value, sizeof(value), "%u.%u", w->id, round);
        if (xs_write_str(xs, XS_TX_NONE, path, value) != 0 ||
            xs_read(xs, XS_TX_NONE, path, &got, NULL) != 0) {
            atomic_fetch_add(w->failures, 1);
            continue;
        }
        if (strcmp(got, value) != 0)
            atomic_fetch_add(w->failures, 1);
        os_free(got);
    }
    return NULL;
}

static void run_workers(void *(*fn)(void *), unsigned int count)
{
    struct worker workers[SMALL_THREADS];
    atomic_uint failures = 0;

    assert_true(count <= SMALL_THREADS);
    for (unsigned int i = 0; i < count; i++) {
        workers[i] = (struct worker){.id = i, .failures = &failures};
        assert_int_equal(pthread_create(&workers[i].thread, NULL, fn, &workers[i]), 0);
    }
    for (unsigned int i = 0; i < count; i++)
        pthread_join(workers[i].thread, NULL);
    assert_int_equal(atomic_load(&failures), 0);
}

static void test_large_values_from_several_threads_wrap_the_rings(void **state)
{
    struct xenstore_domain_interface *intf = store_glue_page();
    uint32_t req_before = intf->req_prod, rsp_before = intf->rsp_prod;
    struct xs_client_stats stats;

    run_workers(big_values, BIG_THREADS);
    /* Each ring went round (at least) this often: requests, then replies. */
    assert_true((intf->req_prod - req_before) / XENSTORE_RING_SIZE > BIG_THREADS * BIG_ROUNDS);
    assert_true((intf->rsp_prod - rsp_before) / XENSTORE_RING_SIZE > BIG_THREADS * BIG_ROUNDS);
    xs_client_get_stats(xs, &stats);
    assert_int_equal(stats.requests, 2 * BIG_THREADS * BIG_ROUNDS);
    assert_int_equal(stats.replies, stats.requests);
    assert_int_equal(stats.errors + stats.unsolicited + stats.timeouts, 0);
    assert_false(xs_client_broken(xs));
}

static void test_many_small_requests_in_flight(void **state)
{
    struct xs_client_stats stats;
    char path[128], last[32];
    unsigned int len;
    char *value;

    run_workers(small_values, SMALL_THREADS);
    xs_client_get_stats(xs, &stats);
    assert_int_equal(stats.replies, 2 * SMALL_THREADS * SMALL_ROUNDS);
    /* dom0 sees each thread's last value. */
    guest_path(path, sizeof(path), "~/data/load/small%u", SMALL_THREADS - 1);
    value = dom0_read(path, &len);
    assert_non_null(value);
    snprintf(last, sizeof(last), "%u.%u", SMALL_THREADS - 1, SMALL_ROUNDS - 1);
    assert_string_equal(value, last);
    free(value);
    assert_int_equal(xs_rm(xs, XS_TX_NONE, "data/load"), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_large_values_from_several_threads_wrap_the_rings),
        cmocka_unit_test(test_many_small_requests_in_flight),
    };

    return run_on_both_daemons(tests, sizeof(tests) / sizeof(tests[0]));
}
