/*
 * tests/sim/nt_cpu/prepare_test.c - preparing an image: what is refused leaves
 * the image as it was and unregistered; an image is prepared once; only
 * values inside the KUSER_SHARED_DATA page are redirected; the code ranges
 * of a section are its functions and the gaps between them.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <cmocka.h>

#include "image.h"

#define MAX_RANGES 64

/* The test image with the bytes after it: every function listed, plus
 * [garbage, garbage_end) as one more. */
struct garbage_image {
    uint8_t *base;
    size_t size;
    struct nt_code_range ranges[MAX_RANGES];
    size_t count;
};

static void map_with_garbage(struct garbage_image *image, const uint8_t *garbage,
                             const uint8_t *garbage_end)
{
    image->base = image_map(image_code_start, garbage_end, &image->size);
    assert_non_null(image->base);
    image->count = image_functions(image->ranges, MAX_RANGES - 1);
    image->ranges[image->count++] = (struct nt_code_range){
        .begin = (uint32_t)image_span(image_code_start, garbage),
        .end = (uint32_t)image_span(image_code_start, garbage_end),
    };
}

static uint64_t kuser_page(void)
{
    static _Alignas(4096) uint8_t page[4096];

    return (uint64_t)(uintptr_t)page;
}

/* Bytes that are not an instruction: -EILSEQ, not a byte changed (not even
 * the hypercalls, rewritten in every mode), and the image not taken (it can
 * be prepared once the bad range is gone). */
static void check_refused_garbage(const uint8_t *garbage, const uint8_t *garbage_end)
{
    struct garbage_image image;
    size_t length = image_span(image_code_start, garbage_end);

    map_with_garbage(&image, garbage, garbage_end);
    assert_int_equal(
        nt_cpu_prepare_image(image.base, image.size, image.ranges, image.count, kuser_page()),
        -EILSEQ);
    assert_memory_equal(image.base, image_code_start, length);
    assert_true(nt_cpu_prepare_image(image.base, image.size, image.ranges, image.count - 1,
                                     kuser_page()) > 0);
    nt_cpu_forget_image(image.base, image.size);
    munmap(image.base, image.size);
}

static void test_an_invalid_instruction_gives_eilseq(void **state)
{
    check_refused_garbage(garbage_invalid, garbage_invalid_end);
}

static void test_a_truncated_instruction_gives_eilseq(void **state)
{
    check_refused_garbage(garbage_truncated, garbage_truncated_end);
}

static void test_ranges_outside_or_overlapping_are_refused(void **state)
{
    size_t size;
    uint8_t *base = image_map(image_code_start, image_code_end, &size);
    struct nt_code_range past_end = {.begin = 0, .end = (uint32_t)size + 1};
    struct nt_code_range empty = {.begin = 16, .end = 16};
    struct nt_code_range overlapping[2] = {{.begin = 0, .end = 32}, {.begin = 16, .end = 48}};
    struct nt_code_range ranges[MAX_RANGES];
    size_t count = image_functions(ranges, MAX_RANGES);

    assert_non_null(base);
    assert_int_equal(nt_cpu_prepare_image(base, size, &past_end, 1, kuser_page()), -EINVAL);
    assert_int_equal(nt_cpu_prepare_image(base, size, &empty, 1, kuser_page()), -EINVAL);
    assert_int_equal(nt_cpu_prepare_image(base, size, overlapping, 2, kuser_page()), -EINVAL);
    assert_int_equal(nt_cpu_prepare_image(base, size, ranges, count, kuser_page() + 8), -EINVAL);
    assert_memory_equal(base, image_code_start, image_span(image_code_start, image_code_end));
    munmap(base, size);
}

