/*
 * tests/vbd/front/hostile_test.c - the blkif frontend against a backend
 * that breaks the rules (tests/vbd/front/hostile_backend): nodes that make
 * no sense refuse the disk, and say so where the toolstack looks; values
 * beyond our limits are clamped; a response with an unknown id, a second
 * response, an answer to an earlier use of a slot, a response index past
 * the requests, an unknown status or operation, a grant held past its
 * answer — each breaks the device: every request completes exactly once
 * (those answered properly before with their status, the rest failed),
 * none before the backend let go of its pages, later ones fail at once,
 * and nothing crashes or touches freed memory (ASan). A backend that
 * leaves still mapping the pages of requests it took: they go again once
 * it lets go (the new attempt's data is what the caller gets), or fail
 * once it lets go if it held them past close_timeout_ns.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <xen/errno.h>
#include <xen/io/blkif.h>
#include <blkif/nodes.h>

#include "support/blkfront/blkio.h"
#include "support/vbd/front_fixture.h"
#include "hostile_backend.h"

static struct hostile h;

/* What a backend writes on connecting: an ordinary disk. */
static const char *const disk_nodes[] = {
    BLKIF_NODE_SECTORS, "16384", BLKIF_NODE_INFO, "0", BLKIF_NODE_SECTOR_SIZE, "512", NULL};

static int cleanup(void **state)
{
    (void)state;
    hostile_stop(&h);
    return 0;
}

/* Connected to the hostile backend, data granted directly (so the backend holds our pages). */
static struct vbd_front *connect(void)
{
    struct vbd_front_options opt = {.no_persistent = true};

    hostile_start(&h, NULL, &opt);
    assert_true(hostile_connect(&h, disk_nodes));
    assert_int_equal(hostile_opened(&h), 0);
    return h.front;
}

/* A one-page read at @sector into @b, started. */
static void start_read(struct vbd_front *front, struct test_io *t, struct test_buffer *b,
                       uint64_t sector)
{
    io_rw(t, VBD_SCSI_OP_READ, sector, 8, b);
    io_start(front, 0, t);
}

/* Broken: the reason in the error node, later requests fail at once. */
static void assert_broken(struct vbd_front *front, const char *reason)
{
    struct test_buffer b;
    struct test_io t;
    const char *error = NULL;

    assert_true(vbd_front_broken(front));
    for (int i = 0; i < 2000 && !(error = guest_node("error/device/vbd/" VDEV_ID "/error")); i++)
        usleep(1000);
    assert_non_null(error);
    assert_non_null(strstr(error, reason));
    buffer_alloc(&b, 4096, 0);
    io_rw(&t, VBD_SCSI_OP_READ, 0, 8, &b);
    assert_int_equal(io_run(front, 0, &t), BLKIF_RSP_ERROR);
    assert_int_equal(io_calls(&t), 1);
    buffer_free(&b);
}

/* How a backend answers the one request in flight, wrongly. */
typedef void (*bad_answer_fn)(const union blkif_sring_entry *req);

/* One read in flight, answered by @answer: it fails once, and the device is broken for @reason. */
static void assert_breaks(bad_answer_fn answer, const char *reason)
{
    struct vbd_front *front = connect();
    union blkif_sring_entry req;
    struct test_buffer b;
    struct test_io t;

    buffer_alloc(&b, 4096, 0);
    start_read(front, &t, &b, 8);
    hostile_take(&h, &req);
    answer(&req);
    assert_int_equal(io_wait(&t), BLKIF_RSP_ERROR);
    assert_broken(front, reason);
    assert_int_equal(io_calls(&t), 1);
    buffer_free(&b);
}

static void unknown_id(const union blkif_sring_entry *req)
{
    hostile_answer(&h, req->req.id + 0x10000, BLKIF_OP_READ, BLKIF_RSP_OKAY);
    hostile_push(&h);
}

static void unknown_status(const union blkif_sring_entry *req)
{
    hostile_answer(&h, req->req.id, BLKIF_OP_READ, 7);
    hostile_push(&h);
}

static void another_operation(const union blkif_sring_entry *req)
{
    hostile_answer(&h, req->req.id, BLKIF_OP_WRITE, BLKIF_RSP_OKAY);
    hostile_push(&h);
}

static void index_overrun(const union blkif_sring_entry *req)
{
    (void)req;
    hostile_overrun(&h, 1000);
}

static void test_unknown_id(void **state)
{
    (void)state;
    assert_breaks(unknown_id, "never used");
}

