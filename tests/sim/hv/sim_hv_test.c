/*
 * tests/sim/hv/sim_hv_test.c - winpv-simd as an HVM guest and dom0 see it:
 * hypercalls with Xen's semantics and error codes, 2-level event channels
 * (delivery, masking, close), grant pinning, polling, the platform device's
 * ports, shutdown, and a daemon that survives malformed input.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include <xen/event_channel.h>
#include <xen/grant_table.h>
#include <xen/hvm/hvm_op.h>
#include <xen/memory.h>
#include <xen/sched.h>
#include <xen/version.h>
#include <xen/xen.h>

#include "guest.h"
#include "os.h"
#include "os_posix.h"
#include "support/sim/sim_fixture.h"

static struct shared_info *shared_info;
static uint64_t shared_info_gfn;

static int64_t memory_op(uint32_t cmd, void *arg)
{
    return os_hypercall2(__HYPERVISOR_memory_op, cmd, (uint64_t)(uintptr_t)arg);
}

/* A page of ours, then Xen's page of @space/@idx shown in its place. */
static void *map_xen_page(uint32_t space, uint64_t idx, uint64_t *gfn)
{
    struct xen_add_to_physmap xatp = {.domid = DOMID_SELF, .space = space, .idx = idx};
    void *va = os_pages_alloc(1, gfn);

    assert_non_null(va);
    xatp.gpfn = *gfn;
    assert_int_equal(memory_op(XENMEM_add_to_physmap, &xatp), 0);
    return va;
}

static void test_version_and_features(void **state)
{
    xen_extraversion_t extra;
    struct xen_feature_info features = {.submap_idx = 0};

    assert_int_equal(os_hypercall2(__HYPERVISOR_xen_version, XENVER_version, 0), 4 << 16 | 17);
    assert_int_equal(
        os_hypercall2(__HYPERVISOR_xen_version, XENVER_extraversion, (uint64_t)(uintptr_t)extra),
        0);
    assert_non_null(memchr(extra, '\0', sizeof(extra)));
    assert_int_equal(os_hypercall2(__HYPERVISOR_xen_version, XENVER_get_features,
                                   (uint64_t)(uintptr_t)&features),
                     0);
    assert_true(features.submap & (1u << XENFEAT_hvm_callback_vector));
    assert_int_equal(os_hypercall2(__HYPERVISOR_xen_version, 999, 0), -XEN_ENOSYS);
    assert_int_equal(os_hypercall2(1000, 0, 0), -XEN_ENOSYS);
}

static void test_bad_guest_address_is_efault(void **state)
{
    assert_int_equal(os_hypercall2(__HYPERVISOR_xen_version, XENVER_extraversion, 16), -XEN_EFAULT);
    assert_int_equal(memory_op(XENMEM_add_to_physmap, (void *)(uintptr_t)0xdead0000), -XEN_EFAULT);
    assert_int_equal(evtchn_op(EVTCHNOP_alloc_unbound, NULL), -XEN_EFAULT);
    /* The daemon is still there. */
    assert_int_equal(os_hypercall2(__HYPERVISOR_xen_version, XENVER_version, 0), 4 << 16 | 17);
}

static void test_shared_info_is_shared_with_xen(void **state)
{
    struct sim_reply reply;
    union sim_request_body body = {.domid.domid = fx.domid};
    uint64_t before = os_posix_guest_pages_in_use();

    shared_info = map_xen_page(XENMAPSPACE_shared_info, 0, &shared_info_gfn);
    assert_int_equal(os_posix_guest_pages_in_use(), before + 1);
    assert_int_equal(dom0_call(&fx.privcmd, SIM_DOMAIN_INFO, &body, &reply), 0);
    assert_int_equal(reply.body.info.shared_info_gfn, shared_info_gfn);
    /* Only shared_info idx 0 exists. */
    {
        struct xen_add_to_physmap bad = {.domid = DOMID_SELF,
                                         .space = XENMAPSPACE_shared_info,
                                         .idx = 1,
                                         .gpfn = shared_info_gfn};

        assert_int_equal(memory_op(XENMEM_add_to_physmap, &bad), -XEN_EINVAL);
    }
}

static bool port_bit(const uint64_t *array, uint32_t port)
{
    return __atomic_load_n(&array[port / 64], __ATOMIC_SEQ_CST) & (1ull << (port % 64));
}

