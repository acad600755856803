/*
 * tests/nt/child_driver_test.c - a child driver (tests/nt/drivers/child.sys)
 * bound to XENBUS's interface child by its hardware ID, getting XENBUS's
 * STORE, EVTCHN and GNTTAB interfaces through IRP_MN_QUERY_INTERFACE and
 * using them with dom0: a key xenstored holds, events both ways with a
 * dom0 event-channel handle, and a page it grants that dom0 maps with
 * libxengnttab (the real library's interface, as QEMU and the backends
 * use it). XENBUS refuses what it does not serve; everything is given back
 * at removal.
 *
 * Compiled against Debian's Xen headers, as dom0 programs are.
 */
#include <poll.h>
#include <setjmp.h>
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

static void assert_contains(const char *text, const char *what)
{
    if (strstr(text, what) == NULL)
        fail_msg("\"%s\" not found", what);
}

static uint32_t read_number(const char *node)
{
    char *value = ntsim_store_read(&run, node);
    uint32_t number = (uint32_t)strtoul(value, NULL, 10);

    free(value);
    return number;
}

static void start_with_child(void)
{
    static char bind[600];
    char path[512];
    static const char *args[] = {"--bind", bind, "--sequence", "start,serve:4000,remove", NULL};

    snprintf(bind, sizeof(bind), "XENBUS\\VEN_WPV&DEV_IFACE&REV_00000001=%s",
             ntsim_driver_path("child.sys", path, sizeof(path)));
    ntsim_start(&run, "xenbus.sys", args);
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

    start_with_child();
    exchange_events();
    map_the_grant();
    ntsim_finish(&run);
    assert_int_equal(run.exit_status, 0);

    /* Bound by its hardware ID, and served version 1 of each interface. */
    assert_contains(run.out, "XENBUS\\VEN_WPV&DEV_IFACE] child.sys started\n");
    assert_contains(run.log, "child: STORE v1: 0\n");
    assert_contains(run.log, "child: EVTCHN v1: 0\n");
    assert_contains(run.log, "child: GNTTAB v1: 0\n");
    /* XENBUS refuses what it does not serve, each as docs/INTERFACES.md says. */
    assert_contains(run.log, "child: unknown interface: 0xc00000bb\n");       /* NOT_SUPPORTED */
    assert_contains(run.log, "child: STORE version 99: 0xc00000bb\n");        /* NOT_SUPPORTED */
    assert_contains(run.log, "child: STORE in a short buffer: 0xc0000023\n"); /* TOO_SMALL */
    /* STORE: the guest's own id read, a key written that the toolstack reads. */
    value = ntsim_store_read(&run, "data/child-driver");
    assert_string_equal(value, "started");
    free(value);
    /* Removed before its bus: the grant revoked (dom0 had unmapped it), all given back. */
    assert_contains(run.log, "child: grant revoked: 0\n");
    assert_contains(run.log, "child: unloaded\n");
    assert_contains(run.log, "winpv: xenbus: unloaded");
    assert_null(strstr(run.log, "leaked"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_child_driver_uses_xenbus_interfaces_with_dom0),
    };

    return cmocka_run_group_tests(tests, ntsim_fixture_setup, ntsim_fixture_teardown);
}
