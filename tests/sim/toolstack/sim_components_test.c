/*
 * tests/sim/toolstack/sim_components_test.c - when a real component cannot start or
 * dies, the toolstack says which one and why, with its log.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "components.h"
#include "simd.h"

static struct simd simd;

static int setup(void **state)
{
    return simd_start(&simd);
}

static int teardown(void **state)
{
    return simd_stop(&simd);
}

/* Run @fn with stderr going to a buffer; returns what it wrote. */
static const char *stderr_of(void (*fn)(struct component *), struct component *c)
{
    static char text[8192];
    FILE *capture = tmpfile();
    int saved = dup(STDERR_FILENO);
    size_t n;

    assert_non_null(capture);
    fflush(stderr);
    dup2(fileno(capture), STDERR_FILENO);
    fn(c);
    fflush(stderr);
    dup2(saved, STDERR_FILENO);
    close(saved);
    rewind(capture);
    n = fread(text, 1, sizeof(text) - 1, capture);
    text[n] = '\0';
    fclose(capture);
    return text;
}

static void wait_until_dead(struct component *c)
{
    for (int i = 0; i < 500 && component_alive(c); i++)
        usleep(10000);
}

static void test_missing_binary_is_named(void **state)
{
    struct component c = {0};
    char *argv[] = {"/nonexistent/xenstored", NULL};
    const char *said;

    assert_int_equal(component_start(&simd, &c, "xenstored", argv, NULL), 0);
    said = stderr_of(wait_until_dead, &c);
    assert_non_null(strstr(said, "xenstored (pid"));
    assert_non_null(strstr(said, "exited with status 127"));
    assert_non_null(strstr(said, "cannot run /nonexistent/xenstored"));
}

static void test_component_that_dies_says_how(void **state)
{
    struct component c = {0};
    char *argv[] = {"/bin/sh", "-c", "echo 'fatal: no such thing' >&2; kill -SEGV $$", NULL};
    const char *said;

    assert_int_equal(component_start(&simd, &c, "xenconsoled", argv, NULL), 0);
    said = stderr_of(wait_until_dead, &c);
    assert_non_null(strstr(said, "xenconsoled (pid"));
    assert_non_null(strstr(said, "killed by signal 11"));
    assert_non_null(strstr(said, "xenconsoled.log: fatal: no such thing"));
    assert_false(component_alive(&c));
}

static void test_running_component_is_stopped(void **state)
{
    struct component c = {0};
    char *argv[] = {"/bin/sleep", "60", NULL};
    pid_t pid;

    assert_int_equal(component_start(&simd, &c, "sleeper", argv, NULL), 0);
    assert_true(component_alive(&c));
    pid = c.pid;
    assert_int_equal(component_stop(&c), 0);
    assert_int_equal(kill(pid, 0), -1); /* gone, and reaped */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_missing_binary_is_named),
        cmocka_unit_test(test_component_that_dies_says_how),
        cmocka_unit_test(test_running_component_is_stopped),
    };

    return cmocka_run_group_tests_name("sim_components", tests, setup, teardown);
}
