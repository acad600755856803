/*
 * tests/sim/nt/child_driver_test.c - a child driver (tests/sim/nt/drivers/child.sys)
 * bound to XENBUS's interface child by its hardware ID, getting XENBUS's
 * STORE, EVTCHN and GNTTAB interfaces through IRP_MN_QUERY_INTERFACE and
 * using them with dom0: a key xenstored holds, events both ways with a
 * dom0 event-channel handle, and a page it grants that dom0 maps with
 * libxengnttab (the real library's interface, as QEMU and the backends
 * use it): a page of MmAllocatePagesForMdlEx, so its MDL's frame is one
 * winpv-simd knows, and what the driver wrote through the MDL's mapping
 * is what dom0 reads. XENBUS refuses what it does not serve; everything is given back
 * at removal.
 *
 * Compiled against Debian's Xen headers, as dom0 programs are.
 */
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <cmocka.h>
#include <xenevtchn.h>
#include <xengnttab.h>

#include "child_driver.h"
#include "ntsim_fixture.h"

static struct ntsim_run run;

static uint32_t read_number(const char *node)
{
    char *value = ntsim_store_read(&run, node);
    uint32_t number = (uint32_t)strtoul(value, NULL, 10);

    free(value);
    return number;
}

/* XENBUS and the child driver both bound by their INFs, as Windows would install them. */
static void start_with_child(const char *sequence)
{
    const char *args[] = {"--sequence", sequence, NULL};

    ntsim_start(&run, NULL, args);
    assert_true(ntsim_wait_for(&run, "child: port and grant published: 0\n", 10000));
}

/* Events both ways: dom0 binds the port child.sys published, signals it, and is answered. */
static void exchange_events(void)
{
    xenevtchn_handle *xce = xenevtchn_open(NULL, 0);
    struct pollfd pfd;
    int local;

    assert_non_null(xce);
    local = xenevtchn_bind_interdomain(xce, run.domid, read_number("data/child/port"));
    assert_true(local >= 0);
    assert_int_equal(xenevtchn_notify(xce, (evtchn_port_t)local), 0);
    assert_true(ntsim_wait_for(&run, "child: event 1 from dom0", 5000));
    /* In its DPC, at DISPATCH_LEVEL, on the vCPU the port is bound to, as the PCR says too. */
    assert_true(
        ntsim_wait_for(&run, "child: event 1 from dom0 on vCPU 1 (processor 1, IRQL 2)", 5000));
    pfd = (struct pollfd){.fd = xenevtchn_fd(xce), .events = POLLIN};
    assert_int_equal(poll(&pfd, 1, 5000), 1);
    assert_int_equal(xenevtchn_pending(xce), local);
    assert_int_equal(xenevtchn_unmask(xce, (evtchn_port_t)local), 0);
    assert_int_equal(xenevtchn_unbind(xce, (evtchn_port_t)local), 0);
    xenevtchn_close(xce);
}

/* The page child.sys granted: readable by dom0, and read-only. */
static void map_the_grant(void)
{
    xengnttab_handle *xgt = xengnttab_open(NULL, 0);
    uint32_t gref = read_number("data/child/gref");
    char *page;

    assert_non_null(xgt);
    assert_null(xengnttab_map_grant_ref(xgt, run.domid, gref, PROT_READ | PROT_WRITE));
    page = xengnttab_map_grant_ref(xgt, run.domid, gref, PROT_READ);
    assert_non_null(page);
    assert_string_equal(page, CHILD_GRANT_TEXT);
    assert_int_equal(xengnttab_unmap(xgt, page, 1), 0);
    xengnttab_close(xgt);
}

