/*
 * tests/xenbus/node_test.c - what xenbus accepts from xenstore values and
 * names before it builds a path or takes a number: the parts that need no
 * daemon.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include <xen/errno.h>
#include <xen/io/xs_wire.h>

#include "xenbus/names.h"
#include "xenbus/node.h"
#include "xenstore/number.h"

static int parse(const char *text, uint64_t max, uint64_t *value)
{
    return xs_number_parse(text, strlen(text), max, value);
}

static void numbers_are_plain_decimal(void **state)
{
    uint64_t v = 99;

    (void)state;
    assert_int_equal(parse("0", 10, &v), 0);
    assert_int_equal(v, 0);
    assert_int_equal(parse("768", 1000, &v), 0);
    assert_int_equal(v, 768);
    assert_int_equal(parse("18446744073709551615", UINT64_MAX, &v), 0);
    assert_true(v == UINT64_MAX);
    /* What a backend might write that is not a number for us. */
    static const char *const bad[] = {"", "-1", "+1", " 1", "1 ", "1\n", "0x10", "01", "1a", "١"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        v = 99;
        assert_int_equal(parse(bad[i], UINT64_MAX, &v), -XEN_EINVAL);
        assert_int_equal(v, 99);
    }
    /* A NUL inside the value is not a digit. */
    assert_int_equal(xs_number_parse("1\0002", 3, 1000, &v), -XEN_EINVAL);
    assert_int_equal(parse("18446744073709551616", UINT64_MAX, &v), -XEN_ERANGE);
    assert_int_equal(parse("99999999999999999999999", UINT64_MAX, &v), -XEN_ERANGE);
    assert_int_equal(parse("9", 8, &v), -XEN_ERANGE);
}

static void numbers_format_back(void **state)
{
    static const uint64_t values[] = {0, 7, 10, 4096, 32767, UINT64_MAX};
    char text[21];
    uint64_t v;

    (void)state;
    for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
        size_t n = xs_number_format(text, values[i], 10);

        assert_int_equal(n, strlen(text));
        assert_int_equal(xs_number_parse(text, n, UINT64_MAX, &v), 0);
        assert_true(v == values[i]);
    }
    xs_number_format(text, 1234567890, 10);
    assert_string_equal(text, "1234567890");
}

static void paths_fit_or_fail(void **state)
{
    char buf[16];
    static char long_dir[XENSTORE_ABS_PATH_MAX + 2];
    static char big[XENSTORE_ABS_PATH_MAX * 2];

    (void)state;
    assert_int_equal(xenbus_path(buf, sizeof(buf), "device/vbd", "768"), 0);
    assert_string_equal(buf, "device/vbd/768");
    assert_int_equal(xenbus_path(buf, sizeof(buf), "device", NULL), 0);
    assert_string_equal(buf, "device");
    /* 15 characters and the NUL fit; 16 do not. */
    assert_int_equal(xenbus_path(buf, sizeof(buf), "abcdefghij", "klmn"), 0);
    assert_int_equal(xenbus_path(buf, sizeof(buf), "abcdefghij", "klmno"), -XEN_ENAMETOOLONG);
    /* Longer than xenstore takes, however large the buffer. */
    memset(long_dir, 'a', sizeof(long_dir) - 1);
    assert_int_equal(xenbus_path(big, sizeof(big), long_dir, NULL), -XEN_ENAMETOOLONG);
}

static void names_are_checked(void **state)
{
    (void)state;
    assert_true(xenbus_name_valid("vbd"));
    assert_true(xenbus_name_valid("768"));
    assert_true(xenbus_name_valid("vif-2_a"));
    assert_true(xenbus_name_valid("abcdefghijabcdefghijabcdefghijab")); /* 32 */
    assert_false(xenbus_name_valid(""));
    assert_false(xenbus_name_valid("abcdefghijabcdefghijabcdefghijabc")); /* 33 */
    assert_false(xenbus_name_valid(".."));
    assert_false(xenbus_name_valid("a/b"));
    assert_false(xenbus_name_valid("@introduceDomain"));
    assert_false(xenbus_name_valid("a b"));
}

static void states_have_names(void **state)
{
    (void)state;
    assert_string_equal(xenbus_state_name(XenbusStateConnected), "Connected");
    assert_string_equal(xenbus_state_name(XenbusStateClosing), "Closing");
    assert_string_equal(xenbus_state_name((enum xenbus_state)9), "invalid");
    assert_string_equal(xenbus_state_name((enum xenbus_state) - 1), "invalid");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(numbers_are_plain_decimal), cmocka_unit_test(numbers_format_back),
        cmocka_unit_test(paths_fit_or_fail),         cmocka_unit_test(names_are_checked),
        cmocka_unit_test(states_have_names),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
