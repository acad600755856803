/*
 * tests/sim/nt/xenvbd_boot_test.c - Windows booting from a disk of its
 * domain (winpv-ntsim --boot-disk), which QEMU also shows as an emulated
 * disk until XENBUS unplugs the emulated disks; XENBUS does that at boot
 * once a PV disk driver it lists (xenvbd.inf's UnplugDisks) is installed.
 * With the shipped drivers installed on an earlier boot, the emulated disks
 * go and the boot itself reaches the PV disk, xenbus.sys and xenvbd.sys
 * being boot-start drivers; on the boot that installs them, the emulated
 * disk is still there and serves. A xenvbd.inf that makes the miniport
 * demand-start, installed, unplugs the emulated disks all the same and
 * leaves the boot without a disk: INACCESSIBLE_BOOT_DEVICE (0x7B), the
 * stop Windows users meet after a wrong install. Without a PV disk driver
 * nothing is unplugged; a demand-start miniport still gets a data disk
 * once the boot is done.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "ntsim_fixture.h"

#define BUGCHECK_EXIT 66
#define WAIT_MS       20000

static struct ntsim_run run;
static char packages[64];

/* @from copied to @to byte for byte, or, with @start_type, its "StartType" line made that. */
static void copy_file(const char *from, const char *to, const char *start_type)
{
    FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
    char buf[4096];
    size_t n;

    assert_non_null(in);
    assert_non_null(out);
    if (start_type == NULL) {
        while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
            assert_int_equal(fwrite(buf, 1, n, out), n);
    }
    while (start_type && fgets(buf, sizeof(buf), in)) {
        if (strncmp(buf, "StartType", 9) == 0)
            snprintf(buf, sizeof(buf), "StartType      = %s\r\n", start_type);
        fputs(buf, out);
    }
    fclose(in);
    fclose(out);
}

/*
 * The shipped packages in a directory of the test's, xenvbd's left out
 * (@xenvbd_start NULL and @with_xenvbd false) or its INF's StartType made
 * @xenvbd_start.
 */
static void make_packages(bool with_xenvbd, const char *xenvbd_start)
{
    const char *drivers[] = {"xenbus", "xenvbd"};
    char shipped[512], from[600], to[600];

    ntsim_packages_dir("ntsim-disk-packages", shipped, sizeof(shipped));
    snprintf(packages, sizeof(packages), "/tmp/ntsim-boot-XXXXXX");
    assert_non_null(mkdtemp(packages));
    for (unsigned int i = 0; i < (with_xenvbd ? 2u : 1u); i++) {
        snprintf(to, sizeof(to), "%s/%s", packages, drivers[i]);
        assert_int_equal(mkdir(to, 0755), 0);
        for (unsigned int inf = 0; inf < 2; inf++) {
            snprintf(from, sizeof(from), "%s/%s/%s.%s", shipped, drivers[i], drivers[i],
                     inf ? "inf" : "sys");
            snprintf(to, sizeof(to), "%s/%s/%s.%s", packages, drivers[i], drivers[i],
                     inf ? "inf" : "sys");
            copy_file(from, to, inf && i == 1 ? xenvbd_start : NULL);
        }
    }
}

static void remove_packages(void)
{
    char command[128];

    snprintf(command, sizeof(command), "rm -rf '%s'", packages);
    assert_int_equal(system(command), 0);
}

#define VBD_HWID "XENBUS\\VEN_WPV&DEV_VBD&REV_00000001"

/* Boot, from a disk of the domain with @boot_disk, XENVBD installed earlier with @installed. */
static void boot(bool boot_disk, bool installed)
{
    const unsigned int mib[] = {4};
    const char *args[8] = {"--sequence", "start,serve,remove"};
    size_t n = 2;

    if (boot_disk)
        args[n++] = "--boot-disk";
    if (installed) {
        args[n++] = "--installed";
        args[n++] = VBD_HWID;
    }
    ntsim_start_with_disks(&run, packages, args, mib, 1);
}

