/*
 * tests/sim/hv/sim_save_test.c - a guest suspends itself; the toolstack saves
 * its domain and restores it as a new one, and the guest goes on there with
 * its memory intact at the same addresses and Xen's state to set up again;
 * or the toolstack cancels the suspend and the guest goes on where it was;
 * or the new domain is restored paused and the guest moves at unpause.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <xen/event_channel.h>
#include <xen/memory.h>
#include <xen/sched.h>
#include <xen/version.h>
#include <xen/xen.h>

#include "guest.h"
#include "os.h"
#include "support/sim/sim_fixture.h"

static int64_t suspend_result;

/* The guest's vCPU: suspend, and stay in the hypercall until answered. */
static void *suspend(void *unused)
{
    struct sched_shutdown reason = {.reason = SHUTDOWN_suspend};

    suspend_result =
        os_hypercall2(__HYPERVISOR_sched_op, SCHEDOP_shutdown, (uint64_t)(uintptr_t)&reason);
    return NULL;
}

static void wait_for_suspend(uint32_t domid)
{
    union sim_request_body body = {.domid.domid = domid};
    struct sim_reply reply;

    for (int i = 0; i < 500; i++) {
        assert_int_equal(dom0_call(&fx.privcmd, SIM_DOMAIN_INFO, &body, &reply), 0);
        if (reply.body.info.domid == domid && (reply.body.info.flags & SIM_DOMINFO_SHUTDOWN)) {
            assert_int_equal(reply.body.info.shutdown_reason, SHUTDOWN_suspend);
            return;
        }
        usleep(2000);
    }
    fail_msg("domain %u did not suspend", domid);
}

static void test_save_refuses_a_running_domain(void **state)
{
    assert_int_equal(simd_domain_save(&fx.simd, fx.domid, "running.img"), -XEN_EINVAL);
    assert_int_equal(simd_domain_resume(&fx.simd, fx.domid), -XEN_EINVAL);
}

static void test_cancelled_suspend_returns_one(void **state)
{
    pthread_t vcpu;

    assert_int_equal(pthread_create(&vcpu, NULL, suspend, NULL), 0);
    wait_for_suspend(fx.domid);
    assert_int_equal(simd_domain_resume(&fx.simd, fx.domid), 0);
    pthread_join(vcpu, NULL);
    assert_int_equal(suspend_result, 1);
    assert_int_equal(sim_guest_domid(), fx.domid);
    assert_int_equal(os_hypercall2(__HYPERVISOR_xen_version, XENVER_version, 0), 4 << 16 | 17);
}

static void test_bad_image_names_and_files_are_refused(void **state)
{
    uint32_t domid;
    char path[400];
    FILE *f;

    assert_int_equal(simd_domain_restore(&fx.simd, "../etc/passwd", &domid), -XEN_EINVAL);
    assert_int_equal(simd_domain_restore(&fx.simd, ".hidden", &domid), -XEN_EINVAL);
    assert_int_equal(simd_domain_restore(&fx.simd, "missing.img", &domid), -XEN_ENOENT);
    snprintf(path, sizeof(path), "%s/garbage.img", fx.simd.dir);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs("WINPVSV1 but nothing that follows makes sense", f);
    fclose(f);
    assert_int_equal(simd_domain_restore(&fx.simd, "garbage.img", &domid), -XEN_EINVAL);
}

