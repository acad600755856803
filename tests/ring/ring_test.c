/*
 * tests/ring/ring_test.c - the ring engine on one thread: geometry, empty,
 * full, 32-bit index wrap-around, notification decisions, and a hostile
 * other end on either side.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "os.h"
#include "ring_fixture.h"

#define ONE_PAGE 4096u
#define HEADER   sizeof(struct xen_sring_header)

static void produce(struct ring_pair *pair, uint64_t seq, unsigned int count)
{
    for (unsigned int i = 0; i < count; i++) {
        union test_entry *req = ring_front_next_request(&pair->front);

        req->req.seq = seq + i;
        req->req.payload = (uint32_t)(seq + i) * 7u;
    }
}

/* The back end takes @count requests, checks them and answers each. */
static void serve(struct ring_pair *pair, uint64_t seq, unsigned int count)
{
    assert_int_equal(ring_back_poll(&pair->back), count);
    for (unsigned int i = 0; i < count; i++) {
        union test_entry req;
        union test_entry *rsp;

        assert_true(ring_back_take(&pair->back, &req));
        assert_int_equal(req.req.seq, seq + i);
        assert_int_equal(req.req.payload, (uint32_t)(seq + i) * 7u);
        rsp = ring_back_next_response(&pair->back);
        rsp->rsp.seq = req.req.seq;
        rsp->rsp.status = (int32_t)i;
    }
    assert_false(ring_back_take(&pair->back, &(union test_entry){0}));
}

static void consume(struct ring_pair *pair, uint64_t seq, unsigned int count)
{
    assert_int_equal(ring_front_poll(&pair->front), count);
    for (unsigned int i = 0; i < count; i++) {
        union test_entry rsp;

        assert_true(ring_front_take(&pair->front, &rsp));
        assert_int_equal(rsp.rsp.seq, seq + i);
    }
    assert_false(ring_front_take(&pair->front, &(union test_entry){0}));
}

static void test_geometry_is_largest_power_of_two_that_fits(void **state)
{
    static const size_t entry_sizes[] = {1, 8, 12, 16, 24, 112, 200, 1000, 4032};
    static const size_t ring_bytes[] = {ONE_PAGE, 2 * ONE_PAGE, 16 * ONE_PAGE, 100000};

    for (size_t e = 0; e < sizeof(entry_sizes) / sizeof(entry_sizes[0]); e++) {
        for (size_t b = 0; b < sizeof(ring_bytes) / sizeof(ring_bytes[0]); b++) {
            size_t entry = entry_sizes[e], bytes = ring_bytes[b];
            uint32_t n = ring_entries_for(bytes, entry);

            assert_true(n > 0);
            assert_int_equal(n & (n - 1), 0);                    /* a power of two */
            assert_true(HEADER + (size_t)n * entry <= bytes);    /* that fits */
            assert_true(HEADER + 2 * (size_t)n * entry > bytes); /* the largest one */
        }
    }
    assert_int_equal(ring_entries_for(HEADER, 8), 0);
    assert_int_equal(ring_entries_for(ONE_PAGE, 0), 0);
    assert_int_equal(ring_entries_for(ONE_PAGE, ONE_PAGE), 0);
}

static void test_init_rejects_a_ring_without_room(void **state)
{
    struct ring_front front;
    struct ring_back back;
    uint8_t small[HEADER + 4];

    assert_int_equal(ring_front_init(&front, small, sizeof(small), 8), -XEN_EINVAL);
    assert_int_equal(ring_back_attach(&back, small, sizeof(small), 8, 0), -XEN_EINVAL);
    assert_int_equal(ring_front_init(&front, NULL, ONE_PAGE, 8), -XEN_EINVAL);
}

