/*
 * tests/console/line_test.c - console input cut into lines: a line split
 * across events is one line, every kind of end ends one, "\r\n" is one
 * end, an overlong line goes up cut once and its rest is dropped.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "console/line.h"

struct got {
    char lines[8][CONSOLE_LINE_MAX + 1];
    size_t lens[8];
    bool cut[8];
    unsigned int count;
};

static void record(void *ctx, const char *text, size_t len, bool cut)
{
    struct got *got = ctx;

    assert_true(got->count < 8);
    assert_int_equal(text[len], '\0');
    memcpy(got->lines[got->count], text, len + 1);
    got->lens[got->count] = len;
    got->cut[got->count++] = cut;
}

static void feed(struct console_line *line, struct got *got, const char *text)
{
    console_line_feed(line, text, strlen(text), record, got);
}

static void test_a_line_split_across_events_is_one_line(void **state)
{
    struct console_line line = {0};
    struct got got = {0};

    feed(&line, &got, "hel");
    feed(&line, &got, "lo wor");
    assert_int_equal(got.count, 0);
    feed(&line, &got, "ld\nnext");
    assert_int_equal(got.count, 1);
    assert_string_equal(got.lines[0], "hello world");
    assert_false(got.cut[0]);
}

static void test_each_end_ends_one_line(void **state)
{
    struct console_line line = {0};
    struct got got = {0};

    feed(&line, &got, "unix\nterminal\rdos\r");
    feed(&line, &got, "\nempty next\n\n");
    assert_int_equal(got.count, 5);
    assert_string_equal(got.lines[0], "unix");
    assert_string_equal(got.lines[1], "terminal");
    assert_string_equal(got.lines[2], "dos");
    assert_string_equal(got.lines[3], "empty next");
    assert_string_equal(got.lines[4], "");
}

static void test_a_line_of_exactly_the_limit_is_whole(void **state)
{
    struct console_line line = {0};
    struct got got = {0};
    char text[CONSOLE_LINE_MAX + 2];

    memset(text, 'a', CONSOLE_LINE_MAX);
    strcpy(text + CONSOLE_LINE_MAX, "\n");
    feed(&line, &got, text);
    assert_int_equal(got.count, 1);
    assert_int_equal(got.lens[0], CONSOLE_LINE_MAX);
    assert_false(got.cut[0]);
}

static void test_an_overlong_line_is_cut_once_and_its_rest_dropped(void **state)
{
    struct console_line line = {0};
    struct got got = {0};
    char text[CONSOLE_LINE_MAX + 100];

    memset(text, 'b', sizeof(text) - 1);
    text[sizeof(text) - 1] = '\0';
    feed(&line, &got, text);
    feed(&line, &got, "still the same line\nafter\n");
    assert_int_equal(got.count, 2);
    assert_int_equal(got.lens[0], CONSOLE_LINE_MAX);
    assert_true(got.cut[0]);
    assert_int_equal(strspn(got.lines[0], "b"), CONSOLE_LINE_MAX);
    assert_string_equal(got.lines[1], "after");
    assert_false(got.cut[1]);
}

static void test_reset_forgets_a_partial_line(void **state)
{
    struct console_line line = {0};
    struct got got = {0};

    feed(&line, &got, "half a li");
    console_line_reset(&line);
    feed(&line, &got, "whole\n");
    assert_int_equal(got.count, 1);
    assert_string_equal(got.lines[0], "whole");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_line_split_across_events_is_one_line),
        cmocka_unit_test(test_each_end_ends_one_line),
        cmocka_unit_test(test_a_line_of_exactly_the_limit_is_whole),
        cmocka_unit_test(test_an_overlong_line_is_cut_once_and_its_rest_dropped),
        cmocka_unit_test(test_reset_forgets_a_partial_line),
    };

    return cmocka_run_group_tests_name("console_line", tests, NULL, NULL);
}
