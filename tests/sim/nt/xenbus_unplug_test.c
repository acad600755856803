/*
 * tests/sim/nt/xenbus_unplug_test.c - the shipped xenbus.sys unplugging
 * emulated devices in the simulated Windows kernel (windows/xenbus/unplug.c)
 * on winpv-simd's platform device: the classes whose PV drivers an earlier
 * boot installed (the test packages' INFs list them in XENBUS's Parameters
 * key) are what the toolstack sees unplugged, nothing without them, nothing
 * for a list naming a removed driver or no list at all; once per boot (a
 * STOP and START unplug nothing more); a build the toolstack blacklisted is
 * refused: XENBUS logs it and stands by, with nothing unplugged and nothing
 * of Xen's taken.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "ntsim_fixture.h"
#include "proto.h"
#include "winpv/version.h"
#include "xenbus/unplug.h"

#define PACKAGES      "ntsim-unplug-packages"
#define CHILD_ID(cls) "XENBUS\\VEN_" WINPV_VENDOR_PREFIX "&DEV_" cls
#define DISK_MASK     (XENBUS_UNPLUG_DISKS | XENBUS_UNPLUG_NVME)

static struct ntsim_run run;

/* Start XENBUS after an earlier boot installed the drivers of @installed (NULL-ended). */
static void start_after_installing(const char *const *installed, const char *sequence)
{
    const char *args[16] = {"--sequence", sequence};
    size_t n = 2;

    for (size_t i = 0; installed[i] && n < 14; i++) {
        args[n++] = "--installed";
        args[n++] = installed[i];
    }
    ntsim_start_packages(&run, PACKAGES, args);
    ntsim_require_nth(&run, "pnp: start: done", 1, 20000);
}

/* The domain's unplug as the toolstack sees it once XENBUS started, then the run ended. */
static struct sim_domain_info unplug_of(const char *const *installed)
{
    struct sim_domain_info info;

    start_after_installing(installed, "start,serve");
    ntsim_domain_info(&run, &info);
    ntsim_stop(&run);
    assert_int_equal(run.exit_status, 0);
    assert_null(strstr(run.log, "leaked"));
    return info;
}

static void assert_announced(const struct sim_domain_info *info)
{
    assert_int_equal(info->pv_product, XENBUS_UNPLUG_PRODUCT);
    assert_int_equal(info->pv_build, WINPV_VERSION_BUILD);
    assert_int_equal(info->pv_refused, 0);
}

static void test_unplugs_installed_disks_and_nics(void **state)
{
    const char *installed[] = {CHILD_ID("VBD"), CHILD_ID("VIF"), NULL};
    struct sim_domain_info info = unplug_of(installed);

    assert_int_equal(info.unplugged, DISK_MASK | XENBUS_UNPLUG_NICS);
    assert_int_equal(info.pv_unplugs, 1);
    assert_announced(&info);
    ntsim_assert_contains(run.log, "winpv: xenbus: emulated devices unplugged: 0xb\n");
    ntsim_assert_contains(run.log, "winpv: xenbus: xenstore connected");
}

/* Without a PV disk driver the emulated disks stay: only the NICs go. */
static void test_keeps_disks_without_a_disk_driver(void **state)
{
    const char *installed[] = {CHILD_ID("VIF"), NULL};
    struct sim_domain_info info = unplug_of(installed);

    assert_int_equal(info.unplugged, XENBUS_UNPLUG_NICS);
    assert_announced(&info);
}

static void test_nothing_installed_nothing_unplugged(void **state)
{
    const char *installed[] = {NULL};
    struct sim_domain_info info = unplug_of(installed);

    assert_int_equal(info.unplugged, 0);
    assert_int_equal(info.pv_unplugs, 0);
    assert_announced(&info); /* still announced: the build could have been refused */
}

/* A removed driver's name, a value of another type, a key path for a name: nothing unplugged. */
static void test_misconfigured_lists_unplug_nothing(void **state)
{
    const char *installed[] = {CHILD_ID("MISCONFIGURED"), NULL};
    struct sim_domain_info info = unplug_of(installed);

    assert_int_equal(info.unplugged, 0);
    ntsim_assert_contains(run.log,
                          "winpv: xenbus: Parameters\\UnplugNics is not a list of services");
    ntsim_assert_contains(run.log,
                          "winpv: xenbus: Parameters\\UnplugAuxDisks is not a list of services");
    assert_null(strstr(run.log, "Parameters\\UnplugDisks is not"));
}