static void clear_port(uint32_t port)
{
    struct vcpu_info *v = &shared_info->vcpu_info[0];

    __atomic_fetch_and(&shared_info->evtchn_pending[port / 64], ~(1ull << (port % 64)),
                       __ATOMIC_SEQ_CST);
    __atomic_store_n(&v->evtchn_upcall_pending, 0, __ATOMIC_SEQ_CST);
    __atomic_store_n(&v->evtchn_pending_sel, 0, __ATOMIC_SEQ_CST);
}

static void test_2l_event_from_dom0_raises_the_upcall(void **state)
{
    union sim_request_body body = {0};
    struct sim_reply reply;
    uint32_t dom0_port, port = connect_to_dom0(&dom0_port);
    uint64_t upcalls = sim_guest_upcalls();
    struct vcpu_info *v = &shared_info->vcpu_info[0];

    clear_port(port);
    body.port.port = dom0_port;
    assert_int_equal(dom0_call(&fx.evtchn, SIM_EVTCHN_NOTIFY, &body, &reply), 0);
    wait_for_upcalls(upcalls + 1);
    assert_int_equal(sim_guest_upcalls(), upcalls + 1);
    assert_true(port_bit(shared_info->evtchn_pending, port));
    assert_true(v->evtchn_pending_sel & (1ull << (port / 64)));
    assert_int_equal(v->evtchn_upcall_pending, 1);

    /* Masked: pending is recorded, no upcall. */
    clear_port(port);
    __atomic_fetch_or(&shared_info->evtchn_mask[port / 64], 1ull << (port % 64), __ATOMIC_SEQ_CST);
    assert_int_equal(dom0_call(&fx.evtchn, SIM_EVTCHN_NOTIFY, &body, &reply), 0);
    usleep(20000);
    assert_int_equal(sim_guest_upcalls(), upcalls + 1);
    assert_true(port_bit(shared_info->evtchn_pending, port));
    assert_int_equal(v->evtchn_upcall_pending, 0);

    /* Unmasking a pending port delivers it. */
    {
        struct evtchn_unmask unmask = {.port = port};

        assert_int_equal(evtchn_op(EVTCHNOP_unmask, &unmask), 0);
    }
    wait_for_upcalls(upcalls + 2);
    assert_int_equal(sim_guest_upcalls(), upcalls + 2);
    assert_false(port_bit(shared_info->evtchn_mask, port));
    assert_int_equal(v->evtchn_upcall_pending, 1);
    clear_port(port);
}

static void test_guest_event_reaches_dom0_once_until_unmasked(void **state)
{
    union sim_request_body body = {0};
    struct sim_reply reply;
    uint32_t dom0_port, port = connect_to_dom0(&dom0_port);
    struct evtchn_send send = {.port = port};

    assert_int_equal(evtchn_op(EVTCHNOP_send, &send), 0);
    assert_int_equal(dom0_next_event(1000), (int)dom0_port);
    assert_int_equal(evtchn_op(EVTCHNOP_send, &send), 0);
    assert_int_equal(evtchn_op(EVTCHNOP_send, &send), 0);
    assert_int_equal(dom0_next_event(50), -1); /* masked for the handle */
    /* What came while masked is not lost: one event on unmask, as Xen gives. */
    body.port.port = dom0_port;
    assert_int_equal(dom0_call(&fx.evtchn, SIM_EVTCHN_UNMASK, &body, &reply), 0);
    assert_int_equal(dom0_next_event(1000), (int)dom0_port);
    assert_int_equal(dom0_next_event(50), -1);
    assert_int_equal(dom0_call(&fx.evtchn, SIM_EVTCHN_UNMASK, &body, &reply), 0);
    assert_int_equal(dom0_next_event(50), -1);
    assert_int_equal(evtchn_op(EVTCHNOP_send, &send), 0);
    assert_int_equal(dom0_next_event(1000), (int)dom0_port);
    assert_int_equal(dom0_call(&fx.evtchn, SIM_EVTCHN_UNMASK, &body, &reply), 0);
}

