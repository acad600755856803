/*
 * tests/sim/blkback/sim_blkback_features_test.c - winpv-blkback's transport
 * features, as far as the test blkfront uses them: multi-page rings
 * (more requests in flight than one page holds), several queues (each
 * answered on its own ring), indirect requests (segments in granted pages,
 * more than one page of them), and persistent grants (kept mapped between
 * requests, up to the bound, released on close).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <xen/errno.h>
#include <xen/io/blkif.h>
#include <xen/io/xenbus.h>
#include <blkif/nodes.h>

#include "support/blkfront/guest_grants.h"
#include "blkback_fixture.h"

#define HANDLE BLKBACK_VDEV(0)

static const struct span whole_page = {0, 7};

/* @count one-page writes at sectors from @sector on queue @q, all in flight at once. */
static void write_many(unsigned int q, unsigned int count, uint64_t sector, uint8_t seed)
{
    struct granted_pages out;
    struct blkif_request reqs[128];
    struct blkif_response rsps[128];

    assert_true(count <= 128 && count <= BLKIO_MAX_PAGES);
    grant_pages(&out, bf.backend_id, count, true);
    for (unsigned int i = 0; i < count; i++) {
        struct granted_pages one = {.va = out.va + (size_t)i * BLKIO_PAGE_SIZE, .count = 1};

        one.refs[0] = out.refs[i];
        fill_spans(&one, &whole_page, 1, SECTOR, (sector + 8 * i) * SECTOR, seed);
        reqs[i] =
            make_request(BLKIF_OP_WRITE, HANDLE, next_id(), sector + 8 * i, &one, &whole_page, 1);
    }
    assert_int_equal(blkfront_submit_to(&bf, q, reqs, count), 0);
    assert_int_equal(blkfront_collect_from(&bf, q, rsps, count), 0);
    for (unsigned int i = 0; i < count; i++)
        assert_int_equal(rsps[i].status, BLKIF_RSP_OKAY);
    end_grants(&out);
    assert_true(
        image_holds_pattern(image_fd, sector * SECTOR, (size_t)count * BLKIO_PAGE_SIZE, seed));
}

static void test_multi_page_ring_holds_more_in_flight(void **state)
{
    struct blkfront_options opt = {.ring_page_order = 2};

    reset_image();
    start_backend(NULL);
    connect_frontend(&opt);
    /* A one-page ring holds 32 requests; this one 128. */
    assert_int_equal(bf.queue[0].ring.ring.size, 128);
    write_many(0, 80, 1024, 1);
    stop_all();

    /* An order beyond the backend's maximum is refused. */
    start_backend((const char *const[]){"--max-ring-page-order", "1", NULL});
    assert_string_equal(backend_node(BLKIF_NODE_MAX_RING_PAGE_ORDER), "1");
    assert_int_equal(blkfront_connect_with(&bf, &xs, backend.frontend_path, &opt), -XEN_EIO);
    assert_non_null(strstr(backend_node("error"), BLKIF_NODE_RING_PAGE_ORDER));
    opt.ring_page_order = 1;
    connect_frontend(&opt);
    write_many(0, 48, 2048, 2);
    stop_all();
}

static void test_each_queue_answers_on_its_own_ring(void **state)
{
    struct blkfront_options opt = {.queues = 3, .ring_page_order = 1};

    reset_image();
    start_backend(NULL);
    connect_frontend(&opt);
    for (unsigned int q = 0; q < 3; q++)
        write_many(q, 20, 4096 + 512 * q, (uint8_t)(3 + q));
    /* Nothing strayed onto another ring. */
    for (unsigned int q = 0; q < 3; q++)
        assert_int_equal(bf.queue[q].ring.rsp_cons, 20);
    stop_all();

    start_backend((const char *const[]){"--max-queues", "2", NULL});
    assert_int_equal(blkfront_connect_with(&bf, &xs, backend.frontend_path, &opt), -XEN_EIO);
    assert_non_null(strstr(backend_node("error"), BLKIF_NODE_NUM_QUEUES));
    opt.queues = 2;
    connect_frontend(&opt);
    write_many(1, 8, 6144, 9);
    stop_all();
}

