/*
 * tests/xenbus/unplug_test.c - the emulated-device unplug protocol
 * (core/xenbus/unplug.c) as a guest of winpv-simd runs it on the platform
 * device's ports: what the toolstack sees unplugged, the product and build
 * announced, a blacklisted build refused with nothing unplugged (and
 * refused again when asked again); and
 * against a scripted device answering what no device model should: no
 * magic, protocol version 0, garbage after the announcement.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "os.h"
#include "os_posix.h"
#include "support/sim/sim_fixture.h"
#include "xenbus/unplug.h"

#define BUILD 4711u

static struct sim_domain_info domain_info(void)
{
    union sim_request_body body = {.domid.domid = fx.domid};
    struct sim_reply reply;

    assert_int_equal(dom0_call(&fx.privcmd, SIM_DOMAIN_INFO, &body, &reply), 0);
    return reply.body.info;
}

static void test_unplugs_what_it_names(void **state)
{
    struct sim_domain_info info;

    assert_int_equal(xenbus_unplug(XENBUS_UNPLUG_DISKS | XENBUS_UNPLUG_NICS, BUILD), 0);
    info = domain_info();
    assert_int_equal(info.unplugged, XENBUS_UNPLUG_DISKS | XENBUS_UNPLUG_NICS);
    assert_int_equal(info.pv_product, 0xffff);
    assert_int_equal(info.pv_build, BUILD);
    assert_int_equal(info.pv_refused, 0);
}

/* Nothing to unplug: the drivers still announce themselves (and could be refused). */
static void test_nothing_named_nothing_unplugged(void **state)
{
    struct sim_domain_info info;

    assert_int_equal(xenbus_unplug(0, BUILD), 0);
    info = domain_info();
    assert_int_equal(info.unplugged, 0);
    assert_int_equal(info.pv_product, 0xffff);
    assert_int_equal(info.pv_build, BUILD);
}

static void test_blacklisted_build_unplugs_nothing(void **state)
{
    struct sim_domain_info info;

    assert_int_equal(simd_driver_blacklist(&fx.simd, XENBUS_UNPLUG_PRODUCT, BUILD, true), 0);
    assert_int_equal(xenbus_unplug(XENBUS_UNPLUG_DISKS | XENBUS_UNPLUG_NVME, BUILD), -XEN_EACCES);
    info = domain_info();
    assert_int_equal(info.unplugged, 0);
    assert_int_equal(info.pv_refused, 1);
    /* Asked again, the device model still refuses (the magic reads refused at once). */
    assert_int_equal(xenbus_unplug(XENBUS_UNPLUG_NVME, BUILD), -XEN_EACCES);
    assert_int_equal(domain_info().unplugged, 0);
    assert_int_equal(simd_driver_blacklist(&fx.simd, XENBUS_UNPLUG_PRODUCT, BUILD, false), 0);
}

/* The blacklist names one build: another is accepted. */
static void test_other_build_blacklisted_unplugs(void **state)
{
    assert_int_equal(simd_driver_blacklist(&fx.simd, XENBUS_UNPLUG_PRODUCT, BUILD + 1, true), 0);
    assert_int_equal(xenbus_unplug(XENBUS_UNPLUG_NVME, BUILD), 0);
    assert_int_equal(domain_info().unplugged, XENBUS_UNPLUG_NVME);
    assert_int_equal(domain_info().pv_refused, 0);
    assert_int_equal(simd_driver_blacklist(&fx.simd, XENBUS_UNPLUG_PRODUCT, BUILD + 1, false), 0);
}

/* -- a scripted device: the answers to reads in turn, and the writes seen -- */

struct scripted {
    uint32_t answers[4];
    unsigned int read;
    struct {
        uint16_t port;
        unsigned int bytes;
        uint32_t value;
    } writes[8];
    unsigned int written;
};

static uint32_t scripted_in(void *ctx, uint16_t port, unsigned int bytes)
{
    struct scripted *s = ctx;

    return s->read < 4 ? s->answers[s->read++] : UINT32_MAX;
}

static void scripted_out(void *ctx, uint16_t port, unsigned int bytes, uint32_t value)
{
    struct scripted *s = ctx;

    if (s->written < 8)
        s->writes[s->written++] = (typeof(s->writes[0])){port, bytes, value};
}

