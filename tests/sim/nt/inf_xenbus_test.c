/*
 * The shipped package: dist/x64 as `make` leaves it, with
 * windows/xenbus/xenbus.inf beside xenbus.sys. The Xen platform device, as
 * Windows 10's PCI bus reports it, gets XENBUS as a boot-start kernel
 * driver loaded from the package; XenServer's devices get it too, other
 * devices and older Windows do not; the registry is seeded as Windows
 * would seed it.
 *
 * The package directory is INF_TEST_DIST in the environment, or the one
 * module.mk compiles in.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inf_fixture.h"
#include "nt/pci_ids.h"
#include "nt/registry_inf.h"

#ifndef INF_TEST_DIST
#define INF_TEST_DIST "dist/x64"
#endif

#define SYSTEM_CLASS "{4d36e97d-e325-11ce-bfc1-08002be10318}"

/*
 * The platform device (QEMU's xen-platform: vendor 5853, device 0001,
 * subsystem 5853:0001, revision 1, class FF80 interface 00) as Windows 10
 * lists its IDs: the formats of Microsoft's "Identifiers for PCI devices",
 * where Windows 10 reports VEN&DEV&REV and VEN&DEV as compatible IDs.
 */
static const char *const platform_hardware[] = {
    "PCI\\VEN_5853&DEV_0001&SUBSYS_00015853&REV_01",
    "PCI\\VEN_5853&DEV_0001&SUBSYS_00015853",
    "PCI\\VEN_5853&DEV_0001&CC_FF8000",
    "PCI\\VEN_5853&DEV_0001&CC_FF80",
};
static const char *const platform_compatible[] = {
    "PCI\\VEN_5853&DEV_0001&REV_01",
    "PCI\\VEN_5853&DEV_0001",
    "PCI\\VEN_5853&CC_FF8000",
    "PCI\\VEN_5853&CC_FF80",
    "PCI\\VEN_5853",
    "PCI\\CC_FF8000",
    "PCI\\CC_FF80",
};
static const struct nt_device_ids platform = {platform_hardware, 4, platform_compatible, 7};

static const char *dist(void)
{
    const char *dir = getenv("INF_TEST_DIST");

    return dir && *dir ? dir : INF_TEST_DIST;
}

static int select_driver_in(const char *dir, const struct nt_device_ids *ids,
                            const struct nt_os_version *os, struct nt_inf_driver *driver)
{
    char error[NT_INF_ERROR_SIZE] = "";
    int err = nt_inf_select(dir, ids, os, driver, error, sizeof(error));

    print_message("# %s\n", err ? error : driver->inf_path);
    return err;
}

static int select_driver(const struct nt_device_ids *ids, const struct nt_os_version *os,
                         struct nt_inf_driver *driver)
{
    return select_driver_in(dist(), ids, os, driver);
}

static void test_the_platform_device_gets_xenbus(void **state)
{
    char path[PATH_MAX], *image;
    struct nt_inf_driver driver;
    uint8_t mz[2] = {0};
    FILE *f;

    assert_int_equal(select_driver(&platform, NULL, &driver), 0);
    snprintf(path, sizeof(path), "%s/xenbus/xenbus.sys", dist());
    image = realpath(path, NULL);
    assert_non_null(image);
    assert_string_equal(driver.image_path, image);
    free(image);
    f = fopen(driver.image_path, "rb");
    assert_non_null(f);
    assert_int_equal(fread(mz, 1, 2, f), 2);
    fclose(f);
    assert_memory_equal(mz, "MZ", 2);

    assert_non_null(strstr(driver.inf_path, "/xenbus/xenbus.inf"));
    assert_string_equal(driver.service.name, "xenbus");
    assert_true(driver.service.flags & 0x2);   /* the device's function driver */
    assert_int_equal(driver.service.type, 1);  /* SERVICE_KERNEL_DRIVER */
    assert_int_equal(driver.service.start, 0); /* SERVICE_BOOT_START */
    assert_int_equal(driver.service.error_control, 1);
    assert_string_equal(driver.service.group, "Boot Bus Extender");
    assert_string_equal(driver.service.binary, "C:\\Windows\\System32\\drivers\\xenbus.sys");
    assert_string_equal(driver.class_name, "System");
    assert_string_equal(driver.class_guid, SYSTEM_CLASS);
    /* The model's ID is the device's second compatible ID. */
    assert_string_equal(driver.matched_id, "PCI\\VEN_5853&DEV_0001");
    assert_int_equal(driver.rank, 0x00ff2001);
    assert_string_equal(driver.install_section, "XenBus_Install.NTamd64");
    assert_int_equal(driver.file_count, 1);
    nt_inf_driver_free(&driver);
}

