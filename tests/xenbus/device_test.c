/*
 * tests/xenbus/device_test.c - xenbus as a frontend driver sees it, against
 * the real xenstoreds: devices the toolstack adds and removes are reported
 * once each; a frontend finds and checks its backend, follows the backend's
 * state, waits for one, fails the way the toolstack reads; and a child
 * driver reaches all of it through the versioned tables.
 *
 * dom0 plays the toolstack and the backend through the real libxenstore,
 * laying out nodes as Xen's toolstack does.
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
#include <xen/io/xenbus.h>

#include "support/xenstore/dom0.h"
#include "support/xenstore/fixture.h"
#include "os.h"
#include "winpv/store_interface.h"
#include "winpv/xenbus_interface.h"
#include "xenbus/device.h"
#include "xenbus/enumerator.h"
#include "xenbus/provider.h"
#include "xenstore/client.h"

#define SECOND_NS 1000000000ull

static void frontend_path(char *buf, size_t size, const char *class, const char *id)
{
    guest_path(buf, size, "~/device/%s/%s", class, id);
}

static void backend_path(char *buf, size_t size, const char *class, const char *id)
{
    snprintf(buf, size, "/local/domain/0/backend/%s/%u/%s", class, guest_domid(), id);
}

static void dom0_write_at(const char *dir, const char *name, const char *value)
{
    char path[256];

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    assert_true(dom0_write_str(path, value));
}

/* What the toolstack writes for a new device: both directories, states 1. */
static void add_device(const char *class, const char *id)
{
    char front[128], back[128], number[16];
    struct dom0_perm front_perms[] = {{guest_domid(), 'n'}, {0, 'r'}};
    struct dom0_perm back_perms[] = {{0, 'n'}, {guest_domid(), 'r'}};

    frontend_path(front, sizeof(front), class, id);
    backend_path(back, sizeof(back), class, id);
    assert_true(dom0_mkdir(back));
    assert_true(dom0_set_perms(back, back_perms, 2));
    dom0_write_at(back, "frontend", front);
    snprintf(number, sizeof(number), "%u", guest_domid());
    dom0_write_at(back, "frontend-id", number);
    dom0_write_at(back, "state", "1");
    assert_true(dom0_mkdir(front));
    assert_true(dom0_set_perms(front, front_perms, 2));
    dom0_write_at(front, "backend", back);
    dom0_write_at(front, "backend-id", "0");
    dom0_write_at(front, "state", "1");
}

static void remove_device(const char *class, const char *id)
{
    char front[128], back[128];

    frontend_path(front, sizeof(front), class, id);
    backend_path(back, sizeof(back), class, id);
    assert_true(dom0_rm(front));
    assert_true(dom0_rm(back));
}

static void set_backend_state(const char *class, const char *id, const char *state)
{
    char back[128];

    backend_path(back, sizeof(back), class, id);
    dom0_write_at(back, "state", state);
}

/* -- enumeration -- */

#define MAX_EVENTS 16

struct device_events {
    pthread_mutex_t lock;
    unsigned int count;
    char what[MAX_EVENTS][80]; /* "+vbd/768" or "-vbd/768" */
};

static void record_device(void *ctx, const char *class, const char *id, bool present)
{
    struct device_events *ev = ctx;

    pthread_mutex_lock(&ev->lock);
    if (ev->count < MAX_EVENTS)
        snprintf(ev->what[ev->count], sizeof(ev->what[0]), "%c%s/%s", present ? '+' : '-', class,
                 id);
    ev->count++;
    pthread_mutex_unlock(&ev->lock);
}

static bool saw(struct device_events *ev, const char *what)
{
    bool found = false;

    pthread_mutex_lock(&ev->lock);
    for (unsigned int i = 0; i < ev->count && i < MAX_EVENTS; i++)
        found |= strcmp(ev->what[i], what) == 0;
    pthread_mutex_unlock(&ev->lock);
    return found;
}

