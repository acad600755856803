/*
 * tests/sim/nt/xenbus_children_test.c - xenbus.sys as a bus in the simulated
 * kernel: a child device for XENIFACE always, and one per class of PV
 * device the toolstack gives the guest (vbd, vif), each with the hardware
 * ID its driver's INF names (vendor prefix, class, interface revision);
 * a class the toolstack adds while the guest runs appears, and goes when
 * its last device goes, as the PnP manager re-enumerates on the bus's
 * request. Every child is removed before the bus, which leaves nothing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "ntsim_fixture.h"

#define VBD_LINE                                                                         \
    "  XENBUS\\VEN_" WINPV_VENDOR_PREFIX "&DEV_VBD\\0 [XENBUS\\VEN_" WINPV_VENDOR_PREFIX \
    "&DEV_VBD&REV_00000001 XENBUS\\VEN_" WINPV_VENDOR_PREFIX "&DEV_VBD]"
#define IFACE_LINE                                                                         \
    "  XENBUS\\VEN_" WINPV_VENDOR_PREFIX "&DEV_IFACE\\0 [XENBUS\\VEN_" WINPV_VENDOR_PREFIX \
    "&DEV_IFACE&REV_00000001 "                                                             \
    "XENBUS\\VEN_" WINPV_VENDOR_PREFIX "&DEV_IFACE]"

static struct ntsim_run run;

static void test_children_at_start_and_as_devices_come_and_go(void **state)
{
    char tree_path[600], tree[4096] = "";
    const char *args[] = {"--sequence", "start,serve,remove", "--tree", tree_path, NULL};
    FILE *f;

    snprintf(tree_path, sizeof(tree_path), "%s/children-tree", getenv("WINPV_SIM_DIR"));
    ntsim_start(&run, "xenbus.sys", args);
    /* A disk, given as the guest starts (before or after its bus starts: a child either way). */
    ntsim_device_add(&run, "vbd", 51712);
    assert_true(ntsim_wait_for(
        &run, "pnp: new child XENBUS\\VEN_" WINPV_VENDOR_PREFIX "&DEV_VBD\\0", 5000));
    assert_true(ntsim_wait_for(
        &run, "pnp: new child XENBUS\\VEN_" WINPV_VENDOR_PREFIX "&DEV_IFACE\\0", 5000));
    /* Hot-plugged: a NIC, then a second disk (the class is there already), then both go. */
    ntsim_device_add(&run, "vif", 0);
    assert_true(ntsim_wait_for(
        &run, "pnp: new child XENBUS\\VEN_" WINPV_VENDOR_PREFIX "&DEV_VIF\\0", 5000));
    ntsim_device_add(&run, "vbd", 51728);
    assert_true(ntsim_wait_for(&run, "xenbus: device/vbd/51728 appeared", 5000));
    ntsim_device_remove(&run, "vif", 0);
    assert_true(ntsim_wait_for(
        &run, "pnp: child XENBUS\\VEN_" WINPV_VENDOR_PREFIX "&DEV_VIF\\0 removed", 5000));
    /* The tree as published while serving (once the enumeration that removed the NIC ends). */
    for (int tries = 0; tries < 500; tries++) {
        size_t n = 0;

        f = fopen(tree_path, "r");
        assert_non_null(f);
        n = fread(tree, 1, sizeof(tree) - 1, f);
        tree[n] = '\0';
        fclose(f);
        if (strstr(tree, "DEV_VIF") == NULL)
            break;
        usleep(10000);
    }
    ntsim_assert_contains(tree, "xenbus.sys started\n");
    ntsim_assert_contains(tree, IFACE_LINE " - no driver\n");
    ntsim_assert_contains(tree, VBD_LINE " - no driver\n");
    assert_null(strstr(tree, "DEV_VIF"));
    /* Asked to stop, the kernel ends serving and removes everything in order. */
    ntsim_stop(&run);

    assert_int_equal(run.exit_status, 0);
    /* The disk class stayed one child through its second device. */
    assert_null(strstr(strstr(run.log, "new child XENBUS\\VEN_" WINPV_VENDOR_PREFIX "&DEV_VBD") + 1,
                       "new child XENBUS\\VEN_" WINPV_VENDOR_PREFIX "&DEV_VBD"));
    /* Removed before the bus, and nothing left of either. */
    ntsim_assert_contains(run.log, "pnp: child XENBUS\\VEN_" WINPV_VENDOR_PREFIX
                                   "&DEV_IFACE\\0 removed (0)");
    ntsim_assert_contains(run.log, "winpv: xenbus: unloaded");
    assert_null(strstr(run.log, "leaked"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_children_at_start_and_as_devices_come_and_go),
    };

    return cmocka_run_group_tests(tests, ntsim_fixture_setup, ntsim_fixture_teardown);
}
