/*
 * tests/sim/nt/xenvbd_faults_test.c - the shipped xenvbd.sys's adapter
 * start, with each allocation its own code asks for (pool, Storport's
 * pool, MDLs, pages, mappings) failing in turn, on a domain with a QEMU
 * disk: whichever fails, the adapter does not start, or starts without
 * the disk or with it whole; either way the devices are removed with
 * nothing left (pool, mappings, grants), no bugcheck, no verifier finding
 * and no sanitizer report, until a start makes fewer allocations than the
 * sweep fails. XENBUS's own allocations are swept by xenbus_faults_test.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "ntsim_fixture.h"

#define MAX_ALLOCATIONS 500 /* far beyond what a start makes: the sweep must end before */
#define PACKAGES        "ntsim-disk-packages"
#define WAIT_MS         20000
#define STEP_MS         50

static struct ntsim_run run;

/* Until XENBUS's disk device has started (or failed to), or has no driver. */
static void wait_for_the_disk_device(struct ntsim_run *r)
{
    for (unsigned int waited = 0; waited < WAIT_MS; waited += 2 * STEP_MS) {
        if (ntsim_wait_for(r, "pnp: child XENBUS\\VEN_WPV&DEV_VBD\\0: IRP_MN 0 -> ", STEP_MS) ||
            ntsim_wait_for(r, "pnp: no driver for XENBUS\\VEN_WPV&DEV_VBD", STEP_MS))
            return;
    }
    fail_msg("the disk device neither started nor failed within %u ms", WAIT_MS);
}

static void test_every_allocation_of_the_adapter_start_may_fail(void **state)
{
    const unsigned int mib[] = {4};
    unsigned int n, found = 0;

    for (n = 1; n <= MAX_ALLOCATIONS; n++) {
        char nth[32];
        const char *args[] = {"--fail-alloc", nth, "--sequence", "start,serve,remove", NULL};

        snprintf(nth, sizeof(nth), "%u@xenvbd.sys", n);
        ntsim_start_with_disks(&run, PACKAGES, args, mib, 1);
        wait_for_the_disk_device(&run);
        ntsim_stop(&run);
        if (run.exit_status != 0 && run.exit_status != 1)
            fail_msg("allocation %u failing ended the guest with status %d", n, run.exit_status);
        if (strstr(run.log, "leaked") || strstr(run.log, "still mapped") ||
            strstr(run.log, "left behind") || strstr(run.log, "at unload"))
            fail_msg("allocation %u failing left resources behind", n);
        assert_non_null(strstr(run.log, "pnp: remove: done"));
        if (strstr(run.log, "failed on purpose") == NULL)
            break; /* the start made fewer than n allocations: every one was failed once */
        /* Found whole, or not at all: never a disk of the wrong size. */
        if (strstr(run.log, "storport: unit 0:0:0: type 0, fixed, XEN PV DISK, 8192 blocks"))
            found++;
        assert_null(strstr(run.log, "storport: unit 0:0:0: type 0, fixed, XEN PV DISK, 0 blocks"));
    }
    assert_true(n > 1 && n <= MAX_ALLOCATIONS);
    /* Without a failure the disk is found. */
    assert_non_null(
        strstr(run.log, "storport: unit 0:0:0: type 0, fixed, XEN PV DISK, 8192 blocks"));
    printf("# %u allocations of xenvbd.sys's adapter start failed in turn; the disk found in %u "
           "of those runs\n",
           n - 1, found);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_allocation_of_the_adapter_start_may_fail),
    };

    return cmocka_run_group_tests(tests, ntsim_fixture_setup, ntsim_fixture_teardown);
}
