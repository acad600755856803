/*
 * tests/xenbus/services_test.c - XENBUS's services as a child driver gets
 * them: started on a guest of winpv-simd with Debian's C xenstored, each
 * interface queried through the provider and used through its table
 * against real peers — a dom0 backend mapping a grant through
 * libxengnttab, dom0's event-channel handle on the other end of a channel,
 * xenstored behind the store — started again after a stop with the store
 * still reachable (under FIFO and 2-level), and every page back after stop.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <xen/errno.h>
#include <xen/event_channel.h>
#include <xen/hvm/params.h>
#include <xen/xen.h>

#include "support/sim/services_fixture.h"
#include "support/gnttab/backend.h"
#include "support/sim/sim_fixture.h"
#include "guest.h"
#include "hv/hv.h"
#include "hv/shared_info.h"
#include "os.h"
#include "os_posix.h"
#include "store.h"
#include "winpv/console_interface.h"
#include "winpv/evtchn_interface.h"
#include "winpv/gnttab_interface.h"
#include "winpv/store_interface.h"
#include "winpv/suspend_interface.h"
#include "winpv/xenbus_interface.h"
#include "xenbus/services.h"

static int setup(void **state)
{
    unsetenv("WINPV_SIMD_NO_FIFO");
    return services_fixture_setup(state, XENSTORED_C);
}

/* The same with a hypervisor that refuses FIFO, so the engine uses 2-level. */
static int setup_2l(void **state)
{
    setenv("WINPV_SIMD_NO_FIFO", "1", 1); /* read by the daemon the fixture starts */
    return services_fixture_setup(state, XENSTORED_C);
}

static int teardown(void **state)
{
    return services_fixture_teardown(state, false);
}

static int query(const struct winpv_guid *guid, struct winpv_interface_header *table, size_t size)
{
    return services_query(guid, table, size);
}

static void test_every_interface_is_served(void **state)
{
    struct winpv_guid guids[] = {WINPV_STORE_INTERFACE_GUID,   WINPV_XENBUS_INTERFACE_GUID,
                                 WINPV_GNTTAB_INTERFACE_GUID,  WINPV_EVTCHN_INTERFACE_GUID,
                                 WINPV_SUSPEND_INTERFACE_GUID, WINPV_CONSOLE_INTERFACE_GUID};
    size_t sizes[] = {
        sizeof(struct winpv_store_interface_v1),   sizeof(struct winpv_xenbus_interface_v1),
        sizeof(struct winpv_gnttab_interface_v1),  sizeof(struct winpv_evtchn_interface_v1),
        sizeof(struct winpv_suspend_interface_v1), sizeof(struct winpv_console_interface_v1)};
    union {
        struct winpv_interface_header header;
        char bytes[512];
    } tables[6];
    struct winpv_store_interface_v1 *store = (struct winpv_store_interface_v1 *)&tables[0];
    char path[64], *value;
    size_t len;

    (void)state;
    for (int i = 0; i < 6; i++) {
        assert_int_equal(query(&guids[i], &tables[i].header, sizeof(tables[i])), 0);
        assert_int_equal(tables[i].header.size, sizes[i]);
        assert_int_equal(tables[i].header.version, 1);
        /* Every function of the table is there. */
        for (size_t at = sizeof(struct winpv_interface_header); at < sizes[i]; at += sizeof(void *))
            assert_non_null(*(void **)(tables[i].bytes + at));
    }
    assert_int_equal(xenbus_provider_references(&services.provider), 6);

    /* The store reaches xenstored: the toolstack wrote the guest's own domid. */
    snprintf(path, sizeof(path), "/local/domain/%u/domid", fx.domid);
    assert_int_equal(store->read(store->header.context, 0, path, &value, &len), 0);
    assert_int_equal((unsigned int)atoi(value), fx.domid);
    store->free(store->header.context, value);

    for (int i = 0; i < 6; i++)
        tables[i].header.dereference(tables[i].header.context);
    assert_int_equal(xenbus_provider_references(&services.provider), 0);
}

struct revoked {
    pthread_mutex_t lock;
    int calls;
    int status;
    bool passive;
};

static void page_revoked(void *ctx, int status)
{
    struct revoked *r = ctx;

    pthread_mutex_lock(&r->lock);
    r->calls++;
    r->status = status;
    r->passive = !os_posix_in_dispatch();
    pthread_mutex_unlock(&r->lock);
}

