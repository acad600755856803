/*
 * tests/sim/lib/simlib_test.c - the replacement Xen libraries (sim/lib) as
 * xenstored, xenconsoled and QEMU use them, against a running winpv-simd:
 * opening without a daemon, domain queries in Xen 4.17's layouts, HVM
 * parameters, event channels (binding, delivery, masking, status, close),
 * shutdown, foreign maps, grant maps (permissions, read-only, several
 * pages, unmap) and grant copies with their per-segment status.
 *
 * Compiled against Debian's headers (libxen-dev), as the programs are.
 */
#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <cmocka.h>

#define XC_WANT_COMPAT_MAP_FOREIGN_API
#include <xenctrl.h>
#include <xendevicemodel.h>
#include <xenevtchn.h>
#include <xenforeignmemory.h>
#include <xengnttab.h>

#include "simd.h"

#define PAGE 4096u

static struct simd simd;
static uint32_t domid;
static xc_interface *xch;
static xenforeignmemory_handle *fmem;

static void seed_grant(uint32_t ref, uint64_t gfn, uint32_t flags)
{
    struct sim_request req = {.type = SIM_GNTTAB_SEED};
    struct sim_reply reply;

    req.body.seed.domid = domid;
    req.body.seed.ref = ref;
    req.body.seed.backend = 0;
    req.body.seed.flags = flags;
    req.body.seed.gfn = gfn;
    assert_int_equal(simd_call(&simd, &req, &reply), 0);
}

/* Guest frame @gfn, mapped read-write through libxenforeignmemory. */
static uint8_t *guest_page(uint64_t gfn)
{
    xen_pfn_t pfn = gfn;
    uint8_t *p = xenforeignmemory_map(fmem, domid, PROT_READ | PROT_WRITE, 1, &pfn, NULL);

    assert_non_null(p);
    return p;
}

static void unmap_guest_page(uint8_t *p)
{
    assert_int_equal(xenforeignmemory_unmap(fmem, p, 1), 0);
}

static int setup(void **state)
{
    if (simd_start(&simd) != 0)
        return -1;
    setenv(SIM_RUN_DIR_ENV, simd.dir, 1);
    if (simd_domain_create(&simd, 64, 2, &domid) != 0)
        return -1;
    xch = xc_interface_open(NULL, NULL, 0);
    fmem = xenforeignmemory_open(NULL, 0);
    return xch && fmem ? 0 : -1;
}

static int teardown(void **state)
{
    xenforeignmemory_close(fmem);
    xc_interface_close(xch);
    return simd_stop(&simd) == 0 ? 0 : -1;
}

static void test_open_fails_clearly_without_a_daemon(void **state)
{
    unsetenv(SIM_RUN_DIR_ENV);
    errno = 0;
    assert_null(xenevtchn_open(NULL, 0));
    assert_int_equal(errno, ENOENT);
    setenv(SIM_RUN_DIR_ENV, "/nonexistent/winpv-sim", 1);
    errno = 0;
    assert_null(xc_interface_open(NULL, NULL, 0));
    assert_int_equal(errno, ENOENT);
    assert_null(xengnttab_open(NULL, 0));
    assert_null(xenforeignmemory_open(NULL, 0));
    assert_null(xendevicemodel_open(NULL, 0));
    setenv(SIM_RUN_DIR_ENV, simd.dir, 1);
}

static void test_getinfo_walks_the_domains(void **state)
{
    xc_dominfo_t all[8], one;
    xc_domaininfo_t list[8];
    int n = xc_domain_getinfo(xch, 0, 8, all);

    assert_true(n >= 2);
    assert_int_equal(all[0].domid, 0);
    for (int i = 1; i < n; i++)
        assert_true(all[i].domid > all[i - 1].domid);
    assert_int_equal(all[n - 1].domid, domid);

    assert_int_equal(xc_domain_getinfo(xch, domid, 1, &one), 1);
    assert_int_equal(one.domid, domid);
    assert_true(one.hvm);
    assert_false(one.dying || one.shutdown || one.crashed);
    assert_int_equal(one.nr_online_vcpus, 2);
    assert_int_equal(one.max_vcpu_id, 1);

    /* Past the last domain: -1/ESRCH, and an empty list. */
    errno = 0;
    assert_int_equal(xc_domain_getinfo(xch, domid + 1, 1, &one), -1);
    assert_int_equal(errno, ESRCH);
    assert_int_equal(xc_domain_getinfolist(xch, domid + 1, 8, list), 0);

    assert_int_equal(xc_domain_getinfolist(xch, 0, 8, list), n);
    assert_int_equal(list[n - 1].domain, domid);
    assert_true(list[n - 1].flags & XEN_DOMINF_hvm_guest);
    assert_int_equal(all[n - 1].max_memkb, list[n - 1].max_pages * 4);
    assert_int_equal(all[n - 1].nr_pages, list[n - 1].tot_pages);
}

