/*
 * tests/xenbus/services_suspend_test.c - XENBUS's services suspended and
 * resumed as a whole (xenbus_services_suspend), on a guest of winpv-simd
 * with a real xenstored (C, then OCaml): the toolstack saves the suspended
 * domain and restores it as a new one, paused while it introduces it to
 * xenstored, as Xen's does; or it cancels the suspend. A child driver
 * (the SUSPEND interface's early and late callbacks, an event channel to
 * dom0 it reconnects after a restore, a watch) and dom0 (a backend mapping
 * grants, the other end of event channels, xenstore) check what a user
 * would: the store, events and grants work in the new domain, the watch
 * fired and still fires, the callbacks ran once each in order; a cancelled
 * suspend goes on in place; a transaction holds the suspend back; ten
 * migrations in a row leave winpv-simd's counts as they were and every
 * page back at stop.
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
#include <xen/xen.h>

#include "guest.h"
#include "os.h"
#include "os_posix.h"
#include "support/sim/services_fixture.h"
#include "store.h"
#include "support/gnttab/backend.h"
#include "support/sim/sim_fixture.h"
#include "winpv/evtchn_interface.h"
#include "winpv/gnttab_interface.h"
#include "winpv/store_interface.h"
#include "winpv/suspend_interface.h"
#include "xenbus/services.h"
#include "xenstore/client.h"

static int query(const struct winpv_guid *guid, struct winpv_interface_header *table, size_t size)
{
    return services_query(guid, table, size);
}

/* -- the shell's part: "holding" the other vCPUs ----------------------------- */

static int held_runs;
static bool held_in_dispatch;

/*
 * A guest process has no vCPUs to stop; what must hold is that the held
 * part is fit for HIGH_LEVEL: it runs under a spinlock, where os/posix
 * aborts on anything that may block.
 */
static void run_held(void *ctx, void (*fn)(void *arg), void *arg)
{
    struct os_spinlock lock;
    os_irql_t irql;

    (void)ctx;
    os_spin_init(&lock);
    irql = os_spin_lock(&lock);
    held_in_dispatch = os_posix_in_dispatch();
    fn(arg);
    os_spin_unlock(&lock, irql);
    held_runs++;
}

static const struct xenbus_suspend_hold hold = {.run_held = run_held};

/* -- a child driver ----------------------------------------------------------- */

struct child {
    struct winpv_suspend_interface_v1 suspend;
    struct winpv_evtchn_interface_v1 ev;
    struct winpv_store_interface_v1 store;
    struct winpv_gnttab_interface_v1 gt;
    struct winpv_suspend_callback *early, *late;
    struct winpv_evtchn_channel *channel;
    struct winpv_store_watch *watch;

    pthread_mutex_t lock;
    int step; /* callbacks run so far, in any phase */
    int early_calls, early_step, late_calls, late_step;
    bool late_cancelled;
    enum xenbus_services_state early_state, late_state;
    int reconnected;     /* the channel's reconnection in the late callback */
    char late_domid[16]; /* ~/domid read from the late callback */
    int events, watch_fires;
};

static struct child child = {.lock = PTHREAD_MUTEX_INITIALIZER};

static int child_count(int *counter)
{
    int n;

    pthread_mutex_lock(&child.lock);
    n = *counter;
    pthread_mutex_unlock(&child.lock);
    return n;
}

/* Wait up to 2 s until *@counter reaches @n. */
static void wait_count(int *counter, int n)
{
    for (int i = 0; i < 2000 && child_count(counter) < n; i++)
        usleep(1000);
    assert_int_equal(child_count(counter), n);
}

static void child_event(void *ctx, unsigned int vcpu)
{
    (void)ctx;
    (void)vcpu;
    pthread_mutex_lock(&child.lock);
    child.events++;
    pthread_mutex_unlock(&child.lock);
}

static void child_watch(void *ctx, const char *path)
{
    (void)ctx;
    (void)path;
    pthread_mutex_lock(&child.lock);
    child.watch_fires++;
    pthread_mutex_unlock(&child.lock);
}

static void child_early(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&child.lock);
    child.early_calls++;
    child.early_step = ++child.step;
    child.early_state = xenbus_services_state(&services);
    pthread_mutex_unlock(&child.lock);
}