static int revoked_calls(struct revoked *r)
{
    int n;

    pthread_mutex_lock(&r->lock);
    n = r->calls;
    pthread_mutex_unlock(&r->lock);
    return n;
}

static void test_a_backend_maps_what_the_table_grants(void **state)
{
    struct winpv_guid guid = WINPV_GNTTAB_INTERFACE_GUID;
    struct winpv_gnttab_interface_v1 gt;
    struct winpv_gnttab_deferred later;
    struct revoked r = {.lock = PTHREAD_MUTEX_INITIALIZER};
    struct backend *b = backend_open();
    uint64_t gfn;
    uint8_t *page = os_pages_alloc(1, &gfn);
    uint8_t *mapped;
    uint32_t ref;

    (void)state;
    assert_non_null(b);
    assert_non_null(page);
    memset(page, 0x5a, OS_PAGE_SIZE);
    assert_int_equal(query(&guid, &gt.header, sizeof(gt)), 0);
    assert_int_equal(gt.alloc(gt.header.context, &ref), 0);
    assert_int_equal(gt.grant(gt.header.context, ref, 0, gfn, true), 0);

    /* Read-only: dom0 may read the page, not write it. */
    assert_null(backend_map(b, fx.domid, ref, true));
    mapped = backend_map(b, fx.domid, ref, false);
    assert_non_null(mapped);
    assert_int_equal(mapped[0], 0x5a);
    assert_int_equal(mapped[OS_PAGE_SIZE - 1], 0x5a);

    /* Revoking while it is mapped waits for the backend. */
    assert_int_equal(gt.revoke(gt.header.context, ref), -XEN_EBUSY);
    assert_true(gt.end_access(gt.header.context, ref, &later, page_revoked, &r));
    usleep(50000);
    assert_int_equal(revoked_calls(&r), 0);
    assert_int_equal(backend_unmap(b, mapped), 0);
    for (int i = 0; i < 1000 && revoked_calls(&r) == 0; i++)
        usleep(1000);
    assert_int_equal(revoked_calls(&r), 1);
    assert_int_equal(r.status, 0);
    assert_true(r.passive);
    /* The reference went with the revoke: mapping it now fails. */
    assert_null(backend_map(b, fx.domid, ref, false));

    os_pages_free(page, 1);
    backend_close(b);
    gt.header.dereference(gt.header.context);
}

struct events {
    pthread_mutex_t lock;
    int calls;
};

static void count_event(void *ctx, unsigned int vcpu)
{
    struct events *e = ctx;

    (void)vcpu;
    pthread_mutex_lock(&e->lock);
    e->calls++;
    pthread_mutex_unlock(&e->lock);
}

static int event_calls(struct events *e)
{
    int n;

    pthread_mutex_lock(&e->lock);
    n = e->calls;
    pthread_mutex_unlock(&e->lock);
    return n;
}

static void test_events_cross_to_dom0_and_back(void **state)
{
    struct winpv_guid guid = WINPV_EVTCHN_INTERFACE_GUID;
    struct winpv_evtchn_interface_v1 ev;
    struct winpv_evtchn_bind how = {.kind = WINPV_EVTCHN_UNBOUND, .remote_domid = 0};
    struct winpv_evtchn_bind bad = {.kind = 77};
    struct events e = {.lock = PTHREAD_MUTEX_INITIALIZER};
    struct winpv_evtchn_channel *ch;
    uint32_t dom0_port;

    (void)state;
    assert_int_equal(query(&guid, &ev.header, sizeof(ev)), 0);
    assert_int_equal(ev.open(ev.header.context, &bad, count_event, &e, &ch), -XEN_EINVAL);
    assert_int_equal(ev.open(ev.header.context, &how, count_event, &e, &ch), 0);
    dom0_port = dom0_bind_to_guest(ev.port(ev.header.context, ch));

    dom0_notify(dom0_port);
    for (int i = 0; i < 1000 && event_calls(&e) == 0; i++)
        usleep(1000);
    assert_int_equal(event_calls(&e), 1);

    assert_int_equal(ev.notify(ev.header.context, ch), 0);
    assert_int_equal(dom0_next_event(1000), (int)dom0_port);

    ev.close(ev.header.context, ch);
    ev.header.dereference(ev.header.context);
}