static unsigned int event_count(struct device_events *ev)
{
    unsigned int n;

    pthread_mutex_lock(&ev->lock);
    n = ev->count;
    pthread_mutex_unlock(&ev->lock);
    return n;
}

static void wait_for_events(struct device_events *ev, unsigned int count)
{
    for (int i = 0; i < 2000 && event_count(ev) < count; i++)
        usleep(1000);
    /* Then a little longer: a duplicate report would show up now. */
    usleep(50000);
}

static void test_devices_appear_and_go_once_each(void **state)
{
    struct device_events ev = {.lock = PTHREAD_MUTEX_INITIALIZER};
    struct xenbus_enumerator *e;
    char bad[128];

    (void)state;
    add_device("vbd", "768");
    add_device("vif", "0");
    /* A name xenstore takes but no device has (too long): skipped, never reported. */
    guest_path(bad, sizeof(bad), "~/device/vbd/%s", "abcdefghijabcdefghijabcdefghijabc");
    assert_true(dom0_write_str(bad, "x"));

    assert_int_equal(xenbus_enumerator_start(xs, record_device, &ev, &e), 0);
    /* Reported before start returns: a bus starting at boot reports its boot disk at once. */
    assert_int_equal(event_count(&ev), 2);
    wait_for_events(&ev, 2);
    assert_int_equal(event_count(&ev), 2);
    assert_true(saw(&ev, "+vbd/768"));
    assert_true(saw(&ev, "+vif/0"));
    assert_int_equal(xenbus_enumerator_count(e), 2);

    add_device("vbd", "832");
    wait_for_events(&ev, 3);
    assert_int_equal(event_count(&ev), 3);
    assert_true(saw(&ev, "+vbd/832"));

    remove_device("vif", "0");
    wait_for_events(&ev, 4);
    assert_int_equal(event_count(&ev), 4);
    assert_true(saw(&ev, "-vif/0"));
    assert_int_equal(xenbus_enumerator_count(e), 2);

    /* A write inside a device's directory changes no device. */
    set_backend_state("vbd", "768", "2");
    add_device("vbd", "768"); /* rewritten in place */
    usleep(100000);
    assert_int_equal(event_count(&ev), 4);

    xenbus_enumerator_stop(e);
    remove_device("vbd", "768");
    remove_device("vbd", "832");
    assert_true(dom0_rm(bad));
}

struct counting_events {
    struct device_events events;
    struct xenbus_enumerator *e;
    unsigned int count_seen; /* what xenbus_enumerator_count said from the callback */
};

/* A callback that asks the enumerator back: no lock of its may be held here. */
static void record_and_count(void *ctx, const char *class, const char *id, bool present)
{
    struct counting_events *ce = ctx;
    struct xenbus_enumerator *e = __atomic_load_n(&ce->e, __ATOMIC_ACQUIRE);

    if (e)
        __atomic_store_n(&ce->count_seen, xenbus_enumerator_count(e), __ATOMIC_RELEASE);
    record_device(&ce->events, class, id, present);
}

