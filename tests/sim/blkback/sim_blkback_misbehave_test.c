/*
 * tests/sim/blkback/sim_blkback_misbehave_test.c - winpv-blkback as a
 * backend that breaks the rules on purpose (sim/blkback/misbehave.h),
 * seen from the test blkfront's ring: after --misbehave-after N proper
 * answers exactly one is wrong as --misbehave says (another id, the same
 * answer twice, a status or operation outside the request, a response
 * index far past the requests) and the rest are right; --node puts what
 * it is given in a node, over the backend's own value and the toolstack's.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <xen/errno.h>
#include <xen/io/blkif.h>
#include <blkif/nodes.h>

#include "support/sim/sim_fixture.h"
#include "blkback_fixture.h"

#define HANDLE BLKBACK_VDEV(0)

/* A flush, as the request every misbehaviour answers: its id. */
static uint64_t submit_flush(void)
{
    struct blkif_request req = {.operation = BLKIF_OP_FLUSH_DISKCACHE, .handle = HANDLE};

    req.id = next_id();
    assert_int_equal(blkfront_submit(&bf, &req, 1), 0);
    return req.id;
}

static struct blkif_response answer(void)
{
    struct blkif_response rsp;

    assert_int_equal(blkfront_collect(&bf, &rsp, 1), 0);
    return rsp;
}

/* The backend misbehaving as @kind after two proper answers; the first two flushes answered. */
static void start_misbehaving(const char *kind)
{
    const char *const args[] = {"--misbehave", kind, "--misbehave-after", "2", NULL};

    reset_image();
    start_backend(args);
    connect_frontend(NULL);
    for (int i = 0; i < 2; i++) {
        uint64_t id = submit_flush();
        struct blkif_response rsp = answer();

        assert_int_equal(rsp.id, id);
        assert_int_equal(rsp.status, BLKIF_RSP_OKAY);
    }
}

/* The third answer as @kind spoils it; the fourth is right again. */
static struct blkif_response third_answer(const char *kind, uint64_t *id)
{
    struct blkif_response rsp, fourth;
    uint64_t next;

    start_misbehaving(kind);
    *id = submit_flush();
    rsp = answer();
    next = submit_flush();
    fourth = answer();
    assert_int_equal(fourth.id, next);
    assert_int_equal(fourth.operation, BLKIF_OP_FLUSH_DISKCACHE);
    assert_int_equal(fourth.status, BLKIF_RSP_OKAY);
    stop_all();
    return rsp;
}

static void test_an_unknown_id(void **state)
{
    uint64_t id;
    struct blkif_response rsp = third_answer("unknown-id", &id);

    assert_true(rsp.id != id);
    assert_int_equal(rsp.status, BLKIF_RSP_OKAY);
}

static void test_a_status_outside_the_protocol(void **state)
{
    uint64_t id;
    struct blkif_response rsp = third_answer("status", &id);

    assert_int_equal(rsp.id, id);
    assert_int_equal(rsp.status, 7);
}

static void test_another_operation(void **state)
{
    uint64_t id;
    struct blkif_response rsp = third_answer("operation", &id);

    assert_int_equal(rsp.id, id);
    assert_int_equal(rsp.operation, BLKIF_OP_READ);
}

/* The answer again in place of the next one, which never comes. */
static void test_a_duplicate(void **state)
{
    struct blkif_response first, again;
    uint64_t id, next;

    start_misbehaving("duplicate");
    id = submit_flush();
    first = answer();
    next = submit_flush();
    again = answer();
    assert_int_equal(first.id, id);
    assert_memory_equal(&again, &first, sizeof(first));
    assert_true(again.id != next);
    stop_all();
}

static void test_a_response_index_overrun(void **state)
{
    struct blkif_response rsp;

    start_misbehaving("overrun");
    submit_flush();
    assert_int_equal(blkfront_collect(&bf, &rsp, 1), -XEN_EOVERFLOW);
    stop_all();
}

static void test_nodes_hold_what_they_are_given(void **state)
{
    const char *const args[] = {
        "--node", BLKIF_NODE_SECTORS "=0", "--node", BLKIF_NODE_SECTOR_SIZE "=3000",
        "--node", BLKIF_NODE_MODE "=rw",   NULL};

    reset_image();
    start_backend(args);
    assert_string_equal(backend_node(BLKIF_NODE_SECTORS), "0");
    assert_string_equal(backend_node(BLKIF_NODE_SECTOR_SIZE), "3000");
    assert_string_equal(backend_node(BLKIF_NODE_MODE), "rw");
    assert_string_equal(backend_node(BLKIF_NODE_INFO), "0"); /* the others its own */
    stop_all();
}

/* A --node without a value is refused: the backend does not start. */
static void test_a_node_without_a_value_is_refused(void **state)
{
    const char *const args[] = {"--node", BLKIF_NODE_SECTORS, NULL};
    struct blkback_disk disk = {.image = image_path, .args = args};

    reset_image();
    assert_int_equal(blkback_start(&fx.simd, &store, fx.domid, 0, &disk, &backend), -XEN_EIO);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_an_unknown_id, cleanup),
        cmocka_unit_test_teardown(test_a_status_outside_the_protocol, cleanup),
        cmocka_unit_test_teardown(test_another_operation, cleanup),
        cmocka_unit_test_teardown(test_a_duplicate, cleanup),
        cmocka_unit_test_teardown(test_a_response_index_overrun, cleanup),
        cmocka_unit_test_teardown(test_nodes_hold_what_they_are_given, cleanup),
        cmocka_unit_test(test_a_node_without_a_value_is_refused),
    };

    return cmocka_run_group_tests(tests, blkback_fixture_setup, blkback_fixture_teardown);
}
