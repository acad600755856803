/*
 * tests/vbd/front/dump_test.c - the dump copy's polled writer
 * (core/vbd/dump.c) on a ring of the test's, the test playing the backend:
 * a context not valid (or granted to another domain, or whose ring claims
 * more than it holds) is refused; requests of before the crash keep their
 * slots and their answers are dropped, ours go out as room frees; 1 MiB
 * goes as 24 direct requests or one indirect one, every segment naming
 * the pre-granted pages in order, the sectors in the backend's unit; a
 * read's data reaches the buffer only when answered OKAY; an answer naming
 * an id of ours not in flight, another operation, or an index beyond the
 * requests fails the writer for good.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <xen/errno.h>

#include "vbd/dump.h"

#define PAGE      4096u
#define REF0      1000u
#define OLD       28u /* requests of the frozen frontend the backend holds unanswered */
#define DISK_SECT (64u << 11)

static uint8_t *ring_page, *pages;
static struct vbd_dump_context ctx;
static struct ring_back back;
static struct vbd_dump d;
static unsigned int kicks, old_left;
static uint8_t buffer[VBD_DUMP_MAX_BYTES];

static int kick(uint32_t port)
{
    assert_int_equal(port, 7);
    kicks++;
    return 0;
}

/*
 * A live ring of one page as the frozen frontend left it: OLD + 2 requests
 * published, all taken by the backend, 2 answered; the context valid.
 */
static int setup(void **state)
{
    struct ring_front front;

    (void)state;
    ring_page = aligned_alloc(PAGE, PAGE);
    pages = aligned_alloc(PAGE, (size_t)VBD_DUMP_PAGES * PAGE);
    assert_non_null(ring_page);
    assert_non_null(pages);
    memset(pages, 0, (size_t)VBD_DUMP_PAGES * PAGE);
    assert_int_equal(ring_front_init(&front, ring_page, PAGE, sizeof(union blkif_sring_entry)), 0);
    assert_int_equal(ring_back_attach(&back, ring_page, PAGE, sizeof(union blkif_sring_entry), 0),
                     0);
    for (uint64_t id = 0; id < OLD + 2; id++) {
        union blkif_sring_entry *e = ring_front_next_request(&front);

        memset(e, 0, sizeof(*e));
        e->req.operation = BLKIF_OP_WRITE;
        e->req.id = (id + 1) << 32 | id; /* the normal frontend's: generation << 32 | slot */
    }
    ring_front_push(&front);
    assert_int_equal(ring_back_poll(&back), (int)(OLD + 2));
    for (unsigned int i = 0; i < OLD + 2; i++) {
        union blkif_sring_entry e;

        assert_true(ring_back_take(&back, &e));
        if (i < 2) {
            union blkif_sring_entry *r = ring_back_next_response(&back);

            r->rsp = (struct blkif_response){.id = e.req.id, .operation = e.req.operation};
        }
    }
    ring_back_push(&back);
    memset(&ctx, 0, sizeof(ctx));
    ctx.magic = VBD_DUMP_MAGIC;
    ctx.ring = (struct vbd_dump_ring){.sring = ring_page,
                                      .ring_pages = 1,
                                      .port = 7,
                                      .handle = 51712,
                                      .backend_id = 0,
                                      .sector_unit = 512,
                                      .max_segments = 11,
                                      .flush_op = BLKIF_OP_FLUSH_DISKCACHE,
                                      .sectors = DISK_SECT,
                                      .sector_size = 512};
    ctx.pages = pages;
    for (unsigned int i = 0; i < VBD_DUMP_PAGES; i++)
        ctx.refs[i] = REF0 + i;
    ctx.valid = 1;
    kicks = 0;
    old_left = OLD;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    free(ring_page);
    free(pages);
    return 0;
}

/* The backend's answer to the next old request (ids without the dump's bit), if any is left. */
static void answer_old(unsigned int *left)
{
    union blkif_sring_entry *r;

    if (*left == 0)
        return;
    r = ring_back_next_response(&back);
    r->rsp =
        (struct blkif_response){.id = (uint64_t)(OLD + 2 - *left), .operation = BLKIF_OP_WRITE};
    (*left)--;
}

/* Segment @i of request @e (direct, or in its indirect list in the context's pages). */
static struct blkif_request_segment segment(const union blkif_sring_entry *e, unsigned int i)
{
    const struct blkif_request_indirect *ind = (const void *)e;
    const struct blkif_request_segment *list;
    unsigned int page;

    if (e->req.operation != BLKIF_OP_INDIRECT)
        return e->req.seg[i];
    page = ind->indirect_grefs[i / BLKIF_SEGS_PER_INDIRECT_PAGE] - REF0;
    assert_true(page >= VBD_DUMP_DATA_PAGES && page < VBD_DUMP_PAGES);
    list = (const void *)(pages + (size_t)page * PAGE);
    return list[i % BLKIF_SEGS_PER_INDIRECT_PAGE];
}