static void test_hvm_params_round_trip(void **state)
{
    unsigned long value = 0;

    assert_int_equal(xc_set_hvm_param(xch, domid, HVM_PARAM_STORE_EVTCHN, 42), 0);
    assert_int_equal(xc_get_hvm_param(xch, domid, HVM_PARAM_STORE_EVTCHN, &value), 0);
    assert_int_equal(value, 42);
    errno = 0;
    assert_int_equal(xc_get_hvm_param(xch, 60, HVM_PARAM_STORE_EVTCHN, &value), -1);
    assert_int_equal(errno, ESRCH);
}

/* The next port on @xce within a second, or -1. */
static int next_event(xenevtchn_handle *xce)
{
    struct pollfd pfd = {.fd = xenevtchn_fd(xce), .events = POLLIN};

    if (poll(&pfd, 1, 1000) != 1)
        return -1;
    return xenevtchn_pending(xce);
}

static void test_event_channel_to_a_guest(void **state)
{
    xenevtchn_handle *xce = xenevtchn_open(NULL, 0);
    xc_evtchn_status_t st = {.dom = (domid_t)domid};
    int guest_port, local;

    assert_non_null(xce);
    guest_port = xc_evtchn_alloc_unbound(xch, domid, 0);
    assert_true(guest_port > 0);
    st.port = (evtchn_port_t)guest_port;
    assert_int_equal(xc_evtchn_status(xch, &st), 0);
    assert_int_equal(st.status, EVTCHNSTAT_unbound);
    assert_int_equal(st.u.unbound.dom, 0);

    local = xenevtchn_bind_interdomain(xce, domid, (evtchn_port_t)guest_port);
    assert_true(local > 0);
    assert_int_equal(xc_evtchn_status(xch, &st), 0);
    assert_int_equal(st.status, EVTCHNSTAT_interdomain);
    assert_int_equal(st.u.interdomain.dom, 0);
    assert_int_equal(st.u.interdomain.port, local);
    /* Dom0's own end, as xenconsoled checks it is still bound before binding again. */
    {
        xc_evtchn_status_t self = {.dom = DOMID_SELF, .port = (evtchn_port_t)local};

        assert_int_equal(xc_evtchn_status(xch, &self), 0);
        assert_int_equal(self.status, EVTCHNSTAT_interdomain);
        assert_int_equal(self.u.interdomain.dom, domid);
        assert_int_equal(self.u.interdomain.port, guest_port);
    }

    /* Binding raises the port once; it stays masked for us until unmasked. */
    assert_int_equal(next_event(xce), local);
    assert_int_equal(xenevtchn_unmask(xce, (evtchn_port_t)local), 0);
    assert_int_equal(xenevtchn_notify(xce, (evtchn_port_t)local), 0);

    /* Ports this handle did not bind are not its to use. */
    errno = 0;
    assert_int_equal(xenevtchn_notify(xce, (evtchn_port_t)local + 100), -1);
    assert_int_equal(errno, EINVAL);

    assert_int_equal(xenevtchn_unbind(xce, (evtchn_port_t)local), 0);
    assert_int_equal(xc_evtchn_status(xch, &st), 0);
    assert_int_equal(st.status, EVTCHNSTAT_unbound);

    /* Closing a handle unbinds what it bound. */
    local = xenevtchn_bind_interdomain(xce, domid, (evtchn_port_t)guest_port);
    assert_true(local > 0);
    assert_int_equal(xenevtchn_close(xce), 0);
    assert_int_equal(xc_evtchn_status(xch, &st), 0);
    assert_int_equal(st.status, EVTCHNSTAT_unbound);
}

