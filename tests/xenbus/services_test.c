/*
 * tests/xenbus/services_test.c - XENBUS's services as a child driver gets
 * them: started on a guest of winpv-simd with Debian's C xenstored, each
 * interface queried through the provider and used through its table
 * against real peers — a dom0 backend mapping a grant through
 * libxengnttab, dom0's event-channel handle on the other end of a channel,
 * xenstored behind the store — and every page back after stop.
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

#include "../gnttab/backend.h"
#include "../sim/sim_fixture.h"
#include "guest.h"
#include "os.h"
#include "os_posix.h"
#include "store.h"
#include "winpv/evtchn_interface.h"
#include "winpv/gnttab_interface.h"
#include "winpv/store_interface.h"
#include "winpv/xenbus_interface.h"
#include "xenbus/services.h"

static struct xenstore xenstored;
static struct guest_rings rings;
static struct xenbus_services services;
static size_t pages_at_start;

static void on_upcall(void *ctx, unsigned int vcpu)
{
    xenbus_services_upcall(ctx, vcpu);
}

static int setup(void **state)
{
    if (sim_fixture_setup(state) != 0)
        return -1;
    pages_at_start = os_posix_guest_pages_in_use();
    /* Where the backend's libxengnttab finds the daemon. */
    setenv(SIM_RUN_DIR_ENV, fx.simd.dir, 1);
    sim_guest_set_upcall(on_upcall, &services);
    if (xenstore_start(&fx.simd, &xenstored, XENSTORED_C) != 0 ||
        xenstore_introduce(&fx.simd, &xenstored, fx.domid, &rings) != 0 ||
        xenbus_services_start(&services, 2) != 0) {
        fprintf(stderr, "services set-up failed; run directory %s\n", fx.simd.dir);
        sim_guest_set_upcall(NULL, NULL);
        xenstore_stop(&xenstored);
        sim_fixture_teardown(state);
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    bool alive = component_alive(&xenstored.daemon);

    sim_guest_set_upcall(NULL, NULL);
    if (services.evtchn)
        xenbus_services_stop(&services);
    xenstore_stop(&xenstored);
    return sim_fixture_teardown(state) == 0 && alive ? 0 : -1;
}

static int query(const struct winpv_guid *guid, struct winpv_interface_header *table, size_t size)
{
    return xenbus_query_interface(&services.provider, guid, 1, table, (uint16_t)size);
}

static void test_every_interface_is_served(void **state)
{
    struct winpv_guid guids[] = {WINPV_STORE_INTERFACE_GUID, WINPV_XENBUS_INTERFACE_GUID,
                                 WINPV_GNTTAB_INTERFACE_GUID, WINPV_EVTCHN_INTERFACE_GUID};
    size_t sizes[] = {
        sizeof(struct winpv_store_interface_v1), sizeof(struct winpv_xenbus_interface_v1),
        sizeof(struct winpv_gnttab_interface_v1), sizeof(struct winpv_evtchn_interface_v1)};
    union {
        struct winpv_interface_header header;
        char bytes[512];
    } tables[4];
    struct winpv_store_interface_v1 *store = (struct winpv_store_interface_v1 *)&tables[0];
    char path[64], *value;
    size_t len;

    (void)state;
    for (int i = 0; i < 4; i++) {
        assert_int_equal(query(&guids[i], &tables[i].header, sizeof(tables[i])), 0);
        assert_int_equal(tables[i].header.size, sizes[i]);
        assert_int_equal(tables[i].header.version, 1);
        /* Every function of the table is there. */
        for (size_t at = sizeof(struct winpv_interface_header); at < sizes[i]; at += sizeof(void *))
            assert_non_null(*(void **)(tables[i].bytes + at));
    }
    assert_int_equal(xenbus_provider_references(&services.provider), 4);

    /* The store reaches xenstored: the toolstack wrote the guest's own domid. */
    snprintf(path, sizeof(path), "/local/domain/%u/domid", fx.domid);
    assert_int_equal(store->read(store->header.context, 0, path, &value, &len), 0);
    assert_int_equal((unsigned int)atoi(value), fx.domid);
    store->free(store->header.context, value);

    for (int i = 0; i < 4; i++)
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
        cmocka_unit_test(test_stop_gives_every_page_back),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
