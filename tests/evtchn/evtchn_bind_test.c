/*
 * tests/evtchn/evtchn_bind_test.c - the engine's channels against
 * winpv-simd, under 2-level and FIFO: each kind of binding, events both
 * ways with dom0, VIRQs and IPIs on a chosen vCPU, the toolstack's port
 * adopted, masking, moving a channel to another vCPU, refused requests.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <xen/event_channel.h>
#include <xen/hvm/params.h>
#include <xen/xen.h>

#include "evtchn_fixture.h"
#include "guest.h"
#include "hv/hv.h"
#include "os.h"

static void test_engine_uses_the_expected_abi(void **state)
{
    struct evtchn_stats stats;

    assert_int_equal(evtchn_abi(engine), expected_abi());
    evtchn_get_stats(engine, &stats);
    assert_int_equal(stats.stray, 0);
}

/* Ours unbound, dom0 binds to it: events both ways. */
static void test_unbound_port_bound_by_dom0(void **state)
{
    struct recorder r = {0};
    uint32_t dom0_port;
    struct evtchn_channel *ch = open_dom0_channel(&r, &dom0_port);
    struct evtchn_status status = {.dom = DOMID_SELF, .port = evtchn_port(ch)};

    assert_int_equal(hv_evtchn_op(EVTCHNOP_status, &status), 0);
    assert_int_equal(status.status, EVTCHNSTAT_interdomain);
    assert_int_equal(status.u.interdomain.port, dom0_port);
    dom0_notify(dom0_port);
    assert_true(wait_calls(&r, 1, 2000));
    assert_true(stays_at(&r, 1, 30));
    assert_int_equal(r.last_vcpu, 0);
    assert_int_equal(evtchn_channel_events(ch), 1);
    assert_int_equal(evtchn_notify(ch), 0);
    assert_int_equal(dom0_next_event(1000), (int)dom0_port);
    dom0_unmask(dom0_port);
    evtchn_close(ch);
    /* Closed: the port is free again, dom0's end unbound. */
    assert_int_equal(hv_evtchn_op(EVTCHNOP_status, &status), 0);
    assert_int_equal(status.status, EVTCHNSTAT_closed);
}

/* Dom0's port allocated for us, we bind to it: events both ways. */
static void test_interdomain_to_a_dom0_port(void **state)
{
    struct recorder r = {0};
    union sim_request_body body = {.bind.remote_domid = fx.domid};
    struct evtchn_bind how = {.kind = EVTCHN_INTERDOMAIN, .remote_domid = 0};
    struct evtchn_channel *ch;
    struct sim_reply reply;

    assert_int_equal(dom0_call(&fx.evtchn, SIM_EVTCHN_BIND_UNBOUND, &body, &reply), 0);
    how.remote_port = reply.body.port.port;
    assert_int_equal(evtchn_open(engine, &how, record, &r, &ch), 0);
    /* Xen marks the binder's new port pending: the callback runs once for it. */
    assert_true(wait_calls(&r, 1, 2000));
    dom0_notify(how.remote_port);
    assert_true(wait_calls(&r, 2, 2000));
    assert_true(stays_at(&r, 2, 30));
    assert_int_equal(evtchn_notify(ch), 0);
    assert_int_equal(dom0_next_event(1000), (int)how.remote_port);
    dom0_unmask(how.remote_port);
    evtchn_close(ch);
}

/* A vCPU's one-shot timer (set_timer_op), expiring now: VIRQ_TIMER on that vCPU. */
static void fire_timer(void)
{
    assert_int_equal(os_hypercall2(__HYPERVISOR_set_timer_op, os_time_ns(), 0), 0);
}

static void *fire_timer_on_vcpu1(void *unused)
{
    sim_guest_set_vcpu(1);
    return (void *)(intptr_t)os_hypercall2(__HYPERVISOR_set_timer_op, os_time_ns(), 0);
}

