/*
 * tests/abi/abi_test.c - include/xen against Debian's Xen 4.17 headers.
 *
 * Both tables come from the same list (abi_list.h), so entry i is the same
 * fact on both sides; one test per area of the list compares its entries,
 * and each difference is reported with both values.
 */
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "abi_entry.h"

/* Writes an entry's value, with its type where it has one, into buf. */
static const char *describe(const struct abi_entry *e, char *buf, size_t size)
{
    if (e->kind == ABI_KIND_TEXT)
        snprintf(buf, size, "\"%s\"", e->text);
    else if (e->is_signed)
        snprintf(buf, size, "%" PRId64 " (%" PRIu32 "-byte signed)", (int64_t)e->value, e->size);
    else
        snprintf(buf, size, "%" PRIu64 " (%" PRIu32 "-byte unsigned)", e->value, e->size);
    return buf;
}

static bool same_value(const struct abi_entry *theirs, const struct abi_entry *ours)
{
    if (theirs->kind == ABI_KIND_TEXT)
        return strcmp(theirs->text, ours->text) == 0;
    return theirs->value == ours->value && theirs->size == ours->size &&
           theirs->is_signed == ours->is_signed;
}

/* The index of the AREA entry named area, or abi_theirs_count. */
static size_t find_area(const char *area)
{
    for (size_t i = 0; i < abi_theirs_count; i++) {
        if (abi_theirs[i].kind == ABI_KIND_AREA && strcmp(abi_theirs[i].what, area) == 0)
            return i;
    }
    return abi_theirs_count;
}

/* The two tables must be expansions of the same list. */
static void test_tables_line_up(void **state)
{
    assert_int_equal(abi_theirs_count, abi_ours_count);
    for (size_t i = 0; i < abi_theirs_count; i++) {
        assert_int_equal(abi_theirs[i].kind, abi_ours[i].kind);
        assert_string_equal(abi_theirs[i].key, abi_ours[i].key);
        assert_string_equal(abi_theirs[i].what, abi_ours[i].what);
        /* Keys become macro names in the generated header: no two alike. */
        for (size_t j = 0; j < i; j++) {
            if (strcmp(abi_theirs[i].key, abi_theirs[j].key) == 0)
                fail_msg("key %s is used twice", abi_theirs[i].key);
        }
    }
}

/* The state is the area's name (the tests are built from the list). */
static void test_area(void **state)
{
    const char *area = *state;
    size_t first = find_area(area);
    size_t checked = 0, differ = 0;
    char theirs[64], ours[64];

    assert_true(first < abi_theirs_count);
    for (size_t i = first + 1; i < abi_theirs_count && abi_theirs[i].kind != ABI_KIND_AREA; i++) {
        checked++;
        if (same_value(&abi_theirs[i], &abi_ours[i]))
            continue;
        differ++;
        print_error("%s: %s: Xen %s, ours %s\n", area, abi_theirs[i].what,
                    describe(&abi_theirs[i], theirs, sizeof(theirs)),
                    describe(&abi_ours[i], ours, sizeof(ours)));
    }
    if (differ != 0)
        fail_msg("%zu of %zu facts of %s differ from Xen's", differ, checked, area);
}

/* Two name/number lists must agree entry by entry, in order. */
static void compare_named_lists(const char *what, const struct abi_named_value *theirs,
                                size_t theirs_count, const struct abi_named_value *ours,
                                size_t ours_count)
{
    size_t differ = 0;

    for (size_t i = 0; i < theirs_count || i < ours_count; i++) {
        const char *theirs_name = i < theirs_count ? theirs[i].name : "(none)";
        const char *ours_name = i < ours_count ? ours[i].name : "(none)";
        int theirs_value = i < theirs_count ? theirs[i].value : -1;
        int ours_value = i < ours_count ? ours[i].value : -1;

        if (strcmp(theirs_name, ours_name) == 0 && theirs_value == ours_value)
            continue;
        differ++;
        print_error("%s[%zu]: Xen %s = %d, ours %s = %d\n", what, i, theirs_name, theirs_value,
                    ours_name, ours_value);
    }
    if (differ != 0)
        fail_msg("%zu entries of %s differ from Xen's", differ, what);
}

static void test_errno_list(void **state)
{
    const struct abi_named_value *theirs, *ours;
    size_t theirs_count = abi_theirs_errno(&theirs);
    size_t ours_count = abi_ours_errno(&ours);

    compare_named_lists("XEN_ERRNO_LIST", theirs, theirs_count, ours, ours_count);
}

static void test_xsd_errors(void **state)
{
    const struct abi_named_value *theirs, *ours;
    size_t theirs_count = abi_theirs_xsd_errors(&theirs);
    size_t ours_count = abi_ours_xsd_errors(&ours);

    compare_named_lists("XSD_ERRORS", theirs, theirs_count, ours, ours_count);
}

int main(void)
{
    static const struct CMUnitTest tests[] = {
        {"both tables expand the same list", test_tables_line_up, NULL, NULL, NULL},
/* One test per area, named after it. */
#define ABI_AREA(name) {#name, test_area, NULL, NULL, (void *)#name},
#define ABI_SIZE(...)  /* compared in test_area */
#define ABI_FIELD(...)
#define ABI_FIELD2(...)
#define ABI_FIELD3(...)
#define ABI_FIELD_FLEX(...)
#define ABI_CONST(...)
#define ABI_TEXT(...)
#define ABI_EXPR(...)
#define ABI_PAIR(...)
#include "abi_list.h"
        {"errno: XEN_ERRNO_LIST", test_errno_list, NULL, NULL, NULL},
        {"xs_wire: XSD_ERRORS", test_xsd_errors, NULL, NULL, NULL},
    };

    return cmocka_run_group_tests_name("abi", tests, NULL, NULL);
}
