/*
 * tests/ring/ring_threads_test.c - a front end and a back end on two
 * threads, each sleeping when idle and woken only by the events the engine
 * says to send. A lost wake-up shows as a stall (the wait times out), a
 * data race as a TSan report, a reordered or corrupted entry as a wrong
 * sequence number.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "os.h"
#include "ring_fixture.h"

#define REQUESTS 200000u
#define STALL_NS (10ull * 1000 * 1000 * 1000)

struct channel {
    struct ring_pair pair;
    struct os_event wake_front; /* "event channel" towards the front end */
    struct os_event wake_back;
    uint64_t notifications_to_back;
    uint64_t notifications_to_front;
    int back_error;
};

/* Sleep until notified; a stall means a notification was lost. */
static int sleep_until_notified(struct os_event *event)
{
    int rc = os_event_wait(event, STALL_NS);

    os_event_clear(event);
    return rc;
}

static void *back_end_main(void *arg)
{
    struct channel *ch = arg;
    struct ring_back *back = &ch->pair.back;
    uint64_t expected = 0;

    while (expected < REQUESTS) {
        int ready = ring_back_poll(back);

        if (ready < 0) {
            ch->back_error = ready;
            return NULL;
        }
        for (int i = 0; i < ready; i++) {
            union test_entry req;
            union test_entry *rsp;

            ring_back_take(back, &req);
            if (req.req.seq != expected++) {
                ch->back_error = -XEN_EBADMSG;
                return NULL;
            }
            rsp = ring_back_next_response(back);
            rsp->rsp.seq = req.req.seq;
            rsp->rsp.status = 0;
        }
        if (ring_back_push(back)) {
            ch->notifications_to_front++;
            os_event_set(&ch->wake_front);
        }
        if (ready == 0 && !ring_back_final_check(back) && sleep_until_notified(&ch->wake_back)) {
            ch->back_error = -XEN_ETIMEDOUT;
            return NULL;
        }
    }
    return NULL;
}

static void test_front_and_back_on_two_threads(void **state)
{
    struct channel ch = {0};
    struct ring_front *front = &ch.pair.front;
    pthread_t back_thread;
    uint64_t sent = 0, answered = 0;

    ring_pair_init(&ch.pair, 4096, 0);
    os_event_init(&ch.wake_front);
    os_event_init(&ch.wake_back);
    assert_int_equal(pthread_create(&back_thread, NULL, back_end_main, &ch), 0);

    while (answered < REQUESTS) {
        int ready;
        bool progress = false;

        while (sent < REQUESTS && ring_front_free_slots(front) > 0) {
            union test_entry *req = ring_front_next_request(front);

            req->req.seq = sent++;
            progress = true;
        }
        if (ring_front_push(front)) {
            ch.notifications_to_back++;
            os_event_set(&ch.wake_back);
        }
        ready = ring_front_poll(front);
        assert_true(ready >= 0);
        for (int i = 0; i < ready; i++) {
            union test_entry rsp;

            assert_true(ring_front_take(front, &rsp));
            assert_int_equal(rsp.rsp.seq, answered);
            answered++;
            progress = true;
        }
        if (!progress && !ring_front_final_check(front))
            assert_int_equal(sleep_until_notified(&ch.wake_front), 0);
    }
    assert_int_equal(pthread_join(back_thread, NULL), 0);
    assert_int_equal(ch.back_error, 0);
    /* Hold-off works: far fewer events than requests in each direction. */
    print_message("# %llu requests, %llu events to the back end, %llu to the front end\n",
                  (unsigned long long)REQUESTS, (unsigned long long)ch.notifications_to_back,
                  (unsigned long long)ch.notifications_to_front);
    assert_true(ch.notifications_to_back < REQUESTS);
    assert_true(ch.notifications_to_front < REQUESTS);
    ring_pair_fini(&ch.pair);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_front_and_back_on_two_threads),
    };

    return cmocka_run_group_tests_name("ring_threads", tests, NULL, NULL);
}