static void test_virq_on_the_chosen_vcpu(void **state)
{
    struct recorder r0 = {0}, r1 = {0};
    struct evtchn_bind on0 = {.kind = EVTCHN_VIRQ, .virq = VIRQ_TIMER, .vcpu = 0};
    struct evtchn_bind on1 = {.kind = EVTCHN_VIRQ, .virq = VIRQ_TIMER, .vcpu = 1};
    struct evtchn_channel *t0, *t1;
    struct evtchn_status status = {.dom = DOMID_SELF};
    pthread_t vcpu1;
    void *rc;

    assert_int_equal(evtchn_open(engine, &on0, record, &r0, &t0), 0);
    assert_int_equal(evtchn_open(engine, &on1, record, &r1, &t1), 0);
    status.port = evtchn_port(t1);
    assert_int_equal(hv_evtchn_op(EVTCHNOP_status, &status), 0);
    assert_int_equal(status.status, EVTCHNSTAT_virq);
    assert_int_equal(status.vcpu, 1);
    assert_int_equal(status.u.virq, VIRQ_TIMER);

    assert_int_equal(pthread_create(&vcpu1, NULL, fire_timer_on_vcpu1, NULL), 0);
    pthread_join(vcpu1, &rc);
    assert_int_equal((intptr_t)rc, 0);
    assert_true(wait_calls(&r1, 1, 2000));
    assert_int_equal(r1.on_vcpu[1], 1);
    fire_timer();
    assert_true(wait_calls(&r0, 1, 2000));
    assert_int_equal(r0.on_vcpu[0], 1);
    assert_true(stays_at(&r1, 1, 30));
    evtchn_close(t0);
    evtchn_close(t1);
}

static void test_ipi_to_self_and_to_the_other_vcpu(void **state)
{
    struct recorder r[TEST_VCPUS] = {{0}};
    struct evtchn_channel *ipi[TEST_VCPUS];

    for (unsigned int v = 0; v < TEST_VCPUS; v++) {
        struct evtchn_bind how = {.kind = EVTCHN_IPI, .vcpu = v};

        assert_int_equal(evtchn_open(engine, &how, record, &r[v], &ipi[v]), 0);
    }
    for (unsigned int v = 0; v < TEST_VCPUS; v++) {
        assert_int_equal(evtchn_notify(ipi[v]), 0);
        assert_true(wait_calls(&r[v], 1, 2000));
        assert_int_equal(r[v].on_vcpu[v], 1);
        assert_int_equal(r[v].last_vcpu, v);
    }
    for (unsigned int v = 0; v < TEST_VCPUS; v++) {
        assert_true(stays_at(&r[v], 1, 10));
        evtchn_close(ipi[v]);
    }
}

/* The toolstack bound a port in our domain and named it in HVM_PARAM_STORE_EVTCHN. */
static void test_adopts_the_toolstack_port(void **state)
{
    struct recorder r = {0}, thief = {0};
    union sim_request_body body = {0};
    struct evtchn_bind how = {.kind = EVTCHN_ADOPTED};
    struct evtchn_status status = {.dom = DOMID_SELF};
    struct evtchn_channel *ch, *other;
    struct sim_reply reply;
    uint32_t dom0_port;
    uint64_t param;

    body.alloc_unbound.domid = fx.domid;
    body.alloc_unbound.remote_domid = 0;
    assert_int_equal(dom0_call(&fx.simd.toolstack, SIM_EVTCHN_ALLOC_UNBOUND, &body, &reply), 0);
    body.param.domid = fx.domid;
    body.param.index = HVM_PARAM_STORE_EVTCHN;
    body.param.value = reply.body.port.port;
    assert_int_equal(dom0_call(&fx.simd.toolstack, SIM_SET_PARAM, &body, &reply), 0);
    body.bind.remote_domid = fx.domid;
    body.bind.remote_port = (uint32_t)body.param.value;
    assert_int_equal(dom0_call(&fx.evtchn, SIM_EVTCHN_BIND_INTERDOMAIN, &body, &reply), 0);
    dom0_port = reply.body.port.port;
    assert_int_equal(dom0_next_event(1000), (int)dom0_port);
    dom0_unmask(dom0_port);

    assert_int_equal(hv_get_param(HVM_PARAM_STORE_EVTCHN, &param), 0);
    how.port = (uint32_t)param;
    assert_int_equal(evtchn_open(engine, &how, record, &r, &ch), 0);
    assert_int_equal(evtchn_port(ch), param);
    /* One owner per port: adopting it again is refused, its events stay the first owner's. */
    assert_int_equal(evtchn_open(engine, &how, record, &thief, &other), -XEN_EBUSY);
    dom0_notify(dom0_port);
    assert_true(wait_calls(&r, 1, 2000));
    assert_true(stays_at(&thief, 0, 10));
    assert_int_equal(evtchn_notify(ch), 0);
    assert_int_equal(dom0_next_event(1000), (int)dom0_port);
    dom0_unmask(dom0_port);
    /* Closing it stops our delivery; the toolstack's binding stays. */
    evtchn_close(ch);
    status.port = (uint32_t)param;
    assert_int_equal(hv_evtchn_op(EVTCHNOP_status, &status), 0);
    assert_int_equal(status.status, EVTCHNSTAT_interdomain);
    assert_int_equal(status.u.interdomain.port, dom0_port);
    /* Closed, it may be adopted again. */
    assert_int_equal(evtchn_open(engine, &how, record, &thief, &other), 0);
    evtchn_close(other);
    /* A port nobody bound cannot be adopted. */
    how.port = 4000;
    assert_int_equal(evtchn_open(engine, &how, record, &r, &ch), -XEN_EINVAL);
}

