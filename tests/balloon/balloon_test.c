/*
 * tests/balloon/balloon_test.c - core/balloon in a guest of winpv-simd
 * (this process, its pages the domain's RAM) with XENBUS's services and
 * Debian's C xenstored: the toolstack sets memory/target and the pages
 * are counted on both sides, winpv-simd's reservation and the guest's own
 * pages in use; a target the OS cannot meet stops short and moves again
 * when the target changes; a hostile toolstack (garbage, negative, above
 * static-max, the key removed while the balloon moves, static-max
 * unreadable at start) changes nothing; stopping takes every page back.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <xenstore.h>

#include "balloon/balloon.h"
#include "os.h"
#include "os_posix.h"
#include "store.h"
#include "support/sim/services_fixture.h"
#include "support/sim/sim_fixture.h"
#include "xenbus/services.h"

#define FULL_KIB (16384u * 4u) /* the fixture's domain: 64 MiB */

static struct balloon *balloon;
static uint64_t nr_pages_at_start;
static size_t in_use_at_start;

static uint64_t nr_pages(void)
{
    union sim_request_body body = {.domid.domid = fx.domid};
    struct sim_reply reply;

    assert_int_equal(dom0_call(&fx.privcmd, SIM_DOMAIN_INFO, &body, &reply), 0);
    return reply.body.info.nr_pages;
}

static void toolstack_write(const char *node, const char *value)
{
    char path[128];

    snprintf(path, sizeof(path), "/local/domain/%u/%s", fx.domid, node);
    assert_true(xs_write(xenstored.xsh, XBT_NULL, path, value, (unsigned int)strlen(value)));
}

static void toolstack_rm(const char *node)
{
    char path[128];

    snprintf(path, sizeof(path), "/local/domain/%u/%s", fx.domid, node);
    assert_true(xs_rm(xenstored.xsh, XBT_NULL, path));
}

static char *toolstack_read(const char *node)
{
    char path[128];
    unsigned int len;

    snprintf(path, sizeof(path), "/local/domain/%u/%s", fx.domid, node);
    return xs_read(xenstored.xsh, XBT_NULL, path, &len);
}

static void set_target_kib(unsigned int kib)
{
    char value[32];

    snprintf(value, sizeof(value), "%u", kib);
    toolstack_write("memory/target", value);
}

/* Wait (up to 10 s) until the balloon holds @out pages and has stopped moving. */
static void wait_for_out(uint64_t out, bool held)
{
    struct balloon_counts c;

    for (int i = 0; i < 1000; i++) {
        balloon_get_counts(balloon, &c);
        if (c.out == out && (held ? c.held : c.wanted == out))
            return;
        usleep(10000);
    }
    fail_msg("balloon holds %llu page(s) (wanted %llu, held %d), not %llu",
             (unsigned long long)c.out, (unsigned long long)c.wanted, c.held,
             (unsigned long long)out);
}

/* Both sides count @out pages out: Xen's reservation and the guest's pages in use. */
static void assert_counted(uint64_t out)
{
    assert_int_equal(nr_pages(), nr_pages_at_start - out);
    assert_int_equal(os_posix_guest_pages_in_use(), in_use_at_start + out);
}

/* Nothing moves for a while (the watch event was seen and refused). */
static void assert_stays(uint64_t out, bool held)
{
    usleep(300000);
    wait_for_out(out, held);
    assert_counted(out);
}

static int setup(void **state)
{
    return services_fixture_setup(state, XENSTORED_C);
}

static int teardown(void **state)
{
    return services_fixture_teardown(state, false);
}

/* Each test starts a balloon at full memory. */
static int balloon_setup(void **state)
{
    set_target_kib(FULL_KIB);
    nr_pages_at_start = nr_pages();
    in_use_at_start = os_posix_guest_pages_in_use();
    return balloon_start(services.store.client, &balloon) == 0 ? 0 : -1;
}

static int balloon_teardown(void **state)
{
    if (balloon)
        balloon_stop(balloon);
    balloon = NULL;
    /* Every page back from Xen and back to the guest. */
    return nr_pages() == nr_pages_at_start && os_posix_guest_pages_in_use() == in_use_at_start ? 0
                                                                                               : -1;
}

static void test_half_and_back(void **state)
{
    char *feature = toolstack_read("control/feature-balloon");

    assert_non_null(feature);
    assert_string_equal(feature, "1");
    free(feature);
    set_target_kib(FULL_KIB / 2);
    wait_for_out(FULL_KIB / 2 / 4, false);
    assert_counted(FULL_KIB / 2 / 4);
    /* Part of a page asked to stay is a page kept. */
    set_target_kib(FULL_KIB / 2 + 1);
    wait_for_out(FULL_KIB / 2 / 4 - 1, false);
    assert_counted(FULL_KIB / 2 / 4 - 1);
    set_target_kib(FULL_KIB);
    wait_for_out(0, false);
    assert_counted(0);
}

