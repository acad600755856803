/*
 * tests/xenstore/client/tx_test.c - transactions of the client against the real
 * xenstoreds, with dom0 (libxenstore) changing the same nodes in between:
 * commit, abandon, conflicts both ways (also with the xenstore-write
 * tool as the other writer), and xs_transact's retries.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <cmocka.h>

#include "support/xenstore/dom0.h"
#include "support/xenstore/fixture.h"
#include "os.h"
#include "xenstore/client.h"

static char counter[128]; /* a node the tests fight over */

static unsigned int dom0_number(const char *path)
{
    char *value = dom0_read(path, NULL);
    unsigned int n;

    assert_non_null(value);
    n = (unsigned int)strtoul(value, NULL, 10);
    free(value);
    return n;
}

static void dom0_set_number(const char *path, unsigned int n)
{
    char text[16];

    snprintf(text, sizeof(text), "%u", n);
    assert_true(dom0_write_str(path, text));
}

/* The counter, written by dom0. */
static void counter_starts_at(unsigned int n)
{
    guest_path(counter, sizeof(counter), "~/data/counter");
    dom0_set_number(counter, n);
}

static void test_commit_shows_all_at_once(void **state)
{
    char a[128], b[128], *value;
    xs_tx_t tx;

    guest_path(a, sizeof(a), "~/data/tx/a");
    guest_path(b, sizeof(b), "~/data/tx/b");
    assert_int_equal(xs_tx_start(xs, &tx), 0);
    assert_int_not_equal(tx, XS_TX_NONE);
    assert_int_equal(xs_write_str(xs, tx, a, "1"), 0);
    assert_int_equal(xs_write_str(xs, tx, b, "2"), 0);
    /* Seen inside the transaction, not outside it yet. */
    assert_int_equal(xs_read(xs, tx, a, &value, NULL), 0);
    assert_string_equal(value, "1");
    os_free(value);
    assert_null(dom0_read(a, NULL));
    assert_int_equal(xs_read(xs, XS_TX_NONE, b, &value, NULL), -XEN_ENOENT);
    assert_int_equal(xs_tx_end(xs, tx, true), 0);
    assert_int_equal(dom0_number(a), 1);
    assert_int_equal(dom0_number(b), 2);
}

static void test_abandon_leaves_nothing(void **state)
{
    char path[128];
    xs_tx_t tx;

    guest_path(path, sizeof(path), "~/data/tx/abandoned");
    assert_int_equal(xs_tx_start(xs, &tx), 0);
    assert_int_equal(xs_write_str(xs, tx, path, "x"), 0);
    assert_int_equal(xs_tx_end(xs, tx, false), 0);
    assert_null(dom0_read(path, NULL));
    /* The id is gone with it. */
    assert_int_not_equal(xs_write_str(xs, tx, path, "x"), 0);
}

static void test_dom0_write_mid_transaction_is_eagain(void **state)
{
    char *value;
    xs_tx_t tx;

    counter_starts_at(10);
    assert_int_equal(xs_tx_start(xs, &tx), 0);
    assert_int_equal(xs_read(xs, tx, counter, &value, NULL), 0);
    assert_string_equal(value, "10");
    os_free(value);
    assert_int_equal(xs_write_str(xs, tx, counter, "11"), 0);
    dom0_set_number(counter, 20); /* someone else was faster */
    assert_int_equal(xs_tx_end(xs, tx, true), -XEN_EAGAIN);
    assert_int_equal(dom0_number(counter), 20);
}

