/*
 * tests/xenbus/shutdown_test.c - control/shutdown as the toolstack uses it,
 * against both real xenstoreds, dom0 playing xl and XAPI: the guest
 * advertises what it carries out and withdraws it at stop; a request is
 * acknowledged (the key cleared) and handed over once; another while one
 * is carried out is acknowledged and ignored; a request waiting before the
 * guest starts is taken; garbage, requests the guest does not carry out
 * and a key removed mid-request are left alone and hand nothing over.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "support/xenstore/dom0.h"
#include "support/xenstore/fixture.h"
#include "xenbus/shutdown.h"

#define WAIT_MS 5000

struct handed_over {
    pthread_mutex_t lock;
    unsigned int count;
    enum xenbus_shutdown_request last;
};

static struct handed_over handed = {.lock = PTHREAD_MUTEX_INITIALIZER};

static void carry_out(void *ctx, enum xenbus_shutdown_request request)
{
    struct handed_over *h = ctx;

    pthread_mutex_lock(&h->lock);
    h->count++;
    h->last = request;
    pthread_mutex_unlock(&h->lock);
}

static unsigned int handed_count(void)
{
    unsigned int n;

    pthread_mutex_lock(&handed.lock);
    n = handed.count;
    pthread_mutex_unlock(&handed.lock);
    return n;
}

static struct xenbus_shutdown *start(unsigned int handled)
{
    struct xenbus_shutdown *shutdown;

    handed.count = 0;
    handed.last = 0;
    assert_int_equal(xenbus_shutdown_start(xs, handled, carry_out, &handed, &shutdown), 0);
    return shutdown;
}

/* The value of the guest's @node as dom0 reads it ("(none)" when absent). */
static char *node(const char *name, char *buf, size_t size)
{
    char path[128];
    char *value;

    guest_path(path, sizeof(path), "~/control/%s", name);
    value = dom0_read(path, NULL);
    snprintf(buf, size, "%s", value ? value : "(none)");
    free(value);
    return buf;
}

static void toolstack_asks(const void *value, unsigned int length)
{
    char path[128];

    guest_path(path, sizeof(path), "~/control/shutdown");
    assert_true(dom0_write(path, value, length));
}

static void toolstack_asks_str(const char *value)
{
    toolstack_asks(value, (unsigned int)strlen(value));
}

/* Wait until control/shutdown reads @want (the guest took the request, or left it). */
static bool shutdown_key_becomes(const char *want)
{
    char value[64];

    for (int waited = 0; waited < WAIT_MS; waited += 5) {
        if (strcmp(node("shutdown", value, sizeof(value)), want) == 0)
            return true;
        usleep(5000);
    }
    return false;
}

static void wait_handed(unsigned int count)
{
    for (int waited = 0; waited < WAIT_MS && handed_count() < count; waited += 5)
        usleep(5000);
    assert_int_equal(handed_count(), count);
}

/* Long enough for a watch event to have been served, were one coming. */
static void settle(void)
{
    usleep(200000);
}

static void test_advertises_what_it_carries_out_and_withdraws_at_stop(void **state)
{
    struct xenbus_shutdown *shutdown =
        start(XENBUS_SHUTDOWN_POWEROFF | XENBUS_SHUTDOWN_REBOOT | XENBUS_SHUTDOWN_HALT);
    char value[64];

    assert_string_equal(node("feature-poweroff", value, sizeof(value)), "1");
    assert_string_equal(node("feature-reboot", value, sizeof(value)), "1");
    /* Not carried out: left as the toolstack made it. */
    assert_string_equal(node("feature-suspend", value, sizeof(value)), "");
    assert_string_equal(node("feature-s3", value, sizeof(value)), "");
    xenbus_shutdown_stop(shutdown);
    assert_string_equal(node("feature-poweroff", value, sizeof(value)), "0");
    assert_string_equal(node("feature-reboot", value, sizeof(value)), "0");
    assert_string_equal(node("feature-suspend", value, sizeof(value)), "");
}