static void test_an_image_is_prepared_once(void **state)
{
    size_t size;
    uint8_t *base = image_map(image_code_start, image_code_end, &size);
    struct nt_code_range ranges[MAX_RANGES];
    size_t count = image_functions(ranges, MAX_RANGES);

    assert_non_null(base);
    assert_true(nt_cpu_prepare_image(base, size, ranges, count, kuser_page()) > 0);
    assert_int_equal(nt_cpu_prepare_image(base, size, ranges, count, kuser_page()), -EEXIST);
    /* So does an image inside it. */
    assert_int_equal(nt_cpu_prepare_image(base + 16, 8, NULL, 0, kuser_page()), -EEXIST);
    nt_cpu_forget_image(base, size);
    /* Forgotten: the same range may be prepared again (a new image). */
    assert_true(nt_cpu_prepare_image(base, size, ranges, count, kuser_page()) >= 0);
    nt_cpu_forget_image(base, size);
    munmap(base, size);
}

static void test_only_values_inside_the_page_are_redirected(void **state)
{
    struct test_image image;
    uint64_t inside, past;

    assert_int_equal(image_load(&image, NT_CPU_REWRITE), 0);
    memcpy(&inside, image_at(&image, kuser_pointer), 8);
    memcpy(&past, image_at(&image, past_kuser_pointer), 8);
    assert_int_equal(inside, (uintptr_t)image.kuser + 0x320);
    assert_int_equal(past, IMAGE_KUSER_END);
    image_unload(&image);
}

/* -- nt_cpu_section_code ---------------------------------------------------- */

static void test_section_code_is_functions_and_gaps(void **state)
{
    const struct nt_code_range section = {.begin = 0x1000, .end = 0x2000};
    /* Out of order, one in another section. */
    const struct nt_code_range functions[] = {
        {.begin = 0x1100, .end = 0x1200},
        {.begin = 0x3000, .end = 0x3100},
        {.begin = 0x1000, .end = 0x1050},
        {.begin = 0x1200, .end = 0x1280},
    };
    const struct nt_code_range expected[] = {
        {.begin = 0x1000, .end = 0x1050}, {.begin = 0x1050, .end = 0x1100},
        {.begin = 0x1100, .end = 0x1200}, {.begin = 0x1200, .end = 0x1280},
        {.begin = 0x1280, .end = 0x2000},
    };
    struct nt_code_range out[2 * 4 + 1];

    assert_int_equal(nt_cpu_section_code(section, functions, 4, out, 9), 5);
    assert_memory_equal(out, expected, sizeof(expected));
    /* No functions: the whole section. */
    assert_int_equal(nt_cpu_section_code(section, NULL, 0, out, 9), 1);
    assert_memory_equal(out, &section, sizeof(section));
}

static void test_section_code_refuses_what_no_linker_writes(void **state)
{
    const struct nt_code_range section = {.begin = 0x1000, .end = 0x2000};
    const struct nt_code_range overlapping[] = {{.begin = 0x1100, .end = 0x1200},
                                                {.begin = 0x1180, .end = 0x1300}};
    const struct nt_code_range straddling = {.begin = 0x1f00, .end = 0x2100};
    const struct nt_code_range one = {.begin = 0x1100, .end = 0x1200};
    struct nt_code_range out[8];

    assert_int_equal(nt_cpu_section_code(section, overlapping, 2, out, 8), -EINVAL);
    assert_int_equal(nt_cpu_section_code(section, &straddling, 1, out, 8), -EINVAL);
    assert_int_equal(nt_cpu_section_code(section, &one, 1, out, 2), -ENOSPC);
    assert_int_equal(nt_cpu_section_code(section, &one, 1, out, 3), 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_an_invalid_instruction_gives_eilseq),
        cmocka_unit_test(test_a_truncated_instruction_gives_eilseq),
        cmocka_unit_test(test_ranges_outside_or_overlapping_are_refused),
        cmocka_unit_test(test_an_image_is_prepared_once),
        cmocka_unit_test(test_only_values_inside_the_page_are_redirected),
        cmocka_unit_test(test_section_code_is_functions_and_gaps),
        cmocka_unit_test(test_section_code_refuses_what_no_linker_writes),
    };

    return cmocka_run_group_tests_name("ntcpu_prepare", tests, NULL, NULL);
}