/* An indirect request of @nseg one-sector segments over @data's pages, its list in @list. */
static struct blkif_request indirect_request(uint8_t op, uint64_t sector, unsigned int nseg,
                                             const struct granted_pages *data,
                                             const struct granted_pages *list)
{
    struct blkif_request_segment *segs = (struct blkif_request_segment *)list->va;
    struct blkif_request_indirect ind = {.operation = BLKIF_OP_INDIRECT,
                                         .indirect_op = op,
                                         .nr_segments = (uint16_t)nseg,
                                         .id = next_id(),
                                         .sector_number = sector,
                                         .handle = HANDLE};
    struct blkif_request req;

    /* Segment i is sector i % 8 of page i / 8: the pages in disk order. */
    for (unsigned int i = 0; i < nseg; i++)
        segs[i] = (struct blkif_request_segment){
            .gref = data->refs[i / 8], .first_sect = i % 8, .last_sect = i % 8};
    for (unsigned int p = 0; p < list->count; p++)
        ind.indirect_grefs[p] = list->refs[p];
    memset(&req, 0, sizeof(req));
    memcpy(&req, &ind, sizeof(ind));
    return req;
}

static void test_indirect_requests(void **state)
{
    enum { NSEG = 520, PAGES = NSEG / 8 }; /* two pages of segments */
    const struct span spans[PAGES] = {[0 ... PAGES - 1] = {0, 7}};
    struct granted_pages out, in, list;
    struct blkif_request req;
    struct blkif_response rsp;

    reset_image();
    start_backend((const char *const[]){"--max-indirect-segments", "1024", NULL});
    assert_string_equal(backend_node(BLKIF_NODE_MAX_INDIRECT_SEGMENTS), "1024");
    connect_frontend(NULL);
    grant_pages(&out, bf.backend_id, PAGES, true);
    grant_pages(&in, bf.backend_id, PAGES, false);
    grant_pages(&list, bf.backend_id, 2, true);
    fill_spans(&out, spans, PAGES, SECTOR, 100 * SECTOR, 21);

    req = indirect_request(BLKIF_OP_WRITE, 100, NSEG, &out, &list);
    assert_int_equal(blkfront_submit(&bf, &req, 1), 0);
    assert_int_equal(blkfront_collect(&bf, &rsp, 1), 0);
    assert_int_equal(rsp.id, req.id);
    assert_int_equal(rsp.status, BLKIF_RSP_OKAY);
    assert_int_equal(rsp.operation, BLKIF_OP_WRITE); /* the operation done, as Linux answers */
    assert_true(image_holds_pattern(image_fd, 100 * SECTOR, NSEG * SECTOR, 21));
    assert_true(image_is_zero(image_fd, (100 + NSEG) * SECTOR, SECTOR));

    req = indirect_request(BLKIF_OP_READ, 100, NSEG, &in, &list);
    assert_int_equal(transact(&req), BLKIF_RSP_OKAY);
    assert_memory_equal(in.va, out.va, (size_t)PAGES * BLKIO_PAGE_SIZE);

    /* Malformed: no segments, more than offered, a bad list page, a bad data grant. */
    req = indirect_request(BLKIF_OP_READ, 100, NSEG, &in, &list);
    ((struct blkif_request_indirect *)&req)->nr_segments = 0;
    assert_int_equal(transact(&req), BLKIF_RSP_ERROR);
    ((struct blkif_request_indirect *)&req)->nr_segments = 1025;
    assert_int_equal(transact(&req), BLKIF_RSP_ERROR);
    req = indirect_request(BLKIF_OP_READ, 100, NSEG, &in, &list);
    ((struct blkif_request_indirect *)&req)->indirect_grefs[1] = guest_grant_unused_ref();
    assert_int_equal(transact(&req), BLKIF_RSP_ERROR);
    req = indirect_request(BLKIF_OP_READ, 100, NSEG, &in, &list);
    ((struct blkif_request_segment *)list.va)[300].last_sect = 8;
    assert_int_equal(transact(&req), BLKIF_RSP_ERROR);
    req = indirect_request(BLKIF_OP_READ, 100, NSEG, &in, &list);
    ((struct blkif_request_segment *)list.va)[519].gref = 100000;
    assert_int_equal(transact(&req), BLKIF_RSP_ERROR);
    req = indirect_request(BLKIF_OP_DISCARD, 100, 8, &in, &list);
    assert_int_equal(transact(&req), BLKIF_RSP_ERROR);
    req = indirect_request(BLKIF_OP_READ, DISK_BYTES / SECTOR - 100, NSEG, &in, &list);
    assert_int_equal(transact(&req), BLKIF_RSP_ERROR);
    end_grants(&out);
    end_grants(&in);
    end_grants(&list);
    stop_all();
}