static void test_empty_ring(void **state)
{
    struct ring_pair pair;
    union test_entry entry;

    ring_pair_init(&pair, ONE_PAGE, 0);
    assert_int_equal(ring_front_free_slots(&pair.front), pair.front.ring.size);
    assert_int_equal(ring_front_poll(&pair.front), 0);
    assert_false(ring_front_take(&pair.front, &entry));
    assert_int_equal(ring_back_poll(&pair.back), 0);
    assert_false(ring_back_take(&pair.back, &entry));
    assert_false(ring_front_final_check(&pair.front));
    assert_false(ring_back_final_check(&pair.back));
    ring_pair_fini(&pair);
}

static void test_full_ring(void **state)
{
    struct ring_pair pair;
    uint32_t size;

    ring_pair_init(&pair, ONE_PAGE, 0);
    size = pair.front.ring.size;
    produce(&pair, 0, size);
    assert_int_equal(ring_front_free_slots(&pair.front), 0);
    ring_front_push(&pair.front);
    serve(&pair, 0, size);
    ring_back_push(&pair.back);
    /* Slots come back only as responses are consumed. */
    assert_int_equal(ring_front_free_slots(&pair.front), 0);
    consume(&pair, 0, size);
    assert_int_equal(ring_front_free_slots(&pair.front), size);
    ring_pair_fini(&pair);
}

/* A back end never takes more requests than it has response slots for. */
static void test_back_end_takes_no_more_than_it_can_answer(void **state)
{
    struct ring_pair pair;
    uint32_t size;

    ring_pair_init(&pair, ONE_PAGE, 0);
    size = pair.front.ring.size;
    produce(&pair, 0, size);
    ring_front_push(&pair.front);
    assert_int_equal(ring_back_poll(&pair.back), size);
    for (uint32_t i = 0; i < size; i++)
        assert_true(ring_back_take(&pair.back, &(union test_entry){0}));
    /* All taken, none answered: nothing more may be taken. */
    assert_int_equal(ring_back_poll(&pair.back), 0);
    ring_pair_fini(&pair);
}

static void test_indices_wrap_at_32_bits(void **state)
{
    struct ring_pair pair;
    const RING_IDX start = UINT32_MAX - 20;
    uint64_t seq = 0;

    ring_pair_init(&pair, ONE_PAGE, start);
    /* Batches of odd sizes cross the 2^32 boundary and every slot several times. */
    for (unsigned int round = 0; round < 40; round++) {
        unsigned int count = 1 + round % pair.front.ring.size;

        if (count > ring_front_free_slots(&pair.front))
            count = ring_front_free_slots(&pair.front);
        produce(&pair, seq, count);
        ring_front_push(&pair.front);
        serve(&pair, seq, count);
        ring_back_push(&pair.back);
        consume(&pair, seq, count);
        seq += count;
    }
    assert_true(pair.front.rsp_cons < start); /* it did wrap */
    assert_int_equal(pair.front.rsp_cons, (RING_IDX)(start + seq));
    ring_pair_fini(&pair);
}

static void test_notify_only_when_the_other_end_waits(void **state)
{
    struct ring_pair pair;
    union test_entry entry;

    ring_pair_init(&pair, ONE_PAGE, 0);
    /* A new ring waits for the first request. */
    produce(&pair, 0, 1);
    assert_true(ring_front_push(&pair.front));
    /* The back end has not re-armed: more requests need no event. */
    produce(&pair, 1, 2);
    assert_false(ring_front_push(&pair.front));
    /* Having drained the ring, the back end arms and sleeps: notify again. */
    serve(&pair, 0, 3);
    assert_false(ring_back_final_check(&pair.back));
    produce(&pair, 3, 1);
    assert_true(ring_front_push(&pair.front));
    /* Publishing nothing new never notifies. */
    assert_false(ring_front_push(&pair.front));

    /* Responses: the front end asks for an event after 2 more. */
    serve(&pair, 3, 1);
    ring_front_arm(&pair.front, 2);
    assert_true(ring_back_push(&pair.back)); /* 4 published, the 2nd among them */
    consume(&pair, 0, 4);
    ring_front_arm(&pair.front, 2);
    produce(&pair, 4, 1);
    ring_front_push(&pair.front);
    serve(&pair, 4, 1);
    assert_false(ring_back_push(&pair.back)); /* 1 of the 2 asked for */
    produce(&pair, 5, 1);
    ring_front_push(&pair.front);
    serve(&pair, 5, 1);
    assert_true(ring_back_push(&pair.back)); /* the 2nd */
    consume(&pair, 4, 2);
    assert_false(ring_front_take(&pair.front, &entry));
    ring_pair_fini(&pair);
}