/* Read and write through the STORE interface, as a child driver does. */
static void assert_store_works(const char *value)
{
    struct winpv_guid guid = WINPV_STORE_INTERFACE_GUID;
    struct winpv_store_interface_v1 store;
    char path[64], *got;
    size_t len;

    assert_int_equal(query(&guid, &store.header, sizeof(store)), 0);
    snprintf(path, sizeof(path), "/local/domain/%u/data/restart", fx.domid);
    assert_int_equal(store.write(store.header.context, 0, path, value, strlen(value)), 0);
    assert_int_equal(store.read(store.header.context, 0, path, &got, &len), 0);
    assert_int_equal(len, strlen(value));
    assert_string_equal(got, value);
    store.free(store.header.context, got);
    store.header.dereference(store.header.context);
}

/* The port an HVM parameter names, and whom it is bound to (interdomain), as Xen reports. */
static uint32_t param_port_bound_to(uint32_t param, uint32_t *remote_port)
{
    struct evtchn_status status = {.dom = DOMID_SELF};
    uint64_t port;

    assert_int_equal(hv_get_param(param, &port), 0);
    status.port = (uint32_t)port;
    assert_int_equal(hv_evtchn_op(EVTCHNOP_status, &status), 0);
    assert_int_equal(status.status, EVTCHNSTAT_interdomain);
    assert_int_equal(status.u.interdomain.dom, 0);
    *remote_port = status.u.interdomain.port;
    return status.port;
}

/*
 * Xen raised an upcall on each vCPU that nobody served: the interrupt was
 * disconnected already (what a late xenstored signal does while stopping).
 */
static void leave_upcalls_unserved(void)
{
    struct shared_info *s = hv_shared_info_page(services.shared);

    for (unsigned int v = 0; v < 2; v++)
        __atomic_store_n(&s->vcpu_info[v].evtchn_upcall_pending, 1, __ATOMIC_SEQ_CST);
}

/*
 * XENBUS stopped and started again (PnP stop and start, a driver update):
 * the store works as before. Under FIFO, stopping resets every event
 * channel of the domain, the toolstack's xenstore and console ports too;
 * they are bound again to xenstored's and the console daemon's ports and
 * the HVM parameters name the new ports. Dom0 plays the console daemon
 * here (the sim runs none): it binds the console port first. An upcall
 * left unserved while stopping holds back no later one.
 */
static void test_services_start_again_after_stop(void **state)
{
    uint32_t console_dom0 = dom0_bind_to_guest(rings.console_port);
    uint32_t store_remote, console_remote, console_port;
    struct evtchn_send send;

    (void)state;
    param_port_bound_to(HVM_PARAM_STORE_EVTCHN, &store_remote);
    assert_store_works("before");
    for (int round = 0; round < 2; round++) {
        uint32_t remote;

        sim_guest_set_upcall(NULL, NULL);
        leave_upcalls_unserved();
        xenbus_services_stop(&services);
        sim_guest_set_upcall(services_fixture_upcall, &services);
        assert_int_equal(xenbus_services_start(&services, 2), 0);
        assert_store_works(round == 0 ? "after a restart" : "after another");
        param_port_bound_to(HVM_PARAM_STORE_EVTCHN, &remote);
        assert_int_equal(remote, store_remote);
    }
    console_port = param_port_bound_to(HVM_PARAM_CONSOLE_EVTCHN, &console_remote);
    assert_int_equal(console_remote, console_dom0);
    send.port = console_port;
    assert_int_equal(hv_evtchn_op(EVTCHNOP_send, &send), 0);
    assert_int_equal(dom0_next_event(1000), (int)console_dom0);
    dom0_unmask(console_dom0);
}

static void test_stop_gives_every_page_back(void **state)
{
    (void)state;
    sim_guest_set_upcall(NULL, NULL);
    xenbus_services_stop(&services);
    assert_null(services.evtchn);
    assert_int_equal(os_posix_guest_pages_in_use(), pages_at_start);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_interface_is_served),
        cmocka_unit_test(test_a_backend_maps_what_the_table_grants),
        cmocka_unit_test(test_events_cross_to_dom0_and_back),
        cmocka_unit_test(test_services_start_again_after_stop),
        cmocka_unit_test(test_stop_gives_every_page_back),
    };
    const struct CMUnitTest two_level[] = {
        cmocka_unit_test(test_services_start_again_after_stop),
        cmocka_unit_test(test_stop_gives_every_page_back),
    };
    int failed = _cmocka_run_group_tests("services FIFO", tests, sizeof(tests) / sizeof(tests[0]),
                                         setup, teardown);

    return failed + _cmocka_run_group_tests("services 2-level", two_level,
                                            sizeof(two_level) / sizeof(two_level[0]), setup_2l,
                                            teardown);
}