/*
 * What is offered follows the OS side (a user-mode agent coming and going):
 * withdrawn is "0", offered "1", and a request left while it was not
 * carried out is taken once it is.
 */
static void test_the_offer_changes_and_a_waiting_request_is_taken(void **state)
{
    struct xenbus_shutdown *shutdown = start(XENBUS_SHUTDOWN_SUSPEND);
    char value[64];

    toolstack_asks_str("reboot");
    settle();
    assert_string_equal(node("shutdown", value, sizeof(value)), "reboot");
    assert_int_equal(handed_count(), 0);
    assert_int_equal(xenbus_shutdown_offer(shutdown, XENBUS_SHUTDOWN_SUSPEND |
                                                         XENBUS_SHUTDOWN_POWEROFF |
                                                         XENBUS_SHUTDOWN_REBOOT),
                     0);
    assert_string_equal(node("feature-poweroff", value, sizeof(value)), "1");
    assert_string_equal(node("feature-reboot", value, sizeof(value)), "1");
    assert_true(shutdown_key_becomes(""));
    wait_handed(1);
    assert_int_equal(handed.last, XENBUS_SHUTDOWN_REBOOT);
    xenbus_shutdown_done(shutdown);
    assert_int_equal(xenbus_shutdown_offer(shutdown, XENBUS_SHUTDOWN_SUSPEND), 0);
    assert_string_equal(node("feature-poweroff", value, sizeof(value)), "0");
    assert_string_equal(node("feature-reboot", value, sizeof(value)), "0");
    assert_string_equal(node("feature-suspend", value, sizeof(value)), "1");
    toolstack_asks_str("poweroff");
    settle();
    assert_string_equal(node("shutdown", value, sizeof(value)), "poweroff");
    assert_int_equal(handed_count(), 1);
    /* Nothing offered (Windows shuts down): suspend withdrawn too. */
    assert_int_equal(xenbus_shutdown_offer(shutdown, 0), 0);
    assert_string_equal(node("feature-suspend", value, sizeof(value)), "0");
    xenbus_shutdown_stop(shutdown);
}

static void test_a_request_is_taken_and_handed_over_once(void **state)
{
    struct xenbus_shutdown *shutdown = start(XENBUS_SHUTDOWN_POWEROFF | XENBUS_SHUTDOWN_REBOOT);

    toolstack_asks_str("poweroff");
    assert_true(shutdown_key_becomes(""));
    wait_handed(1);
    assert_int_equal(handed.last, XENBUS_SHUTDOWN_POWEROFF);
    /* Asked again while it is carried out: acknowledged, not handed over. */
    toolstack_asks_str("reboot");
    assert_true(shutdown_key_becomes(""));
    settle();
    assert_int_equal(handed_count(), 1);
    /* Done with: the next is handed over. */
    xenbus_shutdown_done(shutdown);
    toolstack_asks_str("reboot");
    assert_true(shutdown_key_becomes(""));
    wait_handed(2);
    assert_int_equal(handed.last, XENBUS_SHUTDOWN_REBOOT);
    xenbus_shutdown_stop(shutdown);
}

static void test_a_value_written_twice_is_one_request(void **state)
{
    struct xenbus_shutdown *shutdown = start(XENBUS_SHUTDOWN_REBOOT);

    toolstack_asks_str("reboot");
    toolstack_asks_str("reboot");
    assert_true(shutdown_key_becomes(""));
    settle();
    assert_int_equal(handed_count(), 1);
    xenbus_shutdown_stop(shutdown);
}

/* XAPI's clean shutdown is "halt". */
static void test_halt_is_taken_as_xapi_writes_it(void **state)
{
    struct xenbus_shutdown *shutdown = start(XENBUS_SHUTDOWN_POWEROFF | XENBUS_SHUTDOWN_HALT);

    toolstack_asks_str("halt");
    assert_true(shutdown_key_becomes(""));
    wait_handed(1);
    assert_int_equal(handed.last, XENBUS_SHUTDOWN_HALT);
    xenbus_shutdown_stop(shutdown);
}