static void test_restored_guest_keeps_its_memory(void **state)
{
    uint64_t gfn, shinfo_gfn, balloon_gfn;
    uint8_t *page = os_pages_alloc(1, &gfn);

    struct xen_add_to_physmap xatp = {.domid = DOMID_SELF, .space = XENMAPSPACE_shared_info};
    struct evtchn_alloc_unbound alloc = {.dom = DOMID_SELF, .remote_dom = 0};
    struct evtchn_status status = {.dom = DOMID_SELF};
    xen_pfn_t frames[1];
    struct xen_memory_reservation r = {.nr_extents = 1, .domid = DOMID_SELF};
    union sim_request_body body = {0};
    struct sim_reply reply;
    uint32_t old = fx.domid, restored;
    domid_t self = DOMID_SELF;
    int64_t pages;
    pthread_t vcpu;

    assert_non_null(page);
    assert_non_null(os_pages_alloc(1, &shinfo_gfn));
    assert_non_null(os_pages_alloc(1, &balloon_gfn));
    frames[0] = balloon_gfn;
    memcpy(page, "survives the move", 18);
    xatp.gpfn = shinfo_gfn;
    assert_int_equal(
        os_hypercall2(__HYPERVISOR_memory_op, XENMEM_add_to_physmap, (uint64_t)(uintptr_t)&xatp),
        0);
    assert_int_equal(evtchn_op(EVTCHNOP_alloc_unbound, &alloc), 0);
    set_xen_guest_handle(r.extent_start, frames);
    assert_int_equal(
        os_hypercall2(__HYPERVISOR_memory_op, XENMEM_decrease_reservation, (uint64_t)(uintptr_t)&r),
        1);
    pages = os_hypercall2(__HYPERVISOR_memory_op, XENMEM_current_reservation,
                          (uint64_t)(uintptr_t)&self);

    assert_int_equal(pthread_create(&vcpu, NULL, suspend, NULL), 0);
    wait_for_suspend(old);
    assert_int_equal(simd_domain_save(&fx.simd, old, "guest.img"), 0);
    assert_int_equal(simd_domain_save(&fx.simd, old, "guest.img"), -XEN_EEXIST);
    assert_int_equal(simd_domain_restore(&fx.simd, "guest.img", &restored), 0);
    pthread_join(vcpu, NULL);
    assert_int_equal(suspend_result, 0); /* resumed in a new domain */
    assert_int_not_equal(restored, old);
    assert_int_equal(sim_guest_domid(), restored);
    body.domid.domid = old;
    assert_int_equal(dom0_call(&fx.simd.toolstack, SIM_DOMAIN_DESTROY, &body, &reply), 0);
    fx.domid = restored;

    /* Memory: the same bytes at the same address; the ballooned frame stays out. */
    assert_string_equal((char *)page, "survives the move");
    page[0] = 'S';
    assert_int_equal(os_hypercall2(__HYPERVISOR_memory_op, XENMEM_current_reservation,
                                   (uint64_t)(uintptr_t)&self),
                     pages);
    /* Xen's state is gone: shared_info unmapped, event channels closed. */
    body.domid.domid = restored;
    assert_int_equal(dom0_call(&fx.privcmd, SIM_DOMAIN_INFO, &body, &reply), 0);
    assert_int_equal(reply.body.info.domid, restored);
    assert_int_equal(reply.body.info.shared_info_gfn, UINT64_MAX);
    status.port = alloc.port;
    assert_int_equal(evtchn_op(EVTCHNOP_status, &status), 0);
    assert_int_equal(status.status, EVTCHNSTAT_closed);
    /* And it works as a guest of the new domain. */
    assert_int_equal(
        os_hypercall2(__HYPERVISOR_memory_op, XENMEM_add_to_physmap, (uint64_t)(uintptr_t)&xatp),
        0);
    assert_int_equal(evtchn_op(EVTCHNOP_alloc_unbound, &alloc), 0);
}

/* Restored paused, the new domain waits for the toolstack; its guest stays suspended until then. */
static void test_a_domain_restored_paused_moves_its_guest_at_unpause(void **state)
{
    union sim_request_body body = {0};
    struct sim_reply reply;
    uint32_t old = fx.domid, restored;
    pthread_t vcpu;

    assert_int_equal(pthread_create(&vcpu, NULL, suspend, NULL), 0);
    wait_for_suspend(old);
    assert_int_equal(simd_domain_save(&fx.simd, old, "paused.img"), 0);
    assert_int_equal(simd_domain_restore_paused(&fx.simd, "paused.img", &restored), 0);
    /* Unpausing what is not paused is refused: the old domain, and the new one twice. */
    assert_int_equal(simd_domain_unpause(&fx.simd, old), -XEN_EINVAL);
    usleep(50000);
    assert_int_equal(sim_guest_domid(), old); /* still in the hypercall */
    assert_int_equal(simd_domain_unpause(&fx.simd, restored), 0);
    assert_int_equal(simd_domain_unpause(&fx.simd, restored), -XEN_EINVAL);
    pthread_join(vcpu, NULL);
    assert_int_equal(suspend_result, 0);
    assert_int_equal(sim_guest_domid(), restored);
    body.domid.domid = old;
    assert_int_equal(dom0_call(&fx.simd.toolstack, SIM_DOMAIN_DESTROY, &body, &reply), 0);
    fx.domid = restored;
    assert_int_equal(os_hypercall2(__HYPERVISOR_xen_version, XENVER_version, 0), 4 << 16 | 17);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_save_refuses_a_running_domain),
        cmocka_unit_test(test_cancelled_suspend_returns_one),
        cmocka_unit_test(test_bad_image_names_and_files_are_refused),
        cmocka_unit_test(test_restored_guest_keeps_its_memory),
        cmocka_unit_test(test_a_domain_restored_paused_moves_its_guest_at_unpause),
    };

    return cmocka_run_group_tests_name("sim_save", tests, sim_fixture_setup, sim_fixture_teardown);
}