static void test_close_leaves_the_peer_unbound(void **state)
{
    union sim_request_body body = {0};
    struct sim_reply reply;
    uint32_t dom0_port, port = connect_to_dom0(&dom0_port);
    struct evtchn_close close_arg = {.port = port};
    struct evtchn_status status = {.dom = DOMID_SELF, .port = port};
    struct evtchn_send send = {.port = port};

    assert_int_equal(evtchn_op(EVTCHNOP_status, &status), 0);
    assert_int_equal(status.status, EVTCHNSTAT_interdomain);
    assert_int_equal(status.u.interdomain.dom, 0);
    assert_int_equal(status.u.interdomain.port, dom0_port);
    assert_int_equal(evtchn_op(EVTCHNOP_close, &close_arg), 0);
    assert_int_equal(evtchn_op(EVTCHNOP_close, &close_arg), -XEN_EINVAL);
    assert_int_equal(evtchn_op(EVTCHNOP_send, &send), -XEN_EINVAL);
    body.port_status.domid = 0;
    body.port_status.port = dom0_port;
    assert_int_equal(dom0_call(&fx.privcmd, SIM_EVTCHN_STATUS, &body, &reply), 0);
    assert_int_equal(reply.body.status.status, EVTCHNSTAT_unbound);
    assert_int_equal(reply.body.status.remote_domid, fx.domid);
    /* Sending on an unbound port is not an error, and goes nowhere. */
    body.port.port = dom0_port;
    assert_int_equal(dom0_call(&fx.evtchn, SIM_EVTCHN_NOTIFY, &body, &reply), 0);
}

static void test_event_channel_errors(void **state)
{
    struct evtchn_bind_virq virq = {.virq = VIRQ_TIMER, .vcpu = 0};
    struct evtchn_bind_virq again = {.virq = VIRQ_TIMER, .vcpu = 0};
    struct evtchn_bind_ipi ipi = {.vcpu = 7};
    struct evtchn_bind_interdomain bad = {.remote_dom = 0, .remote_port = 4095};
    struct evtchn_alloc_unbound other = {.dom = 0, .remote_dom = 0};

    assert_int_equal(evtchn_op(EVTCHNOP_bind_virq, &virq), 0);
    assert_int_equal(evtchn_op(EVTCHNOP_bind_virq, &again), -XEN_EEXIST);
    assert_int_equal(evtchn_op(EVTCHNOP_bind_ipi, &ipi), -XEN_ENOENT);
    assert_int_equal(evtchn_op(EVTCHNOP_bind_interdomain, &bad), -XEN_EINVAL);
    assert_int_equal(evtchn_op(EVTCHNOP_alloc_unbound, &other), -XEN_EPERM);
    assert_int_equal(evtchn_op(99, &other), -XEN_ENOSYS);
}

static void test_ipi_reaches_the_chosen_vcpu(void **state)
{
    struct evtchn_bind_ipi ipi = {.vcpu = 1};
    uint64_t upcalls = sim_guest_upcalls();
    struct evtchn_send send;

    assert_int_equal(evtchn_op(EVTCHNOP_bind_ipi, &ipi), 0);
    send.port = ipi.port;
    assert_int_equal(evtchn_op(EVTCHNOP_send, &send), 0);
    wait_for_upcalls(upcalls + 1);
    assert_int_equal(shared_info->vcpu_info[1].evtchn_upcall_pending, 1);
    assert_true(port_bit(shared_info->evtchn_pending, ipi.port));
    __atomic_store_n(&shared_info->vcpu_info[1].evtchn_upcall_pending, 0, __ATOMIC_SEQ_CST);
    clear_port(ipi.port);
}

static void test_poll_waits_for_its_port_or_timeout(void **state)
{
    uint32_t dom0_port, port = connect_to_dom0(&dom0_port);
    struct sched_poll poll = {.nr_ports = 1};
    uint64_t start;

    clear_port(port);
    set_xen_guest_handle(poll.ports, &port);
    start = os_time_ns();
    poll.timeout = start + 50 * 1000 * 1000;
    assert_int_equal(os_hypercall2(__HYPERVISOR_sched_op, SCHEDOP_poll, (uint64_t)(uintptr_t)&poll),
                     0);
    assert_true(os_time_ns() - start >= 50 * 1000 * 1000);

    /* Pending already: returns at once. */
    __atomic_fetch_or(&shared_info->evtchn_pending[port / 64], 1ull << (port % 64),
                      __ATOMIC_SEQ_CST);
    poll.timeout = 0;
    assert_int_equal(os_hypercall2(__HYPERVISOR_sched_op, SCHEDOP_poll, (uint64_t)(uintptr_t)&poll),
                     0);
    clear_port(port);
}