static void test_a_failed_list_loses_no_device(void **state)
{
    struct counting_events ce = {.events.lock = PTHREAD_MUTEX_INITIALIZER};
    struct xenbus_enumerator *e;
    char class_dir[128];
    struct dom0_perm hidden[] = {{0, 'n'}};
    struct dom0_perm open_to_guest[] = {{guest_domid(), 'n'}};

    (void)state;
    add_device("vbd", "51728");
    assert_int_equal(xenbus_enumerator_start(xs, record_and_count, &ce, &e), 0);
    __atomic_store_n(&ce.e, e, __ATOMIC_RELEASE);
    wait_for_events(&ce.events, 1);
    assert_true(saw(&ce.events, "+vbd/51728"));

    /* The guest can no longer list device/vbd: an error, not every disk gone. */
    guest_path(class_dir, sizeof(class_dir), "~/device/vbd");
    assert_true(dom0_set_perms(class_dir, hidden, 1));
    add_device("vif", "3"); /* a change that makes the enumerator list again */
    usleep(200000);
    assert_false(saw(&ce.events, "-vbd/51728"));
    assert_int_equal(xenbus_enumerator_count(e), 1);

    /* Readable again: the next list finds both, and reports only the new one. */
    assert_true(dom0_set_perms(class_dir, open_to_guest, 1));
    remove_device("vif", "3");
    add_device("vif", "3");
    wait_for_events(&ce.events, 2);
    assert_int_equal(event_count(&ce.events), 2);
    assert_true(saw(&ce.events, "+vif/3"));
    assert_int_equal(__atomic_load_n(&ce.count_seen, __ATOMIC_ACQUIRE), 2);

    xenbus_enumerator_stop(e);
    remove_device("vbd", "51728");
    remove_device("vif", "3");
}

/* -- one device's handshake -- */

struct state_log {
    pthread_mutex_t lock;
    unsigned int count;
    uint32_t last;
};

static void record_state(void *ctx, uint32_t state)
{
    struct state_log *log = ctx;

    pthread_mutex_lock(&log->lock);
    log->count++;
    log->last = state;
    pthread_mutex_unlock(&log->lock);
}

static void test_open_checks_the_backend(void **state)
{
    struct xenbus_device *dev;
    char front[128];

    (void)state;
    assert_int_equal(xenbus_device_open(xs, "vbd", "51712", NULL, NULL, &dev), -XEN_ENOENT);
    assert_int_equal(xenbus_device_open(xs, "vbd", "../x", NULL, NULL, &dev), -XEN_EINVAL);

    add_device("vbd", "51712");
    frontend_path(front, sizeof(front), "vbd", "51712");
    /* A backend path in another domain than backend-id names. */
    dom0_write_at(front, "backend-id", "7");
    assert_int_equal(xenbus_device_open(xs, "vbd", "51712", NULL, NULL, &dev), -XEN_EINVAL);
    dom0_write_at(front, "backend-id", "0x0");
    assert_int_equal(xenbus_device_open(xs, "vbd", "51712", NULL, NULL, &dev), -XEN_EINVAL);
    dom0_write_at(front, "backend-id", "0");
    dom0_write_at(front, "backend", "/local/domain/0");
    assert_int_equal(xenbus_device_open(xs, "vbd", "51712", NULL, NULL, &dev), -XEN_EINVAL);

    remove_device("vbd", "51712");
    add_device("vbd", "51712");
    assert_int_equal(xenbus_device_open(xs, "vbd", "51712", NULL, NULL, &dev), 0);
    assert_string_equal(xenbus_device_nodename(dev), "device/vbd/51712");
    assert_int_equal(xenbus_device_otherend_id(dev), 0);
    assert_non_null(strstr(xenbus_device_otherend(dev), "/backend/vbd/"));
    xenbus_device_close(dev);
    remove_device("vbd", "51712");
}

struct delayed_state {
    const char *state;
    unsigned int delay_ms;
};

static void *write_backend_state_later(void *arg)
{
    struct delayed_state *d = arg;

    usleep(d->delay_ms * 1000);
    set_backend_state("vbd", "768", d->state);
    return NULL;
}

