/*
 * tests/sim/hv/sim_fifo_test.c - the FIFO event-channel ABI in winpv-simd:
 * queues, links, ready bits, masking, priorities; and a guest whose process
 * dies, which dom0 sees as a crashed domain.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include <xen/event_channel.h>
#include <xen/sched.h>
#include <xen/xen.h>

#include "guest.h"
#include "os.h"
#include "support/sim/sim_fixture.h"

#define BIT(n) (1u << (n))

static struct evtchn_fifo_control_block *control;
static uint32_t *words;

/* A guest port bound by dom0, unmasked in its event word. Returns it; dom0's in *dom0_port. */
static uint32_t fifo_port(uint32_t *dom0_port)
{
    uint32_t port = connect_to_dom0(dom0_port);

    __atomic_fetch_and(&words[port], ~BIT(EVTCHN_FIFO_MASKED), __ATOMIC_SEQ_CST);
    return port;
}

static void notify(uint32_t dom0_port)
{
    union sim_request_body body = {.port.port = dom0_port};
    struct sim_reply reply;

    assert_int_equal(dom0_call(&fx.evtchn, SIM_EVTCHN_NOTIFY, &body, &reply), 0);
}

/* Take the head of queue @q as a guest does; returns the port, or 0 if empty. */
static uint32_t consume(uint32_t q)
{
    uint32_t port = __atomic_load_n(&control->head[q], __ATOMIC_SEQ_CST);
    uint32_t w, next;

    if (port == 0)
        return 0;
    w = __atomic_load_n(&words[port], __ATOMIC_SEQ_CST);
    do {
        next = w & EVTCHN_FIFO_LINK_MASK;
    } while (!__atomic_compare_exchange_n(&words[port], &w,
                                          w & ~(BIT(EVTCHN_FIFO_LINKED) | EVTCHN_FIFO_LINK_MASK),
                                          false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST));
    __atomic_store_n(&control->head[q], next, __ATOMIC_SEQ_CST);
    if (next == 0)
        __atomic_fetch_and(&control->ready, ~BIT(q), __ATOMIC_SEQ_CST);
    __atomic_fetch_and(&words[port], ~BIT(EVTCHN_FIFO_PENDING), __ATOMIC_SEQ_CST);
    return port;
}

static void test_switch_to_fifo(void **state)
{
    uint64_t control_gfn, array_gfn;
    struct evtchn_init_control init = {.offset = 0, .vcpu = 0};
    struct evtchn_init_control twice = {.offset = 0, .vcpu = 0};
    struct evtchn_expand_array expand;

    control = os_pages_alloc(1, &control_gfn);
    words = os_pages_alloc(1, &array_gfn);
    for (int i = 0; i < 1024; i++)
        words[i] = BIT(EVTCHN_FIFO_MASKED); /* as a guest prepares a new page */
    init.control_gfn = control_gfn;
    assert_int_equal(evtchn_op(EVTCHNOP_init_control, &init), 0);
    assert_int_equal(init.link_bits, EVTCHN_FIFO_LINK_BITS);
    twice.control_gfn = control_gfn;
    assert_int_equal(evtchn_op(EVTCHNOP_init_control, &twice), -XEN_EINVAL);
    expand.array_gfn = array_gfn;
    assert_int_equal(evtchn_op(EVTCHNOP_expand_array, &expand), 0);
}

static void test_events_queue_in_order(void **state)
{
    uint32_t d1, d2, p1 = fifo_port(&d1), p2 = fifo_port(&d2);
    uint64_t upcalls = sim_guest_upcalls();
    const uint32_t q = EVTCHN_FIFO_PRIORITY_DEFAULT;

    notify(d1);
    wait_for_upcalls(upcalls + 1);
    assert_int_equal(sim_guest_upcalls(), upcalls + 1);
    assert_true(control->ready & BIT(q));
    assert_int_equal(control->head[q], p1);
    assert_int_equal(words[p1] & (BIT(EVTCHN_FIFO_PENDING) | BIT(EVTCHN_FIFO_LINKED)),
                     BIT(EVTCHN_FIFO_PENDING) | BIT(EVTCHN_FIFO_LINKED));
    /* The second is linked behind the first; no new upcall for a ready queue. */
    notify(d2);
    usleep(20000);
    assert_int_equal(words[p1] & EVTCHN_FIFO_LINK_MASK, p2);
    assert_int_equal(sim_guest_upcalls(), upcalls + 1);
    /* Signalled again while linked: nothing changes. */
    notify(d1);
    assert_int_equal(consume(q), p1);
    assert_int_equal(consume(q), p2);
    assert_int_equal(consume(q), 0);
    assert_false(control->ready & BIT(q));

    /* The tail was consumed: the next event starts the queue again. */
    notify(d2);
    wait_for_upcalls(upcalls + 2);
    assert_int_equal(control->head[q], p2);
    assert_true(control->ready & BIT(q));
    assert_int_equal(consume(q), p2);
}