static void test_unknown_status(void **state)
{
    (void)state;
    assert_breaks(unknown_status, "unknown status");
}

static void test_another_operation(void **state)
{
    (void)state;
    assert_breaks(another_operation, "another operation");
}

static void test_response_index_overrun(void **state)
{
    (void)state;
    assert_breaks(index_overrun, "index beyond");
}

static void test_second_answer(void **state)
{
    struct vbd_front *front = connect();
    union blkif_sring_entry a, b_req;
    struct test_buffer ba, bb;
    struct test_io ta, tb;

    (void)state;
    buffer_alloc(&ba, 4096, 0);
    buffer_alloc(&bb, 4096, 0);
    start_read(front, &ta, &ba, 8);
    start_read(front, &tb, &bb, 16);
    hostile_take(&h, &a);
    hostile_take(&h, &b_req);
    hostile_answer(&h, a.req.id, BLKIF_OP_READ, BLKIF_RSP_OKAY);
    hostile_answer(&h, a.req.id, BLKIF_OP_READ, BLKIF_RSP_OKAY);
    hostile_push(&h);
    assert_int_equal(io_wait(&ta), BLKIF_RSP_OKAY);
    assert_int_equal(io_wait(&tb), BLKIF_RSP_ERROR);
    assert_broken(front, "not in flight");
    assert_int_equal(io_calls(&ta), 1);
    assert_int_equal(io_calls(&tb), 1);
    buffer_free(&ba);
    buffer_free(&bb);
}

/* The slot of an answered request is used again: the old id names nothing now. */
static void test_answer_to_an_earlier_use_of_a_slot(void **state)
{
    struct vbd_front *front = connect();
    union blkif_sring_entry a, b_req;
    struct test_buffer b;
    struct test_io ta, tb;

    (void)state;
    buffer_alloc(&b, 4096, 0);
    start_read(front, &ta, &b, 8);
    hostile_take(&h, &a);
    hostile_answer(&h, a.req.id, BLKIF_OP_READ, BLKIF_RSP_ERROR);
    hostile_push(&h);
    assert_int_equal(io_wait(&ta), BLKIF_RSP_ERROR);
    assert_false(vbd_front_broken(front)); /* an error is a status, not a breach */
    start_read(front, &tb, &b, 8);
    hostile_take(&h, &b_req);
    assert_int_equal((uint32_t)b_req.req.id, (uint32_t)a.req.id);
    assert_true(b_req.req.id != a.req.id);
    hostile_answer(&h, a.req.id, BLKIF_OP_READ, BLKIF_RSP_OKAY);
    hostile_push(&h);
    assert_int_equal(io_wait(&tb), BLKIF_RSP_ERROR);
    assert_broken(front, "not in flight");
    assert_int_equal(io_calls(&ta), 1);
    assert_int_equal(io_calls(&tb), 1);
    buffer_free(&b);
}

/*
 * The backend answers but keeps the request's page mapped: the request
 * completes (failed) only once it lets go, as the page is the caller's.
 */
static void test_page_held_past_the_answer(void **state)
{
    struct vbd_front *front = connect();
    union blkif_sring_entry req;
    struct test_buffer b;
    struct test_io t;
    uint8_t *page;

    (void)state;
    buffer_alloc(&b, 4096, 0);
    start_read(front, &t, &b, 8);
    hostile_take(&h, &req);
    assert_int_equal(req.req.nr_segments, 1);
    page = hostile_map(&h, req.req.seg[0].gref, true);
    hostile_answer(&h, req.req.id, BLKIF_OP_READ, BLKIF_RSP_OKAY);
    hostile_push(&h);
    for (int i = 0; i < 2000 && !vbd_front_broken(front); i++)
        usleep(1000);
    assert_true(vbd_front_broken(front));
    usleep(100 * 1000);
    assert_int_equal(io_calls(&t), 0);
    page[0] = 0x5a; /* still the caller's buffer, not freed */
    assert_int_equal(b.data[0], 0x5a);
    hostile_unmap(&h, page);
    assert_int_equal(io_wait(&t), BLKIF_RSP_ERROR);
    assert_int_equal(io_calls(&t), 1);
    assert_broken(front, "kept a granted page");
    buffer_free(&b);
}

/* Whether @len bytes at @p are the pattern of disk bytes from @offset. */
static bool holds_pattern(const uint8_t *p, size_t len, uint64_t offset, uint8_t seed)
{
    for (size_t i = 0; i < len; i++)
        if (p[i] != pattern_byte(offset + i, seed))
            return false;
    return true;
}

