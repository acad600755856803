/*
 * tests/nt/xenbus_children_test.c - xenbus.sys as a bus in the simulated
 * kernel: a child device for XENIFACE always, and one per class of PV
 * device the toolstack gives the guest (vbd, vif), each with the hardware
 * ID its driver's INF names (vendor prefix, class, interface revision);
 * a class the toolstack adds while the guest runs appears, and goes when
 * its last device goes, as the PnP manager re-enumerates on the bus's
 * request. Every child is removed before the bus, which leaves nothing.
 * A child driver bound by that ID gets XENBUS's STORE interface through
 * IRP_MN_QUERY_INTERFACE and uses it against the real xenstored.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ntsim_fixture.h"

#define VBD_LINE \
    "  XENBUS\\VEN_WPV&DEV_VBD\\0 [XENBUS\\VEN_WPV&DEV_VBD&REV_00000001 XENBUS\\VEN_WPV&DEV_VBD]"
#define IFACE_LINE                                                            \
    "  XENBUS\\VEN_WPV&DEV_IFACE\\0 [XENBUS\\VEN_WPV&DEV_IFACE&REV_00000001 " \
    "XENBUS\\VEN_WPV&DEV_IFACE]"

static struct ntsim_run run;

static void assert_contains(const char *text, const char *what)
{
    if (strstr(text, what) == NULL)
        fail_msg("\"%s\" not found", what);
}

static void test_children_at_start_and_as_devices_come_and_go(void **state)
{
    const char *args[] = {"--sequence", "start,serve:8000,remove", NULL};

    ntsim_start(&run, "xenbus.sys", args);
    /* A disk, given as the guest starts (before or after its bus starts: a child either way). */
    ntsim_device_add(&run, "vbd", 51712);
    assert_true(ntsim_wait_for(&run, "pnp: new child XENBUS\\VEN_WPV&DEV_VBD\\0", 5000));
    assert_true(ntsim_wait_for(&run, "pnp: new child XENBUS\\VEN_WPV&DEV_IFACE\\0", 5000));
    /* Hot-plugged: a NIC, then a second disk (the class is there already), then both go. */
    ntsim_device_add(&run, "vif", 0);
    assert_true(ntsim_wait_for(&run, "pnp: new child XENBUS\\VEN_WPV&DEV_VIF\\0", 5000));
    ntsim_device_add(&run, "vbd", 51728);
    assert_true(ntsim_wait_for(&run, "xenbus: device/vbd/51728 appeared", 5000));
    ntsim_device_remove(&run, "vif", 0);
    assert_true(ntsim_wait_for(&run, "pnp: child XENBUS\\VEN_WPV&DEV_VIF\\0 removed", 5000));
    ntsim_finish(&run);

    assert_int_equal(run.exit_status, 0);
    /* The disk class stayed one child through its second device. */
    assert_null(strstr(strstr(run.log, "new child XENBUS\\VEN_WPV&DEV_VBD") + 1,
                       "new child XENBUS\\VEN_WPV&DEV_VBD"));
    /* The tree as the PnP manager printed it after serving: both disks one child, no NIC. */
    assert_contains(run.out, IFACE_LINE " - no driver\n");
    assert_contains(run.out, VBD_LINE " - no driver\n");
    /* Removed before the bus, and nothing left of either. */
    assert_contains(run.log, "pnp: child XENBUS\\VEN_WPV&DEV_IFACE\\0 removed (0)");
    assert_contains(run.log, "winpv: xenbus: unloaded");
    assert_null(strstr(run.log, "leaked"));
}

static void test_a_child_driver_gets_the_store_interface(void **state)
{
    char bind[600], path[512];
    const char *args[] = {"--bind", bind, NULL};
    char *value;

    snprintf(bind, sizeof(bind), "XENBUS\\VEN_WPV&DEV_IFACE&REV_00000001=%s",
             ntsim_driver_path("child.sys", path, sizeof(path)));
    ntsim_run(&run, "xenbus.sys", args);
    assert_int_equal(run.exit_status, 0);
    /* Bound by its hardware ID, started, and served version 1 of STORE. */
    assert_contains(run.out, IFACE_LINE " child.sys started\n");
    assert_contains(run.log, "child: STORE v1: 0\n");
    /* XENBUS refuses what it does not serve, each as docs/INTERFACES.md says. */
    assert_contains(run.log, "child: unknown interface: 0xc00000bb\n");       /* NOT_SUPPORTED */
    assert_contains(run.log, "child: STORE version 99: 0xc00000bb\n");        /* NOT_SUPPORTED */
    assert_contains(run.log, "child: STORE in a short buffer: 0xc0000023\n"); /* BUFFER_TOO_SMALL */
    /* Through the table: a read of the guest's own id, and a write the toolstack sees. */
    value = ntsim_store_read(&run, "data/child-driver");
    assert_string_equal(value, "started");
    free(value);
    assert_contains(run.log, "child: wrote data/child-driver: 0\n");
    /* Removed before its bus, the interface given back (or the bus refuses to go), unloaded. */
    assert_contains(run.log, "child: unloaded\n");
    assert_contains(run.log, "winpv: xenbus: unloaded");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_children_at_start_and_as_devices_come_and_go),
        cmocka_unit_test(test_a_child_driver_gets_the_store_interface),
    };

    return cmocka_run_group_tests(tests, ntsim_fixture_setup, ntsim_fixture_teardown);
}