static void test_a_request_waiting_at_start_is_taken(void **state)
{
    struct xenbus_shutdown *shutdown;

    toolstack_asks_str("poweroff");
    shutdown = start(XENBUS_SHUTDOWN_POWEROFF);
    assert_true(shutdown_key_becomes(""));
    wait_handed(1);
    xenbus_shutdown_stop(shutdown);
}

/* Garbage, and requests this guest does not carry out, are the toolstack's to see again. */
static void test_what_is_no_request_is_left_alone(void **state)
{
    static const char garbage[] = {'p', 'o', 'w', 'e', 'r', 0, 'o', 'f', 'f', '\xff'};
    struct xenbus_shutdown *shutdown = start(XENBUS_SHUTDOWN_POWEROFF);
    char value[64];

    toolstack_asks(garbage, sizeof(garbage));
    settle();
    toolstack_asks_str("POWEROFF");
    settle();
    assert_string_equal(node("shutdown", value, sizeof(value)), "POWEROFF");
    toolstack_asks_str("poweroff now");
    settle();
    assert_string_equal(node("shutdown", value, sizeof(value)), "poweroff now");
    /* Not carried out here: left, not acknowledged. */
    toolstack_asks_str("suspend");
    settle();
    assert_string_equal(node("shutdown", value, sizeof(value)), "suspend");
    assert_int_equal(handed_count(), 0);
    /* A request after all that is still taken. */
    toolstack_asks_str("poweroff");
    assert_true(shutdown_key_becomes(""));
    wait_handed(1);
    xenbus_shutdown_stop(shutdown);
}

/*
 * The key removed mid-request hands nothing over; made again without the
 * guest's permission to write it, a request cannot be acknowledged, so it
 * is not carried out either; given back as the toolstack makes it, requests
 * are taken again.
 */
static void test_the_key_removed_or_unwritable_hands_nothing_over(void **state)
{
    struct dom0_perm guest_owns[] = {{guest_domid(), 'n'}};
    struct xenbus_shutdown *shutdown = start(XENBUS_SHUTDOWN_REBOOT);
    char path[128], value[64];

    guest_path(path, sizeof(path), "~/control/shutdown");
    toolstack_asks_str("suspend"); /* not carried out: stays */
    assert_true(dom0_rm(path));
    settle();
    toolstack_asks_str("reboot"); /* a node of dom0's now, under a control/ the guest only reads */
    settle();
    assert_string_equal(node("shutdown", value, sizeof(value)), "reboot");
    assert_int_equal(handed_count(), 0);
    assert_true(dom0_set_perms(path, guest_owns, 1));
    toolstack_asks_str("reboot");
    assert_true(shutdown_key_becomes(""));
    wait_handed(1);
    xenbus_shutdown_stop(shutdown);
}

static int clear_request(void **state)
{
    char path[128];

    guest_path(path, sizeof(path), "~/control/shutdown");
    return dom0_write_str(path, "") ? 0 : -1;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_advertises_what_it_carries_out_and_withdraws_at_stop,
                                  clear_request),
        cmocka_unit_test_teardown(test_the_offer_changes_and_a_waiting_request_is_taken,
                                  clear_request),
        cmocka_unit_test_teardown(test_a_request_is_taken_and_handed_over_once, clear_request),
        cmocka_unit_test_teardown(test_a_value_written_twice_is_one_request, clear_request),
        cmocka_unit_test_teardown(test_halt_is_taken_as_xapi_writes_it, clear_request),
        cmocka_unit_test_teardown(test_a_request_waiting_at_start_is_taken, clear_request),
        cmocka_unit_test_teardown(test_what_is_no_request_is_left_alone, clear_request),
        cmocka_unit_test_teardown(test_the_key_removed_or_unwritable_hands_nothing_over,
                                  clear_request),
    };

    return run_on_both_daemons(tests, sizeof(tests) / sizeof(tests[0]));
}
