/*
 * tests/evtchn/evtchn_delivery_test.c - how the engine delivers, against
 * winpv-simd under 2-level and FIFO: a channel that signals itself forever
 * does not starve another; a call of evtchn_upcall does bounded work and
 * the rest comes with the next; thousands of channels (several FIFO array
 * pages) each delivered once; a callback never runs twice at once (an
 * event taken on another vCPU meanwhile is handed back); close waits for a
 * running callback; ready bits past the FIFO queues ignored; the counters.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <unistd.h>

#include <cmocka.h>

#include <xen/xen.h>

#include "evtchn/evtchn_impl.h"
#include "evtchn_fixture.h"
#include "os.h"
#include "os_posix.h"

/* A callback that holds its vCPU's upcall until released (the simulator has one upcall thread). */
struct plug {
    struct recorder r;
    uint32_t inside;   /* calls running now */
    uint32_t most;     /* the most ever running at once */
    uint32_t release;  /* set: calls return */
    uint32_t returned; /* calls that returned */
};

static void plug_fn(void *ctx, unsigned int vcpu)
{
    struct plug *p = ctx;
    uint32_t now = __atomic_add_fetch(&p->inside, 1, __ATOMIC_SEQ_CST);

    if (now > __atomic_load_n(&p->most, __ATOMIC_SEQ_CST))
        __atomic_store_n(&p->most, now, __ATOMIC_SEQ_CST);
    record(&p->r, vcpu);
    for (int i = 0; i < 5000 && !__atomic_load_n(&p->release, __ATOMIC_SEQ_CST); i++)
        usleep(1000);
    __atomic_sub_fetch(&p->inside, 1, __ATOMIC_SEQ_CST);
    __atomic_add_fetch(&p->returned, 1, __ATOMIC_SEQ_CST);
}

static void release(struct plug *p)
{
    __atomic_store_n(&p->release, 1, __ATOMIC_SEQ_CST);
}

/* A channel whose callback signals it again, while on is set. */
struct busy {
    struct recorder r;
    struct evtchn_channel *ch;
    uint32_t on;
};

static void busy_fn(void *ctx, unsigned int vcpu)
{
    struct busy *b = ctx;

    record(&b->r, vcpu);
    if (__atomic_load_n(&b->on, __ATOMIC_SEQ_CST))
        evtchn_notify(b->ch);
}

static void test_busy_channel_does_not_starve_another(void **state)
{
    enum { EVENTS = 100 };
    struct busy busy = {.on = 1};
    struct evtchn_bind self = {.kind = EVTCHN_IPI, .vcpu = 0};
    struct recorder r = {0};
    uint32_t dom0_port, busy_before;
    struct evtchn_channel *other = open_dom0_channel(&r, &dom0_port);
    struct evtchn_stats before, after;

    assert_int_equal(evtchn_open(engine, &self, busy_fn, &busy, &busy.ch), 0);
    evtchn_get_stats(engine, &before);
    assert_int_equal(evtchn_notify(busy.ch), 0);
    assert_true(wait_calls(&busy.r, 20, 2000));
    busy_before = calls(&busy.r);
    /* Each of dom0's events, sent once the previous one came, comes within a second. */
    for (uint32_t i = 1; i <= EVENTS; i++) {
        dom0_notify(dom0_port);
        assert_true(wait_calls(&r, i, 1000));
    }
    /* ... while the busy channel kept going. */
    assert_true(calls(&busy.r) > busy_before + EVENTS / 2);
    __atomic_store_n(&busy.on, 0, __ATOMIC_SEQ_CST);
    assert_true(stays_at(&r, EVENTS, 20));
    evtchn_get_stats(engine, &after);
    /* FIFO takes the busy port again within one call, up to the budget; then the next. */
    if (expected_abi() == EVTCHN_ABI_FIFO)
        assert_true(after.deferred > before.deferred);
    assert_true(after.upcalls > before.upcalls);
    evtchn_close(busy.ch);
    assert_int_equal(evtchn_channel_events(other), EVENTS);
    evtchn_close(other);
}