static void test_shutdown_is_seen_through_virq_and_getinfo(void **state)
{
    xenevtchn_handle *xce = xenevtchn_open(NULL, 0);
    xendevicemodel_handle *dmod = xendevicemodel_open(NULL, 0);
    uint32_t victim, crasher;
    xc_dominfo_t info;
    int virq;

    assert_non_null(xce);
    assert_non_null(dmod);
    assert_int_equal(simd_domain_create(&simd, 16, 1, &victim), 0);
    assert_int_equal(simd_domain_create(&simd, 16, 1, &crasher), 0);
    virq = xenevtchn_bind_virq(xce, VIRQ_DOM_EXC);
    assert_true(virq > 0);

    assert_int_equal(xc_domain_shutdown(xch, victim, SHUTDOWN_poweroff), 0);
    assert_int_equal(next_event(xce), virq);
    assert_int_equal(xenevtchn_unmask(xce, (evtchn_port_t)virq), 0);
    assert_int_equal(xc_domain_getinfo(xch, victim, 1, &info), 1);
    assert_int_equal(info.domid, victim);
    assert_true(info.shutdown);
    assert_false(info.crashed);
    assert_int_equal(info.shutdown_reason, SHUTDOWN_poweroff);

    assert_int_equal(xendevicemodel_shutdown(dmod, (domid_t)crasher, SHUTDOWN_crash), 0);
    assert_int_equal(next_event(xce), virq);
    assert_int_equal(xc_domain_getinfo(xch, crasher, 1, &info), 1);
    assert_true(info.crashed);
    assert_false(info.shutdown);

    /* The stubs say so. */
    errno = 0;
    assert_int_equal(xendevicemodel_create_ioreq_server(dmod, (domid_t)crasher, 0, NULL), -1);
    assert_int_equal(errno, ENOSYS);
    assert_int_equal(xendevicemodel_close(dmod), 0);
    assert_int_equal(xenevtchn_close(xce), 0);
}

static void test_foreign_map_shows_guest_frames(void **state)
{
    xen_pfn_t pfns[3] = {3, 4, 1ull << 40};
    int err[3] = {1, 1, 1};
    uint8_t *p = xenforeignmemory_map(fmem, domid, PROT_READ | PROT_WRITE, 2, pfns, NULL);
    uint8_t *q;

    assert_non_null(p);
    p[0] = 0x33;
    p[PAGE] = 0x44;
    /* The same frames through libxenctrl's compatibility call. */
    q = xc_map_foreign_range(xch, domid, PAGE, PROT_READ, 4);
    assert_non_null(q);
    assert_int_equal(q[0], 0x44);
    assert_int_equal(munmap(q, PAGE), 0);
    assert_int_equal(xenforeignmemory_unmap(fmem, p, 2), 0);

    /* A frame the guest does not have: per page with @err, else the whole map fails. */
    p = xenforeignmemory_map(fmem, domid, PROT_READ, 3, pfns, err);
    assert_non_null(p);
    assert_int_equal(err[0], 0);
    assert_int_equal(err[1], 0);
    assert_int_equal(err[2], -EINVAL);
    assert_int_equal(p[0], 0x33);
    assert_int_equal(xenforeignmemory_unmap(fmem, p, 3), 0);
    errno = 0;
    assert_null(xenforeignmemory_map(fmem, domid, PROT_READ, 3, pfns, NULL));
    assert_int_equal(errno, EINVAL);
    errno = 0;
    assert_null(xenforeignmemory_map(fmem, 60, PROT_READ, 1, pfns, NULL));
    assert_int_equal(errno, ESRCH);
}

static void test_grant_maps_follow_the_grant(void **state)
{
    xengnttab_handle *xgt = xengnttab_open(NULL, 0);
    uint8_t *page10 = guest_page(10), *page11 = guest_page(11);
    uint32_t refs[2] = {1, 2};
    uint8_t *m;

    assert_non_null(xgt);
    assert_int_equal(xengnttab_set_max_grants(xgt, 16), 0);
    memset(page10, 0xa1, PAGE);
    memset(page11, 0xb2, PAGE);
    seed_grant(1, 10, GTF_permit_access);
    seed_grant(2, 11, GTF_permit_access | GTF_readonly);

    m = xengnttab_map_grant_ref(xgt, domid, 1, PROT_READ | PROT_WRITE);
    assert_non_null(m);
    assert_int_equal(m[123], 0xa1);
    m[7] = 0x5a; /* the guest sees what the backend writes */
    assert_int_equal(page10[7], 0x5a);
    errno = 0;
    assert_int_equal(xengnttab_unmap(xgt, m, 2), -1); /* not the mapping's size */
    assert_int_equal(errno, EINVAL);
    assert_int_equal(xengnttab_unmap(xgt, m, 1), 0);

    /* A read-only grant maps only read-only. */
    errno = 0;
    assert_null(xengnttab_map_grant_ref(xgt, domid, 2, PROT_READ | PROT_WRITE));
    assert_int_equal(errno, EACCES);
    m = xengnttab_map_domain_grant_refs(xgt, 2, domid, refs, PROT_READ);
    assert_non_null(m);
    assert_int_equal(m[0], 0xa1);
    assert_int_equal(m[PAGE], 0xb2);
    assert_int_equal(xengnttab_unmap(xgt, m, 2), 0);

    /* Entries that grant nothing, or are past the table, map nothing. */
    errno = 0;
    assert_null(xengnttab_map_grant_ref(xgt, domid, 5, PROT_READ));
    assert_int_equal(errno, EACCES);
    errno = 0;
    assert_null(xengnttab_map_grant_ref(xgt, domid, 1u << 20, PROT_READ));
    assert_int_equal(errno, EINVAL);

    /* Closing the handle unmaps what is still mapped. */
    assert_non_null(xengnttab_map_grant_ref(xgt, domid, 1, PROT_READ));
    assert_int_equal(xengnttab_close(xgt), 0);
    unmap_guest_page(page10);
    unmap_guest_page(page11);
}

