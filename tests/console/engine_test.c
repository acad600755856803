/*
 * tests/console/engine_test.c - the console ring engine on a page of its
 * own, the test playing the backend: output at the masked positions across
 * the wrap of the indexes, notified; a full ring drops whole lines and
 * counts them; a writers' lock held too long drops rather than spins;
 * input lines come up however the backend chunks them; suspended, output
 * waits in the ring unnotified; a backend's impossible index stops the
 * console with one log line, also when the console is the log sink; lines
 * logged before a sink attaches reach it once, whole.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "console/console.h"
#include "log/sink.h"

static struct xencons_interface *page;
static struct console con;
static unsigned int notified;

/* What went to the log sink while a test ran. */
static char logged[4096];
static unsigned int log_lines;

static unsigned int count_lines(const char *text)
{
    unsigned int n = 0;

    for (; *text; text++)
        n += *text == '\n';
    return n;
}

static void count_notify(void *ctx)
{
    (void)ctx;
    notified++;
}

static void record_log(void *ctx, enum os_log_level level, const char *line, size_t len)
{
    (void)ctx;
    (void)level;
    if (strlen(logged) + len < sizeof(logged))
        strncat(logged, line, len);
    log_lines++;
}

static void attach(XENCONS_RING_IDX out_at, XENCONS_RING_IDX in_at)
{
    struct console_transport transport = {.notify = count_notify};

    memset(page, 0, sizeof(*page));
    page->out_prod = page->out_cons = out_at;
    page->in_prod = page->in_cons = in_at;
    notified = 0;
    console_attach(&con, page, &transport);
}

static int setup(void **state)
{
    page = calloc(1, sizeof(*page));
    logged[0] = '\0';
    log_lines = 0;
    log_sink_attach(record_log, NULL);
    attach(0, 0);
    return page ? 0 : -1;
}

static int teardown(void **state)
{
    console_detach(&con);
    log_sink_detach();
    free(page);
    return 0;
}

/* The backend takes everything written so far, as xenconsoled does. */
static void backend_consumes(void)
{
    __atomic_store_n(&page->out_cons, __atomic_load_n(&page->out_prod, __ATOMIC_ACQUIRE),
                     __ATOMIC_RELEASE);
}

/* The backend puts @text into in[] and signals. */
static void backend_types(const char *text)
{
    XENCONS_RING_IDX prod = page->in_prod;

    for (size_t i = 0; text[i]; i++, prod++)
        page->in[MASK_XENCONS_IDX(prod, page->in)] = text[i];
    __atomic_store_n(&page->in_prod, prod, __ATOMIC_RELEASE);
    console_on_event(&con);
}

static void test_output_wraps_at_the_ring_and_the_index(void **state)
{
    const XENCONS_RING_IDX start = UINT32_MAX - 5; /* the index wraps within the write */
    struct console_stats stats;

    console_detach(&con);
    attach(start, 0);
    assert_int_equal(console_write(&con, "0123456789", 10), 10);
    assert_int_equal(page->out_prod, (XENCONS_RING_IDX)(start + 10));
    for (XENCONS_RING_IDX i = 0; i < 10; i++)
        assert_int_equal(page->out[MASK_XENCONS_IDX(start + i, page->out)], '0' + i);
    assert_int_equal(page->out[sizeof(page->out) - 1], '5'); /* the array wraps too */
    assert_int_equal(page->out[0], '6');
    assert_int_equal(notified, 1);
    console_stats(&con, &stats);
    assert_int_equal(stats.bytes_written, 10);
}