/* Thousands of channels, all signalled while their vCPUs' upcalls are held up. */
static void test_many_channels_each_delivered_once(void **state)
{
    enum { COUNT = 1500 };
    static struct recorder r[COUNT];
    static struct evtchn_channel *ch[COUNT];
    struct plug plug = {0};
    struct evtchn_bind on0 = {.kind = EVTCHN_IPI, .vcpu = 0};
    struct evtchn_channel *plug_ch;
    struct evtchn_stats before, after;
    uint32_t highest = 0;

    for (uint32_t i = 0; i < COUNT; i++) {
        struct evtchn_bind how = {.kind = EVTCHN_IPI, .vcpu = i % TEST_VCPUS};

        r[i] = (struct recorder){0};
        assert_int_equal(evtchn_open(engine, &how, record, &r[i], &ch[i]), 0);
        highest = evtchn_port(ch[i]) > highest ? evtchn_port(ch[i]) : highest;
    }
    /* More ports than one FIFO event-array page covers. */
    assert_true(highest >= 1024);
    assert_int_equal(evtchn_open(engine, &on0, plug_fn, &plug, &plug_ch), 0);
    evtchn_get_stats(engine, &before);
    assert_int_equal(evtchn_notify(plug_ch), 0);
    assert_true(wait_calls(&plug.r, 1, 2000));
    for (uint32_t i = 0; i < COUNT; i++)
        assert_int_equal(evtchn_notify(ch[i]), 0);
    release(&plug);
    for (uint32_t i = 0; i < COUNT; i++)
        assert_true(wait_calls(&r[i], 1, 5000));
    usleep(50 * 1000);
    for (uint32_t i = 0; i < COUNT; i++) {
        assert_int_equal(calls(&r[i]), 1);
        assert_int_equal(r[i].last_vcpu, i % TEST_VCPUS);
    }
    /* Far more than one call's budget was pending: calls left work to the next. */
    evtchn_get_stats(engine, &after);
    assert_true(after.deferred > before.deferred);
    assert_true(after.upcalls - before.upcalls >= COUNT / EVTCHN_UPCALL_BUDGET);
    for (uint32_t i = 0; i < COUNT; i++)
        evtchn_close(ch[i]);
    evtchn_close(plug_ch);
}

/*
 * The callback runs on vCPU 0 and is held there; the channel moves to vCPU
 * 1 and is signalled, and vCPU 1's upcall runs meanwhile (as its DPC would
 * on another processor): it must not call the callback. The event is handed
 * back to Xen and comes once the held call returned, on vCPU 1.
 */
static void test_callback_never_runs_twice_at_once(void **state)
{
    struct plug plug = {0};
    uint32_t dom0_port;
    struct evtchn_channel *ch = open_dom0_channel_fn(plug_fn, &plug, &dom0_port);
    struct evtchn_stats before, after;

    evtchn_get_stats(engine, &before);
    dom0_notify(dom0_port);
    assert_true(wait_calls(&plug.r, 1, 2000));
    assert_int_equal(evtchn_bind_vcpu(ch, 1), 0);
    dom0_notify(dom0_port);
    usleep(20 * 1000);
    os_posix_dispatch_enter();
    evtchn_upcall(engine, 1);
    os_posix_dispatch_leave();
    assert_int_equal(calls(&plug.r), 1);
    release(&plug);
    assert_true(wait_calls(&plug.r, 2, 2000));
    assert_true(stays_at(&plug.r, 2, 30));
    assert_int_equal(plug.most, 1);
    assert_int_equal(plug.r.on_vcpu[1], 1);
    evtchn_get_stats(engine, &after);
    assert_int_equal(after.replays, before.replays + 1);
    evtchn_close(ch);
}

/* Close while the callback runs: close returns after it, and it is never called again. */
static void *release_later(void *ctx)
{
    usleep(100 * 1000);
    release(ctx);
    return NULL;
}