/* After a restore the child reconnects its channel (a new unbound port for dom0) and reads ~/domid. */
static void child_late(void *arg, bool cancelled)
{
    struct winpv_evtchn_bind how = {.kind = WINPV_EVTCHN_UNBOUND, .remote_domid = 0};
    char *value = NULL;
    size_t len;
    int reconnected = 0;

    (void)arg;
    if (!cancelled)
        reconnected = child.ev.reconnect(child.ev.header.context, child.channel, &how);
    if (child.store.read(child.store.header.context, 0, "domid", &value, &len) != 0)
        value = NULL;
    pthread_mutex_lock(&child.lock);
    child.late_calls++;
    child.late_step = ++child.step;
    child.late_cancelled = cancelled;
    child.late_state = xenbus_services_state(&services);
    child.reconnected = reconnected;
    snprintf(child.late_domid, sizeof(child.late_domid), "%s", value ? value : "(none)");
    pthread_mutex_unlock(&child.lock);
    if (value)
        child.store.free(child.store.header.context, value);
}

static void child_reset_counts(void)
{
    pthread_mutex_lock(&child.lock);
    child.step = child.early_calls = child.late_calls = 0;
    child.early_step = child.late_step = 0;
    child.late_cancelled = false;
    child.reconnected = -1;
    child.late_domid[0] = '\0';
    pthread_mutex_unlock(&child.lock);
}

static void child_start(void)
{
    struct winpv_guid suspend = WINPV_SUSPEND_INTERFACE_GUID, ev = WINPV_EVTCHN_INTERFACE_GUID;
    struct winpv_guid store = WINPV_STORE_INTERFACE_GUID, gt = WINPV_GNTTAB_INTERFACE_GUID;
    struct winpv_evtchn_bind how = {.kind = WINPV_EVTCHN_UNBOUND, .remote_domid = 0};

    assert_int_equal(query(&suspend, &child.suspend.header, sizeof(child.suspend)), 0);
    assert_int_equal(query(&ev, &child.ev.header, sizeof(child.ev)), 0);
    assert_int_equal(query(&store, &child.store.header, sizeof(child.store)), 0);
    assert_int_equal(query(&gt, &child.gt.header, sizeof(child.gt)), 0);
    assert_int_equal(
        child.suspend.register_early(child.suspend.header.context, child_early, NULL, &child.early),
        0);
    assert_int_equal(
        child.suspend.register_late(child.suspend.header.context, child_late, NULL, &child.late),
        0);
    assert_int_equal(
        child.ev.open(child.ev.header.context, &how, child_event, NULL, &child.channel), 0);
    assert_int_equal(child.store.mkdir(child.store.header.context, 0, "data/watched"), 0);
    assert_int_equal(child.store.watch_add(child.store.header.context, "data/watched", child_watch,
                                           NULL, &child.watch),
                     0);
    wait_count(&child.watch_fires, 1); /* the first event, as xenstored sends */
    child_reset_counts();
}

static void child_stop(void)
{
    child.store.watch_remove(child.store.header.context, child.watch);
    child.watch_fires = 0; /* its callback neither runs nor is queued any more */
    child.ev.close(child.ev.header.context, child.channel);
    child.suspend.deregister(child.suspend.header.context, child.early);
    child.suspend.deregister(child.suspend.header.context, child.late);
    child.suspend.header.dereference(child.suspend.header.context);
    child.ev.header.dereference(child.ev.header.context);
    child.store.header.dereference(child.store.header.context);
    child.gt.header.dereference(child.gt.header.context);
}

/* -- set-up ----------------------------------------------------------------- */

static int setup_c(void **state)
{
    return services_fixture_setup(state, XENSTORED_C);
}

static int setup_ocaml(void **state)
{
    return services_fixture_setup(state, XENSTORED_OCAML);
}

static int teardown(void **state)
{
    return services_fixture_teardown(state, true);
}

static int test_setup(void **state)
{
    (void)state;
    child_start();
    return 0;
}

static int test_teardown(void **state)
{
    (void)state;
    child_stop();
    return 0;
}

/* -- the guest's suspend and the toolstack's side --------------------------------- */

struct suspender {
    pthread_t thread;
    int result;
    volatile int done;
};

static void *suspend_main(void *arg)
{
    struct suspender *s = arg;

    s->result = xenbus_services_suspend(&services, &hold);
    __atomic_store_n(&s->done, 1, __ATOMIC_RELEASE);
    return NULL;
}

static void suspender_start(struct suspender *s)
{
    s->done = 0;
    assert_int_equal(pthread_create(&s->thread, NULL, suspend_main, s), 0);
}

static int suspender_join(struct suspender *s)
{
    pthread_join(s->thread, NULL);
    return s->result;
}

static struct sim_domain_info domain_info(uint32_t domid)
{
    union sim_request_body body = {.domid.domid = domid};
    struct sim_reply reply;

    assert_int_equal(dom0_call(&fx.privcmd, SIM_DOMAIN_INFO, &body, &reply), 0);
    assert_int_equal(reply.body.info.domid, domid);
    return reply.body.info;
}