static void test_a_child_driver_uses_xenbus_interfaces_with_dom0(void **state)
{
    char *value;

    struct sim_domain_info held;

    start_with_child("start,serve,remove,serve");
    exchange_events();
    map_the_grant();
    /* STORE: a key written that the toolstack reads (while the domain is there). */
    value = ntsim_store_read(&run, "data/child-driver");
    assert_string_equal(value, "started");
    free(value);
    ntsim_domain_info(&run, &held);
    assert_int_equal(held.grants_active, 1);
    /* Removed: winpv-simd sees the grant revoked and no grant frame or port but xenstore's. */
    assert_int_equal(kill(run.pid, SIGTERM), 0);
    assert_true(ntsim_wait_for(&run, "pnp: remove: done", 20000));
    ntsim_domain_info(&run, &held);
    assert_int_equal(held.grants_active, 0);
    assert_int_equal(held.grant_frames_shown, 0);
    assert_int_equal(held.ports_open, 1);
    ntsim_stop(&run);
    assert_int_equal(run.exit_status, 0);

    /* Each bound by its INF, and the child served version 1 of each interface. */
    ntsim_assert_contains(run.log,
                          "xenbus.inf (PCI\\VEN_5853&DEV_0001, service xenbus, start type 0)");
    ntsim_assert_contains(run.log, "child.inf (XENBUS\\VEN_" WINPV_VENDOR_PREFIX
                                   "&DEV_IFACE&REV_00000001, service child, "
                                   "start type 3)");
    ntsim_assert_contains(run.out,
                          "XENBUS\\VEN_" WINPV_VENDOR_PREFIX "&DEV_IFACE] child.sys started\n");
    ntsim_assert_contains(run.log, "child: STORE v1: 0\n");
    ntsim_assert_contains(run.log, "child: EVTCHN v1: 0\n");
    ntsim_assert_contains(run.log, "child: GNTTAB v1: 0\n");
    /* XENBUS refuses what it does not serve, each as docs/INTERFACES.md says. */
    ntsim_assert_contains(run.log, "child: unknown interface: 0xc00000bb\n"); /* NOT_SUPPORTED */
    ntsim_assert_contains(run.log, "child: STORE version 99: 0xc00000bb\n");  /* NOT_SUPPORTED */
    ntsim_assert_contains(run.log, "child: STORE in a short buffer: 0xc0000023\n"); /* TOO_SMALL */
    /* Removed before its bus: the grant revoked (dom0 had unmapped it), all given back. */
    ntsim_assert_contains(run.log, "child: grant revoked: 0\n");
    ntsim_assert_contains(run.log, "child: unloaded\n");
    ntsim_assert_contains(run.log, "winpv: xenbus: unloaded");
    assert_null(strstr(run.log, "leaked"));
}

/* Where @first appears in the log before @second. */
static void assert_before(const char *first, const char *second)
{
    const char *a = strstr(run.log, first), *b = strstr(run.log, second);

    if (a == NULL || b == NULL || a > b)
        fail_msg("\"%s\" is not logged before \"%s\"", first, second);
}

#define CHILD "XENBUS\\VEN_" WINPV_VENDOR_PREFIX "&DEV_IFACE"

static void test_sleep_hibernation_and_waking_reach_every_device(void **state)
{
    start_with_child("start,power:S3,power:S0,power:S4,power:S0,remove");
    ntsim_finish(&run);
    assert_int_equal(run.exit_status, 0);
    /* A sleep is queried children first, then set children first; waking goes parents first. */
    assert_before("po: " CHILD ": query S3 -> 0", "po: platform device: query S3 -> 0");
    assert_before("po: platform device: query S3 -> 0", "po: " CHILD ": set S3 -> 0");
    assert_before("po: " CHILD ": set S3 -> 0", "po: platform device: set S3 -> 0");
    assert_before("po: platform device: set S3 -> 0", "po: platform device: set S0 -> 0");
    assert_before("po: platform device: set S0 -> 0", "po: " CHILD ": set S0 -> 0");
    assert_before("po: " CHILD ": set S0 -> 0", "po: " CHILD ": query S4 -> 0");
    ntsim_assert_contains(run.log, "po: platform device: set S4 -> 0");
    /* The child driver saw them, and passed them to its bus. */
    ntsim_assert_contains(run.log, "child: power IRP 3, state 4\n"); /* query, S3 */
    ntsim_assert_contains(run.log, "child: power IRP 2, state 5\n"); /* set, S4 */
    ntsim_assert_contains(run.log, "child: unloaded\n");
}

static void test_shutdown_reaches_every_device(void **state)
{
    start_with_child("start,power:S5");
    ntsim_finish(&run);
    assert_int_equal(run.exit_status, 0);
    /* No query: a shutdown cannot be refused. */
    assert_null(strstr(run.log, "query S5"));
    assert_before("po: " CHILD ": set S5 -> 0", "po: platform device: set S5 -> 0");
    ntsim_assert_contains(run.log, "child: power IRP 2, state 6\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_child_driver_uses_xenbus_interfaces_with_dom0),
        cmocka_unit_test(test_sleep_hibernation_and_waking_reach_every_device),
        cmocka_unit_test(test_shutdown_reaches_every_device),
    };

    return cmocka_run_group_tests(tests, ntsim_fixture_setup, ntsim_fixture_teardown);
}