static struct grant_entry_v1 *grant_table;

static void test_grants_pin_with_xens_rules(void **state)
{
    uint64_t table_gfn, data_gfn;
    uint8_t *data = os_pages_alloc(1, &data_gfn);
    union sim_request_body body = {0};
    struct sim_reply reply;
    uint8_t *seen;

    grant_table = map_xen_page(XENMAPSPACE_grant_table, 0, &table_gfn);
    memcpy(data, "granted data", 13);
    grant_table[10].frame = (uint32_t)data_gfn;
    grant_table[10].domid = 0;
    __atomic_store_n(&grant_table[10].flags, GTF_permit_access, __ATOMIC_SEQ_CST);

    body.map.domid = fx.domid;
    body.map.count = 1;
    body.map.refs[0] = 10;
    assert_int_equal(dom0_call(&fx.gnttab, SIM_GNTTAB_MAP, &body, &reply), 0);
    assert_int_equal(grant_table[10].flags, GTF_permit_access | GTF_reading | GTF_writing);
    seen = domain_memory_at(reply.body.offsets.offsets[0]);
    assert_non_null(seen);
    assert_string_equal((char *)seen, "granted data");
    body.unmap.handle = reply.body.offsets.handle;
    assert_int_equal(dom0_call(&fx.gnttab, SIM_GNTTAB_UNMAP, &body, &reply), 0);
    assert_int_equal(grant_table[10].flags, GTF_permit_access);

    /* Read-only grant: a writable map is refused, a read-only one sets only GTF_reading. */
    grant_table[10].flags = GTF_permit_access | GTF_readonly;
    body.map.domid = fx.domid;
    body.map.count = 1;
    body.map.refs[0] = 10;
    body.map.readonly = 0;
    assert_int_equal(dom0_call(&fx.gnttab, SIM_GNTTAB_MAP, &body, &reply), -XEN_EACCES);
    body.map.readonly = 1;
    assert_int_equal(dom0_call(&fx.gnttab, SIM_GNTTAB_MAP, &body, &reply), 0);
    assert_int_equal(grant_table[10].flags, GTF_permit_access | GTF_readonly | GTF_reading);

    /* Granted to another domain, revoked, or past the table: refused. */
    grant_table[11] = (struct grant_entry_v1){
        .flags = GTF_permit_access, .domid = 7, .frame = (uint32_t)data_gfn};
    body.map.refs[0] = 11;
    assert_int_equal(dom0_call(&fx.gnttab, SIM_GNTTAB_MAP, &body, &reply), -XEN_EACCES);
    body.map.refs[0] = 12;
    assert_int_equal(dom0_call(&fx.gnttab, SIM_GNTTAB_MAP, &body, &reply), -XEN_EACCES);
    body.map.refs[0] = 512 * 32;
    assert_int_equal(dom0_call(&fx.gnttab, SIM_GNTTAB_MAP, &body, &reply), -XEN_EINVAL);

    /* Pins that would overflow the counters fail; the flags stay set while any is held. */
    grant_table[13] = (struct grant_entry_v1){
        .flags = GTF_permit_access, .domid = 0, .frame = (uint32_t)data_gfn};
    body.map.domid = fx.domid;
    body.map.readonly = 1;
    body.map.count = SIM_MAX_FRAMES;
    for (uint32_t i = 0; i < SIM_MAX_FRAMES; i++)
        body.map.refs[i] = 13;
    {
        int rc = 0, maps = 0;

        while ((rc = dom0_call(&fx.gnttab, SIM_GNTTAB_MAP, &body, &reply)) == 0)
            maps++;
        assert_int_equal(rc, -XEN_ENOSPC);
        assert_int_equal(maps, UINT16_MAX / SIM_MAX_FRAMES);
    }
    body.map.count = 1;
    assert_int_equal(dom0_call(&fx.gnttab, SIM_GNTTAB_MAP, &body, &reply), 0);
    assert_true(grant_table[13].flags & GTF_reading);

    /* The handle's end releases what it pinned. */
    sim_disconnect(&fx.gnttab);
    for (int i = 0; i < 100 && (grant_table[10].flags & GTF_reading); i++)
        usleep(1000);
    assert_int_equal(grant_table[10].flags, GTF_permit_access | GTF_readonly);
    for (int i = 0; i < 100 && (grant_table[13].flags & GTF_reading); i++)
        usleep(1000);
    assert_int_equal(grant_table[13].flags, GTF_permit_access);
    assert_int_equal(sim_connect(&fx.gnttab, fx.simd.dir, SIM_ROLE_GNTTAB, 0, NULL), 0);
}

