/*
 * tests/sim/nt/xenbus_faults_test.c - xenbus.sys's start with each pool
 * allocation failing in turn: whichever fails, START_DEVICE fails or
 * succeeds cleanly, the device is removed, and the driver unloads with no
 * pool, mapping, interrupt or timer left, no bugcheck and no sanitizer
 * report, until a start makes more allocations than the sweep fails; and
 * the same with XENBUS's child driver started from its INF as well.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "ntsim_fixture.h"

#define MAX_ALLOCATIONS 2000 /* far beyond what a start makes: the sweep must end before */

static struct ntsim_run run;

/*
 * Fail each pool allocation in turn of a start of @driver (NULL: XENBUS and
 * the test child driver, bound by their INFs) and its removal; returns how
 * many there were.
 */
static unsigned int sweep(const char *driver)
{
    unsigned int n;

    for (n = 1; n <= MAX_ALLOCATIONS; n++) {
        char nth[16];
        const char *args[] = {"--fail-alloc", nth, "--sequence", "start,remove", NULL};

        snprintf(nth, sizeof(nth), "%u", n);
        ntsim_run(&run, driver, args);
        if (run.exit_status != 0 && run.exit_status != 1)
            fail_msg("allocation %u failing ended the guest with status %d", n, run.exit_status);
        if (strstr(run.log, "leaked") || strstr(run.log, "still mapped"))
            fail_msg("allocation %u failing left resources behind", n);
        assert_non_null(strstr(run.log, "winpv: xenbus: unloaded"));
        if (strstr(run.log, "failed on purpose") == NULL)
            break; /* the start made fewer than n allocations: every one was failed once */
        /* A failed allocation fails the start, or is recovered from. */
        assert_true(strstr(run.out, "xenbus.sys failed\n") ||
                    strstr(run.out, "xenbus.sys started"));
    }
    assert_true(n > 1);
    assert_true(n <= MAX_ALLOCATIONS);
    return n - 1;
}

static void test_every_allocation_of_start_may_fail(void **state)
{
    printf("# %u allocations of start failed in turn\n", sweep("xenbus.sys"));
}

/* The same with a child driver asking XENBUS for its interfaces: its start too, and XENBUS's side. */
static void test_every_allocation_of_a_child_start_may_fail(void **state)
{
    unsigned int alone = sweep("xenbus.sys"), with_child = sweep(NULL);

    /* The child's start allocates too: the sweep went further. */
    assert_true(with_child > alone);
    printf("# %u allocations of XENBUS's and its child's start failed in turn\n", with_child);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_allocation_of_start_may_fail),
        cmocka_unit_test(test_every_allocation_of_a_child_start_may_fail),
    };

    return cmocka_run_group_tests(tests, ntsim_fixture_setup, ntsim_fixture_teardown);
}