static void test_grant_copy_moves_bytes_and_reports_each_segment(void **state)
{
    xengnttab_handle *xgt = xengnttab_open(NULL, 0);
    uint8_t *page20 = guest_page(20), *page22 = guest_page(22);
    uint8_t in[64], out[64];
    xengnttab_grant_copy_segment_t seg[5];

    assert_non_null(xgt);
    assert_int_equal(xengnttab_grant_copy(xgt, 0, NULL), 0); /* QEMU's probe */
    for (unsigned i = 0; i < PAGE; i++)
        page20[i] = (uint8_t)i;
    memset(page22, 0, PAGE);
    memset(out, 0x77, sizeof(out));
    seed_grant(3, 20, GTF_permit_access | GTF_readonly);
    seed_grant(4, 22, GTF_permit_access);

    memset(seg, 0, sizeof(seg));
    /* guest -> local */
    seg[0].flags = GNTCOPY_source_gref;
    seg[0].source.foreign.ref = 3;
    seg[0].source.foreign.domid = (uint16_t)domid;
    seg[0].source.foreign.offset = 100;
    seg[0].dest.virt = in;
    seg[0].len = sizeof(in);
    /* local -> guest */
    seg[1].flags = GNTCOPY_dest_gref;
    seg[1].source.virt = out;
    seg[1].dest.foreign.ref = 4;
    seg[1].dest.foreign.domid = (uint16_t)domid;
    seg[1].dest.foreign.offset = 4000;
    seg[1].len = sizeof(out);
    /* a read-only grant as the destination */
    seg[2] = seg[1];
    seg[2].dest.foreign.ref = 3;
    /* past the end of the page */
    seg[3] = seg[1];
    seg[3].dest.foreign.offset = 4090;
    /* grant to grant */
    seg[4] = seg[0];
    seg[4].flags = GNTCOPY_source_gref | GNTCOPY_dest_gref;
    seg[4].dest.foreign.ref = 4;
    seg[4].dest.foreign.domid = (uint16_t)domid;
    seg[4].dest.foreign.offset = 0;

    assert_int_equal(xengnttab_grant_copy(xgt, 5, seg), 0);
    assert_int_equal(seg[0].status, GNTST_okay);
    assert_int_equal(seg[1].status, GNTST_okay);
    assert_int_equal(seg[2].status, GNTST_permission_denied);
    assert_int_equal(seg[3].status, GNTST_bad_copy_arg);
    assert_int_equal(seg[4].status, GNTST_okay);
    assert_memory_equal(in, page20 + 100, sizeof(in));
    assert_memory_equal(page22 + 4000, out, sizeof(out));
    assert_memory_equal(page22, page20 + 100, sizeof(in));

    seg[0].source.foreign.domid = 60;
    assert_int_equal(xengnttab_grant_copy(xgt, 1, seg), 0);
    assert_int_equal(seg[0].status, GNTST_bad_domain);

    assert_int_equal(xengnttab_close(xgt), 0);
    unmap_guest_page(page20);
    unmap_guest_page(page22);
}

#define MANY_SEGS 100
#define SEG_LEN   32u

/*
 * Segment @i of the many-segment copy, by i % 5: guest -> local; local ->
 * guest; grant -> grant; to a grant that grants nothing or is past the
 * table; from a domain that does not exist.
 */
