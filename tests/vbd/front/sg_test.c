/*
 * tests/vbd/front/sg_test.c - a request's buffer as ring segments
 * (core/vbd/front_sg.c): malformed lists refused, the start found, the
 * alignment that decides between granting and copying, and the pieces
 * segments are cut into.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <xen/errno.h>

#include "vbd/front_internal.h"

/* 3 pages: 1000 bytes from 3096, a whole page, 2048 bytes. */
static const struct vbd_front_sg three[] = {
    {.gfn = 10, .offset = 3096, .length = 1000},
    {.gfn = 11, .offset = 0, .length = 4096},
    {.gfn = 12, .offset = 0, .length = 2048},
};

static void test_malformed_lists_are_refused(void **state)
{
    struct vbd_front_sg bad[] = {{.gfn = 1, .offset = 4000, .length = 200}};
    struct vbd_front_sg empty[] = {{.gfn = 1, .offset = 0, .length = 0}};
    struct vbd_front_sg beyond[] = {{.gfn = 1, .offset = 4096, .length = 1}};
    struct front_sg_cursor c;

    (void)state;
    assert_int_equal(front_sg_locate(bad, 1, 0, 100, &c), -XEN_EINVAL);
    assert_int_equal(front_sg_locate(empty, 1, 0, 0, &c), -XEN_EINVAL);
    assert_int_equal(front_sg_locate(beyond, 1, 0, 1, &c), -XEN_EINVAL);
    /* Shorter than the data. */
    assert_int_equal(front_sg_locate(three, 3, 0, 7145, &c), -XEN_EINVAL);
    assert_int_equal(front_sg_locate(three, 3, 7144, 1, &c), -XEN_EINVAL);
    assert_int_equal(front_sg_locate(NULL, 0, 0, 512, &c), -XEN_EINVAL);
    assert_int_equal(front_sg_locate(three, 3, 0, 7144, &c), 0);
}

static void test_the_start_is_found(void **state)
{
    struct front_sg_cursor c;

    (void)state;
    assert_int_equal(front_sg_locate(three, 3, 0, 512, &c), 0);
    assert_int_equal(c.index, 0);
    assert_int_equal(c.skip, 0);
    assert_int_equal(front_sg_locate(three, 3, 1000, 512, &c), 0);
    assert_int_equal(c.index, 1);
    assert_int_equal(c.skip, 0);
    assert_int_equal(front_sg_locate(three, 3, 5100, 1024, &c), 0);
    assert_int_equal(c.index, 2);
    assert_int_equal(c.skip, 4);
}

static void test_alignment_to_the_unit(void **state)
{
    const struct vbd_front_sg pages[] = {
        {.gfn = 1, .offset = 512, .length = 3584},
        {.gfn = 2, .offset = 0, .length = 4096},
    };

    (void)state;
    assert_true(front_sg_aligned(pages, 2, (struct front_sg_cursor){0, 0}, 7680, 512));
    assert_false(front_sg_aligned(pages, 2, (struct front_sg_cursor){0, 0}, 7680, 4096));
    assert_true(front_sg_aligned(pages, 2, (struct front_sg_cursor){1, 0}, 4096, 4096));
    /* A start inside a sector, or a part not whole sectors. */
    assert_false(front_sg_aligned(pages, 2, (struct front_sg_cursor){0, 100}, 512, 512));
    assert_false(front_sg_aligned(three, 3, (struct front_sg_cursor){0, 0}, 7144, 512));
    /* Only the bytes asked for count: the end of the last part need not be whole. */
    assert_true(front_sg_aligned(pages, 2, (struct front_sg_cursor){1, 0}, 1024, 512));
    /* More data than the list holds. */
    assert_false(front_sg_aligned(pages, 2, (struct front_sg_cursor){1, 0}, 8192, 512));
}

static void test_segments_follow_the_parts(void **state)
{
    const struct vbd_front_sg pages[] = {
        {.gfn = 1, .offset = 512, .length = 3584},
        {.gfn = 2, .offset = 0, .length = 4096},
        {.gfn = 3, .offset = 0, .length = 4096},
    };
    struct front_sg_cursor c = {0, 1024};
    struct front_seg seg;

    (void)state;
    assert_int_equal(front_sg_count(pages, 3, c, 20000, 11), 3);
    assert_int_equal(front_sg_count(pages, 3, c, 20000, 2), 2);
    assert_int_equal(front_sg_count(pages, 3, c, 2560, 11), 1);
    assert_int_equal(front_sg_next(pages, 3, &c, 20000, &seg), 2560);
    assert_int_equal(seg.gfn, 1);
    assert_int_equal(seg.offset, 1536);
    assert_int_equal(seg.length, 2560);
    assert_int_equal(c.index, 1);
    assert_int_equal(c.skip, 0);
    /* A piece may end inside a part; the next one starts there. */
    assert_int_equal(front_sg_next(pages, 3, &c, 1024, &seg), 1024);
    assert_int_equal(seg.gfn, 2);
    assert_int_equal(c.index, 1);
    assert_int_equal(c.skip, 1024);
    assert_int_equal(front_sg_next(pages, 3, &c, 20000, &seg), 3072);
    assert_int_equal(seg.offset, 1024);
    assert_int_equal(front_sg_next(pages, 3, &c, 20000, &seg), 4096);
    assert_int_equal(front_sg_next(pages, 3, &c, 20000, &seg), 0);
}

static void test_indirect_pages_for_segments(void **state)
{
    (void)state;
    assert_int_equal(front_indirect_pages(1), 0);
    assert_int_equal(front_indirect_pages(BLKIF_MAX_SEGMENTS_PER_REQUEST), 0);
    assert_int_equal(front_indirect_pages(12), 1);
    assert_int_equal(front_indirect_pages(512), 1);
    assert_int_equal(front_indirect_pages(513), 2);
    assert_int_equal(front_indirect_pages(VBD_FRONT_MAX_SEGMENTS),
                     BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_malformed_lists_are_refused),
        cmocka_unit_test(test_the_start_is_found),
        cmocka_unit_test(test_alignment_to_the_unit),
        cmocka_unit_test(test_segments_follow_the_parts),
        cmocka_unit_test(test_indirect_pages_for_segments),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
