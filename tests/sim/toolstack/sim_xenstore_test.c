/*
 * tests/sim/toolstack/sim_xenstore_test.c - Debian's own xenstored, C and OCaml, each
 * running on winpv-simd through the replacement libraries, serves a guest
 * over the shared ring and the real xenstore-* tools over its socket: what
 * one writes, the other reads; permissions and watches hold across the two.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <cmocka.h>

#include "guest.h"
#include "support/sim/sim_fixture.h"
#include "store.h"
#include "support/sim/xs_ring_client.h"

static struct xenstore store;
static struct guest_rings rings;
static struct xs_ring ring;
static uint32_t next_req_id = 1;

static int setup(enum xenstored_kind kind, void **state)
{
    if (sim_fixture_setup(state) != 0)
        return -1;
    if (xenstore_start(&fx.simd, &store, kind) != 0 ||
        xenstore_introduce(&fx.simd, &store, fx.domid, &rings) != 0 || xs_ring_open(&ring) != 0) {
        fprintf(stderr, "xenstore set-up failed; run directory %s\n", fx.simd.dir);
        xenstore_stop(&store);
        sim_fixture_teardown(state);
        return -1;
    }
    return 0;
}

static int setup_c(void **state)
{
    return setup(XENSTORED_C, state);
}

static int setup_ocaml(void **state)
{
    return setup(XENSTORED_OCAML, state);
}

static int teardown(void **state)
{
    int stopped = xenstore_stop(&store);

    return sim_fixture_teardown(state) == 0 && stopped == 0 ? 0 : -1;
}

/* Run a xenstore tool; its first output line in @out. Returns its exit status. */
static int tool(char *out, size_t size, const char *fmt, ...)
{
    char cmd[512];
    va_list args;
    FILE *p;
    int status;

    va_start(args, fmt);
    vsnprintf(cmd, sizeof(cmd), fmt, args);
    va_end(args);
    p = popen(cmd, "r");
    assert_non_null(p);
    out[0] = '\0';
    if (fgets(out, (int)size, p))
        out[strcspn(out, "\n")] = '\0';
    status = pclose(p);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Payload "a\0b" (with b's NUL when @nul_last): how requests carry two strings. */
static size_t two_strings(char *buf, size_t size, const char *a, const char *b, bool nul_last)
{
    size_t la = strlen(a) + 1, lb = strlen(b) + (nul_last ? 1 : 0);

    assert_true(la + lb <= size);
    memcpy(buf, a, la);
    memcpy(buf + la, b, lb);
    return la + lb;
}

/* One request from the guest; the reply's type, its payload in @reply. */
static uint32_t request(uint32_t type, const void *payload, size_t len, char *reply, size_t size)
{
    struct xsd_sockmsg msg;
    uint32_t id = next_req_id++;

    assert_int_equal(xs_ring_send(&ring, type, id, payload, len), 0);
    assert_int_equal(xs_ring_recv(&ring, &msg, reply, size, 5000), 0);
    assert_int_equal(msg.req_id, id);
    return msg.type;
}

static uint32_t guest_write(const char *path, const char *value, char *reply, size_t size)
{
    char payload[512];

    return request(XS_WRITE, payload, two_strings(payload, sizeof(payload), path, value, false),
                   reply, size);
}

static void test_guest_write_is_read_by_the_tools(void **state)
{
    char path[128], out[256], reply[256];

    snprintf(path, sizeof(path), "/local/domain/%u/data/greeting", fx.domid);
    assert_int_equal(guest_write(path, "written by the guest", reply, sizeof(reply)), XS_WRITE);
    assert_string_equal(reply, "OK");
    assert_int_equal(tool(out, sizeof(out), "xenstore-read %s", path), 0);
    assert_string_equal(out, "written by the guest");
}

static void test_tool_write_is_read_by_the_guest(void **state)
{
    char path[128], out[256], reply[256];

    snprintf(path, sizeof(path), "/local/domain/%u/data/answer", fx.domid);
    assert_int_equal(tool(out, sizeof(out), "xenstore-write %s 42", path), 0);
    assert_int_equal(request(XS_READ, path, strlen(path) + 1, reply, sizeof(reply)), XS_READ);
    assert_string_equal(reply, "42");
    /* The guest's relative paths are under its home. */
    assert_int_equal(request(XS_READ, "data/answer", sizeof("data/answer"), reply, sizeof(reply)),
                     XS_READ);
    assert_string_equal(reply, "42");
}

static void test_guest_cannot_touch_other_domains(void **state)
{
    char reply[256];

    assert_int_equal(guest_write("/local/domain/0/stolen", "x", reply, sizeof(reply)), XS_ERROR);
    assert_string_equal(reply, "EACCES");
    assert_int_equal(request(XS_READ, "/nonexistent", sizeof("/nonexistent"), reply, sizeof(reply)),
                     XS_ERROR);
    assert_true(strcmp(reply, "ENOENT") == 0 || strcmp(reply, "EACCES") == 0);
}

static void test_watch_fires_for_a_tool_write(void **state)
{
    char path[128], payload[256], reply[256], out[64];
    struct xsd_sockmsg msg;
    bool seen = false;

    snprintf(path, sizeof(path), "/local/domain/%u/data/watched", fx.domid);
    assert_int_equal(request(XS_WATCH, payload,
                             two_strings(payload, sizeof(payload), path, "tok", true), reply,
                             sizeof(reply)),
                     XS_WATCH);
    /* A watch fires once when set; then for the write. */
    assert_int_equal(tool(out, sizeof(out), "xenstore-write %s changed", path), 0);
    for (int i = 0; i < 2 && !seen; i++) {
        assert_int_equal(xs_ring_recv(&ring, &msg, reply, sizeof(reply), 5000), 0);
        assert_int_equal(msg.type, XS_WATCH_EVENT);
        assert_string_equal(reply, path);
        assert_string_equal(reply + strlen(reply) + 1, "tok");
        seen = i == 1;
    }
    assert_true(seen);
}

static void test_tools_see_the_domain_tree(void **state)
{
    char path[128], out[256];

    snprintf(path, sizeof(path), "/local/domain/%u/domid", fx.domid);
    assert_int_equal(tool(out, sizeof(out), "xenstore-read %s", path), 0);
    assert_int_equal(atoi(out), (int)fx.domid);
    assert_int_equal(
        tool(out, sizeof(out), "xenstore-read /local/domain/%u/console/port", fx.domid), 0);
    assert_int_equal(atoi(out), (int)rings.console_port);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tools_see_the_domain_tree),
        cmocka_unit_test(test_guest_write_is_read_by_the_tools),
        cmocka_unit_test(test_tool_write_is_read_by_the_guest),
        cmocka_unit_test(test_guest_cannot_touch_other_domains),
        cmocka_unit_test(test_watch_fires_for_a_tool_write),
    };

    int failed = cmocka_run_group_tests_name("C xenstored", tests, setup_c, teardown);

    return failed + cmocka_run_group_tests_name("oxenstored", tests, setup_ocaml, teardown);
}