static bool suspended(uint32_t domid)
{
    return (domain_info(domid).flags & SIM_DOMINFO_SHUTDOWN) != 0;
}

/* Wait up to 5 s for the guest to make the suspend hypercall. */
static void wait_for_suspend(void)
{
    for (int i = 0; i < 2500 && !suspended(fx.domid); i++)
        usleep(2000);
    assert_true(suspended(fx.domid));
    assert_int_equal(xenbus_services_state(&services), XENBUS_SERVICES_SUSPENDED);
}

/*
 * Suspend, save, restore paused, set the new domain up for xenstored,
 * unpause, then the old domain released by xenstored and destroyed. Returns what
 * xenbus_services_suspend returned.
 */
static int migrate(const char *image)
{
    union sim_request_body body = {.domid.domid = fx.domid};
    struct sim_reply reply;
    struct suspender s;
    uint32_t old = fx.domid, restored;
    int rc;

    suspender_start(&s);
    wait_for_suspend();
    assert_int_equal(simd_domain_save(&fx.simd, old, image), 0);
    assert_int_equal(simd_domain_restore_paused(&fx.simd, image, &restored), 0);
    assert_int_equal(xenstore_introduce_restored(&fx.simd, &xenstored, restored, &rings), 0);
    assert_int_equal(simd_domain_unpause(&fx.simd, restored), 0);
    rc = suspender_join(&s);
    assert_int_equal(sim_guest_domid(), restored);
    assert_int_equal(xenstore_release(&xenstored, old), 0);
    assert_int_equal(dom0_call(&fx.simd.toolstack, SIM_DOMAIN_DESTROY, &body, &reply), 0);
    fx.domid = restored;
    return rc;
}

/* The guest's node @node, written by dom0. */
static void dom0_write_guest_node(const char *node, const char *value)
{
    char dir[64];

    snprintf(dir, sizeof(dir), "/local/domain/%u", fx.domid);
    assert_true(xenstore_write_in(&xenstored, 0, dir, node, "%s", value));
}

/* The child's store works: write and read back its own node. */
static void assert_store_works(const char *value)
{
    char *got;
    size_t len;

    assert_int_equal(
        child.store.write(child.store.header.context, 0, "data/suspend", value, strlen(value)), 0);
    assert_int_equal(child.store.read(child.store.header.context, 0, "data/suspend", &got, &len),
                     0);
    assert_string_equal(got, value);
    child.store.free(child.store.header.context, got);
}

/* The watch fires when dom0 writes the node: once more than @before. */
static void assert_watch_fires(void)
{
    int before = child_count(&child.watch_fires);

    dom0_write_guest_node("data/watched", "changed");
    wait_count(&child.watch_fires, before + 1);
}

/* Events cross both ways on @ch, whose other end is dom0's @dom0_port. */
static void assert_events_cross(struct winpv_evtchn_channel *ch, int *events, uint32_t dom0_port)
{
    int before = child_count(events);

    dom0_notify(dom0_port);
    wait_count(events, before + 1);
    assert_int_equal(child.ev.notify(child.ev.header.context, ch), 0);
    assert_int_equal(dom0_next_event(1000), (int)dom0_port);
    dom0_unmask(dom0_port);
}

static void dom0_unbind(uint32_t dom0_port)
{
    union sim_request_body body = {.port.port = dom0_port};
    struct sim_reply reply;

    assert_int_equal(dom0_call(&fx.evtchn, SIM_EVTCHN_UNBIND, &body, &reply), 0);
}

/* A grant made now maps from dom0 and shows the page. */
static void assert_grant_maps(void)
{
    struct backend *b = backend_open();
    uint64_t gfn;
    uint8_t *page = os_pages_alloc(1, &gfn), *mapped;
    uint32_t ref;

    assert_non_null(b);
    assert_non_null(page);
    memset(page, 0xa5, OS_PAGE_SIZE);
    assert_int_equal(child.gt.alloc(child.gt.header.context, &ref), 0);
    assert_int_equal(child.gt.grant(child.gt.header.context, ref, 0, gfn, true), 0);
    mapped = backend_map(b, fx.domid, ref, false);
    assert_non_null(mapped);
    assert_int_equal(mapped[0], 0xa5);
    assert_int_equal(mapped[OS_PAGE_SIZE - 1], 0xa5);
    assert_int_equal(backend_unmap(b, mapped), 0);
    assert_int_equal(child.gt.revoke(child.gt.header.context, ref), 0);
    child.gt.free(child.gt.header.context, ref);
    os_pages_free(page, 1);
    backend_close(b);
}