static void describe_many(xengnttab_grant_copy_segment_t *seg, unsigned i, uint8_t *in,
                          uint8_t *out)
{
    struct {
        uint32_t ref;
        uint16_t domid;
    } src = {6, (uint16_t)domid}, dst = {5, (uint16_t)domid};

    memset(seg, 0, sizeof(*seg));
    seg->len = SEG_LEN;
    switch (i % 5) {
    case 0:
        seg->flags = GNTCOPY_source_gref;
        break;
    case 1:
        seg->flags = GNTCOPY_dest_gref;
        break;
    case 2:
        seg->flags = GNTCOPY_source_gref | GNTCOPY_dest_gref;
        dst.ref = 7;
        break;
    case 3:
        seg->flags = GNTCOPY_dest_gref;
        dst.ref = i % 2 ? 100 : 1u << 20;
        break;
    default:
        seg->flags = GNTCOPY_source_gref;
        src.domid = 60;
        break;
    }
    /* Each side is a local buffer or a grant: the two share storage. */
    if (seg->flags & GNTCOPY_source_gref) {
        seg->source.foreign.ref = src.ref;
        seg->source.foreign.domid = src.domid;
        seg->source.foreign.offset = (uint16_t)(i * SEG_LEN);
    } else {
        seg->source.virt = out;
    }
    if (seg->flags & GNTCOPY_dest_gref) {
        seg->dest.foreign.ref = dst.ref;
        seg->dest.foreign.domid = dst.domid;
        seg->dest.foreign.offset = (uint16_t)(i * SEG_LEN);
    } else {
        seg->dest.virt = in;
    }
}

static int16_t many_expected_status(unsigned i)
{
    switch (i % 5) {
    case 3:
        return i % 2 ? GNTST_permission_denied : GNTST_bad_gntref;
    case 4:
        return GNTST_bad_domain;
    default:
        return GNTST_okay;
    }
}

static void test_grant_copy_of_many_segments_reports_each_segment(void **state)
{
    xengnttab_handle *xgt = xengnttab_open(NULL, 0);
    uint8_t *page30 = guest_page(30), *page31 = guest_page(31), *page32 = guest_page(32);
    static uint8_t in[MANY_SEGS][SEG_LEN], out[MANY_SEGS][SEG_LEN];
    static uint8_t want30[PAGE], want32[PAGE], want_in[MANY_SEGS][SEG_LEN];
    static uint8_t source31[PAGE];
    xengnttab_grant_copy_segment_t seg[MANY_SEGS];

    assert_non_null(xgt);
    for (unsigned k = 0; k < PAGE; k++)
        source31[k] = (uint8_t)(k * 13 + 5);
    memcpy(page31, source31, PAGE);
    memset(page30, 0x11, PAGE);
    memset(page32, 0x22, PAGE);
    memset(in, 0xee, sizeof(in));
    for (unsigned i = 0; i < MANY_SEGS; i++)
        for (unsigned k = 0; k < SEG_LEN; k++)
            out[i][k] = (uint8_t)(i * 7 + k);
    seed_grant(5, 30, GTF_permit_access);
    seed_grant(6, 31, GTF_permit_access | GTF_readonly);
    seed_grant(7, 32, GTF_permit_access);

    memcpy(want30, page30, PAGE);
    memcpy(want32, page32, PAGE);
    memcpy(want_in, in, sizeof(in));
    for (unsigned i = 0; i < MANY_SEGS; i++) {
        describe_many(&seg[i], i, in[i], out[i]);
        if (i % 5 == 0)
            memcpy(want_in[i], source31 + i * SEG_LEN, SEG_LEN);
        else if (i % 5 == 1)
            memcpy(want30 + i * SEG_LEN, out[i], SEG_LEN);
        else if (i % 5 == 2)
            memcpy(want32 + i * SEG_LEN, source31 + i * SEG_LEN, SEG_LEN);
    }

    assert_int_equal(xengnttab_grant_copy(xgt, MANY_SEGS, seg), 0);
    for (unsigned i = 0; i < MANY_SEGS; i++)
        assert_int_equal(seg[i].status, many_expected_status(i));
    assert_memory_equal(in, want_in, sizeof(in));
    assert_memory_equal(page30, want30, PAGE);
    assert_memory_equal(page31, source31, PAGE);
    assert_memory_equal(page32, want32, PAGE);

    assert_int_equal(xengnttab_close(xgt), 0);
    unmap_guest_page(page30);
    unmap_guest_page(page31);
    unmap_guest_page(page32);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_open_fails_clearly_without_a_daemon),
        cmocka_unit_test(test_getinfo_walks_the_domains),
        cmocka_unit_test(test_hvm_params_round_trip),
        cmocka_unit_test(test_event_channel_to_a_guest),
        cmocka_unit_test(test_foreign_map_shows_guest_frames),
        cmocka_unit_test(test_grant_maps_follow_the_grant),
        cmocka_unit_test(test_grant_copy_moves_bytes_and_reports_each_segment),
        cmocka_unit_test(test_grant_copy_of_many_segments_reports_each_segment),
        cmocka_unit_test(test_shutdown_is_seen_through_virq_and_getinfo),
    };

    return cmocka_run_group_tests_name("simlib", tests, setup, teardown);
}
