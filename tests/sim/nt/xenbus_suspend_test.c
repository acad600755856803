/*
 * tests/sim/nt/xenbus_suspend_test.c - xenbus.sys in the simulated kernel
 * (two vCPUs) suspended by the toolstack: it advertises
 * control/feature-suspend (and neither power-off nor reboot, which it does
 * not carry out), takes control/shutdown "suspend", and the domain shuts
 * down with reason suspend. Saved and restored as a new domain, it carries
 * on there: its log says so, the feature is advertised in the new tree, a
 * device the toolstack adds there becomes a child, and what it holds of
 * Xen (ports, grant frames, grants) is what it held before. A cancelled
 * suspend goes on in place; cycles of both leave nothing behind; a removal
 * asked while the domain is suspended waits for the suspend to end. A
 * child driver's SUSPEND callbacks run around each suspend, and it
 * reconnects in the new domain.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "ntsim_fixture.h"
#include "proto.h"

#define CYCLES    5
#define VIF_CHILD "pnp: new child XENBUS\\VEN_" WINPV_VENDOR_PREFIX "&DEV_VIF\\0"

static struct ntsim_run run;

/* Whether the domain's @node holds @value within 5 s. */
static bool store_shows(const char *node, const char *value)
{
    for (int i = 0; i < 500; i++) {
        if (ntsim_store_has(&run, node)) {
            char *now = ntsim_store_read(&run, node);
            bool same = strcmp(now, value) == 0;

            free(now);
            if (same)
                return true;
        }
        usleep(10000);
    }
    return false;
}

/* xenbus.sys serving on @vcpus vCPUs ("2": the fixture's other tests). */
static void start_on(const char *vcpus)
{
    const char *args[] = {"--sequence", "start,serve,remove", "--vcpus", vcpus, NULL};

    ntsim_start(&run, "xenbus.sys", args);
    ntsim_require_nth(&run, "pnp: start: done", 1, 20000);
    assert_true(store_shows("control/feature-suspend", "1"));
}

static void start(void)
{
    start_on("2");
}

/* The toolstack asks for a suspend; the guest takes the request and suspends. */
static void request_suspend(void)
{
    ntsim_store_write(&run, "control/shutdown", "suspend");
    ntsim_wait_suspended(&run);
    /* Taken: the request cleared, as the toolstack watches for. */
    assert_true(store_shows("control/shutdown", ""));
}

/* Moved to a new domain, the @nth time: the kernel says it carried on there. */
static void migrate(unsigned int nth)
{
    char line[96];

    ntsim_domain_migrate(&run);
    snprintf(line, sizeof(line), "winpv: xenbus: suspend: restored in domain %u\n", run.domid);
    ntsim_require_nth(&run, line, 1, 20000);
    ntsim_require_nth(&run, "xenbus: suspend: restored in domain", nth, 1000);
    assert_true(store_shows("control/feature-suspend", "1"));
}

/* What the guest holds of Xen is what it held in @before (its RAM given to Xen aside). */
static void assert_holds_as_before(const struct sim_domain_info *before)
{
    struct sim_domain_info now;

    ntsim_domain_info(&run, &now);
    assert_int_equal(now.ports_open, before->ports_open);
    assert_int_equal(now.grant_frames_shown, before->grant_frames_shown);
    assert_int_equal(now.grants_active, before->grants_active);
    assert_true(now.shared_info_gfn == before->shared_info_gfn);
}

/* Asked to stop, the kernel removes everything and leaves nothing. */
static void stop_clean(void)
{
    ntsim_stop(&run);
    assert_int_equal(run.exit_status, 0);
    ntsim_assert_contains(run.out, "xenbus.sys removed\n");
    assert_null(strstr(run.log, "leaked"));
    assert_null(strstr(run.log, "suspend: failed"));
}

static void test_only_suspend_is_advertised(void **state)
{
    start();
    assert_false(store_shows("control/feature-poweroff", "1"));
    assert_false(store_shows("control/feature-reboot", "1"));
    stop_clean();
}

static void test_restored_as_a_new_domain_it_carries_on(void **state)
{
    struct sim_domain_info before;
    uint32_t old;

    start();
    ntsim_device_add(&run, "vbd", 51712);
    ntsim_require_nth(&run, "xenbus: device/vbd/51712 appeared", 1, 5000);
    ntsim_domain_info(&run, &before);
    old = run.domid;
    request_suspend();
    ntsim_require_nth(&run, "xenbus: the toolstack requests suspend", 1, 1000);
    migrate(1);
    assert_true(run.domid != old);
    /* The store works in the new domain: a device given there becomes a child. */
    ntsim_device_add(&run, "vif", 0);
    ntsim_require_nth(&run, VIF_CHILD, 1, 5000);
    assert_holds_as_before(&before);
    stop_clean();
}

/* With one processor there is nothing to hold: the suspend goes straight to the hypercall. */
static void test_one_processor_migrates_too(void **state)
{
    struct sim_domain_info before;

    start_on("1");
    ntsim_domain_info(&run, &before);
    request_suspend();
    migrate(1);
    ntsim_device_add(&run, "vif", 0);
    ntsim_require_nth(&run, VIF_CHILD, 1, 5000);
    assert_holds_as_before(&before);
    stop_clean();
}