/* The callbacks ran once each, early then late, in the states they should see. */
static void assert_callbacks_ran(bool cancelled)
{
    pthread_mutex_lock(&child.lock);
    assert_int_equal(child.early_calls, 1);
    assert_int_equal(child.late_calls, 1);
    assert_int_equal(child.early_step, 1);
    assert_int_equal(child.late_step, 2);
    assert_int_equal(child.late_cancelled, cancelled);
    assert_int_equal(child.early_state, XENBUS_SERVICES_QUIESCING);
    assert_int_equal(child.late_state, XENBUS_SERVICES_RESUMING);
    pthread_mutex_unlock(&child.lock);
    assert_int_equal(xenbus_services_state(&services), XENBUS_SERVICES_RUNNING);
}

/* -- the tests ----------------------------------------------------------------- */

static void test_services_resume_in_a_new_domain(void **state)
{
    uint32_t old = fx.domid, dom0_port;
    uint32_t resumes = child.suspend.resume_count(child.suspend.header.context);
    int fires, runs = held_runs;
    char domid[16];

    (void)state;
    dom0_port = dom0_bind_to_guest(child.ev.port(child.ev.header.context, child.channel));
    assert_events_cross(child.channel, &child.events, dom0_port);
    fires = child_count(&child.watch_fires);

    assert_int_equal(migrate("new-domain.img"), 0);
    assert_int_not_equal(fx.domid, old);
    assert_int_equal(held_runs, runs + 1);
    assert_true(held_in_dispatch);
    assert_callbacks_ran(false);
    assert_int_equal(child.suspend.resume_count(child.suspend.header.context), resumes + 1);

    /* The store reached the new domain's connection before the late callback. */
    snprintf(domid, sizeof(domid), "%u", fx.domid);
    assert_string_equal(child.late_domid, domid);
    assert_store_works("in the new domain");
    /* The watch was registered again: it fired once for that, and fires on changes. */
    wait_count(&child.watch_fires, fires + 1);
    assert_watch_fires();

    /* The child's channel was reconnected by its late callback, to a new port. */
    assert_int_equal(child.reconnected, 0);
    dom0_unbind(dom0_port);
    dom0_port = dom0_bind_to_guest(child.ev.port(child.ev.header.context, child.channel));
    assert_events_cross(child.channel, &child.events, dom0_port);
    dom0_unbind(dom0_port);

    /* A new channel binds and delivers; a new grant maps from dom0. */
    {
        struct winpv_evtchn_bind how = {.kind = WINPV_EVTCHN_UNBOUND, .remote_domid = 0};
        struct winpv_evtchn_channel *ch;
        uint32_t port;

        assert_int_equal(child.ev.open(child.ev.header.context, &how, child_event, NULL, &ch), 0);
        port = dom0_bind_to_guest(child.ev.port(child.ev.header.context, ch));
        assert_events_cross(ch, &child.events, port);
        child.ev.close(child.ev.header.context, ch);
        dom0_unbind(port);
    }
    assert_grant_maps();
}

static void test_a_cancelled_suspend_goes_on_in_place(void **state)
{
    uint32_t domid = fx.domid, dom0_port, port;
    uint32_t resumes = child.suspend.resume_count(child.suspend.header.context);
    struct suspender s;
    int fires;

    (void)state;
    port = child.ev.port(child.ev.header.context, child.channel);
    dom0_port = dom0_bind_to_guest(port);
    fires = child_count(&child.watch_fires);

    suspender_start(&s);
    wait_for_suspend();
    assert_int_equal(simd_domain_resume(&fx.simd, domid), 0);
    assert_int_equal(xenstore_resume(&xenstored, domid), 0);
    assert_int_equal(suspender_join(&s), 1);
    assert_int_equal(sim_guest_domid(), domid);
    assert_callbacks_ran(true);
    assert_int_equal(child.suspend.resume_count(child.suspend.header.context), resumes);

    /* Nothing was lost: the same port, connected; the watch not registered again. */
    assert_int_equal(child.ev.port(child.ev.header.context, child.channel), port);
    assert_events_cross(child.channel, &child.events, dom0_port);
    dom0_unbind(dom0_port);
    assert_store_works("after a cancelled suspend");
    assert_int_equal(child_count(&child.watch_fires), fires);
    assert_watch_fires();
    assert_grant_maps();
}

/*
 * An open transaction holds the suspend back until it ends; a request
 * outside it, made meanwhile, waits for the resume.
 */
struct reader {
    pthread_t thread;
    int rc;
    volatile int done;
};