static void test_query_size_and_version(void **state)
{
    struct gnttab_query_size q = {.dom = DOMID_SELF};
    struct gnttab_set_version v2 = {.version = 2};

    assert_int_equal(
        os_hypercall3(__HYPERVISOR_grant_table_op, GNTTABOP_query_size, (uint64_t)(uintptr_t)&q, 1),
        0);
    assert_int_equal(q.status, GNTST_okay);
    assert_int_equal(q.nr_frames, 1);
    assert_int_equal(q.max_nr_frames, 32);
    assert_int_equal(os_hypercall3(__HYPERVISOR_grant_table_op, GNTTABOP_set_version,
                                   (uint64_t)(uintptr_t)&v2, 1),
                     -XEN_EINVAL);
    assert_int_equal(v2.version, 1);
}

static void test_balloon_gives_frames_back(void **state)
{
    union sim_request_body body = {.domid.domid = fx.domid};
    struct sim_reply reply;
    uint64_t gfn;
    uint8_t *va = os_pages_alloc(1, &gfn);
    xen_pfn_t frames[1];
    struct xen_memory_reservation r = {.nr_extents = 1, .domid = DOMID_SELF};
    domid_t self = DOMID_SELF;
    int64_t pages = memory_op(XENMEM_current_reservation, &self);

    assert_non_null(va);
    frames[0] = gfn;
    set_xen_guest_handle(r.extent_start, frames);
    assert_int_equal(memory_op(XENMEM_decrease_reservation, &r), 1);
    assert_int_equal(memory_op(XENMEM_current_reservation, &self), pages - 1);
    assert_int_equal(dom0_call(&fx.privcmd, SIM_DOMAIN_INFO, &body, &reply), 0);
    assert_int_equal(reply.body.info.nr_pages, pages - 1);
    /* Gone twice is an error: nothing done. */
    assert_int_equal(memory_op(XENMEM_decrease_reservation, &r), 0);
    assert_int_equal(memory_op(XENMEM_populate_physmap, &r), 1);
    assert_int_equal(memory_op(XENMEM_current_reservation, &self), pages);
    va[0] = 1; /* the frame is back, and writable */
    os_pages_free(va, 1);
}

/* Many extents in one call: one complete result, as Xen gives. */
static void test_large_balloon_is_one_call(void **state)
{
    enum { COUNT = 3 * SIM_MAX_REMAPS + 5 };
    static uint64_t frames[COUNT];
    uint8_t *va = os_pages_alloc(COUNT, frames);
    struct xen_memory_reservation r = {.nr_extents = COUNT, .domid = DOMID_SELF};
    domid_t self = DOMID_SELF;
    int64_t pages = memory_op(XENMEM_current_reservation, &self);

    assert_non_null(va);
    set_xen_guest_handle(r.extent_start, frames);
    assert_int_equal(memory_op(XENMEM_decrease_reservation, &r), COUNT);
    assert_int_equal(memory_op(XENMEM_current_reservation, &self), pages - COUNT);
    assert_int_equal(memory_op(XENMEM_populate_physmap, &r), COUNT);
    assert_int_equal(memory_op(XENMEM_current_reservation, &self), pages);
    va[(COUNT - 1) * 4096] = 1; /* the last frame is back */
    os_pages_free(va, COUNT);
}