static void test_event_while_masked_comes_once_on_unmask(void **state)
{
    struct recorder r = {0};
    uint32_t dom0_port;
    struct evtchn_channel *ch = open_dom0_channel(&r, &dom0_port);

    assert_int_equal(evtchn_mask(ch), 0);
    for (int i = 0; i < 3; i++)
        dom0_notify(dom0_port);
    assert_true(stays_at(&r, 0, 50));
    assert_int_equal(evtchn_unmask(ch), 0);
    assert_true(wait_calls(&r, 1, 2000));
    assert_true(stays_at(&r, 1, 50));
    /* Unmasked again with nothing pending: nothing. */
    assert_int_equal(evtchn_mask(ch), 0);
    assert_int_equal(evtchn_unmask(ch), 0);
    assert_true(stays_at(&r, 1, 30));
    dom0_notify(dom0_port);
    assert_true(wait_calls(&r, 2, 2000));
    evtchn_close(ch);
}

/* A port closed with an event pending: whoever gets the port next does not see it. */
static void test_closed_port_leaves_no_event_behind(void **state)
{
    struct recorder r = {0}, next = {0};
    struct evtchn_bind how = {.kind = EVTCHN_IPI, .vcpu = 0};
    struct evtchn_channel *ch;
    uint32_t port;

    assert_int_equal(evtchn_open(engine, &how, record, &r, &ch), 0);
    port = evtchn_port(ch);
    assert_int_equal(evtchn_mask(ch), 0);
    assert_int_equal(evtchn_notify(ch), 0);
    evtchn_close(ch);
    assert_int_equal(evtchn_open(engine, &how, record, &next, &ch), 0);
    assert_int_equal(evtchn_port(ch), port);
    assert_true(stays_at(&next, 0, 50));
    assert_int_equal(evtchn_notify(ch), 0);
    assert_true(wait_calls(&next, 1, 2000));
    assert_true(stays_at(&r, 0, 10));
    evtchn_close(ch);
}