static void assert_gets_xenbus(const struct nt_device_ids *ids, const char *matched_id)
{
    struct nt_inf_driver driver;

    assert_int_equal(select_driver(ids, NULL, &driver), 0);
    assert_string_equal(driver.service.name, "xenbus");
    assert_string_equal(driver.matched_id, matched_id);
    nt_inf_driver_free(&driver);
}

static void test_xenservers_platform_device_gets_xenbus(void **state)
{
    struct nt_pci_ids ids;

    assert_gets_xenbus(nt_pci_ids(&ids, 0x5853, 0x0002, 0x0002, 1, 0xff8000),
                       "PCI\\VEN_5853&DEV_0002");
}

/* A vendor's PV device (class 0880, as QEMU's xen-pvdevice presents it). */
static const struct nt_device_ids *vendor_device(struct nt_pci_ids *ids, unsigned int device)
{
    return nt_pci_ids(ids, 0x5853, device, device, 1, 0x088000);
}

/* This build binds the vendor device make's VENDOR_DEVICE_ID names, and no other. */
static void test_this_build_binds_its_vendor_device_only(void **state)
{
    const char *configured = WINPV_VENDOR_DEVICE_ID;
    unsigned int device = *configured ? (unsigned int)strtoul(configured, NULL, 16) : 0;
    struct nt_inf_driver driver;
    struct nt_pci_ids ids;
    char matched[64];

    /* Vendors' IDs across the range (C000-FFFE), 0x101 apart, and its last: none but this build's. */
    for (unsigned int other = 0xc000; other < 0xffff; other += 0x101) {
        if (other != device)
            assert_int_equal(select_driver(vendor_device(&ids, other), NULL, &driver), -ENOENT);
    }
    if (device != 0xfffe)
        assert_int_equal(select_driver(vendor_device(&ids, 0xfffe), NULL, &driver), -ENOENT);
    if (device) {
        snprintf(matched, sizeof(matched), "PCI\\VEN_5853&DEV_%04X", device);
        assert_gets_xenbus(vendor_device(&ids, device), matched);
    }
}

/* scripts/vendor-inf writes xenbus.inf for a vendor: its device bound, nothing else changed. */
static void test_a_vendors_package_binds_its_device(void **state)
{
    const char *dir = inf_fixture_scratch();
    char command[PATH_MAX * 2];
    struct nt_inf_driver driver;
    struct nt_pci_ids ids;

    inf_fixture_write(dir, "xenbus/xenbus.sys", "MZ", 2);
    snprintf(command, sizeof(command),
             "scripts/vendor-inf windows/xenbus/xenbus.inf %s/xenbus/xenbus.inf TST C2A0", dir);
    assert_int_equal(system(command), 0);
    assert_int_equal(select_driver_in(dir, vendor_device(&ids, 0xc2a0), NULL, &driver), 0);
    assert_string_equal(driver.service.name, "xenbus");
    assert_string_equal(driver.matched_id, "PCI\\VEN_5853&DEV_C2A0");
    nt_inf_driver_free(&driver);
    assert_int_equal(select_driver_in(dir, vendor_device(&ids, 0xc000), NULL, &driver), -ENOENT);
    assert_int_equal(select_driver_in(dir, &platform, NULL, &driver), 0);
    nt_inf_driver_free(&driver);
    /* Without a device the line goes: nothing but the platform devices binds. */
    snprintf(command, sizeof(command),
             "scripts/vendor-inf windows/xenbus/xenbus.inf %s/xenbus/xenbus.inf TST", dir);
    assert_int_equal(system(command), 0);
    assert_int_equal(select_driver_in(dir, vendor_device(&ids, 0xc2a0), NULL, &driver), -ENOENT);
    /* A token the script does not know is refused, and no INF written. */
    inf_fixture_write(dir, "bad.inf", "x = @VENDOR_NAME@\n", 18);
    snprintf(command, sizeof(command), "scripts/vendor-inf %s/bad.inf %s/out.inf TST 2>/dev/null",
             dir, dir);
    assert_int_not_equal(system(command), 0);
    snprintf(command, sizeof(command), "test ! -e %s/out.inf", dir);
    assert_int_equal(system(command), 0);
    inf_fixture_remove_scratch();
}

/* The fixture makes other devices' IDs in the formats of the platform device's. */
static void test_the_ids_are_windows_10_s(void **state)
{
    struct nt_pci_ids ids;
    const struct nt_device_ids *made = nt_pci_ids(&ids, 0x5853, 1, 1, 1, 0xff8000);

    assert_int_equal(made->hardware_count, platform.hardware_count);
    assert_int_equal(made->compatible_count, platform.compatible_count);
    for (size_t i = 0; i < platform.hardware_count; i++)
        assert_string_equal(made->hardware[i], platform.hardware[i]);
    for (size_t i = 0; i < platform.compatible_count; i++)
        assert_string_equal(made->compatible[i], platform.compatible[i]);
}