/* A guest gets frames up to its maximum reservation and no further; Xen says how many it did. */
static void test_populate_stops_at_the_maximum_reservation(void **state)
{
    domid_t self = DOMID_SELF;
    int64_t max = memory_op(XENMEM_maximum_reservation, &self);
    int64_t top = memory_op(XENMEM_maximum_gpfn, &self);
    int64_t room = max - memory_op(XENMEM_current_reservation, &self);
    uint64_t ram_gfn;
    uint8_t *va = os_pages_alloc(1, &ram_gfn);
    xen_pfn_t hole[8], ram[1] = {ram_gfn};
    struct xen_memory_reservation r = {.domid = DOMID_SELF};

    assert_non_null(va);
    /* Xen's frames shown over RAM left room below the maximum. */
    assert_true(room >= 0 && room < 7);
    for (int64_t i = 0; i <= room; i++)
        hole[i] = (xen_pfn_t)(top - i);
    /* Frames in the hole above RAM: what fits of one more than the room. */
    r.nr_extents = (uint64_t)room + 1;
    set_xen_guest_handle(r.extent_start, hole);
    assert_int_equal(memory_op(XENMEM_populate_physmap, &r), room);
    assert_int_equal(memory_op(XENMEM_current_reservation, &self), max);
    r.nr_extents = 1;
    set_xen_guest_handle(r.extent_start, hole + room);
    assert_int_equal(memory_op(XENMEM_populate_physmap, &r), 0);
    assert_int_equal(memory_op(XENMEM_increase_reservation, &r), 0);
    /* A RAM frame given back makes room for one. */
    set_xen_guest_handle(r.extent_start, ram);
    assert_int_equal(memory_op(XENMEM_decrease_reservation, &r), 1);
    set_xen_guest_handle(r.extent_start, hole + room);
    assert_int_equal(memory_op(XENMEM_populate_physmap, &r), 1);
    assert_int_equal(memory_op(XENMEM_current_reservation, &self), max);
    /* As it was: the hole's frames back to Xen, the RAM frame populated again. */
    r.nr_extents = (uint64_t)room + 1;
    set_xen_guest_handle(r.extent_start, hole);
    assert_int_equal(memory_op(XENMEM_decrease_reservation, &r), room + 1);
    r.nr_extents = 1;
    set_xen_guest_handle(r.extent_start, ram);
    assert_int_equal(memory_op(XENMEM_populate_physmap, &r), 1);
    assert_int_equal(memory_op(XENMEM_current_reservation, &self), max - room);
    va[0] = 1;
    os_pages_free(va, 1);
}

static void test_platform_device_ports(void **state)
{
    union sim_request_body body = {.domid.domid = fx.domid};
    struct sim_reply reply;

    assert_int_equal(os_inw(0x10), 0x49d2);
    assert_int_equal(os_inb(0x12), 1);
    os_outw(0x12, 1);
    os_outl(0x10, 1234);
    assert_int_equal(dom0_call(&fx.privcmd, SIM_DOMAIN_INFO, &body, &reply), 0);
    assert_int_equal(reply.body.info.unplugged, 0); /* product and build are not an unplug */
    assert_int_equal(reply.body.info.pv_product, 1);
    assert_int_equal(reply.body.info.pv_build, 1234);
    assert_int_equal(os_inw(0x10), 0x49d2); /* a registered product: accepted */
    os_outw(0x10, 3);                       /* disks and NICs */
    assert_int_equal(dom0_call(&fx.privcmd, SIM_DOMAIN_INFO, &body, &reply), 0);
    assert_int_equal(reply.body.info.unplugged, 3);
    assert_int_equal(reply.body.info.pv_refused, 0);
    assert_int_equal(os_inl(0x40), 0xffffffffu); /* nothing there */
    /* A product Xen's register does not have is refused (QEMU would only log it). */
    os_outw(0x12, 0x1234);
    os_outl(0x10, 1);
    assert_int_equal(os_inw(0x10), 0xd249);
    assert_int_equal(dom0_call(&fx.privcmd, SIM_DOMAIN_INFO, &body, &reply), 0);
    assert_int_equal(reply.body.info.pv_refused, 1);
}