static void test_close_waits_for_a_running_callback(void **state)
{
    struct plug plug = {0};
    struct evtchn_bind how = {.kind = EVTCHN_IPI, .vcpu = 0};
    struct evtchn_channel *ch;
    pthread_t releaser;

    assert_int_equal(evtchn_open(engine, &how, plug_fn, &plug, &ch), 0);
    assert_int_equal(evtchn_notify(ch), 0);
    assert_true(wait_calls(&plug.r, 1, 2000));
    assert_int_equal(evtchn_notify(ch), 0); /* pending again while it runs */
    assert_int_equal(pthread_create(&releaser, NULL, release_later, &plug), 0);
    evtchn_close(ch);
    assert_int_equal(__atomic_load_n(&plug.returned, __ATOMIC_SEQ_CST), 1);
    pthread_join(releaser, NULL);
    assert_true(stays_at(&plug.r, 1, 50));
}

/*
 * FIFO: the control block is Xen's to write, and a ready bit past the 16
 * queues names no queue. Set on both vCPUs, such bits are ignored (a queue
 * index taken from one would run off the queue heads: UBSan's bounds check
 * or ASan would stop the test) and events keep coming on either vCPU.
 */
static void test_ready_bits_past_the_queues_are_ignored(void **state)
{
    struct recorder r = {0};
    struct evtchn_channel *ch;
    uint32_t dom0_port;

    ch = open_dom0_channel(&r, &dom0_port);
    for (unsigned int v = 0; v < TEST_VCPUS; v++)
        __atomic_fetch_or(&engine->vcpus[v].control->ready, 0xffff0000u, __ATOMIC_SEQ_CST);
    for (uint32_t i = 1; i <= 3; i++) {
        dom0_notify(dom0_port);
        assert_true(wait_calls(&r, i, 2000));
    }
    assert_int_equal(evtchn_bind_vcpu(ch, 1), 0);
    dom0_notify(dom0_port);
    assert_true(wait_calls(&r, 4, 2000));
    assert_int_equal(r.on_vcpu[1], 1);
    assert_true(stays_at(&r, 4, 20));
    evtchn_close(ch);
}

static void test_counters(void **state)
{
    struct evtchn_stats before, after;
    struct recorder r = {0};
    struct evtchn_bind how = {.kind = EVTCHN_IPI, .vcpu = 1};
    struct evtchn_channel *ch;

    assert_int_equal(evtchn_open(engine, &how, record, &r, &ch), 0);
    evtchn_get_stats(engine, &before);
    /* An upcall with nothing pending is spurious; one for a vCPU we do not have is ignored. */
    os_posix_dispatch_enter();
    evtchn_upcall(engine, 0);
    evtchn_upcall(engine, TEST_VCPUS);
    os_posix_dispatch_leave();
    evtchn_get_stats(engine, &after);
    assert_int_equal(after.upcalls, before.upcalls + 1);
    assert_int_equal(after.spurious, before.spurious + 1);
    for (uint32_t i = 1; i <= 3; i++) {
        assert_int_equal(evtchn_notify(ch), 0);
        assert_true(wait_calls(&r, i, 2000));
    }
    assert_true(stays_at(&r, 3, 20));
    assert_int_equal(evtchn_channel_events(ch), 3);
    evtchn_get_stats(engine, &after);
    assert_true(after.upcalls >= before.upcalls + 4);
    assert_int_equal(after.stray, 0);
    evtchn_close(ch);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_busy_channel_does_not_starve_another),
        cmocka_unit_test(test_many_channels_each_delivered_once),
        cmocka_unit_test(test_callback_never_runs_twice_at_once),
        cmocka_unit_test(test_close_waits_for_a_running_callback),
        cmocka_unit_test(test_counters),
    };
    /* 2-level has no control block. */
    const struct CMUnitTest fifo_only[] = {
        cmocka_unit_test(test_ready_bits_past_the_queues_are_ignored),
    };

    return evtchn_run_groups("evtchn_delivery", tests, sizeof(tests) / sizeof(tests[0]), fifo_only,
                             sizeof(fifo_only) / sizeof(fifo_only[0]));
}
