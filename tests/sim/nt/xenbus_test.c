/*
 * tests/sim/nt/xenbus_test.c - the shipped xenbus.sys in the simulated Windows
 * kernel on winpv-simd and Debian's xenstored: it loads, binds the Xen
 * platform device, finds Xen through CPUID, calls it by VMCALL or VMMCALL,
 * takes Xen's upcall as the platform device's interrupt, starts event
 * channels, the grant table and its xenstore connection (and reads its
 * domain id through it), and stops, starts again and is removed with no
 * pool, mapping, interrupt or timer left; in both ways the kernel can run
 * an image (instructions rewritten at load, or trapped where the host
 * faults them).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "nt/cpu/cpu.h"
#include "ntsim_fixture.h"
#include "proto.h"

static struct ntsim_run run;

static void assert_contains(const char *text, const char *what)
{
    if (strstr(text, what) == NULL)
        fail_msg("\"%s\" not found", what);
}

static void assert_xen_found(void)
{
    char line[64];

    snprintf(line, sizeof(line), "winpv: xenbus: Xen %u.%u\n", SIM_XEN_MAJOR, SIM_XEN_MINOR);
    assert_contains(run.log, line);
    snprintf(line, sizeof(line), "winpv: xenbus: xenstore connected, domain %u\n", run.domid);
    assert_contains(run.log, line);
}

static void start_and_remove(const char *mode)
{
    const char *args[] = {"--mode", mode, NULL};

    ntsim_run(&run, "xenbus.sys", args);
    assert_int_equal(run.exit_status, 0);
    assert_contains(run.log, "[info] winpv: xenbus: loaded\n");
    assert_contains(run.log, "pnp: xenbus.sys: AddDevice -> 0\n");
    assert_contains(run.log, "pnp: platform device: IRP_MN 0 -> 0\n"); /* START_DEVICE */
    assert_xen_found();
    assert_contains(run.out, "xenbus.sys started\n");
    assert_contains(run.out, "xenbus.sys removed\n");
    assert_contains(run.log, "winpv: xenbus: unloaded\n");
    assert_null(strstr(run.log, "leaked"));
}

static void test_starts_with_instructions_rewritten(void **state)
{
    start_and_remove("rewrite");
    /* Every CPUID and hypercall instruction of the image went through the rewriting. */
    assert_contains(run.log, "instructions prepared");
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
    assert_contains(run.out, "xenbus.sys stopped\n");
    /* Connected once per start. */
    assert_non_null(strstr(strstr(run.log, "xenstore connected") + 1, "xenstore connected"));
    assert_null(strstr(run.log, "leaked"));
}

int main(void)
{
    struct CMUnitTest tests[3];
    size_t n = 0;

    tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_starts_with_instructions_rewritten);
    tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_stops_and_starts_again);
    /* Only where the host can make CPUID fault; elsewhere the mode does not exist. */
    if (nt_cpu_cpuid_faulting_available())
        tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_starts_with_instructions_trapped);
    return _cmocka_run_group_tests("xenbus.sys", tests, n, ntsim_fixture_setup,
                                   ntsim_fixture_teardown);
}