/* A target below what the guest can spare: it gives what it can, holds, and moves on a new target. */
static void test_stops_where_the_os_needs_the_rest(void **state)
{
    struct balloon_counts c;

    set_target_kib(0);
    for (int i = 0; i < 1000; i++) {
        balloon_get_counts(balloon, &c);
        if (c.held)
            break;
        usleep(10000);
    }
    assert_true(c.held);
    assert_int_equal(c.wanted, FULL_KIB / 4);
    /* The guest keeps a sixteenth of its RAM free, and gave the rest it had free. */
    assert_true(c.out > FULL_KIB / 4 / 2);
    assert_true(c.out < FULL_KIB / 4);
    assert_int_equal(os_posix_guest_memory_pages() - os_posix_guest_pages_in_use(),
                     os_posix_guest_memory_pages() / 16);
    assert_counted(c.out);
    assert_stays(c.out, true);
    set_target_kib(FULL_KIB - 1024);
    wait_for_out(1024 / 4, false);
    assert_counted(1024 / 4);
}

static void test_hostile_targets_change_nothing(void **state)
{
    static const char *const hostile[] = {
        "garbage", "-1024",  "",        "32768 ", " 32768",
        "0x8000",  "032768", "32768\n", "1e4",    "99999999999999999999999", /* above UINT64_MAX */
        "65540", /* one page above static-max */
    };

    set_target_kib(FULL_KIB / 2);
    wait_for_out(FULL_KIB / 2 / 4, false);
    for (size_t i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++)
        toolstack_write("memory/target", hostile[i]);
    toolstack_rm("memory/target");
    assert_stays(FULL_KIB / 2 / 4, false);
    /* Still listening. */
    set_target_kib(FULL_KIB);
    wait_for_out(0, false);
}

/* The target removed while the balloon moves: it goes on to the last target it took. */
static void test_target_removed_mid_move(void **state)
{
    struct balloon_counts c = {0};

    set_target_kib(FULL_KIB / 4);
    for (int i = 0; i < 1000 && c.out == 0; i++) {
        usleep(1000);
        balloon_get_counts(balloon, &c);
    }
    toolstack_rm("memory/target");
    balloon_get_counts(balloon, &c);
    assert_true(c.out < FULL_KIB / 4 * 3 / 4); /* removed while moving */
    wait_for_out(FULL_KIB / 4 * 3 / 4, false);
    assert_counted(FULL_KIB / 4 * 3 / 4);
    set_target_kib(FULL_KIB);
    wait_for_out(0, false);
}

/* Stopped while ballooned: every page back from Xen and then to the guest (teardown checks). */
static void test_stop_gives_everything_back(void **state)
{
    char *feature;

    set_target_kib(FULL_KIB / 2);
    wait_for_out(FULL_KIB / 2 / 4, false);
    balloon_stop(balloon);
    balloon = NULL;
    assert_counted(0);
    feature = toolstack_read("control/feature-balloon");
    assert_non_null(feature);
    assert_string_equal(feature, "0");
    free(feature);
}

/* Without a readable memory/static-max there is nothing to measure a target against. */
static void test_no_static_max_no_balloon(void **state)
{
    struct balloon *other = (struct balloon *)1;
    char value[32];

    balloon_stop(balloon);
    balloon = NULL;
    toolstack_write("memory/static-max", "lots");
    assert_int_equal(balloon_start(services.store.client, &other), -XEN_ENOENT);
    assert_null(other);
    toolstack_rm("memory/static-max");
    assert_int_equal(balloon_start(services.store.client, &other), -XEN_ENOENT);
    assert_null(other);
    snprintf(value, sizeof(value), "%u", FULL_KIB);
    toolstack_write("memory/static-max", value);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_half_and_back, balloon_setup, balloon_teardown),
        cmocka_unit_test_setup_teardown(test_stops_where_the_os_needs_the_rest, balloon_setup,
                                        balloon_teardown),
        cmocka_unit_test_setup_teardown(test_hostile_targets_change_nothing, balloon_setup,
                                        balloon_teardown),
        cmocka_unit_test_setup_teardown(test_target_removed_mid_move, balloon_setup,
                                        balloon_teardown),
        cmocka_unit_test_setup_teardown(test_stop_gives_everything_back, balloon_setup,
                                        balloon_teardown),
        cmocka_unit_test_setup_teardown(test_no_static_max_no_balloon, balloon_setup,
                                        balloon_teardown),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
