/*
 * tests/sim/nt/xenbus_balloon_test.c - the balloon of the shipped
 * xenbus.sys in the simulated Windows kernel on winpv-simd and Debian's C
 * xenstored: the toolstack sets memory/target to half the domain's 64 MiB
 * and back, and winpv-simd's count of the domain's pages and the guest's
 * kernel log agree on every page; a target below what Windows can spare
 * stops where the kernel keeps its own pages; a hostile toolstack
 * (garbage, negative, above static-max, the key removed) gets a log line
 * each and nothing else; stopping and removing XENBUS while ballooned
 * gives every page back to the domain before Windows has it again, with
 * nothing leaked in the kernel.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ntsim_fixture.h"

#define FULL_KIB   65536u /* the fixture's domain: 64 MiB, memory/static-max */
#define WAIT_MS    20000
#define HALF_PAGES (FULL_KIB / 2 / 4)

static struct ntsim_run run;

static uint64_t nr_pages(void)
{
    struct sim_domain_info info;

    ntsim_domain_info(&run, &info);
    return info.nr_pages;
}

static void set_target_kib(unsigned int kib)
{
    char value[32];

    snprintf(value, sizeof(value), "%u", kib);
    ntsim_store_write(&run, "memory/target", value);
}

static unsigned int count_of(const char *text)
{
    unsigned int n = 0;

    for (const char *at = strstr(run.log, text); at; at = strstr(at + 1, text))
        n++;
    return n;
}

/* The kernel logs "at target" with @pages out (once more than before). */
static void require_at_target(uint64_t pages)
{
    char line[128];

    snprintf(line, sizeof(line), "winpv: balloon: at target: %llu page(s) (%llu KiB) with Xen\n",
             (unsigned long long)pages, (unsigned long long)pages * 4);
    ntsim_require_nth(&run, line, count_of(line) + 1, WAIT_MS);
}

/* Each step ends a serve step on SIGTERM; the step after it is then done. */
static void next_step(const char *done, unsigned int nth)
{
    assert_int_equal(kill(run.pid, SIGTERM), 0);
    ntsim_require_nth(&run, done, nth, WAIT_MS);
}

/* Start xenbus.sys with @sequence of PnP steps; the domain's pages once the balloon runs. */
static uint64_t start(const char *sequence)
{
    const char *args[] = {"--sequence", sequence, NULL};
    char *feature;

    ntsim_start(&run, "xenbus.sys", args);
    ntsim_require_nth(&run, "winpv: balloon: started, memory/static-max 65536 KiB\n", 1, WAIT_MS);
    feature = ntsim_store_read(&run, "control/feature-balloon");
    assert_string_equal(feature, "1");
    free(feature);
    return nr_pages();
}

static void finish(void)
{
    ntsim_stop(&run);
    assert_int_equal(run.exit_status, 0);
    assert_null(strstr(run.log, "leaked"));
    assert_null(strstr(run.log, "BUGCHECK"));
}

static void test_half_and_back_counted_on_both_sides(void **state)
{
    uint64_t full = start("start,serve,remove");

    set_target_kib(FULL_KIB / 2);
    require_at_target(HALF_PAGES);
    assert_int_equal(nr_pages(), full - HALF_PAGES);
    set_target_kib(FULL_KIB);
    require_at_target(0);
    assert_int_equal(nr_pages(), full);
    finish();
}

/* Asked for everything, the guest gives what Windows can spare, holds, and moves on a new target. */
/*
 * Migrated while ballooned: the toolstack carries the target over, so the
 * new domain holds as few pages as the old one did and the guest keeps
 * them out; raised again, every page comes back in the new domain.
 */
static void test_ballooned_guest_migrates_with_its_pages_out(void **state)
{
    uint64_t full = start("start,serve,remove");

    set_target_kib(FULL_KIB / 2);
    require_at_target(HALF_PAGES);
    ntsim_store_write(&run, "control/shutdown", "suspend");
    ntsim_wait_suspended(&run);
    ntsim_domain_migrate(&run);
    ntsim_require_nth(&run, "winpv: xenbus: suspend: restored in domain", 1, WAIT_MS);
    assert_int_equal(nr_pages(), full - HALF_PAGES);
    set_target_kib(FULL_KIB);
    require_at_target(0);
    assert_int_equal(nr_pages(), full);
    finish();
}

