/*
 * tests/evtchn/evtchn_resume_test.c - the engine across a suspend, under
 * 2-level and FIFO: the domain saved and restored as a new one (VIRQ and
 * IPI channels work again, the same objects on new ports, with their vCPU
 * and mask; a channel to dom0 is disconnected until its owner reconnects
 * it), and a suspend the toolstack cancels (events that came meanwhile are
 * delivered once upcalls are served again).
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <unistd.h>

#include <cmocka.h>

#include <xen/xen.h>

#include "evtchn_fixture.h"
#include "guest.h"
#include "hv/shared_info.h"
#include "os.h"

static void *fire_timer_on_vcpu1(void *unused)
{
    sim_guest_set_vcpu(1);
    return (void *)(intptr_t)os_hypercall2(__HYPERVISOR_set_timer_op, os_time_ns(), 0);
}

static void fire_timer_on_vcpu1_and_wait(void)
{
    pthread_t vcpu1;
    void *rc;

    assert_int_equal(pthread_create(&vcpu1, NULL, fire_timer_on_vcpu1, NULL), 0);
    pthread_join(vcpu1, &rc);
    assert_int_equal((intptr_t)rc, 0);
}

static void test_channels_after_restore(void **state)
{
    struct recorder timer = {0}, ipi1 = {0}, ipi0 = {0}, peer = {0};
    struct evtchn_bind timer_on1 = {.kind = EVTCHN_VIRQ, .virq = VIRQ_TIMER, .vcpu = 1};
    struct evtchn_bind ipi_on1 = {.kind = EVTCHN_IPI, .vcpu = 1};
    struct evtchn_bind ipi_on0 = {.kind = EVTCHN_IPI, .vcpu = 0};
    struct evtchn_bind to_dom0 = {.kind = EVTCHN_UNBOUND, .remote_domid = 0};
    struct evtchn_channel *t, *i1, *i0, *d;
    union sim_request_body body = {0};
    struct sim_reply reply;
    uint32_t dom0_port;

    assert_int_equal(evtchn_open(engine, &timer_on1, record, &timer, &t), 0);
    assert_int_equal(evtchn_open(engine, &ipi_on1, record, &ipi1, &i1), 0);
    assert_int_equal(evtchn_open(engine, &ipi_on0, record, &ipi0, &i0), 0);
    assert_int_equal(evtchn_set_priority(i1, 3), 0);
    assert_int_equal(evtchn_mask(i0), 0);
    d = open_dom0_channel(&peer, &dom0_port);
    assert_int_equal(evtchn_bind_vcpu(d, 1), 0);

    evtchn_suspend(engine);
    guest_migrate("evtchn.img");
    assert_int_equal(hv_shared_info_resume(shared), 0);
    assert_int_equal(evtchn_resume(engine), 0);
    assert_int_equal(evtchn_abi(engine), expected_abi());

    /* IPI and VIRQ: bound again, delivered on their vCPU. */
    assert_int_not_equal(evtchn_port(i1), 0);
    assert_int_equal(evtchn_notify(i1), 0);
    assert_true(wait_calls(&ipi1, 1, 2000));
    assert_int_equal(ipi1.on_vcpu[1], 1);
    fire_timer_on_vcpu1_and_wait();
    assert_true(wait_calls(&timer, 1, 2000));
    assert_int_equal(timer.on_vcpu[1], 1);
    /* The owner's mask held: nothing until unmasked, then the event once. */
    assert_int_equal(evtchn_notify(i0), 0);
    assert_true(stays_at(&ipi0, 0, 50));
    assert_int_equal(evtchn_unmask(i0), 0);
    assert_true(wait_calls(&ipi0, 1, 2000));
    assert_true(stays_at(&ipi0, 1, 20));

    /* The peer is gone: disconnected until the owner reconnects. */
    assert_int_equal(evtchn_port(d), 0);
    assert_int_equal(evtchn_notify(d), -XEN_ENOTCONN);
    assert_int_equal(evtchn_bind_vcpu(d, 0), -XEN_ENOTCONN);
    assert_int_equal(evtchn_reconnect(d, &to_dom0), 0);
    assert_int_not_equal(evtchn_port(d), 0);
    body.bind.remote_domid = fx.domid;
    body.bind.remote_port = evtchn_port(d);
    assert_int_equal(dom0_call(&fx.evtchn, SIM_EVTCHN_BIND_INTERDOMAIN, &body, &reply), 0);
    dom0_port = reply.body.port.port;
    assert_int_equal(dom0_next_event(1000), (int)dom0_port);
    dom0_unmask(dom0_port);
    dom0_notify(dom0_port);
    assert_true(wait_calls(&peer, 1, 2000));
    assert_int_equal(peer.on_vcpu[1], 1); /* the owner's vCPU, kept */
    assert_int_equal(evtchn_notify(d), 0);
    assert_int_equal(dom0_next_event(1000), (int)dom0_port);
    dom0_unmask(dom0_port);

    assert_true(stays_at(&ipi1, 1, 10));
    evtchn_close(t);
    evtchn_close(i1);
    evtchn_close(i0);
    evtchn_close(d);
}

/* Cancelled: the same domain and ports; an event that came while suspended is delivered. */
static void test_cancelled_suspend(void **state)
{
    struct recorder r = {0};
    struct evtchn_bind how = {.kind = EVTCHN_IPI, .vcpu = 1};
    struct evtchn_channel *ch;
    uint32_t port;
    pthread_t vcpu;

    assert_int_equal(evtchn_open(engine, &how, record, &r, &ch), 0);
    port = evtchn_port(ch);
    evtchn_suspend(engine);
    vcpu = guest_suspend_start();
    assert_int_equal(evtchn_notify(ch), 0);
    assert_true(stays_at(&r, 0, 50)); /* upcalls are ignored while suspended */
    assert_int_equal(simd_domain_resume(&fx.simd, fx.domid), 0);
    assert_int_equal(guest_suspend_end(vcpu), 1);
    evtchn_suspend_cancelled(engine);
    assert_true(wait_calls(&r, 1, 2000));
    assert_int_equal(r.last_vcpu, 1);
    assert_int_equal(evtchn_port(ch), port);
    assert_int_equal(evtchn_notify(ch), 0);
    assert_true(wait_calls(&r, 2, 2000));
    evtchn_close(ch);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cancelled_suspend),
        cmocka_unit_test(test_channels_after_restore),
    };

    return evtchn_run_groups("evtchn_resume", tests, sizeof(tests) / sizeof(tests[0]), NULL, 0);
}