static void test_a_cancelled_suspend_goes_on_in_place(void **state)
{
    struct sim_domain_info before;
    uint32_t domid;

    start();
    ntsim_domain_info(&run, &before);
    domid = run.domid;
    request_suspend();
    ntsim_domain_cancel_suspend(&run);
    ntsim_require_nth(&run, "xenbus: suspend: cancelled, going on in place", 1, 20000);
    assert_int_equal(run.domid, domid);
    ntsim_device_add(&run, "vif", 0);
    ntsim_require_nth(&run, VIF_CHILD, 1, 5000);
    assert_holds_as_before(&before);
    /* Requests are taken again. */
    request_suspend();
    ntsim_domain_cancel_suspend(&run);
    ntsim_require_nth(&run, "xenbus: suspend: cancelled, going on in place", 2, 20000);
    stop_clean();
}

static void test_cycles_leave_nothing_behind(void **state)
{
    struct sim_domain_info before;
    char node[64];

    start();
    ntsim_domain_info(&run, &before);
    for (unsigned int i = 1; i <= CYCLES; i++) {
        request_suspend();
        migrate(i);
        request_suspend();
        ntsim_domain_cancel_suspend(&run);
        ntsim_require_nth(&run, "xenbus: suspend: cancelled, going on in place", i, 20000);
        /* The guest still writes its own nodes. */
        ntsim_device_add(&run, "vbd", 51712 + 16 * i);
        snprintf(node, sizeof(node), "xenbus: device/vbd/%u appeared", 51712 + 16 * i);
        ntsim_require_nth(&run, node, 1, 5000);
        assert_holds_as_before(&before);
    }
    stop_clean();
}

/*
 * The test child driver, bound by its INF, registered SUSPEND callbacks:
 * early and late run once per suspend, told whether it was cancelled; in
 * a new domain it shares a port and a page with dom0 again (the new
 * domain's table holds its grant), cancelled it keeps what it had.
 */
static void test_a_child_driver_is_told_and_reconnects(void **state)
{
    const char *args[] = {"--sequence", "start,serve,remove", NULL};
    struct sim_domain_info before, now;

    ntsim_start(&run, NULL, args);
    ntsim_require_nth(&run, "child: port and grant published: 0\n", 1, 20000);
    ntsim_require_nth(&run, "child: SUSPEND v1: 0\n", 1, 1000);
    ntsim_domain_info(&run, &before);
    assert_int_equal(before.grants_active, 1);
    request_suspend();
    ntsim_require_nth(&run, "child: suspend: early\n", 1, 5000);
    migrate(1);
    ntsim_require_nth(&run, "child: suspend: late, cancelled 0, restored 1 time(s)\n", 1, 5000);
    ntsim_require_nth(&run, "child: shared again: 0\n", 1, 5000);
    ntsim_require_nth(&run, "child: port and grant published: 0\n", 2, 1000);
    ntsim_domain_info(&run, &now);
    assert_int_equal(now.grants_active, 1);
    assert_int_equal(now.ports_open, before.ports_open);
    /* Cancelled: told so, and nothing shared again. */
    request_suspend();
    ntsim_domain_cancel_suspend(&run);
    ntsim_require_nth(&run, "child: suspend: late, cancelled 1, restored 1 time(s)\n", 1, 5000);
    assert_false(ntsim_wait_for_nth(&run, "child: port and grant published: 0\n", 3, 300));
    assert_int_equal(ntsim_count(run.log, "child: suspend: early\n"), 2);
    stop_clean();
    ntsim_assert_contains(run.log, "child: unloaded\n");
}

/* REMOVE asked while the domain is suspended waits for the suspend, then gives everything back. */
static void test_removal_waits_for_a_suspend_in_flight(void **state)
{
    start();
    request_suspend();
    assert_int_equal(kill(run.pid, SIGTERM), 0); /* the serve step ends: remove */
    /* Removal does not get far while the suspend waits for the toolstack. */
    assert_false(ntsim_wait_for(&run, "pnp: remove: done", 500));
    ntsim_domain_migrate(&run);
    ntsim_require_nth(&run, "xenbus: suspend: restored in domain", 1, 20000);
    ntsim_finish(&run);
    assert_int_equal(run.exit_status, 0);
    assert_true(strstr(run.log, "xenbus: suspend: restored in domain") <
                strstr(run.log, "pnp: remove: done"));
    ntsim_assert_contains(run.out, "xenbus.sys removed\n");
    assert_null(strstr(run.log, "leaked"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_only_suspend_is_advertised),
        cmocka_unit_test(test_restored_as_a_new_domain_it_carries_on),
        cmocka_unit_test(test_one_processor_migrates_too),
        cmocka_unit_test(test_a_cancelled_suspend_goes_on_in_place),
        cmocka_unit_test(test_cycles_leave_nothing_behind),
        cmocka_unit_test(test_a_child_driver_is_told_and_reconnects),
        cmocka_unit_test(test_removal_waits_for_a_suspend_in_flight),
    };

    return cmocka_run_group_tests(tests, ntsim_fixture_setup, ntsim_fixture_teardown);
}