static void test_holds_where_windows_needs_the_rest(void **state)
{
    uint64_t full = start("start,serve,remove"), out;
    const char *held = "winpv: balloon: the OS can spare no more pages: holding at ";
    const char *at;

    set_target_kib(0);
    ntsim_require_nth(&run, held, 1, WAIT_MS);
    at = strstr(run.log, held) + strlen(held);
    out = strtoull(at, NULL, 10);
    assert_true(out > HALF_PAGES);
    assert_true(out < FULL_KIB / 4);
    assert_int_equal(nr_pages(), full - out);
    /* Windows still runs: the store still answers it. */
    ntsim_device_add(&run, "vbd", 768);
    ntsim_require_nth(&run, "winpv: xenbus: device/vbd/768 appeared\n", 1, WAIT_MS);
    set_target_kib(FULL_KIB / 2);
    require_at_target(HALF_PAGES);
    assert_int_equal(nr_pages(), full - HALF_PAGES);
    finish();
}

static void test_hostile_toolstack_gets_log_lines_only(void **state)
{
    static const struct {
        const char *value; /* NULL: the node removed */
        const char *line;
    } hostile[] = {
        {"garbage", "memory/target is not a number of KiB: ignored"},
        {"-1024", "memory/target is not a number of KiB: ignored"},
        {"0x8000", "memory/target is not a number of KiB: ignored"},
        {"32768 ", "memory/target is not a number of KiB: ignored"},
        {"", "memory/target is not a number of KiB: ignored"},
        {"99999999999999999999999", "memory/target is not a number of KiB: ignored"},
        {"65540", "memory/target 65540 KiB above memory/static-max 65536 KiB: ignored"},
        {NULL, "memory/target is gone: ignored"},
    };
    uint64_t full = start("start,serve,remove");

    set_target_kib(FULL_KIB / 2);
    require_at_target(HALF_PAGES);
    for (size_t i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
        unsigned int seen = count_of(hostile[i].line);

        if (hostile[i].value)
            ntsim_store_write(&run, "memory/target", hostile[i].value);
        else
            ntsim_store_rm(&run, "memory/target");
        ntsim_require_nth(&run, hostile[i].line, seen + 1, WAIT_MS);
        assert_int_equal(nr_pages(), full - HALF_PAGES);
    }
    /* Nothing else: no step was taken. */
    assert_int_equal(count_of("winpv: balloon: target "), 1);
    set_target_kib(FULL_KIB);
    require_at_target(0);
    finish();
}

/* Stopped and removed while ballooned: the pages come back from Xen before Windows has them. */
static void test_stop_and_remove_while_ballooned_give_everything_back(void **state)
{
    uint64_t full = start("start,serve,stop,serve,start,serve,remove,serve");
    char *feature;

    set_target_kib(FULL_KIB / 2);
    require_at_target(HALF_PAGES);
    next_step("pnp: stop: done", 1);
    ntsim_require_nth(&run, "winpv: balloon: stopped, 8192 page(s) taken back from Xen\n", 1,
                      WAIT_MS);
    assert_int_equal(nr_pages(), run.before.nr_pages);
    feature = ntsim_store_read(&run, "control/feature-balloon");
    assert_string_equal(feature, "0");
    free(feature);
    /* Started again, it goes back to the target still set. */
    next_step("pnp: start: done", 2);
    require_at_target(HALF_PAGES);
    assert_int_equal(nr_pages(), full - HALF_PAGES);
    next_step("pnp: remove: done", 1);
    ntsim_require_nth(&run, "winpv: balloon: stopped, 8192 page(s) taken back from Xen\n", 2,
                      WAIT_MS);
    assert_int_equal(nr_pages(), run.before.nr_pages);
    finish();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_half_and_back_counted_on_both_sides),
        cmocka_unit_test(test_ballooned_guest_migrates_with_its_pages_out),
        cmocka_unit_test(test_holds_where_windows_needs_the_rest),
        cmocka_unit_test(test_hostile_toolstack_gets_log_lines_only),
        cmocka_unit_test(test_stop_and_remove_while_ballooned_give_everything_back),
    };

    return cmocka_run_group_tests(tests, ntsim_fixture_setup, ntsim_fixture_teardown);
}