static void test_the_shipped_drivers_boot_from_a_pv_disk(void **state)
{
    const char *found, *opened, *done;

    make_packages(true, NULL);
    boot(true, true);
    ntsim_require_nth(&run, "pnp: the boot is done", 1, WAIT_MS);
    ntsim_stop(&run);
    remove_packages();
    assert_int_equal(run.exit_status, 0);
    ntsim_assert_contains(run.log, "winpv: xenbus: emulated devices unplugged: 0x9");
    /* Storport found the disk during the boot, and Windows opened it before the boot ended. */
    found = strstr(run.log, "storport: unit 0:0:0: type 0, fixed");
    opened = strstr(run.log, "system: boot disk: unit 0:0:0, a PV disk\n");
    done = strstr(run.log, "pnp: the boot is done");
    assert_true(found && opened && done && found < opened && opened < done);
    assert_null(strstr(run.log, "waits for the end of the boot"));
}

static void test_the_installing_boot_keeps_the_emulated_disk(void **state)
{
    make_packages(true, NULL);
    boot(true, false);
    ntsim_require_nth(&run, "pnp: the boot is done", 1, WAIT_MS);
    ntsim_require_nth(&run, "storport: scan of 16 target(s): 1 disk(s)", 1, WAIT_MS);
    ntsim_stop(&run);
    remove_packages();
    assert_int_equal(run.exit_status, 0);
    ntsim_assert_contains(run.log,
                          "system: boot disk: the emulated one, which XENBUS left plugged in\n");
}

static void test_a_demand_start_miniport_cannot_boot(void **state)
{
    make_packages(true, "3");
    boot(true, true);
    ntsim_finish(&run);
    remove_packages();
    assert_int_equal(run.exit_status, BUGCHECK_EXIT);
    ntsim_assert_contains(run.log, "pnp: XENBUS\\VEN_WPV&DEV_VBD\\0 waits for the end of the "
                                   "boot: its driver xenvbd has start type 3, not boot\n");
    ntsim_assert_contains(run.log, "INACCESSIBLE_BOOT_DEVICE\n");
    ntsim_assert_contains(run.log, "*** STOP: 0x0000007B");
    assert_null(strstr(run.log, "storport: unit"));
}

static void test_without_a_pv_disk_driver_the_emulated_disk_boots(void **state)
{
    make_packages(false, NULL);
    boot(true, false);
    ntsim_require_nth(&run, "pnp: the boot is done", 1, WAIT_MS);
    ntsim_stop(&run);
    remove_packages();
    assert_int_equal(run.exit_status, 0);
    ntsim_assert_contains(run.log,
                          "system: boot disk: the emulated one, which XENBUS left plugged in\n");
}

static void test_a_demand_start_miniport_finds_a_data_disk_after_the_boot(void **state)
{
    const char *done, *found;

    make_packages(true, "3");
    boot(false, true);
    ntsim_require_nth(&run, "storport: scan of 16 target(s): 1 disk(s)", 1, WAIT_MS);
    ntsim_stop(&run);
    remove_packages();
    assert_int_equal(run.exit_status, 0);
    done = strstr(run.log, "pnp: the boot is done");
    found = strstr(run.log, "storport: unit 0:0:0: type 0, fixed");
    assert_true(done && found && done < found);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_the_shipped_drivers_boot_from_a_pv_disk,
                                  ntsim_abandon_teardown),
        cmocka_unit_test_teardown(test_the_installing_boot_keeps_the_emulated_disk,
                                  ntsim_abandon_teardown),
        cmocka_unit_test_teardown(test_a_demand_start_miniport_cannot_boot, ntsim_abandon_teardown),
        cmocka_unit_test_teardown(test_without_a_pv_disk_driver_the_emulated_disk_boots,
                                  ntsim_abandon_teardown),
        cmocka_unit_test_teardown(test_a_demand_start_miniport_finds_a_data_disk_after_the_boot,
                                  ntsim_abandon_teardown),
    };

    return cmocka_run_group_tests(tests, ntsim_fixture_setup, ntsim_fixture_teardown);
}