static void test_daemon_survives_malformed_messages(void **state)
{
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    int fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
    char junk[3] = {1, 2, 3}, buf[8];
    struct sim_conn probe;

    assert_int_equal(sim_socket_path(fx.simd.dir, addr.sun_path, sizeof(addr.sun_path)), 0);
    assert_int_equal(connect(fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
    assert_int_equal(send(fd, junk, sizeof(junk), 0), 3);
    assert_int_equal(recv(fd, buf, sizeof(buf), 0), 0); /* closed on us */
    close(fd);
    /* A request before HELLO, and an unknown role, are refused. */
    {
        struct sim_request early = {.type = SIM_DOMAIN_CREATE};
        struct sim_reply reply;

        fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
        assert_int_equal(connect(fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
        early.body.create.ram_pages = 16;
        early.body.create.vcpus = 1;
        early.body.create.max_grant_frames = 1;
        assert_int_equal(send(fd, &early, sizeof(early), 0), sizeof(early));
        assert_int_equal(recv(fd, &reply, sizeof(reply), 0), sizeof(reply));
        assert_int_equal(reply.error, -XEN_EPERM);
        close(fd);
    }
    assert_int_equal(sim_connect(&probe, fx.simd.dir, 77, 0, NULL), -XEN_EINVAL);
    assert_int_equal(sim_connect(&probe, fx.simd.dir, SIM_ROLE_GUEST, 55, NULL), -XEN_ESRCH);
    assert_int_equal(os_hypercall2(__HYPERVISOR_xen_version, XENVER_version, 0), 4 << 16 | 17);
}

/* A client that never reads its replies is cut off; the others are served. */
static void test_client_that_does_not_read_is_cut_off(void **state)
{
    struct sim_conn flood, other;
    struct sim_request req = {.type = SIM_DOMAIN_INFO};
    struct sim_reply reply;
    int sent = 0;
    char buf[sizeof(reply)];

    assert_int_equal(sim_connect(&flood, fx.simd.dir, SIM_ROLE_PRIVCMD, 0, NULL), 0);
    for (int i = 0; i < 100000; i++) {
        if (send(flood.fd, &req, sizeof(req), MSG_DONTWAIT | MSG_NOSIGNAL) != sizeof(req)) {
            if (errno == EAGAIN)
                usleep(100);
            else
                break; /* closed on us */
        } else {
            sent++;
        }
    }
    assert_true(sent > 0);
    assert_int_equal(sim_connect(&other, fx.simd.dir, SIM_ROLE_PRIVCMD, 0, NULL), 0);
    assert_int_equal(dom0_call(&other, SIM_DOMAIN_INFO, &(union sim_request_body){0}, &reply), 0);
    sim_disconnect(&other);
    /* The flooding connection ends: after its queued replies, end of stream. */
    while (recv(flood.fd, buf, sizeof(buf), 0) > 0)
        ;
    sim_disconnect(&flood);
}

/* Last: the domain stops. */
static void test_shutdown_is_seen_by_dom0(void **state)
{
    union sim_request_body body = {0};
    struct sim_reply reply;
    struct sched_shutdown reason = {.reason = SHUTDOWN_poweroff};
    uint32_t virq_port;

    body.bind.virq = VIRQ_DOM_EXC;
    assert_int_equal(dom0_call(&fx.evtchn, SIM_EVTCHN_BIND_VIRQ, &body, &reply), 0);
    virq_port = reply.body.port.port;
    assert_int_equal(
        os_hypercall2(__HYPERVISOR_sched_op, SCHEDOP_shutdown, (uint64_t)(uintptr_t)&reason), 0);
    assert_int_equal(dom0_next_event(1000), (int)virq_port);
    body.domid.domid = fx.domid;
    assert_int_equal(dom0_call(&fx.privcmd, SIM_DOMAIN_INFO, &body, &reply), 0);
    assert_true(reply.body.info.flags & SIM_DOMINFO_SHUTDOWN);
    assert_int_equal(reply.body.info.shutdown_reason, SHUTDOWN_poweroff);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_version_and_features),
        cmocka_unit_test(test_bad_guest_address_is_efault),
        cmocka_unit_test(test_shared_info_is_shared_with_xen),
        cmocka_unit_test(test_2l_event_from_dom0_raises_the_upcall),
        cmocka_unit_test(test_guest_event_reaches_dom0_once_until_unmasked),
        cmocka_unit_test(test_close_leaves_the_peer_unbound),
        cmocka_unit_test(test_event_channel_errors),
        cmocka_unit_test(test_ipi_reaches_the_chosen_vcpu),
        cmocka_unit_test(test_poll_waits_for_its_port_or_timeout),
        cmocka_unit_test(test_grants_pin_with_xens_rules),
        cmocka_unit_test(test_query_size_and_version),
        cmocka_unit_test(test_balloon_gives_frames_back),
        cmocka_unit_test(test_large_balloon_is_one_call),
        cmocka_unit_test(test_populate_stops_at_the_maximum_reservation),
        cmocka_unit_test(test_platform_device_ports),
        cmocka_unit_test(test_daemon_survives_malformed_messages),
        cmocka_unit_test(test_client_that_does_not_read_is_cut_off),
        cmocka_unit_test(test_shutdown_is_seen_by_dom0),
    };

    return cmocka_run_group_tests_name("sim_hv", tests, sim_fixture_setup, sim_fixture_teardown);
}