static void test_a_full_ring_drops_whole_lines_and_counts_them(void **state)
{
    static char fill[sizeof(((struct xencons_interface *)0)->out) - 4];
    struct console_stats stats;

    memset(fill, 'f', sizeof(fill));
    assert_int_equal(console_write(&con, fill, sizeof(fill)), sizeof(fill));
    assert_false(console_write_whole(&con, "too long\n", 9)); /* 4 bytes of room */
    assert_int_equal(page->out_prod, sizeof(fill));
    assert_int_equal(console_write(&con, "partial", 7), 4); /* what fits */
    console_stats(&con, &stats);
    assert_int_equal(stats.bytes_dropped, 9);
    backend_consumes();
    assert_true(console_write_whole(&con, "fits now\n", 9));
}

static void test_a_writers_lock_held_too_long_drops_the_line(void **state)
{
    os_irql_t saved = os_spin_lock(&con.out_lock); /* a holder that never lets go */
    uint64_t start = os_time_ns();
    struct console_stats stats;

    assert_false(console_write_whole(&con, "lost\n", 5));
    assert_true(os_time_ns() - start >= CONSOLE_WRITE_PATIENCE_NS);
    os_spin_unlock(&con.out_lock, saved);
    console_stats(&con, &stats);
    assert_int_equal(stats.bytes_dropped, 5);
    assert_int_equal(page->out_prod, 0);
}

struct lines {
    char text[4][CONSOLE_LINE_MAX + 1];
    bool cut[4];
    unsigned int count;
};

static void record_line(void *ctx, const char *text, size_t len, bool cut)
{
    struct lines *lines = ctx;

    assert_true(lines->count < 4);
    memcpy(lines->text[lines->count], text, len + 1);
    lines->cut[lines->count++] = cut;
    /* A reader may answer on the console from its callback. */
    console_write(&con, "ok\n", 3);
}

static void test_input_comes_up_line_by_line_across_the_wrap(void **state)
{
    struct lines lines = {0};

    console_detach(&con);
    attach(0, UINT32_MAX - 3);
    console_set_input(&con, record_line, &lines);
    backend_types("first li");
    assert_int_equal(lines.count, 0);
    assert_int_equal(page->in_cons, page->in_prod); /* taken off the ring at once */
    backend_types("ne\r\nsecond\n");
    assert_int_equal(lines.count, 2);
    assert_string_equal(lines.text[0], "first line");
    assert_string_equal(lines.text[1], "second");
    assert_int_equal(page->out_prod, 6);
    console_set_input(&con, NULL, NULL);
    backend_types("unread\n");
    assert_int_equal(lines.count, 2);
}

static void test_an_overlong_input_line_is_cut_and_said_so_once(void **state)
{
    struct lines lines = {0};
    char text[CONSOLE_LINE_MAX + 40];

    console_set_input(&con, record_line, &lines);
    memset(text, 'x', sizeof(text) - 2);
    strcpy(text + sizeof(text) - 2, "\n");
    backend_types(text);
    backend_types(text);
    assert_int_equal(lines.count, 2);
    assert_true(lines.cut[0] && lines.cut[1]);
    assert_int_equal(strlen(lines.text[0]), CONSOLE_LINE_MAX);
    assert_non_null(strstr(logged, "console: an input line longer than 256 bytes was cut"));
    assert_int_equal(log_lines, 1);
    console_set_input(&con, NULL, NULL);
}

static void test_suspended_output_waits_unnotified(void **state)
{
    console_suspend(&con);
    assert_int_equal(console_write(&con, "meanwhile\n", 10), 10);
    assert_int_equal(notified, 0);
    console_resume(&con, page);
    assert_int_equal(notified, 1);
    assert_int_equal(console_state(&con), CONSOLE_RUNNING);
}

static void test_an_impossible_input_index_stops_the_console(void **state)
{
    struct lines lines = {0};

    console_set_input(&con, record_line, &lines);
    page->in[0] = 'a';
    page->in_prod = sizeof(page->in) + 1; /* more than the ring holds */
    console_on_event(&con);
    console_on_event(&con);
    assert_int_equal(console_state(&con), CONSOLE_BROKEN);
    assert_int_equal(lines.count, 0);
    assert_int_equal(page->in_cons, 0);
    assert_int_equal(log_lines, 1);
    assert_non_null(strstr(logged, "console: the backend broke the console page (in_prod)"));
    assert_int_equal(console_write(&con, "x", 1), 0);
    assert_int_equal(page->out_prod, 0);
    console_set_input(&con, NULL, NULL);
}