/* Run a xenstore-* tool (xenstore_start pointed them at our xenstored); its exit status. */
static int run_tool(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int run_tool(const char *fmt, ...)
{
    char cmd[512];
    va_list args;
    int status;

    va_start(args, fmt);
    vsnprintf(cmd, sizeof(cmd), fmt, args);
    va_end(args);
    status = system(cmd);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void test_tool_write_mid_transaction_is_eagain(void **state)
{
    char *value, out[64] = "";
    xs_tx_t tx;
    FILE *p;

    counter_starts_at(7);
    assert_int_equal(xs_tx_start(xs, &tx), 0);
    assert_int_equal(xs_read(xs, tx, counter, &value, NULL), 0);
    os_free(value);
    assert_int_equal(xs_write_str(xs, tx, counter, "8"), 0);
    assert_int_equal(run_tool("xenstore-write %s 70", counter), 0);
    assert_int_equal(xs_tx_end(xs, tx, true), -XEN_EAGAIN);
    snprintf(out, sizeof(out), "xenstore-read %s", counter);
    p = popen(out, "r");
    assert_non_null(p);
    assert_non_null(fgets(out, sizeof(out), p));
    pclose(p);
    assert_string_equal(out, "70\n");
}

static void test_guest_write_fails_dom0_transaction(void **state)
{
    uint32_t tx;
    char *value;

    counter_starts_at(1);
    tx = dom0_tx_start();
    assert_int_not_equal(tx, 0);
    /* Read, then written: oxenstored lets a transaction that only wrote merge. */
    value = dom0_tx_read(tx, counter);
    assert_non_null(value);
    assert_string_equal(value, "1");
    free(value);
    assert_true(dom0_tx_write(tx, counter, "2"));
    assert_int_equal(xs_write_str(xs, XS_TX_NONE, counter, "3"), 0);
    assert_false(dom0_tx_end(tx, false));
    assert_int_equal(dom0_errno(), 11 /* EAGAIN */);
    assert_int_equal(dom0_number(counter), 3);
}

struct increment {
    unsigned int attempts;
    unsigned int conflicts; /* attempts in which dom0 writes in between */
};

/* Read the counter, let dom0 get in the way if asked, write it plus one. */
static int increment(struct xs_client *client, xs_tx_t tx, void *ctx)
{
    struct increment *inc = ctx;
    char *value, text[16];
    int rc = xs_read(client, tx, counter, &value, NULL);

    if (rc)
        return rc;
    snprintf(text, sizeof(text), "%lu", strtoul(value, NULL, 10) + 1);
    os_free(value);
    if (inc->attempts++ < inc->conflicts)
        dom0_set_number(counter, 100 * inc->attempts);
    return xs_write_str(client, tx, counter, text);
}

static void test_transact_retries_after_a_conflict(void **state)
{
    struct increment inc = {.conflicts = 2};

    counter_starts_at(5);
    assert_int_equal(xs_transact(xs, increment, &inc, 5), 0);
    assert_int_equal(inc.attempts, 3);
    /* The last attempt read what dom0 wrote in the second. */
    assert_int_equal(dom0_number(counter), 201);
}

static void test_transact_gives_up_after_max_attempts(void **state)
{
    struct increment inc = {.conflicts = 100};

    counter_starts_at(5);
    assert_int_equal(xs_transact(xs, increment, &inc, 3), -XEN_EAGAIN);
    assert_int_equal(inc.attempts, 3);
    assert_int_equal(dom0_number(counter), 300);
}

static int write_then_fail(struct xs_client *client, xs_tx_t tx, void *ctx)
{
    int rc = xs_write_str(client, tx, counter, "written by a failed body");
    char *value;

    assert_int_equal(rc, 0);
    return xs_read(client, tx, "data/tx/missing", &value, NULL);
}

static void test_transact_body_failure_abandons(void **state)
{
    counter_starts_at(7);
    assert_int_equal(xs_transact(xs, write_then_fail, NULL, 3), -XEN_ENOENT);
    assert_int_equal(dom0_number(counter), 7);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_commit_shows_all_at_once),
        cmocka_unit_test(test_abandon_leaves_nothing),
        cmocka_unit_test(test_dom0_write_mid_transaction_is_eagain),
        cmocka_unit_test(test_tool_write_mid_transaction_is_eagain),
        cmocka_unit_test(test_guest_write_fails_dom0_transaction),
        cmocka_unit_test(test_transact_retries_after_a_conflict),
        cmocka_unit_test(test_transact_gives_up_after_max_attempts),
        cmocka_unit_test(test_transact_body_failure_abandons),
    };

    return run_on_both_daemons(tests, sizeof(tests) / sizeof(tests[0]));
}