/*
 * A backend that leaves Connected unanswered requests in hand, keeps their
 * pages mapped for a while (frozen, or slow to let go), and comes back.
 */
struct left_behind {
    struct test_buffer wb, rb;
    struct test_io tw, tr;
    uint8_t *wpage, *rpage; /* the pages it still maps */
};

/* A write of @seed's pattern at sector 8 and a read at 16, taken but not answered; then it leaves. */
static struct vbd_front *leave_holding(struct left_behind *l, uint64_t close_timeout_ns)
{
    struct vbd_front_options opt = {.no_persistent = true, .close_timeout_ns = close_timeout_ns};
    union blkif_sring_entry w, r;
    struct vbd_front *front;

    hostile_start(&h, NULL, &opt);
    assert_true(hostile_connect(&h, disk_nodes));
    assert_int_equal(hostile_opened(&h), 0);
    front = h.front;
    buffer_alloc(&l->wb, 4096, 0);
    buffer_alloc(&l->rb, 4096, 0);
    fill_pattern(l->wb.data, 4096, 8 * 512, 61);
    io_rw(&l->tw, VBD_SCSI_OP_WRITE, 8, 8, &l->wb);
    io_start(front, 0, &l->tw);
    start_read(front, &l->tr, &l->rb, 16);
    hostile_take(&h, &w);
    hostile_take(&h, &r);
    assert_int_equal(w.req.operation, BLKIF_OP_WRITE);
    assert_int_equal(r.req.operation, BLKIF_OP_READ);
    /* A write's page is granted read-only: the backend can read the data, not change it. */
    assert_false(hostile_maps_writable(&h, w.req.seg[0].gref));
    l->wpage = hostile_map(&h, w.req.seg[0].gref, false);
    assert_memory_equal(l->wpage, l->wb.data, 4096);
    /* What a read half done leaves in the caller's buffer. */
    l->rpage = hostile_map(&h, r.req.seg[0].gref, true);
    memset(l->rpage, 0xee, 4096);
    /* Gone without answering, as a restarted backend: Closing, the frontend closes, Closed. */
    hostile_set_state(&h, "5");
    hostile_wait_frontend(&h, "6");
    hostile_disconnect(&h);
    hostile_set_state(&h, "6");
    return front;
}

static void let_go_of_pages(struct left_behind *l)
{
    hostile_unmap(&h, l->wpage);
    hostile_unmap(&h, l->rpage);
}

static void left_behind_free(struct left_behind *l)
{
    buffer_free(&l->wb);
    buffer_free(&l->rb);
}

/*
 * The requests go again once the backend let go of every page (not before:
 * the frontend does not even start over while it holds them), in order,
 * from scratch, and complete once with what the new attempt says.
 */
static void test_requests_a_departed_backend_holds_go_again_once_released(void **state)
{
    struct left_behind l;
    struct vbd_front *front = leave_holding(&l, 3000000000ull);
    union blkif_sring_entry w, r;
    struct vbd_front_stats st;
    uint8_t *page;

    (void)state;
    usleep(300 * 1000);
    assert_string_equal(guest_node("device/vbd/" VDEV_ID "/state"), "6");
    assert_int_equal(io_calls(&l.tw), 0);
    assert_int_equal(io_calls(&l.tr), 0);
    let_go_of_pages(&l);
    /* Back: the frontend starts over and sends both again, the write first. */
    hostile_wait_frontend(&h, "1");
    hostile_set_state(&h, "2");
    assert_true(hostile_connect(&h, disk_nodes));
    hostile_take(&h, &w);
    hostile_take(&h, &r);
    assert_int_equal(w.req.operation, BLKIF_OP_WRITE);
    assert_int_equal(w.req.sector_number, 8);
    assert_int_equal(r.req.operation, BLKIF_OP_READ);
    assert_int_equal(r.req.sector_number, 16);
    page = hostile_map(&h, w.req.seg[0].gref, false);
    assert_true(holds_pattern(page, 4096, 8 * 512, 61));
    hostile_unmap(&h, page);
    page = hostile_map(&h, r.req.seg[0].gref, true);
    fill_pattern(page, 4096, 16 * 512, 62);
    hostile_unmap(&h, page);
    hostile_answer(&h, w.req.id, BLKIF_OP_WRITE, BLKIF_RSP_OKAY);
    hostile_answer(&h, r.req.id, BLKIF_OP_READ, BLKIF_RSP_OKAY);
    hostile_push(&h);
    assert_int_equal(io_wait(&l.tw), BLKIF_RSP_OKAY);
    assert_int_equal(io_wait(&l.tr), BLKIF_RSP_OKAY);
    assert_int_equal(io_calls(&l.tw), 1);
    assert_int_equal(io_calls(&l.tr), 1);
    /* The new attempt's data, not what the old one left. */
    assert_true(holds_pattern(l.rb.data, 4096, 16 * 512, 62));
    vbd_front_get_stats(front, &st);
    assert_int_equal(st.replayed, 2);
    assert_int_equal(st.reconnects, 1);
    assert_int_equal(st.failed, 0);
    assert_false(vbd_front_broken(front));
    left_behind_free(&l);
}