static void test_an_impossible_output_index_stops_the_console(void **state)
{
    page->out_cons = 3000; /* the backend claims to have read what was never written */
    assert_int_equal(console_write(&con, "x", 1), 0);
    assert_int_equal(console_state(&con), CONSOLE_BROKEN);
    assert_int_equal(console_write(&con, "y", 1), 0);
    assert_int_equal(log_lines, 1);
    assert_int_equal(page->out_prod, 0);
}

static void test_impossible_indexes_found_at_attach(void **state)
{
    struct console_transport transport = {.notify = count_notify};

    console_detach(&con);
    page->in_prod = 7000;
    console_attach(&con, page, &transport);
    assert_int_equal(console_state(&con), CONSOLE_BROKEN);
    assert_int_equal(log_lines, 1);
}

/* The sink XENBUS attaches: each log line to the console. */
static void to_console(void *ctx, enum os_log_level level, const char *line, size_t len)
{
    (void)level;
    console_write_whole(ctx, line, len);
}

static void test_as_the_log_sink_its_own_failure_is_logged_without_a_loop(void **state)
{
    log_sink_detach();
    log_sink_attach(to_console, &con);
    os_log(OS_LOG_INFO, "a line %d\n", 1);
    assert_int_equal(memcmp(page->out, "a line 1\n", 9), 0);
    page->out_cons = 5000;
    os_log(OS_LOG_WARN, "a line the backend broke\n"); /* the sink logs the breakage: back to it */
    assert_int_equal(console_state(&con), CONSOLE_BROKEN);
    assert_int_equal(page->out_prod, 9);
    log_sink_detach();
    log_sink_attach(record_log, NULL);
}

static void test_lines_logged_before_a_sink_attaches_reach_it_once(void **state)
{
    size_t len;

    log_sink_detach();
    os_log(OS_LOG_INFO, "early line %d\n", 1);
    os_log(OS_LOG_DEBUG, "a debugging line is not kept\n");
    os_log(OS_LOG_ERROR, "early line %d", 2);
    for (int i = 0; i < 100; i++)
        os_log(OS_LOG_INFO, "filler line %03d, some forty bytes long\n", i);
    assert_int_equal(log_lines, 0);
    log_sink_attach(record_log, NULL);
    len = strlen(logged);
    assert_int_equal(strncmp(logged, "early line 1\nearly line 2\nfiller line 000", 40), 0);
    assert_null(strstr(logged, "debugging"));
    assert_null(strstr(logged, "filler line 099"));                      /* beyond what is kept */
    assert_true(len <= LOG_SINK_EARLY_BYTES && logged[len - 1] == '\n'); /* whole lines */
    assert_int_equal(log_lines, count_lines(logged));
    log_sink_detach();
    log_lines = 0;
    log_sink_attach(record_log, NULL);
    assert_int_equal(log_lines, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_output_wraps_at_the_ring_and_the_index, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_a_full_ring_drops_whole_lines_and_counts_them, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_a_writers_lock_held_too_long_drops_the_line, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_input_comes_up_line_by_line_across_the_wrap, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_an_overlong_input_line_is_cut_and_said_so_once, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_suspended_output_waits_unnotified, setup, teardown),
        cmocka_unit_test_setup_teardown(test_an_impossible_input_index_stops_the_console, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_an_impossible_output_index_stops_the_console, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_impossible_indexes_found_at_attach, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_as_the_log_sink_its_own_failure_is_logged_without_a_loop, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lines_logged_before_a_sink_attaches_reach_it_once,
                                        setup, teardown),
    };

    return cmocka_run_group_tests_name("console_engine", tests, NULL, NULL);
}
