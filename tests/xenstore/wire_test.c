/*
 * tests/xenstore/wire_test.c - the xenstore wire protocol without I/O:
 * building requests, reading replies in any chunking, refusing what cannot
 * be a message, splitting payloads, naming errors.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "os.h"
#include "xenstore/wire.h"

static uint8_t buf[sizeof(struct xsd_sockmsg) + XENSTORE_PAYLOAD_MAX + 64];

static int build_write(const char *path, const char *value)
{
    const struct xs_part parts[] = {{path, strlen(path) + 1}, {value, strlen(value)}};

    return xs_wire_build(buf, sizeof(buf), XS_WRITE, 7, 3, parts, 2);
}

static void test_build_lays_out_header_and_payload(void **state)
{
    struct xsd_sockmsg hdr;
    int len = build_write("data/x", "42");

    assert_int_equal(len, sizeof(hdr) + 7 + 2);
    memcpy(&hdr, buf, sizeof(hdr));
    assert_int_equal(hdr.type, XS_WRITE);
    assert_int_equal(hdr.req_id, 7);
    assert_int_equal(hdr.tx_id, 3);
    assert_int_equal(hdr.len, 9);
    assert_memory_equal(buf + sizeof(hdr),
                        "data/x\0"
                        "42",
                        9);
}

static void test_build_refuses_too_much(void **state)
{
    static char big[XENSTORE_PAYLOAD_MAX + 1];
    struct xs_part part = {big, XENSTORE_PAYLOAD_MAX};
    struct xs_part two[] = {{big, XENSTORE_PAYLOAD_MAX}, {big, 1}};

    assert_int_equal(xs_wire_build(buf, sizeof(buf), XS_WRITE, 1, 0, &part, 1),
                     sizeof(struct xsd_sockmsg) + XENSTORE_PAYLOAD_MAX);
    assert_int_equal(xs_wire_build(buf, sizeof(buf), XS_WRITE, 1, 0, two, 2), -XEN_E2BIG);
    assert_int_equal(xs_wire_build(buf, 20, XS_WRITE, 1, 0, &part, 1), -XEN_E2BIG);
}

/* Feed @len bytes @chunk at a time; returns the messages completed. */
static int feed_in_chunks(struct xs_reader *r, const uint8_t *data, size_t len, size_t chunk)
{
    int messages = 0;

    for (size_t at = 0; at < len;) {
        size_t n = len - at < chunk ? len - at : chunk, used;
        int rc = xs_reader_feed(r, data + at, n, &used);

        assert_true(rc >= 0);
        assert_true(used <= n);
        at += used;
        if (rc == 1) {
            messages++;
            assert_int_equal(r->hdr.type, XS_WRITE);
            assert_string_equal(r->payload, "data/x");
            assert_memory_equal(r->payload + 7, "42", 2);
            assert_int_equal(r->payload[9], '\0');
            xs_reader_reset(r);
        } else {
            assert_int_equal(used, n); /* more is needed: it took all it was given */
        }
    }
    return messages;
}

static void test_reader_takes_any_chunking(void **state)
{
    static uint8_t three[3 * 64];
    struct xs_reader *r = test_malloc(sizeof(*r));
    int len = build_write("data/x", "42");

    for (int i = 0; i < 3; i++)
        memcpy(three + i * len, buf, (size_t)len);
    for (size_t chunk = 1; chunk <= (size_t)(3 * len); chunk++) {
        xs_reader_reset(r);
        assert_int_equal(feed_in_chunks(r, three, 3 * (size_t)len, chunk), 3);
    }
    test_free(r);
}

static void test_reader_refuses_what_cannot_be_a_message(void **state)
{
    struct xs_reader *r = test_malloc(sizeof(*r));
    struct xsd_sockmsg too_long = {.type = XS_READ, .len = XENSTORE_PAYLOAD_MAX + 1};
    struct xsd_sockmsg unknown = {.type = XS_TYPE_COUNT, .len = 0};
    struct xsd_sockmsg invalid = {.type = XS_INVALID, .len = 0};
    struct xsd_sockmsg longest = {.type = XS_READ, .len = XENSTORE_PAYLOAD_MAX};
    size_t used;

    xs_reader_reset(r);
    assert_int_equal(xs_reader_feed(r, &too_long, sizeof(too_long), &used), -XEN_EBADMSG);
    xs_reader_reset(r);
    assert_int_equal(xs_reader_feed(r, &unknown, sizeof(unknown), &used), -XEN_EBADMSG);
    xs_reader_reset(r);
    assert_int_equal(xs_reader_feed(r, &invalid, sizeof(invalid), &used), -XEN_EBADMSG);
    xs_reader_reset(r);
    assert_int_equal(xs_reader_feed(r, &longest, sizeof(longest), &used), 0);
    memset(buf, 'a', XENSTORE_PAYLOAD_MAX);
    assert_int_equal(xs_reader_feed(r, buf, XENSTORE_PAYLOAD_MAX, &used), 1);
    assert_int_equal(used, XENSTORE_PAYLOAD_MAX);
    assert_int_equal(strlen(r->payload), XENSTORE_PAYLOAD_MAX);
    test_free(r);
}

static void test_strings_split_within_the_payload(void **state)
{
    const char *out[4];
    static const char three[] = "a\0bc\0\0"; /* "a", "bc", "" */

    assert_int_equal(xs_wire_strings(three, 6, out, 4), 3);
    assert_string_equal(out[0], "a");
    assert_string_equal(out[1], "bc");
    assert_string_equal(out[2], "");
    assert_int_equal(xs_wire_strings(three, 0, out, 4), 0);
    assert_int_equal(xs_wire_strings("abc", 3, out, 4), -XEN_EBADMSG); /* unterminated */
    assert_int_equal(xs_wire_strings(three, 6, out, 2), -XEN_EBADMSG); /* too many */
}

static void test_error_names_map_to_statuses(void **state)
{
    assert_int_equal(xs_wire_error("EACCES", 7), -XEN_EACCES);
    assert_int_equal(xs_wire_error("EACCES", 6), -XEN_EACCES);
    assert_int_equal(xs_wire_error("ENOENT", 7), -XEN_ENOENT);
    assert_int_equal(xs_wire_error("EAGAIN", 7), -XEN_EAGAIN);
    assert_int_equal(xs_wire_error("E2BIG", 6), -XEN_E2BIG);
    assert_int_equal(xs_wire_error("EACCESS", 8), -XEN_EIO); /* not a name: still an error */
    assert_int_equal(xs_wire_error("EACC", 4), -XEN_EIO);
    assert_int_equal(xs_wire_error("", 0), -XEN_EIO);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_build_lays_out_header_and_payload),
        cmocka_unit_test(test_build_refuses_too_much),
        cmocka_unit_test(test_reader_takes_any_chunking),
        cmocka_unit_test(test_reader_refuses_what_cannot_be_a_message),
        cmocka_unit_test(test_strings_split_within_the_payload),
        cmocka_unit_test(test_error_names_map_to_statuses),
    };

    return cmocka_run_group_tests_name("xenstore_wire", tests, NULL, NULL);
}