/*
 * A backend that holds them past close_timeout_ns: the device breaks, and
 * the requests fail once, only when it finally lets go (the pages are the
 * caller's until then).
 */
static void test_requests_held_too_long_fail_once_released(void **state)
{
    struct left_behind l;
    struct vbd_front *front = leave_holding(&l, 300000000ull);

    (void)state;
    for (int i = 0; i < 3000 && !vbd_front_broken(front); i++)
        usleep(1000);
    assert_true(vbd_front_broken(front));
    usleep(100 * 1000);
    assert_int_equal(io_calls(&l.tw), 0);
    assert_int_equal(io_calls(&l.tr), 0);
    let_go_of_pages(&l);
    assert_int_equal(io_wait(&l.tw), BLKIF_RSP_ERROR);
    assert_int_equal(io_wait(&l.tr), BLKIF_RSP_ERROR);
    assert_int_equal(io_calls(&l.tw), 1);
    assert_int_equal(io_calls(&l.tr), 1);
    assert_broken(front, "did not come back");
    left_behind_free(&l);
}

/* Closing with requests the backend never answers fails them, once. */
static void test_close_fails_what_is_in_flight(void **state)
{
    struct vbd_front *front = connect();
    union blkif_sring_entry req;
    struct test_buffer b;
    struct test_io t[3];

    (void)state;
    buffer_alloc(&b, 4096, 0);
    for (int i = 0; i < 3; i++)
        start_read(front, &t[i], &b, 8);
    hostile_take(&h, &req);
    vbd_front_close(front);
    h.front = NULL;
    for (int i = 0; i < 3; i++) {
        assert_int_equal(io_calls(&t[i]), 1);
        assert_int_equal(t[i].status, BLKIF_RSP_ERROR);
    }
    buffer_free(&b);
}

/* @nodes at connection refuse the disk, naming @node in the error node. */
static void assert_refused(const char *const *at_start, const char *const *at_connect,
                           const char *node)
{
    const char *error;

    hostile_start(&h, at_start, NULL);
    hostile_connect(&h, at_connect);
    assert_int_equal(hostile_opened(&h), -XEN_EINVAL);
    assert_null(h.front);
    error = guest_node("error/device/vbd/" VDEV_ID "/error");
    assert_non_null(error);
    assert_non_null(strstr(error, node));
    hostile_stop(&h);
}

