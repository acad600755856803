/*
 * tests/sim/toolstack/component_end_test.c - a component the toolstack stops,
 * kills or waits for says how it ended, and any end but the planned one
 * fails the caller, naming the component and its log: a non-zero exit, a
 * crash, SIGTERM ignored, a sanitizer report, a crash before a planned
 * kill (winpv-blkback's restart included).
 */
#include <dirent.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <xen/errno.h>

#include "blkback.h"
#include "components.h"
#include "simd.h"
#include "store.h"

static struct simd simd;
static struct xenstore store;
static uint32_t domid;

static int setup(void **state)
{
    if (simd_start(&simd) != 0)
        return -1;
    if (xenstore_start(&simd, &store, XENSTORED_C) != 0 ||
        simd_domain_create(&simd, 256, 1, &domid) != 0) {
        xenstore_stop(&store);
        simd_stop(&simd);
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    int stopped = xenstore_stop(&store);

    return simd_stop(&simd) == 0 && stopped == 0 ? 0 : -1;
}

/* What this process writes to stderr between capture_start and capture_end. */
static struct {
    FILE *file;
    int saved_fd;
    char text[16384];
} capture;

static void capture_start(void)
{
    capture.file = tmpfile();
    assert_non_null(capture.file);
    fflush(stderr);
    capture.saved_fd = dup(STDERR_FILENO);
    dup2(fileno(capture.file), STDERR_FILENO);
}

static const char *capture_end(void)
{
    size_t n;

    fflush(stderr);
    dup2(capture.saved_fd, STDERR_FILENO);
    close(capture.saved_fd);
    rewind(capture.file);
    n = fread(capture.text, 1, sizeof(capture.text) - 1, capture.file);
    capture.text[n] = '\0';
    fclose(capture.file);
    fputs(capture.text, stderr); /* in the test's log too */
    return capture.text;
}

/* Stop @c, which must return @expected; what the toolstack said. */
static const char *said_by_stop(struct component *c, int expected)
{
    capture_start();
    assert_int_equal(component_stop(c), expected);
    return capture_end();
}

static void start_sh(struct component *c, const char *name, const char *script)
{
    char *argv[] = {"/bin/sh", "-c", (char *)script, NULL};

    memset(c, 0, sizeof(*c));
    assert_int_equal(component_start(&simd, c, name, argv, NULL), 0);
}

/* Runs until SIGTERM; @on_term is its trap's action ("" ignores SIGTERM). */
static void start_daemon(struct component *c, const char *name, const char *on_term)
{
    char script[256];

    /* Told it started: a signal must not come before the trap is set. */
    snprintf(script, sizeof(script),
             "ulimit -c 0; trap '%s' TERM; echo started; while :; do sleep 0.05; done", on_term);
    start_sh(c, name, script);
    for (int i = 0; i < 500; i++) {
        FILE *log = fopen(c->log, "r");
        char line[32] = "";

        if (log) {
            if (fgets(line, sizeof(line), log) == NULL)
                line[0] = '\0';
            fclose(log);
        }
        if (strcmp(line, "started\n") == 0)
            return;
        usleep(10000);
    }
    fail_msg("%s did not start", name);
}

/* Until @pid has ended (a zombie: not yet waited for, so the toolstack has not seen it). */
static void wait_until_ended(pid_t pid)
{
    char path[64], stat[256];

    snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
    for (int i = 0; i < 500; i++) {
        FILE *f = fopen(path, "r");
        char *end = NULL;

        if (f && fgets(stat, sizeof(stat), f))
            end = strrchr(stat, ')');
        if (f)
            fclose(f);
        if (end && end[1] == ' ' && end[2] == 'Z')
            return;
        usleep(10000);
    }
    fail_msg("process %d did not end", (int)pid);
}

/* How many processes of process group @pgid still run (zombies do not: they wait to be reaped). */
static int running_in_group(pid_t pgid)
{
    DIR *proc = opendir("/proc");
    struct dirent *e;
    int running = 0;

    assert_non_null(proc);
    while ((e = readdir(proc)) != NULL) {
        char path[300], stat[512], *end;
        int group = 0;
        char state = 0;
        FILE *f;

        if (e->d_name[0] < '0' || e->d_name[0] > '9')
            continue;
        snprintf(path, sizeof(path), "/proc/%s/stat", e->d_name);
        f = fopen(path, "r");
        if (f == NULL)
            continue;
        /* pid (comm) state ppid pgrp ...: comm may hold spaces, so from its ')' */
        if (fgets(stat, sizeof(stat), f) && (end = strrchr(stat, ')')) != NULL &&
            sscanf(end + 1, " %c %*d %d", &state, &group) == 2 && group == pgid && state != 'Z')
            running++;
        fclose(f);
    }
    closedir(proc);
    return running;
}

/* The message names the component, says @how, names its log and shows it. */
static void assert_told(const char *said, const struct component *c, const char *how,
                        const char *log_line)
{
    char label[96];

    snprintf(label, sizeof(label), "%s (pid ", c->name);
    assert_non_null(strstr(said, label));
    assert_non_null(strstr(said, how));
    assert_non_null(strstr(said, c->log));
    if (log_line) {
        snprintf(label, sizeof(label), "%s.log: %s", c->name, log_line);
        assert_non_null(strstr(said, label));
    }
}

static void test_a_clean_stop_says_nothing(void **state)
{
    struct component c;

    start_daemon(&c, "clean", "exit 0");
    assert_string_equal(said_by_stop(&c, 0), "");
    assert_int_equal(c.state, COMPONENT_ENDED_AS_PLANNED);
    assert_int_equal(c.end.kind, COMPONENT_EXITED);
    assert_int_equal(c.end.code, 0);
}

static void test_a_non_zero_exit_on_stop_is_told(void **state)
{
    struct component c;

    start_daemon(&c, "exits-3", "echo cannot save my state >&2; exit 3");
    assert_told(said_by_stop(&c, -XEN_EIO), &c, "exited with status 3", "cannot save my state");
    assert_int_equal(c.state, COMPONENT_ENDED_BADLY);
    assert_int_equal(c.end.kind, COMPONENT_EXITED);
    assert_int_equal(c.end.code, 3);
}

static void test_an_exit_before_the_stop_is_told(void **state)
{
    struct component c;
    pid_t pid;

    start_sh(&c, "exits-4", "echo no configuration >&2; exit 4");
    pid = c.pid;
    wait_until_ended(pid);
    assert_told(said_by_stop(&c, -XEN_ESRCH), &c, "exited with status 4", "no configuration");
    assert_int_equal(c.state, COMPONENT_ENDED_BADLY);
}

static void test_a_crash_on_stop_is_told(void **state)
{
    struct component c;

    start_daemon(&c, "crashes", "echo crashing >&2; kill -SEGV $$");
    assert_told(said_by_stop(&c, -XEN_EIO), &c, "was killed by signal 11", "crashing");
    assert_int_equal(c.end.kind, COMPONENT_SIGNALLED);
    assert_int_equal(c.end.code, SIGSEGV);
}

static void test_ignoring_sigterm_is_told(void **state)
{
    struct component c;
    pid_t pid;

    start_daemon(&c, "deaf", "");
    c.grace_ms = 300;
    pid = c.pid;
    assert_told(said_by_stop(&c, -XEN_EIO), &c, "needed SIGKILL", NULL);
    assert_int_equal(c.end.kind, COMPONENT_KILLED_AFTER_GRACE);
    /* What it started (its sleep) went with it: the whole process group. */
    for (int i = 0; i < 100 && running_in_group(pid) > 0; i++)
        usleep(10000);
    assert_int_equal(running_in_group(pid), 0);
}

static void test_a_sanitizer_report_is_told(void **state)
{
    char program[4096];
    char *argv[] = {program, NULL};
    struct component c = {0};

    simd_path_near_program("leak-at-exit", program, sizeof(program));
    assert_int_equal(component_start(&simd, &c, "leaky", argv, NULL), 0);
    usleep(200 * 1000); /* it has blocked SIGTERM, or dies of it: a failure as well */
    assert_told(said_by_stop(&c, -XEN_EIO), &c,
                "with a sanitizer report: ", "SUMMARY: AddressSanitizer");
    assert_non_null(strstr(c.end.sanitizer_report, "ERROR: LeakSanitizer"));
}

static void test_a_planned_kill_is_clean(void **state)
{
    struct component c;

    start_daemon(&c, "killed", "exit 0");
    capture_start();
    assert_int_equal(component_kill(&c, SIGKILL), 0);
    assert_string_equal(capture_end(), "");
    assert_int_equal(c.state, COMPONENT_ENDED_AS_PLANNED);
}

static void test_another_end_than_the_planned_kill_is_told(void **state)
{
    struct component c;

    start_daemon(&c, "survives", "exit 0");
    capture_start();
    /* Its handler exits 0: clean for a stop, but not the death by SIGTERM planned. */
    assert_int_equal(component_kill(&c, SIGTERM), -XEN_EIO);
    assert_told(capture_end(), &c, "exited with status 0", NULL);
}

static void test_a_crash_before_a_planned_kill_is_told(void **state)
{
    struct component c;

    start_sh(&c, "crashed", "ulimit -c 0; echo gone >&2; kill -SEGV $$");
    wait_until_ended(c.pid);
    capture_start();
    assert_int_equal(component_kill(&c, SIGKILL), -XEN_ESRCH);
    assert_told(capture_end(), &c, "was killed by signal 11", "gone");
    assert_int_equal(c.state, COMPONENT_ENDED_BADLY);
}

/* winpv-blkback's stand-in (blkback_standin.sh) as xvda of the domain. */
static void start_standin(struct blkback *b, bool crash)
{
    char image[320], standin[4096];
    struct blkback_disk disk = {.image = image};
    FILE *f;

    snprintf(image, sizeof(image), "%s/xvda.img", simd.dir);
    f = fopen(image, "w");
    assert_non_null(f);
    fclose(f);
    assert_non_null(realpath("tests/sim/toolstack/blkback_standin.sh", standin));
    setenv("WINPV_BLKBACK", standin, 1);
    setenv("STANDIN_CRASH", crash ? "1" : "0", 1);
    assert_int_equal(blkback_start(&simd, &store, domid, 0, &disk, b), 0);
}

static void test_restart_kills_and_starts_the_backend(void **state)
{
    struct blkback b;
    pid_t first;

    start_standin(&b, false);
    first = b.process.pid;
    assert_int_equal(blkback_restart(&simd, &store, &b), 0);
    assert_true(b.process.pid > 0 && b.process.pid != first);
    assert_int_equal(blkback_stop(&b), 0);
    unsetenv("WINPV_BLKBACK");
}

static void test_a_backend_crash_before_the_restart_fails_it(void **state)
{
    struct blkback b;
    const char *said;

    start_standin(&b, true);
    wait_until_ended(b.process.pid);
    capture_start();
    assert_int_equal(blkback_restart(&simd, &store, &b), -XEN_EIO);
    said = capture_end();
    assert_told(said, &b.process, "was killed by signal 11", "blkback stand-in: crashing");
    assert_non_null(strstr(said, "blkback-xvda.log"));
    assert_int_equal(b.process.state, COMPONENT_ENDED_BADLY);
    unsetenv("WINPV_BLKBACK");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_clean_stop_says_nothing),
        cmocka_unit_test(test_a_non_zero_exit_on_stop_is_told),
        cmocka_unit_test(test_an_exit_before_the_stop_is_told),
        cmocka_unit_test(test_a_crash_on_stop_is_told),
        cmocka_unit_test(test_ignoring_sigterm_is_told),
        cmocka_unit_test(test_a_sanitizer_report_is_told),
        cmocka_unit_test(test_a_planned_kill_is_clean),
        cmocka_unit_test(test_another_end_than_the_planned_kill_is_told),
        cmocka_unit_test(test_a_crash_before_a_planned_kill_is_told),
        cmocka_unit_test(test_restart_kills_and_starts_the_backend),
        cmocka_unit_test(test_a_backend_crash_before_the_restart_fails_it),
    };

    return cmocka_run_group_tests_name("toolstack_component_ends", tests, setup, teardown);
}
