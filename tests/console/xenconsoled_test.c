/*
 * tests/console/xenconsoled_test.c - the guest's PV console as XENBUS's
 * services run it, against Debian's xenconsoled on winpv-simd: what a
 * child writes through the CONSOLE interface and what the drivers log
 * lands in xenconsoled's log of the guest, one line each, a burst larger
 * than the ring whole and in order; what a user types on the console's
 * pty comes up to the interface's reader line by line.
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <xenstore.h>

#include "console.h"
#include "os.h"
#include "support/sim/services_fixture.h"
#include "support/sim/sim_fixture.h"
#include "winpv/console_interface.h"

static struct component consoled;
static char log_dir[320];
static struct winpv_console_interface_v1 table;

static int setup(void **state)
{
    struct winpv_guid guid = WINPV_CONSOLE_INTERFACE_GUID;

    if (services_fixture_setup(state, XENSTORED_C) != 0)
        return -1;
    if (console_start(&fx.simd, &consoled, log_dir, sizeof(log_dir)) != 0 ||
        services_query(&guid, &table.header, sizeof(table)) != 0) {
        services_fixture_teardown(state, false);
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    int consoled_stopped;

    table.header.dereference(table.header.context);
    consoled_stopped = component_stop(&consoled);
    return services_fixture_teardown(state, false) == 0 && consoled_stopped == 0 ? 0 : -1;
}

/* xenconsoled's log of the guest, as it is now. */
static const char *guest_log(void)
{
    static char content[1 << 17];
    char path[400];
    FILE *f;
    size_t n = 0;

    snprintf(path, sizeof(path), "%s/guest-guest%u.log", log_dir, fx.domid);
    f = fopen(path, "r");
    if (f) {
        n = fread(content, 1, sizeof(content) - 1, f);
        fclose(f);
    }
    content[n] = '\0';
    return content;
}

/* Whether the guest's log comes to hold @text within five seconds. */
static bool log_gets(const char *text)
{
    for (int i = 0; i < 500; i++) {
        if (strstr(guest_log(), text))
            return true;
        usleep(10000);
    }
    return false;
}

static unsigned int count(const char *text, const char *what)
{
    unsigned int n = 0;

    for (const char *at = strstr(text, what); at; at = strstr(at + 1, what))
        n++;
    return n;
}

static void test_a_childs_output_reaches_xenconsoled_log(void **state)
{
    static const char text[] = "console: written by a child driver\n";

    assert_int_equal(table.write_wait(table.header.context, text, strlen(text), 5000000000ull), 0);
    assert_true(log_gets(text));
}

static void test_a_burst_larger_than_the_ring_arrives_whole_and_in_order(void **state)
{
    static char text[12000];
    char line[80];

    text[0] = '\0';
    for (int i = 0; i < 200; i++) {
        snprintf(line, sizeof(line), "burst line %03d, around the ring more than once\n", i);
        strcat(text, line);
    }
    assert_true(strlen(text) > 4 * sizeof(((struct xencons_interface *)0)->out));
    assert_int_equal(table.write_wait(table.header.context, text, strlen(text), 5000000000ull), 0);
    assert_true(log_gets(text));
}

static void test_what_the_drivers_log_shows_one_line_each(void **state)
{
    os_log(OS_LOG_INFO, "xenbus: a log line for the console, number %d\n", 1);
    os_log(OS_LOG_WARN, "xenbus: a log line without its newline, number %d", 2);
    os_log(OS_LOG_DEBUG, "xenbus: a debugging line the console does not take\n");
    assert_true(log_gets("xenbus: a log line for the console, number 1\n"
                         "xenbus: a log line without its newline, number 2\n"));
    assert_int_equal(count(guest_log(), "number 1"), 1);
    assert_null(strstr(guest_log(), "debugging line"));
}

struct typed {
    char lines[4][WINPV_CONSOLE_LINE_MAX + 1];
    bool cut[4];
    volatile unsigned int count;
};

static void record(void *arg, const char *line, size_t len, bool cut)
{
    struct typed *typed = arg;
    unsigned int n = typed->count;

    if (n < 4) {
        memcpy(typed->lines[n], line, len + 1);
        typed->cut[n] = cut;
        __atomic_store_n(&typed->count, n + 1, __ATOMIC_RELEASE);
    }
}

static bool typed_lines(struct typed *typed, unsigned int n)
{
    for (int i = 0; i < 500; i++) {
        if (__atomic_load_n(&typed->count, __ATOMIC_ACQUIRE) >= n)
            return true;
        usleep(10000);
    }
    return false;
}

/* The console's pty, as xenconsoled published it for the guest (console/tty). */
static int open_pty(void)
{
    char path[64];
    char *tty = NULL;
    unsigned int len;

    snprintf(path, sizeof(path), "/local/domain/%u/console/tty", fx.domid);
    for (int i = 0; i < 500 && tty == NULL; i++) {
        tty = xs_read(xenstored.xsh, XBT_NULL, path, &len);
        if (tty == NULL)
            usleep(10000);
    }
    assert_non_null(tty);
    int fd = open(tty, O_RDWR | O_NOCTTY);
    free(tty);
    assert_true(fd >= 0);
    return fd;
}

static void test_typed_lines_come_up_one_by_one(void **state)
{
    static struct typed typed;
    char overlong[WINPV_CONSOLE_LINE_MAX + 50];
    int fd = open_pty();

    assert_int_equal(table.reader_add(table.header.context, record, &typed), 0);
    assert_int_equal(table.reader_add(table.header.context, record, &typed), -XEN_EBUSY);
    assert_int_equal(write(fd, "first li", 8), 8);
    usleep(100000); /* a line typed in two goes */
    assert_int_equal(write(fd, "ne\nsecond\n", 10), 10);
    memset(overlong, 'o', sizeof(overlong) - 1);
    overlong[sizeof(overlong) - 2] = '\n';
    assert_int_equal(write(fd, overlong, sizeof(overlong) - 1), sizeof(overlong) - 1);
    assert_true(typed_lines(&typed, 3));
    assert_string_equal(typed.lines[0], "first line");
    assert_string_equal(typed.lines[1], "second");
    assert_false(typed.cut[0] || typed.cut[1]);
    assert_int_equal(strlen(typed.lines[2]), WINPV_CONSOLE_LINE_MAX);
    assert_true(typed.cut[2]);
    table.reader_remove(table.header.context);
    close(fd);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_childs_output_reaches_xenconsoled_log),
        cmocka_unit_test(test_a_burst_larger_than_the_ring_arrives_whole_and_in_order),
        cmocka_unit_test(test_what_the_drivers_log_shows_one_line_each),
        cmocka_unit_test(test_typed_lines_come_up_one_by_one),
    };

    return cmocka_run_group_tests_name("console_xenconsoled", tests, setup, teardown);
}