static void test_masked_port_waits_for_unmask(void **state)
{
    uint32_t d, p = fifo_port(&d);
    struct evtchn_unmask unmask = {.port = p};
    const uint32_t q = EVTCHN_FIFO_PRIORITY_DEFAULT;

    __atomic_fetch_or(&words[p], BIT(EVTCHN_FIFO_MASKED), __ATOMIC_SEQ_CST);
    notify(d);
    usleep(20000);
    assert_true(words[p] & BIT(EVTCHN_FIFO_PENDING));
    assert_false(words[p] & BIT(EVTCHN_FIFO_LINKED));
    assert_int_equal(control->head[q], 0);
    /* The guest clears MASKED and asks Xen to look: now it is queued. */
    __atomic_fetch_and(&words[p], ~BIT(EVTCHN_FIFO_MASKED), __ATOMIC_SEQ_CST);
    assert_int_equal(evtchn_op(EVTCHNOP_unmask, &unmask), 0);
    assert_int_equal(control->head[q], p);
    assert_int_equal(consume(q), p);
}

static void test_priority_picks_the_queue(void **state)
{
    uint32_t d, p = fifo_port(&d);
    struct evtchn_set_priority prio = {.port = p, .priority = 2};
    struct evtchn_set_priority bad = {.port = p, .priority = 16};

    assert_int_equal(evtchn_op(EVTCHNOP_set_priority, &prio), 0);
    assert_int_equal(evtchn_op(EVTCHNOP_set_priority, &bad), -XEN_EINVAL);
    notify(d);
    for (int i = 0; i < 100 && control->head[2] != p; i++)
        usleep(1000);
    assert_int_equal(control->head[2], p);
    assert_true(control->ready & BIT(2));
    assert_int_equal(consume(2), p);
}

/*
 * A port that was a queue's tail moves to another queue: the next port of
 * the old queue starts that queue again, with its ready bit and upcall.
 */
static void test_moved_tail_does_not_capture_the_next_port(void **state)
{
    uint32_t dx, dy, x = fifo_port(&dx), y = fifo_port(&dy);
    struct evtchn_set_priority move = {.port = x, .priority = 3};
    const uint32_t q = EVTCHN_FIFO_PRIORITY_DEFAULT;

    notify(dx); /* x: head and tail of queue 7 */
    for (int i = 0; i < 100 && control->head[q] != x; i++)
        usleep(1000);
    assert_int_equal(consume(q), x);
    assert_int_equal(evtchn_op(EVTCHNOP_set_priority, &move), 0);
    notify(dx); /* x now goes to queue 3 */
    for (int i = 0; i < 100 && control->head[3] != x; i++)
        usleep(1000);
    assert_int_equal(control->head[3], x);
    notify(dy); /* y belongs to queue 7, not behind x */
    for (int i = 0; i < 100 && control->head[q] != y; i++)
        usleep(1000);
    assert_int_equal(control->head[q], y);
    assert_true(control->ready & BIT(q));
    assert_int_equal(words[x] & EVTCHN_FIFO_LINK_MASK, 0);
    assert_int_equal(consume(3), x);
    assert_int_equal(consume(q), y);
}

static void test_ports_past_the_arrays_need_more_pages(void **state)
{
    struct evtchn_alloc_unbound alloc = {.dom = DOMID_SELF, .remote_dom = 0};
    int64_t rc = 0;
    int allocated = 0;

    /* One array page covers ports 1..1023. */
    while ((rc = evtchn_op(EVTCHNOP_alloc_unbound, &alloc)) == 0)
        allocated++;
    assert_int_equal(rc, -XEN_ENOSPC);
    assert_true(allocated > 900);
    assert_true(alloc.port < 1024);
}

/* A guest process that ends without shutting down: its domain crashed. */
static void test_dead_guest_process_is_a_crashed_domain(void **state)
{
    union sim_request_body body = {0};
    struct sim_reply reply;
    uint32_t domid, virq_port;
    pid_t child;
    int status;

    assert_int_equal(simd_domain_create(&fx.simd, 64, 1, &domid), 0);
    body.bind.virq = VIRQ_DOM_EXC;
    assert_int_equal(dom0_call(&fx.evtchn, SIM_EVTCHN_BIND_VIRQ, &body, &reply), 0);
    virq_port = reply.body.port.port;
    child = fork();
    if (child == 0) {
        struct sim_conn conn;
        int fds[SIM_MAX_REPLY_FDS];

        _exit(sim_connect(&conn, fx.simd.dir, SIM_ROLE_GUEST, domid, fds) == 0 ? 0 : 1);
    }
    assert_int_equal(waitpid(child, &status, 0), child);
    assert_int_equal(WEXITSTATUS(status), 0);
    assert_int_equal(dom0_next_event(1000), (int)virq_port);
    body.domid.domid = domid;
    assert_int_equal(dom0_call(&fx.privcmd, SIM_DOMAIN_INFO, &body, &reply), 0);
    assert_true(reply.body.info.flags & SIM_DOMINFO_CRASHED);
    assert_int_equal(reply.body.info.shutdown_reason, SHUTDOWN_crash);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_switch_to_fifo),
        cmocka_unit_test(test_events_queue_in_order),
        cmocka_unit_test(test_masked_port_waits_for_unmask),
        cmocka_unit_test(test_priority_picks_the_queue),
        cmocka_unit_test(test_moved_tail_does_not_capture_the_next_port),
        cmocka_unit_test(test_ports_past_the_arrays_need_more_pages),
        cmocka_unit_test(test_dead_guest_process_is_a_crashed_domain),
    };

    return cmocka_run_group_tests_name("sim_fifo", tests, sim_fixture_setup, sim_fixture_teardown);
}