/* Whether the backend holds grant @ref mapped now. */
static bool mapped(grant_ref_t ref)
{
    return (guest_grant_flags(ref) & (GTF_reading | GTF_writing)) != 0;
}

static void write_and_read(struct granted_pages *p, unsigned int count, uint64_t sector,
                           uint8_t seed)
{
    struct span spans[BLKIF_MAX_SEGMENTS_PER_REQUEST];
    struct blkif_request req;

    for (unsigned int i = 0; i < count; i++)
        spans[i] = whole_page;
    fill_spans(p, spans, count, SECTOR, sector * SECTOR, seed);
    req = make_request(BLKIF_OP_WRITE, HANDLE, next_id(), sector, p, spans, count);
    assert_int_equal(transact(&req), BLKIF_RSP_OKAY);
    memset(p->va, 0, (size_t)count * BLKIO_PAGE_SIZE);
    req = make_request(BLKIF_OP_READ, HANDLE, next_id(), sector, p, spans, count);
    assert_int_equal(transact(&req), BLKIF_RSP_OKAY);
    assert_true(spans_hold_pattern(p, spans, count, SECTOR, sector * SECTOR, seed));
}

static void test_persistent_grants_stay_mapped_up_to_the_bound(void **state)
{
    struct blkfront_options persistent = {.persistent = true};
    struct granted_pages p;
    unsigned int kept = 0;

    reset_image();
    /* A frontend that does not offer it: every grant is let go after its request. */
    start_backend(NULL);
    connect_frontend(NULL);
    grant_pages(&p, bf.backend_id, 4, false);
    write_and_read(&p, 4, 64, 30);
    for (unsigned int i = 0; i < 4; i++)
        assert_false(mapped(p.refs[i]));
    end_grants(&p);
    stop_all();

    start_backend((const char *const[]){"--max-persistent-grants", "6", NULL});
    connect_frontend(&persistent);
    grant_pages(&p, bf.backend_id, BLKIF_MAX_SEGMENTS_PER_REQUEST, false);
    write_and_read(&p, BLKIF_MAX_SEGMENTS_PER_REQUEST, 128, 31);
    for (unsigned int i = 0; i < BLKIF_MAX_SEGMENTS_PER_REQUEST; i++)
        kept += mapped(p.refs[i]);
    assert_int_equal(kept, 6);
    /* Reused grants: the same data path, still six mapped. */
    write_and_read(&p, BLKIF_MAX_SEGMENTS_PER_REQUEST, 256, 32);
    kept = 0;
    for (unsigned int i = 0; i < BLKIF_MAX_SEGMENTS_PER_REQUEST; i++)
        kept += mapped(p.refs[i]);
    assert_int_equal(kept, 6);
    assert_int_equal(guest_grant_end(p.refs[0]), -XEN_EBUSY);
    /* Closing unmaps them all. */
    assert_int_equal(blkfront_close(&bf), 0);
    end_grants(&p);
    assert_int_equal(blkback_unplug(&store, &backend, 5000), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_multi_page_ring_holds_more_in_flight, cleanup),
        cmocka_unit_test_teardown(test_each_queue_answers_on_its_own_ring, cleanup),
        cmocka_unit_test_teardown(test_indirect_requests, cleanup),
        cmocka_unit_test_teardown(test_persistent_grants_stay_mapped_up_to_the_bound, cleanup),
    };

    return cmocka_run_group_tests_name("sim_blkback_features", tests, blkback_fixture_setup,
                                       blkback_fixture_teardown);
}