static void test_handshake_follows_the_backend(void **state)
{
    struct state_log log = {.lock = PTHREAD_MUTEX_INITIALIZER};
    struct delayed_state later = {"4", 200};
    struct xenbus_device *dev;
    enum xenbus_state reached;
    char front[128], path[160];
    pthread_t thread;
    char *value;
    unsigned int len;

    (void)state;
    add_device("vbd", "768");
    assert_int_equal(xenbus_device_open(xs, "vbd", "768", record_state, &log, &dev), 0);
    /* The first state arrives from the watch's own first event. */
    assert_int_equal(xenbus_wait_for_otherend(dev, XENBUS_STATE_BIT(XenbusStateInitialising),
                                              SECOND_NS, &reached),
                     0);

    set_backend_state("vbd", "768", "2");
    assert_int_equal(
        xenbus_wait_for_otherend(dev, XENBUS_STATE_BIT(XenbusStateInitWait), SECOND_NS, &reached),
        0);
    assert_int_equal(reached, XenbusStateInitWait);
    pthread_mutex_lock(&log.lock);
    assert_int_equal(log.last, XenbusStateInitWait);
    pthread_mutex_unlock(&log.lock);

    assert_int_equal(xenbus_switch_state(dev, XenbusStateInitialised), 0);
    frontend_path(front, sizeof(front), "vbd", "768");
    snprintf(path, sizeof(path), "%s/state", front);
    value = dom0_read(path, &len);
    assert_non_null(value);
    assert_string_equal(value, "3");
    free(value);

    /* Waiting for a state the backend never reaches ends at the timeout. */
    assert_int_equal(xenbus_wait_for_otherend(dev, XENBUS_STATE_BIT(XenbusStateConnected),
                                              SECOND_NS / 10, &reached),
                     -XEN_ETIMEDOUT);
    assert_int_equal(reached, XenbusStateInitWait);

    /* Nonsense from the backend is not a state: the last good one stands. */
    set_backend_state("vbd", "768", "9");
    set_backend_state("vbd", "768", "four");
    usleep(100000);
    assert_int_equal(xenbus_otherend_state(dev), XenbusStateInitWait);

    assert_int_equal(pthread_create(&thread, NULL, write_backend_state_later, &later), 0);
    assert_int_equal(xenbus_wait_for_otherend(dev, XENBUS_STATE_BIT(XenbusStateConnected),
                                              5 * SECOND_NS, &reached),
                     0);
    assert_int_equal(reached, XenbusStateConnected);
    pthread_join(thread, NULL);

    /*
     * The backend's directory taken away (a driver domain destroyed): its
     * state is Unknown, told to the owner, whether xenstored answers that
     * the node is absent or, judging by a parent the guest may not read,
     * that it is denied.
     */
    backend_path(path, sizeof(path), "vbd", "768");
    assert_true(dom0_rm(path));
    assert_int_equal(
        xenbus_wait_for_otherend(dev, XENBUS_STATE_BIT(XenbusStateUnknown), SECOND_NS, &reached),
        0);
    pthread_mutex_lock(&log.lock);
    assert_int_equal(log.last, XenbusStateUnknown);
    pthread_mutex_unlock(&log.lock);

    xenbus_device_close(dev);
    assert_true(dom0_rm(front));
}

static void test_fail_tells_the_toolstack(void **state)
{
    struct xenbus_device *dev;
    char path[160];
    char *value;
    unsigned int len;

    (void)state;
    add_device("vif", "1");
    assert_int_equal(xenbus_device_open(xs, "vif", "1", NULL, NULL, &dev), 0);
    xenbus_fail(dev, -XEN_ENOMEM, "allocating the rings");
    guest_path(path, sizeof(path), "~/error/device/vif/1/error");
    value = dom0_read(path, &len);
    assert_non_null(value);
    assert_string_equal(value, "12 allocating the rings");
    free(value);
    guest_path(path, sizeof(path), "~/device/vif/1/state");
    value = dom0_read(path, &len);
    assert_non_null(value);
    assert_string_equal(value, "5");
    free(value);
    xenbus_device_close(dev);
    remove_device("vif", "1");
    guest_path(path, sizeof(path), "~/error");
    assert_true(dom0_rm(path));
}

/* -- the tables a child driver gets -- */