/* final_check must see a response that arrived just before it armed. */
static void test_final_check_closes_the_race(void **state)
{
    struct ring_pair pair;

    ring_pair_init(&pair, ONE_PAGE, 0);
    produce(&pair, 0, 1);
    ring_front_push(&pair.front);
    serve(&pair, 0, 1);
    ring_back_push(&pair.back);
    assert_true(ring_front_final_check(&pair.front));
    consume(&pair, 0, 1);
    assert_false(ring_front_final_check(&pair.front));
    assert_int_equal(pair.front.ring.shared->rsp_event, pair.front.rsp_cons + 1);
    ring_pair_fini(&pair);
}

/* Armed for the 3rd response from now: the 1st and 2nd come without an event. */
static void test_final_check_after_batches_events(void **state)
{
    struct ring_pair pair;

    ring_pair_init(&pair, ONE_PAGE, 0);
    produce(&pair, 0, 2);
    ring_front_push(&pair.front);
    assert_false(ring_front_final_check_after(&pair.front, 3));
    assert_int_equal(pair.front.ring.shared->rsp_event, 3);
    serve(&pair, 0, 2);
    assert_false(ring_back_push(&pair.back));
    produce(&pair, 2, 1);
    ring_front_push(&pair.front);
    serve(&pair, 2, 1);
    assert_true(ring_back_push(&pair.back));
    /* Responses already there: nothing armed, look again. */
    assert_true(ring_front_final_check_after(&pair.front, 3));
    assert_int_equal(pair.front.ring.shared->rsp_event, 3);
    consume(&pair, 0, 3);
    ring_pair_fini(&pair);
}

static void test_hostile_back_end_index_past_the_ring(void **state)
{
    struct ring_pair pair;
    struct xen_sring_header *sring;

    ring_pair_init(&pair, ONE_PAGE, 0);
    sring = pair.shared;
    produce(&pair, 0, 2);
    ring_front_push(&pair.front);

    /* More responses than requests outstanding, by one and by far. */
    sring->rsp_prod = 3;
    assert_int_equal(ring_front_poll(&pair.front), -XEN_EOVERFLOW);
    sring->rsp_prod = pair.front.ring.size + 5;
    assert_int_equal(ring_front_poll(&pair.front), -XEN_EOVERFLOW);
    sring->rsp_prod = UINT32_MAX; /* "behind" the consumer */
    assert_int_equal(ring_front_poll(&pair.front), -XEN_EOVERFLOW);
    /* Nothing was consumed by the bad polls. */
    assert_false(ring_front_take(&pair.front, &(union test_entry){0}));
    assert_int_equal(pair.front.rsp_cons, 0);

    /* A valid index is accepted again. */
    serve(&pair, 0, 2);
    ring_back_push(&pair.back);
    consume(&pair, 0, 2);
    ring_pair_fini(&pair);
}