static void test_nonsense_is_refused(void **state)
{
    (void)state;
    assert_refused(
        NULL, (const char *const[]){BLKIF_NODE_SECTORS, "0", BLKIF_NODE_SECTOR_SIZE, "512", NULL},
        BLKIF_NODE_SECTORS);
    assert_refused(NULL, (const char *const[]){BLKIF_NODE_SECTORS, "12abc", NULL},
                   BLKIF_NODE_SECTORS);
    assert_refused(NULL, (const char *const[]){BLKIF_NODE_SECTORS, "-5", NULL}, BLKIF_NODE_SECTORS);
    assert_refused(NULL, (const char *const[]){BLKIF_NODE_INFO, "0", NULL},
                   BLKIF_NODE_SECTORS); /* none at all */
    /* More bytes than 64 bits count. */
    assert_refused(NULL,
                   (const char *const[]){BLKIF_NODE_SECTORS, "36028797018963968",
                                         BLKIF_NODE_SECTOR_SIZE, "4096", NULL},
                   BLKIF_NODE_SECTORS);
    assert_refused(
        NULL,
        (const char *const[]){BLKIF_NODE_SECTORS, "100", BLKIF_NODE_SECTOR_SIZE, "3000", NULL},
        BLKIF_NODE_SECTOR_SIZE);
    assert_refused(
        NULL,
        (const char *const[]){BLKIF_NODE_SECTORS, "100", BLKIF_NODE_SECTOR_SIZE, "8192", NULL},
        BLKIF_NODE_SECTOR_SIZE);
    assert_refused(
        NULL, (const char *const[]){BLKIF_NODE_SECTORS, "100", BLKIF_NODE_SECTOR_SIZE, "256", NULL},
        BLKIF_NODE_SECTOR_SIZE);
    assert_refused(NULL,
                   (const char *const[]){BLKIF_NODE_SECTORS, "100", BLKIF_NODE_PHYSICAL_SECTOR_SIZE,
                                         "256", NULL},
                   BLKIF_NODE_PHYSICAL_SECTOR_SIZE);
    assert_refused(NULL,
                   (const char *const[]){BLKIF_NODE_SECTORS, "100", BLKIF_NODE_INFO, "x", NULL},
                   BLKIF_NODE_INFO);
    assert_refused(NULL,
                   (const char *const[]){BLKIF_NODE_SECTORS, "100", BLKIF_NODE_MODE, "rw", NULL},
                   BLKIF_NODE_MODE);
    assert_refused(
        NULL, (const char *const[]){BLKIF_NODE_SECTORS, "100", BLKIF_NODE_FLUSH_CACHE, "yes", NULL},
        BLKIF_NODE_FLUSH_CACHE);
    /* Transport nodes are read before Initialised: refused before the rings exist. */
    assert_refused((const char *const[]){BLKIF_NODE_MAX_RING_PAGE_ORDER, "one", NULL}, NULL,
                   BLKIF_NODE_MAX_RING_PAGE_ORDER);
    assert_refused((const char *const[]){BLKIF_NODE_MAX_RING_PAGES, "3", NULL}, NULL,
                   BLKIF_NODE_MAX_RING_PAGES);
    assert_refused((const char *const[]){BLKIF_NODE_MAX_QUEUES, "99999999999", NULL}, NULL,
                   BLKIF_NODE_MAX_QUEUES);
}

/* Values beyond what we support are clamped; an empty CD drive is a CD drive. */
static void test_limits_are_clamped(void **state)
{
    struct vbd_front_info info;
    struct vbd_front_options opt = {.no_multi_page_ring = true};

    (void)state;
    hostile_start(&h, (const char *const[]){BLKIF_NODE_MAX_QUEUES, "0", NULL}, &opt);
    assert_true(hostile_connect(&h, (const char *const[]){BLKIF_NODE_SECTORS, "0", BLKIF_NODE_INFO,
                                                          "5", BLKIF_NODE_MAX_INDIRECT_SEGMENTS,
                                                          "100000", BLKIF_NODE_MODE, "r",
                                                          BLKIF_NODE_BARRIER, "1", NULL}));
    assert_int_equal(hostile_opened(&h), 0);
    vbd_front_get_info(h.front, &info);
    assert_int_equal(info.queues, 1);
    assert_int_equal(info.max_segments, VBD_FRONT_SEGMENTS_DEFAULT);
    assert_int_equal(info.flush_op, BLKIF_OP_WRITE_BARRIER);
    assert_true(vbd_front_disk(h.front).cdrom);
    assert_true(vbd_front_disk(h.front).read_only);
    assert_int_equal(vbd_front_disk(h.front).sectors, 0);
    hostile_stop(&h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_unknown_id, cleanup),
        cmocka_unit_test_teardown(test_second_answer, cleanup),
        cmocka_unit_test_teardown(test_answer_to_an_earlier_use_of_a_slot, cleanup),
        cmocka_unit_test_teardown(test_response_index_overrun, cleanup),
        cmocka_unit_test_teardown(test_unknown_status, cleanup),
        cmocka_unit_test_teardown(test_another_operation, cleanup),
        cmocka_unit_test_teardown(test_page_held_past_the_answer, cleanup),
        cmocka_unit_test_teardown(test_close_fails_what_is_in_flight, cleanup),
        cmocka_unit_test_teardown(test_requests_a_departed_backend_holds_go_again_once_released,
                                  cleanup),
        cmocka_unit_test_teardown(test_requests_held_too_long_fail_once_released, cleanup),
        cmocka_unit_test(test_nonsense_is_refused),
        cmocka_unit_test(test_limits_are_clamped),
    };

    return cmocka_run_group_tests_name("vbdfront against a hostile backend", tests,
                                       front_fixture_setup, front_fixture_teardown);
}