static void test_children_query_versioned_tables(void **state)
{
    struct xenbus_provider provider = {.store = xs};
    struct winpv_guid store_guid = WINPV_STORE_INTERFACE_GUID;
    struct winpv_guid xenbus_guid = WINPV_XENBUS_INTERFACE_GUID;
    struct winpv_guid unknown = {0x12345678, 1, 2, {3, 4, 5, 6, 7, 8, 9, 10}};
    struct winpv_store_interface_v1 store_if;
    struct winpv_xenbus_interface_v1 xenbus_if;
    struct winpv_xenbus_device *dev;
    uint32_t reached;
    char path[128];
    char *value;
    size_t len;

    (void)state;
    assert_int_equal(
        xenbus_query_interface(&provider, &unknown, 1, &store_if.header, sizeof(store_if)),
        -XEN_ENOENT);
    assert_int_equal(
        xenbus_query_interface(&provider, &store_guid, 2, &store_if.header, sizeof(store_if)),
        -XEN_EOPNOTSUPP);
    assert_int_equal(
        xenbus_query_interface(&provider, &store_guid, 0, &store_if.header, sizeof(store_if)),
        -XEN_EOPNOTSUPP);
    assert_int_equal(
        xenbus_query_interface(&provider, &store_guid, 1, &store_if.header, sizeof(store_if) - 1),
        -XEN_EINVAL);
    assert_int_equal(xenbus_provider_references(&provider), 0);

    assert_int_equal(
        xenbus_query_interface(&provider, &store_guid, 1, &store_if.header, sizeof(store_if)), 0);
    assert_int_equal(store_if.header.version, 1);
    assert_int_equal(store_if.header.size, sizeof(store_if));
    assert_int_equal(xenbus_provider_references(&provider), 1);

    /* The table reaches the same xenstore. */
    guest_path(path, sizeof(path), "~/data/through-table");
    assert_true(dom0_write_str(path, "hello child"));
    assert_int_equal(store_if.read(store_if.header.context, 0, path, &value, &len), 0);
    assert_string_equal(value, "hello child");
    store_if.free(store_if.header.context, value);

    add_device("vbd", "5632");
    assert_int_equal(
        xenbus_query_interface(&provider, &xenbus_guid, 1, &xenbus_if.header, sizeof(xenbus_if)),
        0);
    assert_int_equal(xenbus_provider_references(&provider), 2);
    assert_int_equal(xenbus_if.open(xenbus_if.header.context, "vbd", "5632", NULL, NULL, &dev), 0);
    assert_string_equal(xenbus_if.nodename(xenbus_if.header.context, dev), "device/vbd/5632");
    assert_int_equal(xenbus_if.switch_state(xenbus_if.header.context, dev, 99), -XEN_EINVAL);
    set_backend_state("vbd", "5632", "4");
    assert_int_equal(xenbus_if.wait_for_otherend(xenbus_if.header.context, dev,
                                                 XENBUS_STATE_BIT(XenbusStateConnected), SECOND_NS,
                                                 &reached),
                     0);
    assert_int_equal(reached, XenbusStateConnected);
    xenbus_if.close(xenbus_if.header.context, dev);

    xenbus_if.header.dereference(xenbus_if.header.context);
    store_if.header.dereference(store_if.header.context);
    assert_int_equal(xenbus_provider_references(&provider), 0);

    /* With no xenstore running, neither is served. */
    provider.store = NULL;
    assert_int_equal(
        xenbus_query_interface(&provider, &store_guid, 1, &store_if.header, sizeof(store_if)),
        -XEN_ENOENT);
    remove_device("vbd", "5632");
    assert_true(dom0_rm(path));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_devices_appear_and_go_once_each),
        cmocka_unit_test(test_a_failed_list_loses_no_device),
        cmocka_unit_test(test_open_checks_the_backend),
        cmocka_unit_test(test_handshake_follows_the_backend),
        cmocka_unit_test(test_fail_tells_the_toolstack),
        cmocka_unit_test(test_children_query_versioned_tables),
    };

    return run_on_both_daemons(tests, sizeof(tests) / sizeof(tests[0]));
}
