/*
 * tests/sim/nt/xenbus_console_test.c - xenbus.sys in the simulated kernel
 * with Debian's xenconsoled running: what the driver logs shows in
 * xenconsoled's log of the guest's console, one line each, from the
 * moment it loads, also what it logs from a store watch; after a migration the console comes back in the
 * new domain (its log there says so), and after a cancelled suspend in the
 * same one.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "ntsim_fixture.h"

static struct ntsim_run run;

static void start(void)
{
    const char *args[] = {"--sequence", "start,serve,remove", NULL};

    ntsim_start(&run, "xenbus.sys", args);
    ntsim_require_nth(&run, "pnp: start: done", 1, 20000);
}

static void stop_clean(void)
{
    ntsim_stop(&run);
    assert_int_equal(run.exit_status, 0);
    ntsim_assert_contains(run.out, "xenbus.sys removed\n");
    assert_null(strstr(run.log, "leaked"));
}

/* Fails the test unless the console log of @domid shows @text within 10 s. */
static void require_on_console(uint32_t domid, const char *text)
{
    if (ntsim_console_wait_for(&run, domid, text, 10000))
        return;
    ntsim_stop(&run); /* its log shown with the test's output */
    fail_msg("\"%s\" not in xenconsoled's log of domain %u:\n%s", text, domid, run.console);
}

static void test_its_log_lines_show_in_xenconsoled_log(void **state)
{
    char line[96];

    start();
    snprintf(line, sizeof(line), "xenbus: xenstore connected, domain %u\n", run.domid);
    require_on_console(run.domid, line);
    /* Logged as it binds, before the console runs: kept for it. */
    ntsim_assert_contains(run.console, "xenbus: loaded\n");
    ntsim_assert_contains(run.console, "xenbus: Xen 4.17\n");
    ntsim_assert_contains(run.console, "gnttab: up to"); /* logged while the services start */
    ntsim_assert_contains(run.console, "balloon: started");
    assert_int_equal(ntsim_count(run.console, "xenstore connected"), 1);
    ntsim_device_add(&run, "vbd", 51712);
    require_on_console(run.domid, "xenbus: device/vbd/51712 appeared\n");
    stop_clean();
}

static void request_suspend(void)
{
    ntsim_store_write(&run, "control/shutdown", "suspend");
    ntsim_wait_suspended(&run);
}

static void test_after_a_migration_the_console_comes_back(void **state)
{
    char line[96];
    uint32_t old;

    start();
    old = run.domid;
    request_suspend();
    ntsim_domain_migrate(&run);
    assert_true(run.domid != old);
    snprintf(line, sizeof(line), "xenbus: suspend: restored in domain %u\n", run.domid);
    require_on_console(run.domid, line);
    stop_clean();
}

static void test_after_a_cancelled_suspend_the_console_goes_on(void **state)
{
    start();
    request_suspend();
    ntsim_domain_cancel_suspend(&run);
    require_on_console(run.domid, "xenbus: suspend: cancelled, going on in place\n");
    stop_clean();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_its_log_lines_show_in_xenconsoled_log),
        cmocka_unit_test(test_after_a_migration_the_console_comes_back),
        cmocka_unit_test(test_after_a_cancelled_suspend_the_console_goes_on),
    };

    return cmocka_run_group_tests(tests, ntsim_fixture_setup_with_console, ntsim_fixture_teardown);
}
