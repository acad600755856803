/*
 * tests/sim/nt/xenbus_test.c - the shipped xenbus.sys in the simulated
 * Windows kernel on winpv-simd and Debian's C xenstored (some also on
 * oxenstored): it loads, binds the Xen platform device, finds Xen through
 * CPUID, calls it by VMCALL or VMMCALL, takes Xen's upcall as the platform
 * device's interrupt, starts event channels, the grant table and its
 * xenstore connection (and reads its domain id through it), and stops,
 * starts again and is removed with no pool, mapping, interrupt or timer
 * left, and nothing of Xen's (event channel, FIFO page, grant frame or
 * entry, shared_info) still held; in both ways the kernel can run an image
 * (instructions rewritten at load, or trapped where the host faults them).
 * On XenServer's platform device it serves the same; on a vendor's PV
 * device it stands by. It writes the keys XAPI reads of the drivers
 * (attr/PVAddons, data/updated) and takes attr/PVAddons away at STOP; a
 * toolstack refusing them gets log lines only.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "nt/cpu/cpu.h"
#include "ntsim_fixture.h"
#include "proto.h"
#include "winpv/version.h"

static struct ntsim_run run;

static void assert_xen_found(void)
{
    char line[64];

    snprintf(line, sizeof(line), "winpv: xenbus: Xen %u.%u\n", SIM_XEN_MAJOR, SIM_XEN_MINOR);
    ntsim_assert_contains(run.log, line);
    snprintf(line, sizeof(line), "winpv: xenbus: xenstore connected, domain %u\n", run.domid);
    ntsim_assert_contains(run.log, line);
}

static void start_and_remove(const char *mode)
{
    const char *args[] = {"--mode", mode, NULL};

    ntsim_run(&run, "xenbus.sys", args);
    assert_int_equal(run.exit_status, 0);
    ntsim_assert_contains(run.log, "[info] winpv: xenbus: loaded\n");
    ntsim_assert_contains(run.log, "pnp: xenbus.sys: AddDevice -> 0\n");
    ntsim_assert_contains(run.log, "pnp: platform device: IRP_MN 0 -> 0\n"); /* START_DEVICE */
    assert_xen_found();
    ntsim_assert_contains(run.out, "xenbus.sys started\n");
    ntsim_assert_contains(run.out, "xenbus.sys removed\n");
    ntsim_assert_contains(run.log, "winpv: xenbus: unloaded\n");
    assert_null(strstr(run.log, "leaked"));
}

static void test_starts_with_instructions_rewritten(void **state)
{
    start_and_remove("rewrite");
    /* Every CPUID and hypercall instruction of the image went through the rewriting. */
    ntsim_assert_contains(run.log, "instructions prepared");
}

static void test_starts_with_instructions_trapped(void **state)
{
    start_and_remove("fault");
}

static void test_stops_and_starts_again(void **state)
{
    const char *args[] = {"--sequence", "start,stop,start,remove", NULL};

    ntsim_run(&run, "xenbus.sys", args);
    assert_int_equal(run.exit_status, 0);
    ntsim_assert_contains(run.out, "xenbus.sys stopped\n");
    /* Connected once per start. */
    assert_non_null(strstr(strstr(run.log, "xenstore connected") + 1, "xenstore connected"));
    assert_null(strstr(run.log, "leaked"));
}

/* What the domain holds of Xen now is what it held before the kernel ran. */
static void assert_all_given_back(const struct sim_domain_info *now)
{
    /*
     * The toolstack made two ports: xenstore's, which xenstored bound, and
     * the console's, which nothing serves here. Leaving FIFO closes both;
     * the driver binds xenstore's again, and the unbound one stays closed
     * (core/evtchn/toolstack_ports.c).
     */
    assert_int_equal(run.before.ports_open, 2);
    assert_int_equal(now->ports_open, 1);
    assert_int_equal(now->fifo_pages, 0);
    assert_int_equal(now->grant_frames_shown, 0);
    assert_int_equal(now->grants_active, 0);
    assert_true(now->shared_info_gfn == SIM_NO_FRAME);
    assert_int_equal(now->nr_pages, run.before.nr_pages);
}