static int run_scripted(struct scripted *s, uint16_t mask)
{
    const struct os_posix_platform platform = {
        .port_in = scripted_in, .port_out = scripted_out, .ctx = s};
    int rc;

    os_posix_set_platform(&platform);
    rc = xenbus_unplug(mask, BUILD);
    os_posix_set_platform(NULL);
    return rc;
}

static void test_refused_at_first_read_announces_nothing(void **state)
{
    struct scripted s = {.answers = {0xd249}};

    assert_int_equal(run_scripted(&s, XENBUS_UNPLUG_DISKS), -XEN_EACCES);
    assert_int_equal(s.written, 0);
}

static void test_no_magic_does_nothing(void **state)
{
    struct scripted none = {.answers = {0xffff}}, other = {.answers = {0x1234}};

    assert_int_equal(run_scripted(&none, XENBUS_UNPLUG_DISKS), -XEN_ENODEV);
    assert_int_equal(none.written, 0);
    assert_int_equal(run_scripted(&other, XENBUS_UNPLUG_DISKS), -XEN_ENODEV);
    assert_int_equal(other.written, 0);
    assert_int_equal(other.read, 1);
}

/* Version 0: no announcement, straight to the unplug. */
static void test_version_zero_unplugs_unannounced(void **state)
{
    struct scripted s = {.answers = {0x49d2, 0}};

    assert_int_equal(run_scripted(&s, XENBUS_UNPLUG_NICS), 0);
    assert_int_equal(s.written, 1);
    assert_int_equal(s.writes[0].port, 0x10);
    assert_int_equal(s.writes[0].bytes, 2);
    assert_int_equal(s.writes[0].value, XENBUS_UNPLUG_NICS);
}

static void test_garbage_after_announcement_unplugs_nothing(void **state)
{
    struct scripted s = {.answers = {0x49d2, 1, 0xbeef}};

    assert_int_equal(run_scripted(&s, XENBUS_UNPLUG_DISKS), -XEN_EIO);
    /* The product (16 bits to 0x12) and the build (32 bits to 0x10), no mask. */
    assert_int_equal(s.written, 2);
    assert_int_equal(s.writes[0].port, 0x12);
    assert_int_equal(s.writes[0].bytes, 2);
    assert_int_equal(s.writes[0].value, XENBUS_UNPLUG_PRODUCT);
    assert_int_equal(s.writes[1].port, 0x10);
    assert_int_equal(s.writes[1].bytes, 4);
    assert_int_equal(s.writes[1].value, BUILD);
}

/* A version the protocol does not know yet is taken as 1: the announcement comes first. */
static void test_later_version_announces(void **state)
{
    struct scripted s = {.answers = {0x49d2, 0xff, 0x49d2}};

    assert_int_equal(run_scripted(&s, XENBUS_UNPLUG_AUX_DISKS), 0);
    assert_int_equal(s.written, 3);
    assert_int_equal(s.writes[2].value, XENBUS_UNPLUG_AUX_DISKS);
}

int main(void)
{
    const struct CMUnitTest scripted[] = {
        cmocka_unit_test(test_no_magic_does_nothing),
        cmocka_unit_test(test_refused_at_first_read_announces_nothing),
        cmocka_unit_test(test_version_zero_unplugs_unannounced),
        cmocka_unit_test(test_garbage_after_announcement_unplugs_nothing),
        cmocka_unit_test(test_later_version_announces),
    };
    /* A fresh domain each: what winpv-simd records is per domain. */
    const struct CMUnitTest on_simd[] = {
        cmocka_unit_test_setup_teardown(test_unplugs_what_it_names, sim_fixture_setup,
                                        sim_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_nothing_named_nothing_unplugged, sim_fixture_setup,
                                        sim_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_blacklisted_build_unplugs_nothing, sim_fixture_setup,
                                        sim_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_other_build_blacklisted_unplugs, sim_fixture_setup,
                                        sim_fixture_teardown),
    };

    return cmocka_run_group_tests_name("unplug on a scripted device", scripted, NULL, NULL) +
           cmocka_run_group_tests_name("unplug on winpv-simd", on_simd, NULL, NULL);
}
