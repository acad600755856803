/*
 * tests/console/engine_threads_test.c - writers on several processors at
 * once (as log lines come from every vCPU), a backend taking output on
 * another: every line arrives once and whole, none mixed into another,
 * under TSan.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "console/console.h"

#define WRITERS 4
#define LINES   400

static struct xencons_interface page;
static struct console con;
static volatile uint32_t notified, writers_done;

static void count_notify(void *ctx)
{
    (void)ctx;
    os_atomic_add32(&notified, 1);
}

static void *writer(void *arg)
{
    unsigned int id = (unsigned int)(uintptr_t)arg;
    char line[64];

    for (unsigned int i = 0; i < LINES; i++) {
        int len = snprintf(line, sizeof(line), "writer %u line %03u\n", id, i);

        /* Whole or not at all: a dropped line is written again once there is room. */
        while (!console_write_whole(&con, line, (size_t)len))
            sched_yield();
    }
    os_atomic_add32(&writers_done, 1);
    return NULL;
}

/* As xenconsoled: take what the ring holds, in order, until every writer is done and it is empty. */
static void backend(char *out, size_t size, size_t *used)
{
    for (;;) {
        bool done = os_atomic_load32(&writers_done) == WRITERS;
        XENCONS_RING_IDX prod = __atomic_load_n(&page.out_prod, __ATOMIC_ACQUIRE);
        XENCONS_RING_IDX cons = page.out_cons;

        assert_true(prod - cons <= sizeof(page.out));
        for (; cons != prod; cons++) {
            assert_true(*used < size);
            out[(*used)++] = page.out[MASK_XENCONS_IDX(cons, page.out)];
        }
        __atomic_store_n(&page.out_cons, cons, __ATOMIC_RELEASE);
        if (done && cons == __atomic_load_n(&page.out_prod, __ATOMIC_ACQUIRE))
            return;
        sched_yield();
    }
}

static void test_lines_from_many_writers_arrive_once_and_whole(void **state)
{
    struct console_transport transport = {.notify = count_notify};
    static char out[WRITERS * LINES * 32];
    static unsigned char seen[WRITERS][LINES];
    pthread_t threads[WRITERS];
    size_t used = 0;

    console_attach(&con, &page, &transport);
    for (unsigned int i = 0; i < WRITERS; i++)
        assert_int_equal(pthread_create(&threads[i], NULL, writer, (void *)(uintptr_t)i), 0);
    backend(out, sizeof(out), &used);
    for (unsigned int i = 0; i < WRITERS; i++)
        pthread_join(threads[i], NULL);
    for (size_t at = 0; at < used;) {
        unsigned int id, n;
        char end;

        assert_int_equal(sscanf(out + at, "writer %u line %u%c", &id, &n, &end), 3);
        assert_true(id < WRITERS && n < LINES && end == '\n');
        seen[id][n]++;
        at = (size_t)((char *)memchr(out + at, '\n', used - at) - out) + 1;
    }
    for (unsigned int i = 0; i < WRITERS; i++)
        for (unsigned int n = 0; n < LINES; n++)
            assert_int_equal(seen[i][n], 1);
    assert_true(os_atomic_load32(&notified) > 0);
    console_detach(&con);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lines_from_many_writers_arrive_once_and_whole),
    };

    return cmocka_run_group_tests_name("console_engine_threads", tests, NULL, NULL);
}