static void test_bind_vcpu_moves_delivery(void **state)
{
    struct recorder r = {0}, ri = {0};
    uint32_t dom0_port;
    struct evtchn_channel *ch = open_dom0_channel(&r, &dom0_port), *ipi;
    struct evtchn_bind how = {.kind = EVTCHN_IPI, .vcpu = 0};

    dom0_notify(dom0_port);
    assert_true(wait_calls(&r, 1, 2000));
    assert_int_equal(r.last_vcpu, 0);
    assert_int_equal(evtchn_bind_vcpu(ch, 1), 0);
    dom0_notify(dom0_port);
    assert_true(wait_calls(&r, 2, 2000));
    assert_int_equal(r.on_vcpu[1], 1);
    /* Pending while masked, moved, unmasked: delivered on the new vCPU. */
    assert_int_equal(evtchn_mask(ch), 0);
    dom0_notify(dom0_port);
    assert_true(stays_at(&r, 2, 30));
    assert_int_equal(evtchn_bind_vcpu(ch, 0), 0);
    assert_true(stays_at(&r, 2, 30)); /* still masked */
    assert_int_equal(evtchn_unmask(ch), 0);
    assert_true(wait_calls(&r, 3, 2000));
    assert_int_equal(r.on_vcpu[0], 2);
    assert_int_equal(evtchn_bind_vcpu(ch, TEST_VCPUS), -XEN_EINVAL);
    /* An IPI stays where it was bound. */
    assert_int_equal(evtchn_open(engine, &how, record, &ri, &ipi), 0);
    assert_int_equal(evtchn_bind_vcpu(ipi, 1), -XEN_EINVAL);
    assert_int_equal(evtchn_notify(ipi), 0);
    assert_true(wait_calls(&ri, 1, 2000));
    assert_int_equal(ri.last_vcpu, 0);
    evtchn_close(ipi);
    evtchn_close(ch);
}

static void test_priority(void **state)
{
    struct recorder r = {0};
    uint32_t dom0_port;
    struct evtchn_channel *ch = open_dom0_channel(&r, &dom0_port);

    assert_int_equal(evtchn_set_priority(ch, EVTCHN_FIFO_PRIORITY_MAX), -XEN_EINVAL);
    assert_int_equal(evtchn_set_priority(ch, EVTCHN_FIFO_PRIORITY_MIN + 1), -XEN_EINVAL);
    assert_int_equal(evtchn_set_priority(ch, 2), 0);
    dom0_notify(dom0_port);
    assert_true(wait_calls(&r, 1, 2000));
    evtchn_close(ch);
}

static void test_refused_requests(void **state)
{
    struct recorder r = {0};
    struct evtchn_channel *ch;
    struct evtchn_bind far_ipi = {.kind = EVTCHN_IPI, .vcpu = TEST_VCPUS};
    struct evtchn_bind bad_virq = {.kind = EVTCHN_VIRQ, .virq = NR_VIRQS};
    struct evtchn_bind no_peer = {
        .kind = EVTCHN_INTERDOMAIN, .remote_domid = 0, .remote_port = 4095};
    struct evtchn_bind twice = {.kind = EVTCHN_VIRQ, .virq = VIRQ_TIMER, .vcpu = 0};
    struct evtchn_stats before, after;

    evtchn_get_stats(engine, &before);
    assert_int_equal(evtchn_open(engine, &far_ipi, record, &r, &ch), -XEN_EINVAL);
    assert_int_equal(evtchn_open(engine, &bad_virq, record, &r, &ch), -XEN_EINVAL);
    assert_int_equal(evtchn_open(engine, &no_peer, record, &r, &ch), -XEN_EINVAL);
    assert_int_equal(evtchn_open(engine, &twice, record, &r, &ch), 0);
    {
        struct evtchn_channel *again;

        assert_int_equal(evtchn_open(engine, &twice, record, &r, &again), -XEN_EEXIST);
    }
    assert_int_equal(evtchn_reconnect(ch, &twice), -XEN_EISCONN);
    evtchn_close(ch);
    evtchn_get_stats(engine, &after);
    assert_int_equal(after.stray, before.stray);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_engine_uses_the_expected_abi),
        cmocka_unit_test(test_unbound_port_bound_by_dom0),
        cmocka_unit_test(test_interdomain_to_a_dom0_port),
        cmocka_unit_test(test_virq_on_the_chosen_vcpu),
        cmocka_unit_test(test_ipi_to_self_and_to_the_other_vcpu),
        cmocka_unit_test(test_adopts_the_toolstack_port),
        cmocka_unit_test(test_event_while_masked_comes_once_on_unmask),
        cmocka_unit_test(test_closed_port_leaves_no_event_behind),
        cmocka_unit_test(test_bind_vcpu_moves_delivery),
        cmocka_unit_test(test_priority),
        cmocka_unit_test(test_refused_requests),
    };

    return evtchn_run_groups("evtchn_bind", tests, sizeof(tests) / sizeof(tests[0]), NULL, 0);
}
