/*
 * tests/xenstore/ring_test.c - bytes through the xenstore shared page: the
 * test plays the daemon's side on a page of its own.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "os.h"
#include "xenstore/ring.h"

static struct xenstore_domain_interface *new_page(XENSTORE_RING_IDX start)
{
    struct xenstore_domain_interface *intf = test_calloc(1, sizeof(*intf));

    intf->req_prod = intf->req_cons = start;
    intf->rsp_prod = intf->rsp_cons = start;
    return intf;
}

/* The daemon's side: take @len request bytes. */
static void daemon_take(struct xenstore_domain_interface *intf, char *out, size_t len)
{
    for (size_t i = 0; i < len; i++)
        out[i] = intf->req[MASK_XENSTORE_IDX(intf->req_cons++)];
}

/* The daemon's side: reply with @len bytes. */
static void daemon_send(struct xenstore_domain_interface *intf, const char *data, size_t len)
{
    for (size_t i = 0; i < len; i++)
        intf->rsp[MASK_XENSTORE_IDX(intf->rsp_prod++)] = data[i];
}

static void test_put_fills_and_wraps(void **state)
{
    static char data[3000], seen[3000];
    struct xenstore_domain_interface *intf = new_page(UINT32_MAX - 100);
    size_t sent = 0, taken = 0;

    for (size_t i = 0; i < sizeof(data); i++)
        data[i] = (char)(i * 7);
    /* The ring holds XENSTORE_RING_SIZE; the daemon drains in odd amounts. */
    assert_int_equal(xs_ring_put(intf, data, sizeof(data)), XENSTORE_RING_SIZE);
    sent = XENSTORE_RING_SIZE;
    assert_int_equal(xs_ring_put(intf, data + sent, 1), 0); /* full */
    while (taken < sizeof(data)) {
        size_t n = sent - taken < 333 ? sent - taken : 333;
        int put;

        daemon_take(intf, seen + taken, n);
        taken += n;
        put = xs_ring_put(intf, data + sent, sizeof(data) - sent);
        assert_true(put >= 0);
        sent += (size_t)put;
    }
    assert_memory_equal(seen, data, sizeof(data));
    assert_true(intf->req_prod < 10000); /* the index wrapped */
    test_free(intf);
}

static void test_get_reads_what_arrived_in_order(void **state)
{
    struct xenstore_domain_interface *intf = new_page(UINT32_MAX - 5);
    char out[64];

    assert_int_equal(xs_ring_get(intf, out, sizeof(out)), 0); /* empty */
    daemon_send(intf, "hello, guest", 12);
    assert_int_equal(xs_ring_get(intf, out, 5), 5);
    assert_memory_equal(out, "hello", 5);
    assert_int_equal(xs_ring_get(intf, out, sizeof(out)), 7);
    assert_memory_equal(out, ", guest", 7);
    assert_int_equal(intf->rsp_cons, intf->rsp_prod);
    test_free(intf);
}

/* The daemon needs a word after we read only when it may have found the ring full. */
static void test_get_says_when_the_daemon_may_wait_for_room(void **state)
{
    static char data[XENSTORE_RING_SIZE], out[XENSTORE_RING_SIZE];
    struct xenstore_domain_interface *intf = new_page(UINT32_MAX - 10);
    XENSTORE_RING_IDX cons = intf->rsp_cons;

    daemon_send(intf, data, 100);
    assert_int_equal(xs_ring_get(intf, out, sizeof(out)), 100);
    assert_false(xs_ring_reply_was_full(intf, cons)); /* room all along */
    cons = intf->rsp_cons;
    daemon_send(intf, data, sizeof(data));
    assert_int_equal(xs_ring_get(intf, out, 10), 10);
    assert_true(xs_ring_reply_was_full(intf, cons)); /* it filled the ring, then stopped */
    /* It filled the ring again behind our read: that one counts too. */
    cons = intf->rsp_cons;
    assert_int_equal(xs_ring_get(intf, out, sizeof(out)), XENSTORE_RING_SIZE - 10);
    daemon_send(intf, data, 10);
    assert_true(xs_ring_reply_was_full(intf, cons));
    test_free(intf);
}

static void test_lying_indices_break_the_connection(void **state)
{
    struct xenstore_domain_interface *intf = new_page(0);
    char out[8];

    intf->rsp_prod = XENSTORE_RING_SIZE + 1; /* more than the ring holds */
    assert_int_equal(xs_ring_get(intf, out, sizeof(out)), -XEN_EOVERFLOW);
    assert_int_equal(intf->rsp_cons, 0); /* nothing consumed */
    intf->req_cons = 5;                  /* consumed bytes never produced */
    assert_int_equal(xs_ring_put(intf, "x", 1), -XEN_EOVERFLOW);
    assert_int_equal(intf->req_prod, 0);
    test_free(intf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_put_fills_and_wraps),
        cmocka_unit_test(test_get_reads_what_arrived_in_order),
        cmocka_unit_test(test_get_says_when_the_daemon_may_wait_for_room),
        cmocka_unit_test(test_lying_indices_break_the_connection),
    };

    return cmocka_run_group_tests_name("xenstore_ring", tests, NULL, NULL);
}