static void assert_running(const struct sim_domain_info *now)
{
    /* At least the upcall's timer and the xenstore port's binding are open. */
    assert_true(now->ports_open > run.before.ports_open);
    assert_true(now->grant_frames_shown > 0);
    assert_true(now->shared_info_gfn != SIM_NO_FRAME);
    /* The RAM pages shared_info and the grant frames were shown over went back to Xen. */
    assert_int_equal(now->nr_pages, run.before.nr_pages - 1 - now->grant_frames_shown);
}

/* Each step ends a serve step on SIGTERM; the step after it is then done. */
static void next_step(const char *done, unsigned int nth)
{
    assert_int_equal(kill(run.pid, SIGTERM), 0);
    ntsim_require_nth(&run, done, nth, 20000);
}

static void test_stop_and_remove_give_everything_back(void **state)
{
    const char *args[] = {"--sequence", "start,serve,stop,serve,start,serve,remove,serve", NULL};
    struct sim_domain_info now;

    ntsim_start(&run, "xenbus.sys", args);
    ntsim_require_nth(&run, "pnp: start: done", 1, 20000);
    ntsim_domain_info(&run, &now);
    assert_running(&now);
    next_step("pnp: stop: done", 1);
    ntsim_domain_info(&run, &now);
    assert_all_given_back(&now);
    next_step("pnp: start: done", 2);
    ntsim_domain_info(&run, &now);
    assert_running(&now);
    next_step("pnp: remove: done", 1);
    ntsim_domain_info(&run, &now);
    assert_all_given_back(&now);
    ntsim_stop(&run);
    assert_int_equal(run.exit_status, 0);
    assert_null(strstr(run.log, "leaked"));
}

/* XenServer's platform device (5853:0002) is served as Xen's. */
static void test_serves_from_xenservers_platform_device(void **state)
{
    const char *args[] = {"--platform-device", "0002", NULL};

    ntsim_run(&run, "xenbus.sys", args);
    assert_int_equal(run.exit_status, 0);
    ntsim_assert_contains(run.out, "PCI\\VEN_5853&DEV_0002&SUBSYS_00025853&REV_01\\3&0&0 ");
    assert_xen_found();
    assert_null(strstr(run.log, "standing by"));
}

/* On a vendor's PV device (5853:C000) it starts, takes nothing of Xen's and reports no child. */
static void test_stands_by_on_a_vendor_device(void **state)
{
    const char *args[] = {"--platform-device", "C000", "--sequence", "start,serve", NULL};
    struct sim_domain_info now;

    ntsim_start(&run, "xenbus.sys", args);
    ntsim_require_nth(&run, "pnp: start: done", 1, 20000);
    ntsim_domain_info(&run, &now);
    assert_int_equal(now.ports_open, run.before.ports_open);
    assert_int_equal(now.grant_frames_shown, 0);
    assert_int_equal(now.grants_active, 0);
    assert_int_equal(now.fifo_pages, 0);
    assert_true(now.shared_info_gfn == SIM_NO_FRAME);
    assert_int_equal(now.nr_pages, run.before.nr_pages);
    ntsim_stop(&run);
    assert_int_equal(run.exit_status, 0);
    ntsim_assert_contains(run.log,
                          "winpv: xenbus: on PCI device 5853:C000, not Xen's platform device: "
                          "standing by (the platform device serves)\n");
    assert_null(strstr(run.log, "xenstore connected"));
    assert_null(strstr(run.log, "new child"));
    ntsim_assert_contains(run.out,
                          "PCI\\VEN_5853&DEV_C000&SUBSYS_C0005853&REV_01\\3&0&0 "
                          "[PCI\\VEN_5853&DEV_C000&SUBSYS_C0005853&REV_01 "
                          "PCI\\VEN_5853&DEV_C000&SUBSYS_C0005853 PCI\\VEN_5853&DEV_C000&CC_088000 "
                          "PCI\\VEN_5853&DEV_C000&CC_0880] xenbus.sys started\n");
    assert_null(strstr(run.log, "leaked"));
}