static void test_other_devices_and_older_windows_get_nothing(void **state)
{
    const struct nt_os_version windows81 = {6, 3, 9600, 1, 0x100};
    const struct nt_os_version windows10_1511 = {10, 0, 10586, 1, 0x100};
    struct nt_inf_driver driver;
    struct nt_pci_ids ids;

    assert_int_equal(
        select_driver(nt_pci_ids(&ids, 0x5853, 0x0003, 0x0003, 1, 0xff8000), NULL, &driver),
        -ENOENT);
    assert_int_equal(
        select_driver(nt_pci_ids(&ids, 0x8086, 0x7010, 0x1100, 0, 0x010180), NULL, &driver),
        -ENOENT);
    assert_int_equal(select_driver(&platform, &windows81, &driver), -ENOENT);
    assert_int_equal(select_driver(&platform, &windows10_1511, &driver), -ENOENT);
}

static void test_the_inf_says_what_windows_requires(void **state)
{
    char path[PATH_MAX], error[NT_INF_ERROR_SIZE];
    struct nt_inf *inf;

    snprintf(path, sizeof(path), "%s/xenbus/xenbus.inf", dist());
    assert_int_equal(nt_inf_load(path, &inf, error, sizeof(error)), 0);
    assert_string_equal(nt_inf_value(inf, "Version", "Signature"), "$Windows NT$");
    assert_string_equal(nt_inf_value(inf, "Version", "CatalogFile"), "xenbus.cat");
    assert_string_equal(nt_inf_value(inf, "Version", "PnpLockdown"), "1");
    assert_non_null(nt_inf_value(inf, "Version", "Provider"));
    assert_non_null(nt_inf_value(inf, "Version", "DriverVer"));
    nt_inf_free(inf);
}

static void test_the_registry_is_seeded_from_it(void **state)
{
    static const char instance[] = "PCI\\VEN_5853&DEV_0001&SUBSYS_00015853&REV_01\\3&267a616a&0&18";
    char error[NT_INF_ERROR_SIZE] = "", value[256];
    struct nt_installed_keys keys;
    struct nt_registry *registry;
    struct nt_inf_driver driver;
    struct nt_reg_key *key;
    uint8_t buffer[512];
    struct nt_reg_data out = {.data = buffer, .size = sizeof(buffer)};

    assert_int_equal(select_driver(&platform, NULL, &driver), 0);
    assert_int_equal(nt_registry_create(&registry), 0);
    assert_int_equal(nt_registry_install(registry, &driver, instance, &keys, error, sizeof(error)),
                     0);
    nt_inf_driver_free(&driver);
    assert_int_equal(nt_reg_open(registry, NULL, NT_REG_SERVICES "\\xenbus", &key), 0);
    assert_ptr_equal(key, keys.service);
    assert_int_equal(nt_reg_query_value(key, "Start", &out), 0);
    assert_int_equal(out.type, 4);
    assert_memory_equal(buffer, "\0\0\0\0", 4);
    assert_int_equal(nt_reg_query_value(key, "Type", &out), 0);
    assert_memory_equal(buffer, "\1\0\0\0", 4);
    assert_int_equal(nt_reg_query_value(key, "Group", &out), 0);
    for (size_t i = 0; i < out.length / 2; i++)
        value[i] = (char)buffer[2 * i];
    assert_string_equal(value, "Boot Bus Extender");
    assert_int_equal(nt_reg_query_value(key, "ImagePath", &out), 0);
    assert_int_equal(out.type, 2);
    for (size_t i = 0; i < out.length / 2; i++)
        value[i] = (char)buffer[2 * i];
    assert_string_equal(value, "\\SystemRoot\\System32\\drivers\\xenbus.sys");
    assert_int_equal(nt_reg_open(registry, key, "Parameters", &key), 0);
    assert_int_equal(nt_reg_open(registry, NULL, NT_REG_ENUM "\\PCI", &key), 0);
    assert_int_equal(nt_reg_query_value(keys.instance, "Service", &out), 0);
    assert_memory_equal(buffer, "x\0e\0n\0b\0u\0s\0\0", 14);
    nt_registry_destroy(registry);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_the_platform_device_gets_xenbus),
        cmocka_unit_test(test_the_ids_are_windows_10_s),
        cmocka_unit_test(test_xenservers_platform_device_gets_xenbus),
        cmocka_unit_test(test_this_build_binds_its_vendor_device_only),
        cmocka_unit_test(test_a_vendors_package_binds_its_device),
        cmocka_unit_test(test_other_devices_and_older_windows_get_nothing),
        cmocka_unit_test(test_the_inf_says_what_windows_requires),
        cmocka_unit_test(test_the_registry_is_seeded_from_it),
    };

    return cmocka_run_group_tests_name("inf_xenbus", tests, NULL, NULL);
}