/* Once per boot: XENBUS stopped and started again unplugs nothing more. */
static void test_unplugs_once_per_boot(void **state)
{
    const char *installed[] = {CHILD_ID("VBD"), NULL};
    struct sim_domain_info info;

    start_after_installing(installed, "start,serve,stop,start,serve");
    ntsim_domain_info(&run, &info);
    assert_int_equal(info.unplugged, DISK_MASK);
    assert_int_equal(info.pv_unplugs, 1);
    assert_int_equal(kill(run.pid, SIGTERM), 0);
    ntsim_require_nth(&run, "pnp: start: done", 2, 20000);
    ntsim_domain_info(&run, &info);
    assert_int_equal(info.unplugged, DISK_MASK);
    assert_int_equal(info.pv_unplugs, 1);
    ntsim_stop(&run);
    assert_int_equal(run.exit_status, 0);
    ntsim_assert_contains(run.log,
                          "winpv: xenbus: emulated devices unplugged this boot already (0x9)\n");
    /* Served again all the same. */
    assert_non_null(strstr(strstr(run.log, "xenstore connected") + 1, "xenstore connected"));
}

/*
 * Migrated, the guest keeps what it unplugged: the restored domain's
 * device model answers as the saved one's did (QEMU's save record carries
 * it), so the emulated disks do not come back under the PV ones.
 */
static void test_unplug_survives_a_migration(void **state)
{
    const char *installed[] = {CHILD_ID("VBD"), NULL};
    struct sim_domain_info info;

    start_after_installing(installed, "start,serve");
    ntsim_store_write(&run, "control/shutdown", "suspend");
    ntsim_wait_suspended(&run);
    ntsim_domain_migrate(&run);
    ntsim_require_nth(&run, "winpv: xenbus: suspend: restored in domain", 1, 20000);
    ntsim_domain_info(&run, &info);
    assert_int_equal(info.unplugged, DISK_MASK);
    assert_int_equal(info.pv_unplugs, 1);
    assert_announced(&info);
    ntsim_stop(&run);
    assert_int_equal(run.exit_status, 0);
}

static int unlist_build(void **state)
{
    ntsim_driver_blacklist(XENBUS_UNPLUG_PRODUCT, WINPV_VERSION_BUILD, false);
    return 0;
}

/*
 * The toolstack blacklisted this build: XENBUS says so and stands by, at
 * every START of the boot, with nothing unplugged and nothing of Xen's taken.
 */
static void test_blacklisted_build_stands_by(void **state)
{
    const char *installed[] = {CHILD_ID("VBD"), CHILD_ID("VIF"), NULL};
    struct sim_domain_info info;
    char line[160];

    ntsim_driver_blacklist(XENBUS_UNPLUG_PRODUCT, WINPV_VERSION_BUILD, true);
    start_after_installing(installed, "start,serve,stop,start,serve");
    ntsim_domain_info(&run, &info);
    assert_int_equal(info.unplugged, 0);
    assert_int_equal(info.pv_unplugs, 0);
    assert_int_equal(info.pv_refused, 1);
    assert_int_equal(info.ports_open, run.before.ports_open);
    assert_int_equal(info.grant_frames_shown, 0);
    assert_true(info.shared_info_gfn == SIM_NO_FRAME);
    assert_int_equal(kill(run.pid, SIGTERM), 0);
    ntsim_require_nth(&run, "pnp: start: done", 2, 20000);
    ntsim_domain_info(&run, &info);
    assert_int_equal(info.unplugged, 0);
    assert_int_equal(info.ports_open, run.before.ports_open);
    ntsim_stop(&run);
    assert_int_equal(run.exit_status, 0);
    snprintf(line, sizeof(line),
             "winpv: xenbus: the platform device refused build %u (blacklisted): the PV drivers "
             "do not load, emulated devices stay\n",
             WINPV_VERSION_BUILD);
    ntsim_assert_contains(run.log, line);
    ntsim_assert_contains(run.log,
                          "winpv: xenbus: standing by: the platform device refused this build\n");
    ntsim_assert_contains(run.log,
                          "winpv: xenbus: emulated devices unplugged this boot already (0); the "
                          "build was refused: standing by\n");
    assert_null(strstr(run.log, "xenstore connected"));
    assert_null(strstr(run.log, "new child"));
    assert_null(strstr(run.log, "leaked"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unplugs_installed_disks_and_nics),
        cmocka_unit_test(test_keeps_disks_without_a_disk_driver),
        cmocka_unit_test(test_nothing_installed_nothing_unplugged),
        cmocka_unit_test(test_unplug_survives_a_migration),
        cmocka_unit_test(test_misconfigured_lists_unplug_nothing),
        cmocka_unit_test(test_unplugs_once_per_boot),
        cmocka_unit_test_teardown(test_blacklisted_build_stands_by, unlist_build),
    };

    return cmocka_run_group_tests_name("xenbus.sys unplug", tests, ntsim_fixture_setup,
                                       ntsim_fixture_teardown);
}