static void *read_main(void *arg)
{
    struct reader *r = arg;
    char *value;

    r->rc = child.store.read(child.store.header.context, 0, "domid", &value, NULL);
    if (r->rc == 0)
        child.store.free(child.store.header.context, value);
    __atomic_store_n(&r->done, 1, __ATOMIC_RELEASE);
    return NULL;
}

static void test_a_transaction_holds_the_suspend_back(void **state)
{
    struct suspender s;
    struct reader r = {0};
    uint32_t tx;

    (void)state;
    assert_int_equal(child.store.tx_start(child.store.header.context, &tx), 0);
    suspender_start(&s);
    usleep(200000);
    assert_false(suspended(fx.domid));
    assert_int_equal(xenbus_services_state(&services), XENBUS_SERVICES_QUIESCING);
    assert_int_equal(child_count(&child.early_calls), 1);
    /* The transaction goes on to its end. */
    assert_int_equal(child.store.write(child.store.header.context, tx, "data/in-tx", "1", 1), 0);
    assert_int_equal(child.store.tx_end(child.store.header.context, tx, true), 0);
    wait_for_suspend();

    assert_int_equal(pthread_create(&r.thread, NULL, read_main, &r), 0);
    usleep(100000);
    assert_int_equal(__atomic_load_n(&r.done, __ATOMIC_ACQUIRE), 0);
    assert_int_equal(simd_domain_resume(&fx.simd, fx.domid), 0);
    assert_int_equal(xenstore_resume(&xenstored, fx.domid), 0);
    assert_int_equal(suspender_join(&s), 1);
    pthread_join(r.thread, NULL);
    assert_int_equal(r.rc, 0);
    assert_callbacks_ran(true);
}

/* A transaction that does not end within the store's timeout: no suspend at all. */
static void test_a_store_that_will_not_rest_stops_the_suspend(void **state)
{
    struct suspender s;
    int runs = held_runs;
    uint32_t tx;

    (void)state;
    xs_client_set_timeout(services.store.client, 300ull * 1000 * 1000);
    assert_int_equal(child.store.tx_start(child.store.header.context, &tx), 0);
    suspender_start(&s);
    assert_int_equal(suspender_join(&s), -XEN_EBUSY);
    assert_false(suspended(fx.domid));
    assert_int_equal(held_runs, runs); /* the hypercall was never made */
    assert_callbacks_ran(true);
    assert_int_equal(child.store.tx_end(child.store.header.context, tx, false), 0);
    xs_client_set_timeout(services.store.client, XS_CLIENT_TIMEOUT_NS);
    assert_store_works("after no suspend");
}

/* Ten migrations in a row: each works, and winpv-simd counts what it counted before. */
static void test_ten_migrations_leave_the_counts_as_they_were(void **state)
{
    struct sim_domain_info before = domain_info(fx.domid);

    (void)state;
    for (int i = 0; i < 10; i++) {
        struct sim_domain_info now;
        char image[32], value[32];

        snprintf(image, sizeof(image), "cycle-%d.img", i);
        child_reset_counts();
        assert_int_equal(migrate(image), 0);
        assert_callbacks_ran(false);
        assert_int_equal(child.reconnected, 0);
        snprintf(value, sizeof(value), "cycle %d", i);
        assert_store_works(value);
        assert_grant_maps();
        now = domain_info(fx.domid);
        assert_int_equal(now.ports_open, before.ports_open);
        assert_int_equal(now.grants_active, before.grants_active);
        assert_int_equal(now.grant_frames_shown, before.grant_frames_shown);
        assert_int_equal(now.fifo_pages, before.fifo_pages);
        assert_int_not_equal(now.shared_info_gfn, UINT64_MAX);
    }
    assert_watch_fires();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_services_resume_in_a_new_domain, test_setup,
                                        test_teardown),
        cmocka_unit_test_setup_teardown(test_a_cancelled_suspend_goes_on_in_place, test_setup,
                                        test_teardown),
        cmocka_unit_test_setup_teardown(test_a_transaction_holds_the_suspend_back, test_setup,
                                        test_teardown),
        cmocka_unit_test_setup_teardown(test_a_store_that_will_not_rest_stops_the_suspend,
                                        test_setup, test_teardown),
        cmocka_unit_test_setup_teardown(test_ten_migrations_leave_the_counts_as_they_were,
                                        test_setup, test_teardown),
    };
    size_t count = sizeof(tests) / sizeof(tests[0]);
    int failed =
        _cmocka_run_group_tests("services suspend, C xenstored", tests, count, setup_c, teardown);

    return failed + _cmocka_run_group_tests("services suspend, oxenstored", tests, count,
                                            setup_ocaml, teardown);
}