/* The store holds @relative as @value. */
static void assert_store(const char *relative, const char *value)
{
    char *now = ntsim_store_read(&run, relative);

    assert_string_equal(now, value);
    free(now);
}

/* What XAPI reads of the drivers while XENBUS runs; attr/PVAddons gone when it stops. */
static void test_tells_the_toolstack_its_version(void **state)
{
    const char *args[] = {"--sequence", "start,serve,stop,serve", NULL};
    char text[16];

    ntsim_start(&run, "xenbus.sys", args);
    ntsim_require_nth(&run, "pnp: start: done", 1, 20000);
    snprintf(text, sizeof(text), "%u", WINPV_VERSION_MAJOR);
    assert_store("attr/PVAddons/MajorVersion", text);
    snprintf(text, sizeof(text), "%u", WINPV_VERSION_MINOR);
    assert_store("attr/PVAddons/MinorVersion", text);
    snprintf(text, sizeof(text), "%u", WINPV_VERSION_MICRO);
    assert_store("attr/PVAddons/MicroVersion", text);
    snprintf(text, sizeof(text), "%u", WINPV_VERSION_BUILD);
    assert_store("attr/PVAddons/BuildVersion", text);
    assert_store("attr/PVAddons/Installed", "1");
    assert_store("data/updated", "1");
    next_step("pnp: stop: done", 1);
    assert_false(ntsim_store_has(&run, "attr/PVAddons"));
    assert_true(ntsim_store_has(&run, "data/updated"));
    ntsim_stop(&run);
    assert_int_equal(run.exit_status, 0);
}

/* A toolstack that takes attr/ back: log lines, and XENBUS serves all the same. */
static void test_refused_keys_are_only_logged(void **state)
{
    const char *args[] = {"--sequence", "start,serve,stop,start,serve", NULL};
    static const char *const taken[] = {
        "attr",
        "attr/PVAddons",
        "attr/PVAddons/MajorVersion",
        "attr/PVAddons/MinorVersion",
        "attr/PVAddons/MicroVersion",
        "attr/PVAddons/BuildVersion",
        "attr/PVAddons/Installed",
    };

    ntsim_start(&run, "xenbus.sys", args);
    ntsim_require_nth(&run, "pnp: start: done", 1, 20000);
    for (size_t i = 0; i < sizeof(taken) / sizeof(taken[0]); i++)
        ntsim_store_deny(&run, taken[i]);
    next_step("pnp: start: done", 2);
    ntsim_stop(&run);
    assert_int_equal(run.exit_status, 0);
    ntsim_assert_contains(run.log, "winpv: xenbus: attr/PVAddons not removed (-13)\n");
    ntsim_assert_contains(run.log,
                          "winpv: xenbus: the toolstack's keys (attr/PVAddons, data/updated) "
                          "not written (-13)\n");
    assert_non_null(strstr(strstr(run.log, "xenstore connected") + 1, "xenstore connected"));
    assert_null(strstr(run.log, "leaked"));
}

int main(void)
{
    const struct CMUnitTest on_oxenstored[] = {
        cmocka_unit_test(test_starts_with_instructions_rewritten),
        cmocka_unit_test(test_stop_and_remove_give_everything_back),
    };
    struct CMUnitTest tests[8];
    size_t n = 0;
    int failed;

    tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_starts_with_instructions_rewritten);
    tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_stops_and_starts_again);
    tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_stop_and_remove_give_everything_back);
    tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_serves_from_xenservers_platform_device);
    tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_stands_by_on_a_vendor_device);
    tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_tells_the_toolstack_its_version);
    tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_refused_keys_are_only_logged);
    /* Only where the host can make CPUID fault; elsewhere the mode does not exist. */
    if (nt_cpu_cpuid_faulting_available())
        tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_starts_with_instructions_trapped);
    failed = _cmocka_run_group_tests("xenbus.sys", tests, n, ntsim_fixture_setup,
                                     ntsim_fixture_teardown);
    /* The same driver on Debian's other xenstored. */
    return failed + _cmocka_run_group_tests("xenbus.sys on oxenstored", on_oxenstored, 2,
                                            ntsim_fixture_setup_oxenstored, ntsim_fixture_teardown);
}