static void test_hostile_front_end_index_past_the_ring(void **state)
{
    struct ring_pair pair;
    struct xen_sring_header *sring;

    ring_pair_init(&pair, ONE_PAGE, 0);
    sring = pair.shared;
    sring->req_prod = pair.back.ring.size + 1;
    assert_int_equal(ring_back_poll(&pair.back), -XEN_EOVERFLOW);
    sring->req_prod = UINT32_MAX;
    assert_int_equal(ring_back_poll(&pair.back), -XEN_EOVERFLOW);
    assert_false(ring_back_take(&pair.back, &(union test_entry){0}));
    /* Exactly a ring's worth is legal. */
    sring->req_prod = pair.back.ring.size;
    assert_int_equal(ring_back_poll(&pair.back), pair.back.ring.size);
    ring_pair_fini(&pair);
}

/* An index that goes backwards, past requests already taken, is caught too. */
static void test_hostile_front_end_index_going_backwards(void **state)
{
    struct ring_pair pair;
    struct xen_sring_header *sring;

    ring_pair_init(&pair, ONE_PAGE, 0);
    sring = pair.shared;
    produce(&pair, 0, 5);
    ring_front_push(&pair.front);
    assert_int_equal(ring_back_poll(&pair.back), 5);
    for (int i = 0; i < 5; i++)
        assert_true(ring_back_take(&pair.back, &(union test_entry){0}));
    sring->req_prod = 3;
    assert_int_equal(ring_back_poll(&pair.back), -XEN_EOVERFLOW);
    assert_false(ring_back_take(&pair.back, &(union test_entry){0}));
    ring_pair_fini(&pair);
}

/* A response is copied out: changing the slot later changes nothing. */
static void test_responses_are_copied_out(void **state)
{
    struct ring_pair pair;
    union test_entry rsp;
    union test_entry *slot;

    ring_pair_init(&pair, ONE_PAGE, 0);
    produce(&pair, 0, 1);
    ring_front_push(&pair.front);
    assert_int_equal(ring_back_poll(&pair.back), 1);
    assert_true(ring_back_take(&pair.back, &rsp));
    slot = ring_back_next_response(&pair.back);
    slot->rsp.seq = 42;
    ring_back_push(&pair.back);
    assert_int_equal(ring_front_poll(&pair.front), 1);
    assert_true(ring_front_take(&pair.front, &rsp));
    slot->rsp.seq = 666; /* the back end rewrites it after the fact */
    assert_int_equal(rsp.rsp.seq, 42);
    ring_pair_fini(&pair);
}

/* Multi-page rings: the entry array spans the pages. */
static void test_multi_page_ring(void **state)
{
    struct ring_pair pair;
    uint32_t size;

    ring_pair_init(&pair, 16 * ONE_PAGE, 0);
    size = pair.front.ring.size;
    assert_int_equal(size, ring_entries_for(16 * ONE_PAGE, sizeof(union test_entry)));
    assert_true(size > ring_entries_for(ONE_PAGE, sizeof(union test_entry)));
    produce(&pair, 0, size);
    ring_front_push(&pair.front);
    serve(&pair, 0, size);
    ring_back_push(&pair.back);
    consume(&pair, 0, size);
    ring_pair_fini(&pair);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_geometry_is_largest_power_of_two_that_fits),
        cmocka_unit_test(test_init_rejects_a_ring_without_room),
        cmocka_unit_test(test_empty_ring),
        cmocka_unit_test(test_full_ring),
        cmocka_unit_test(test_back_end_takes_no_more_than_it_can_answer),
        cmocka_unit_test(test_indices_wrap_at_32_bits),
        cmocka_unit_test(test_notify_only_when_the_other_end_waits),
        cmocka_unit_test(test_final_check_closes_the_race),
        cmocka_unit_test(test_final_check_after_batches_events),
        cmocka_unit_test(test_hostile_back_end_index_past_the_ring),
        cmocka_unit_test(test_hostile_front_end_index_past_the_ring),
        cmocka_unit_test(test_hostile_front_end_index_going_backwards),
        cmocka_unit_test(test_responses_are_copied_out),
        cmocka_unit_test(test_multi_page_ring),
    };

    return cmocka_run_group_tests_name("ring", tests, NULL, NULL);
}