/*
 * Serve the writer until the operation is over, answering the old requests
 * too, one at a time between polls; each of ours checked: its pages the
 * pre-granted ones in order from @first_sector's data, answered @status.
 * Returns the requests of ours seen.
 */
static unsigned int serve(uint8_t op, uint64_t first_sector, int16_t status, int16_t *result)
{
    unsigned int ours = 0;
    int rc;

    while ((rc = vbd_dump_poll(&d, result)) == 0) {
        int n = ring_back_poll(&back);

        assert_true(n >= 0);
        for (; n > 0; n--) {
            union blkif_sring_entry e, *r;
            const struct blkif_request_indirect *ind = (const void *)&e;
            bool indirect;
            unsigned int nseg;
            uint64_t sector;

            assert_true(ring_back_take(&back, &e));
            indirect = e.req.operation == BLKIF_OP_INDIRECT;
            assert_true(e.req.id & VBD_DUMP_ID_BASE);
            assert_int_equal(indirect ? ind->indirect_op : e.req.operation, op);
            assert_int_equal(indirect ? ind->handle : e.req.handle, 51712);
            nseg = indirect ? ind->nr_segments : e.req.nr_segments;
            sector = indirect ? ind->sector_number : e.req.sector_number;
            for (unsigned int i = 0; i < nseg; i++) {
                struct blkif_request_segment s = segment(&e, i);
                unsigned int page = s.gref - REF0;

                assert_true(page < VBD_DUMP_DATA_PAGES);
                assert_int_equal(sector, first_sector + page * 8u - i * 8u);
                assert_int_equal(s.first_sect, 0);
                assert_int_equal(s.last_sect, 7);
            }
            r = ring_back_next_response(&back);
            r->rsp = (struct blkif_response){
                .id = e.req.id, .operation = e.req.operation, .status = status};
            ours++;
        }
        answer_old(&old_left);
        ring_back_push(&back);
    }
    assert_int_equal(rc, 1);
    return ours;
}

static void test_contexts_not_live_are_refused(void **state)
{
    struct vbd_dump_context bad;

    (void)state;
    ctx.valid = 0;
    assert_int_equal(vbd_dump_attach(&d, &ctx, kick), -XEN_ENODEV);
    ctx.valid = 1;
    bad = ctx;
    bad.pages_domid = 3;
    assert_int_equal(vbd_dump_attach(&d, &bad, kick), -XEN_ENODEV);
    bad = ctx;
    bad.magic = 0;
    assert_int_equal(vbd_dump_attach(&d, &bad, kick), -XEN_EINVAL);
    assert_int_equal(vbd_dump_attach(&d, NULL, kick), -XEN_EINVAL);
    bad = ctx;
    bad.ring.sector_unit = 3000;
    assert_int_equal(vbd_dump_attach(&d, &bad, kick), -XEN_EINVAL);
    ((struct xen_sring_header *)ring_page)->req_prod += 40;
    assert_int_equal(vbd_dump_attach(&d, &ctx, kick), -XEN_EOVERFLOW);
    ((struct xen_sring_header *)ring_page)->req_prod -= 40;
    assert_int_equal(vbd_dump_attach(&d, &ctx, kick), 0);
}

/* 1 MiB written as 24 requests of 11 pages at most, behind the old ones, which are dropped. */
static void test_direct_write_behind_old_requests(void **state)
{
    struct vbd_scsi_io io = {.op = VBD_SCSI_OP_WRITE, .sector = 2048, .sectors = 2048};
    int16_t status;

    (void)state;
    for (unsigned int i = 0; i < sizeof(buffer); i++)
        buffer[i] = (uint8_t)(i * 7 + 3);
    assert_int_equal(vbd_dump_attach(&d, &ctx, kick), 0);
    assert_false(d.use_indirect);
    assert_int_equal(vbd_dump_start(&d, &io, buffer), 0);
    assert_int_equal(vbd_dump_start(&d, &io, buffer), -XEN_EBUSY);
    assert_memory_equal(pages, buffer, sizeof(buffer));
    assert_int_equal(serve(BLKIF_OP_WRITE, 2048, BLKIF_RSP_OKAY, &status), 24);
    assert_int_equal(status, BLKIF_RSP_OKAY);
    assert_true(kicks >= 2);
    /* The old requests' last answers, then a flush, which drops them. */
    while (old_left)
        answer_old(&old_left);
    ring_back_push(&back);
    io = (struct vbd_scsi_io){.op = VBD_SCSI_OP_FLUSH};
    assert_int_equal(vbd_dump_start(&d, &io, NULL), 0);
    assert_int_equal(vbd_dump_poll(&d, &status), 0);
    assert_int_equal(ring_back_poll(&back), 1);
    {
        union blkif_sring_entry e, *r;

        assert_true(ring_back_take(&back, &e));
        assert_int_equal(e.req.operation, BLKIF_OP_FLUSH_DISKCACHE);
        r = ring_back_next_response(&back);
        r->rsp = (struct blkif_response){.id = e.req.id, .operation = e.req.operation};
        ring_back_push(&back);
    }
    assert_int_equal(vbd_dump_poll(&d, &status), 1);
    assert_int_equal(status, BLKIF_RSP_OKAY);
    assert_int_equal(d.dropped, OLD);
}

/* With 256 indirect segments: one request, its list in the pre-granted list page. */
static void test_indirect_read_fills_the_buffer_when_okay(void **state)
{
    struct vbd_scsi_io io = {.op = VBD_SCSI_OP_READ, .sector = 0, .sectors = 2048};
    int16_t status;

    (void)state;
    ctx.ring.indirect = true;
    ctx.ring.max_segments = 256;
    assert_int_equal(vbd_dump_attach(&d, &ctx, kick), 0);
    assert_true(d.use_indirect);
    for (unsigned int i = 0; i < VBD_DUMP_MAX_BYTES; i++)
        pages[i] = (uint8_t)(i * 13);
    memset(buffer, 0xee, sizeof(buffer));
    assert_int_equal(vbd_dump_start(&d, &io, buffer), 0);
    assert_int_equal(serve(BLKIF_OP_READ, 0, BLKIF_RSP_ERROR, &status), 1);
    assert_int_equal(status, BLKIF_RSP_ERROR);
    assert_int_equal(buffer[5], 0xee); /* a failed read gives nothing */
}

/* An answer naming an id of ours not in flight fails the writer for good. */
static void test_unknown_id_of_ours_fails_the_dump(void **state)
{
    struct vbd_scsi_io io = {.op = VBD_SCSI_OP_WRITE, .sector = 8, .sectors = 8};
    union blkif_sring_entry *r;
    int16_t status;

    (void)state;
    assert_int_equal(vbd_dump_attach(&d, &ctx, kick), 0);
    assert_int_equal(vbd_dump_start(&d, &io, buffer), 0);
    assert_int_equal(vbd_dump_poll(&d, &status), 0);
    r = ring_back_next_response(&back);
    r->rsp = (struct blkif_response){.id = VBD_DUMP_ID_BASE | 5, .operation = BLKIF_OP_WRITE};
    ring_back_push(&back);
    assert_int_equal(vbd_dump_poll(&d, &status), -XEN_EIO);
    assert_non_null(d.failure);
    assert_int_equal(vbd_dump_start(&d, &io, buffer), -XEN_EIO);
}

/* A response index beyond the requests fails the writer too. */
static void test_index_overrun_fails_the_dump(void **state)
{
    struct vbd_scsi_io io = {.op = VBD_SCSI_OP_WRITE, .sector = 8, .sectors = 8};
    int16_t status;

    (void)state;
    assert_int_equal(vbd_dump_attach(&d, &ctx, kick), 0);
    assert_int_equal(vbd_dump_start(&d, &io, buffer), 0);
    assert_int_equal(vbd_dump_poll(&d, &status), 0);
    ((struct xen_sring_header *)ring_page)->rsp_prod += 40;
    assert_int_equal(vbd_dump_poll(&d, &status), -XEN_EOVERFLOW);
    assert_non_null(d.failure);
}

/* Beyond the disk, not whole sectors of the unit, or writes to a read-only disk: refused. */
static void test_wrong_operations_are_refused(void **state)
{
    struct vbd_scsi_io beyond = {.op = VBD_SCSI_OP_WRITE, .sector = DISK_SECT - 8, .sectors = 16};
    struct vbd_scsi_io odd = {.op = VBD_SCSI_OP_WRITE, .sector = 1, .sectors = 8};
    struct vbd_scsi_io big = {.op = VBD_SCSI_OP_READ, .sector = 0, .sectors = 2056};

    (void)state;
    ctx.ring.sector_unit = 4096;
    assert_int_equal(vbd_dump_attach(&d, &ctx, kick), 0);
    assert_int_equal(vbd_dump_start(&d, &beyond, buffer), -XEN_EINVAL);
    assert_int_equal(vbd_dump_start(&d, &odd, buffer), -XEN_EINVAL);
    assert_int_equal(vbd_dump_start(&d, &big, buffer), -XEN_EINVAL);
    ctx.ring.read_only = true;
    assert_int_equal(vbd_dump_attach(&d, &ctx, kick), 0);
    odd.sector = 8;
    assert_int_equal(vbd_dump_start(&d, &odd, buffer), -XEN_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_contexts_not_live_are_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_direct_write_behind_old_requests, setup, teardown),
        cmocka_unit_test_setup_teardown(test_indirect_read_fills_the_buffer_when_okay, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_unknown_id_of_ours_fails_the_dump, setup, teardown),
        cmocka_unit_test_setup_teardown(test_index_overrun_fails_the_dump, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wrong_operations_are_refused, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
