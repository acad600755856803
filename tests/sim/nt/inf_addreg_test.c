/*
 * AddReg, from an INF's lines to the registry: each value type by its flag,
 * the keys HKR means in a service, DDInstall and DDInstall.HW section, HKLM
 * and HKCR, each malformed line refused with its line; then the registry
 * nt_registry_install seeds, with NOCLOBBER, OVERWRITEONLY, DELVAL and
 * APPEND doing what Windows does.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inf_fixture.h"
#include "nt/registry_inf.h"

static const char *const ids_hw[] = {"PCI\\VEN_1234&DEV_5678"};
static const struct nt_device_ids device = {ids_hw, 1, NULL, 0};

#define CLASS_GUID "{4d36e97d-e325-11ce-bfc1-08002be10318}"
#define INSTANCE   "PCI\\VEN_1234&DEV_5678&SUBSYS_00000000&REV_00\\3&0&0"

/* An INF installing service "svc" whose sections' AddReg lines are @service, @driver and @hw. */
static char *inf_with(const char *service, const char *driver, const char *hw)
{
    char *text = malloc(16384);

    assert_non_null(text);
    snprintf(
        text, 16384,
        "%s[Manufacturer]\r\nTest = M, NTamd64\r\n[M.NTamd64]\r\n"
        "%%Desc%% = Install, PCI\\VEN_1234&DEV_5678\r\n"
        "[Install]\r\nCopyFiles = @svc.sys\r\nAddReg = DriverReg\r\n"
        "[Install.HW]\r\nAddReg = HwReg\r\n"
        "[Install.Services]\r\nAddService = svc, 0x2, Service\r\n"
        "[Service]\r\nDisplayName = \"The service\"\r\nServiceType = 1\r\nStartType = 3\r\n"
        "ErrorControl = 1\r\nServiceBinary = %%12%%\\svc.sys\r\nLoadOrderGroup = Extended Base\r\n"
        "AddReg = ServiceReg\r\n"
        "[ServiceReg]\r\n%s\r\n[DriverReg]\r\n%s\r\n[HwReg]\r\n%s\r\n"
        "[DestinationDirs]\r\nDefaultDestDir = 12\r\n"
        "[SourceDisksNames]\r\n1 = disk\r\n[SourceDisksFiles]\r\nsvc.sys = 1\r\n"
        "[Strings]\r\nDesc = \"A test device\"\r\n",
        INF_FIXTURE_VERSION("01/01/2026,1.0.0.0"), service, driver, hw);
    return text;
}

static void install_from(const char *text, struct nt_inf_driver *driver)
{
    struct nt_inf *inf = inf_fixture_parse(text);

    inf_fixture_install(inf, &device, driver);
    nt_inf_free(inf); /* the driver owns copies of all it needs */
}

/* @ascii as the registry keeps a string: UTF-16LE with its NUL; its size in *@size. */
static uint8_t *utf16(const char *ascii, size_t *size)
{
    static uint8_t buffer[256];

    memset(buffer, 0, sizeof(buffer));
    for (size_t i = 0; ascii[i]; i++)
        buffer[2 * i] = (uint8_t)ascii[i];
    *size = 2 * strlen(ascii) + 2;
    return buffer;
}

static const struct nt_inf_reg_value *value_named(const struct nt_inf_driver *driver,
                                                  const char *name)
{
    for (size_t i = 0; i < driver->registry_count; i++) {
        if (driver->registry[i].name && strcmp(driver->registry[i].name, name) == 0)
            return &driver->registry[i];
    }
    fail_msg("no AddReg value %s", name);
    return NULL;
}

static void assert_value(const struct nt_inf_driver *driver, const char *name, uint32_t type,
                         const void *data, size_t size)
{
    const struct nt_inf_reg_value *value = value_named(driver, name);

    assert_int_equal(value->type, type);
    assert_int_equal(value->size, size);
    if (size)
        assert_memory_equal(value->data, data, size);
}

static void test_each_type_by_its_flag(void **state)
{
    char *text = inf_with("HKR, Parameters, , 0x00000010\r\n"
                          "HKR, Parameters, Sz, , \"h\xc3\xa9llo, you\"\r\n"
                          "HKR, Parameters, Expand, 0x00020000, \"%%SystemRoot%%\\x\"\r\n"
                          "HKR, Parameters, Multi, 0x00010000, a, \"b c\"\r\n"
                          "HKR, Parameters, EmptyMulti, 0x00010000\r\n"
                          "HKR, Parameters, Hex, 0x00010001, 0x12345678\r\n"
                          "HKR, Parameters, Decimal, 0x10001, 42\r\n"
                          "HKR, Parameters, Blob, 0x00000001, 01, ab, 0xFF\r\n"
                          "HKR, Parameters, Nothing, 0x00020001\r\n"
                          "HKR, Parameters, Qword, 0x000B0001, 1, 0, 0, 0, 0, 0, 0, 0x80\r\n"
                          "HKR, Parameters, Empty\r\n",
                          "", "");
    static const uint8_t sz[] = {'h', 0,   0xe9, 0,   'l', 0,   'l', 0,   'o', 0, ',',
                                 0,   ' ', 0,    'y', 0,   'o', 0,   'u', 0,   0, 0};
    static const uint8_t multi[] = {'a', 0, 0, 0, 'b', 0, ' ', 0, 'c', 0, 0, 0, 0, 0};
    static const uint8_t qword[] = {1, 0, 0, 0, 0, 0, 0, 0x80};
    struct nt_inf_driver driver;
    const uint8_t *expected;
    size_t size;

    install_from(text, &driver);
    assert_int_equal(driver.registry_count, 11);
    assert_int_equal(driver.registry[0].root, NT_INF_REG_SERVICE);
    assert_string_equal(driver.registry[0].subkey, "Parameters");
    assert_null(driver.registry[0].name);
    assert_true(driver.registry[0].flags & NT_INF_ADDREG_KEYONLY);
    assert_value(&driver, "Sz", 1, sz, sizeof(sz));
    expected = utf16("%SystemRoot%\\x", &size);
    assert_value(&driver, "Expand", 2, expected, size);
    assert_value(&driver, "Multi", 7, multi, sizeof(multi));
    assert_value(&driver, "EmptyMulti", 7, "\0", 2);
    assert_value(&driver, "Hex", 4, "\x78\x56\x34\x12", 4);
    assert_value(&driver, "Decimal", 4, "\x2a\0\0\0", 4);
    assert_value(&driver, "Blob", 3, "\x01\xab\xff", 3);
    assert_value(&driver, "Nothing", 0, NULL, 0);
    assert_value(&driver, "Qword", 11, qword, sizeof(qword));
    assert_value(&driver, "Empty", 1, "\0", 2);
    assert_non_null(strstr(value_named(&driver, "Sz")->origin, "test.inf:"));
    nt_inf_driver_free(&driver);
    free(text);
}

static void test_hkr_means_the_section_s_key(void **state)
{
    char *text = inf_with("HKR, , S, 0x10001, 1\r\n"
                          "HKLM, System\\Test, M, 0x10003, 2\r\n"
                          "HKCR, .ext, , , \"handler\"\r\n"
                          "hkr, , Gone, 0x4\r\n",
                          "HKR, , D, 0x10001, 3", "HKR, Sub, H, 0x10001, 4");
    struct nt_inf_driver driver;
    const struct nt_inf_reg_value *v;

    install_from(text, &driver);
    assert_int_equal(driver.registry_count, 6);
    /* DDInstall first, then DDInstall.HW, then the service. */
    assert_int_equal(driver.registry[0].root, NT_INF_REG_DRIVER);
    assert_int_equal(driver.registry[1].root, NT_INF_REG_HARDWARE);
    assert_string_equal(driver.registry[1].subkey, "Sub");
    assert_int_equal(value_named(&driver, "S")->root, NT_INF_REG_SERVICE);
    v = value_named(&driver, "M");
    assert_int_equal(v->root, NT_INF_REG_MACHINE);
    assert_string_equal(v->subkey, "System\\Test");
    assert_int_equal(v->flags, NT_INF_ADDREG_NOCLOBBER);
    v = value_named(&driver, "");
    assert_int_equal(v->root, NT_INF_REG_MACHINE);
    assert_string_equal(v->subkey, "Software\\Classes\\.ext");
    assert_int_equal(value_named(&driver, "Gone")->flags, NT_INF_ADDREG_DELVAL);
    nt_inf_driver_free(&driver);
    free(text);
}

/* The error installing an INF whose service AddReg section is @lines. */
static void assert_addreg_error(const char *lines, int err, const char *what)
{
    char *text = inf_with(lines, "", ""), error[NT_INF_ERROR_SIZE];
    struct nt_inf *inf = inf_fixture_parse(text);
    struct nt_inf_driver driver;
    struct nt_inf_match match;

    assert_int_equal(nt_inf_match(inf, &device, NULL, &match, error, sizeof(error)), 0);
    assert_int_equal(nt_inf_install(inf, &match, &driver, error, sizeof(error)), err);
    print_message("# %s\n", error);
    assert_non_null(strstr(error, "test.inf:27: ")); /* the [ServiceReg] line */
    assert_non_null(strstr(error, what));
    assert_null(driver.arena);
    nt_inf_free(inf);
    free(text);
}

static void test_malformed_lines_are_refused(void **state)
{
    assert_addreg_error("HKCU, Software\\x, v, , z", -ENOTSUP, "per-user");
    assert_addreg_error("HKEY, x, v", -EINVAL, "starts HKR, HKLM");
    assert_addreg_error("HKR, , v, 0x80, x", -EINVAL, "unknown FLG_ADDREG_ bits");
    assert_addreg_error("HKR, , v, 0x30000, x", -EINVAL, "unknown FLG_ADDREG_TYPE_ bits");
    assert_addreg_error("HKR, , v, flags, x", -EINVAL, "flags are a number");
    assert_addreg_error("HKR, , v, 0x10001, many", -EINVAL, "one number");
    assert_addreg_error("HKR, , v, 0x10001, 1, 2", -EINVAL, "one number");
    assert_addreg_error("HKR, , v, 0x10001", -EINVAL, "one number");
    assert_addreg_error("HKR, , v, 1, 1ff", -EINVAL, "hex bytes");
    assert_addreg_error("HKR, , v, 1, zz", -EINVAL, "hex bytes");
    assert_addreg_error("HKR, , v, 0x8, x", -EINVAL, "for REG_MULTI_SZ");
    assert_addreg_error("HKR, , v, 0x10000, a, , b", -EINVAL, "empty string");
    assert_addreg_error("HKR, , v, , a, b", -EINVAL, "one field");
    assert_addreg_error("HKR, , v, , a=b", -EINVAL, "quote a value with '='");
}

static void test_a_missing_addreg_section_is_named(void **state)
{
    const char *text =
        INF_FIXTURE_VERSION("01/01/2026") "[Manufacturer]\r\nT = M, NTamd64\r\n[M.NTamd64]\r\nd = "
                                          "I, PCI\\VEN_1234&DEV_5678\r\n"
                                          "[I]\r\nAddReg = Nowhere\r\n";
    struct nt_inf *inf = inf_fixture_parse(text);
    char error[NT_INF_ERROR_SIZE];
    struct nt_inf_driver driver;
    struct nt_inf_match match;

    assert_int_equal(nt_inf_match(inf, &device, NULL, &match, error, sizeof(error)), 0);
    assert_int_equal(nt_inf_install(inf, &match, &driver, error, sizeof(error)), -EINVAL);
    assert_non_null(strstr(error, "test.inf:12: AddReg names [Nowhere]"));
    nt_inf_free(inf);
}

/* -- the registry seeded ----------------------------------------------------------------- */

static struct nt_reg_key *open_key(struct nt_registry *registry, const char *path)
{
    struct nt_reg_key *key;

    if (nt_reg_open(registry, NULL, path, &key) != 0)
        fail_msg("no key %s", path);
    return key;
}

static void assert_registry_value(struct nt_reg_key *key, const char *name, uint32_t type,
                                  const void *data, size_t size)
{
    uint8_t buffer[512];
    struct nt_reg_data out = {.data = buffer, .size = sizeof(buffer)};

    print_message("# %s\n", name);
    assert_int_equal(nt_reg_query_value(key, name, &out), 0);
    assert_int_equal(out.type, type);
    assert_int_equal(out.length, size);
    assert_memory_equal(buffer, data, size);
}

static void assert_registry_sz(struct nt_reg_key *key, const char *name, uint32_t type,
                               const char *ascii)
{
    size_t size;
    const uint8_t *data = utf16(ascii, &size);

    assert_registry_value(key, name, type, data, size);
}

static void assert_no_value(struct nt_reg_key *key, const char *name)
{
    struct nt_reg_data out = {.size = 0};

    assert_int_equal(nt_reg_query_value(key, name, &out), -ENOENT);
}

static void install_into(struct nt_registry *registry, const char *text, const char *instance,
                         struct nt_installed_keys *keys)
{
    char error[NT_INF_ERROR_SIZE] = "";
    struct nt_inf_driver driver;

    install_from(text, &driver);
    if (nt_registry_install(registry, &driver, instance, keys, error, sizeof(error)) != 0)
        fail_msg("%s", error);
    nt_inf_driver_free(&driver);
}

static void test_the_registry_installation_leaves(void **state)
{
    char *text = inf_with("HKR, Parameters, , 0x10\r\n"
                          "HKR, Parameters, Count, 0x10001, 5\r\n"
                          "HKR, Parameters, Gone, , x\r\n"
                          "HKR, Parameters, Gone, 0x4\r\n",
                          "HKR, , Tuning, 0x10001, 2", "HKR, , Mode, , fast");
    struct nt_registry *registry;
    struct nt_installed_keys keys, again;
    struct nt_reg_key *service, *instance;

    assert_int_equal(nt_registry_create(&registry), 0);
    install_into(registry, text, INSTANCE, &keys);
    service = open_key(registry, NT_REG_SERVICES "\\svc");
    assert_ptr_equal(keys.service, service);
    assert_registry_value(service, "Type", 4, "\1\0\0\0", 4);
    assert_registry_value(service, "Start", 4, "\3\0\0\0", 4);
    assert_registry_value(service, "ErrorControl", 4, "\1\0\0\0", 4);
    assert_registry_sz(service, "ImagePath", 2, "\\SystemRoot\\System32\\drivers\\svc.sys");
    assert_registry_sz(service, "Group", 1, "Extended Base");
    assert_registry_sz(service, "DisplayName", 1, "The service");
    assert_registry_value(open_key(registry, NT_REG_SERVICES "\\svc\\Parameters"), "Count", 4,
                          "\5\0\0\0", 4);
    assert_no_value(open_key(registry, NT_REG_SERVICES "\\svc\\Parameters"), "Gone");

    instance = open_key(registry, NT_REG_ENUM "\\" INSTANCE);
    assert_ptr_equal(keys.instance, instance);
    assert_registry_sz(instance, "Service", 1, "svc");
    assert_registry_sz(instance, "ClassGUID", 1, CLASS_GUID);
    assert_registry_sz(instance, "Class", 1, "System");
    assert_registry_sz(instance, "Driver", 1, CLASS_GUID "\\0000");
    assert_registry_sz(instance, "DeviceDesc", 1, "A test device");
    assert_ptr_equal(keys.hardware,
                     open_key(registry, NT_REG_ENUM "\\" INSTANCE "\\Device Parameters"));
    assert_registry_sz(keys.hardware, "Mode", 1, "fast");
    assert_ptr_equal(keys.driver, open_key(registry, NT_REG_CLASS "\\" CLASS_GUID "\\0000"));
    assert_registry_value(keys.driver, "Tuning", 4, "\2\0\0\0", 4);

    /* A second device of the same driver: its own keys, the next driver key. */
    install_into(registry, text, "PCI\\VEN_1234&DEV_5678&SUBSYS_00000000&REV_00\\3&0&8", &again);
    assert_ptr_equal(again.service, keys.service);
    assert_ptr_equal(again.driver, open_key(registry, NT_REG_CLASS "\\" CLASS_GUID "\\0001"));
    assert_ptr_not_equal(again.hardware, keys.hardware);
    nt_registry_destroy(registry);
    free(text);
}

static void test_flags_say_how_values_are_written(void **state)
{
    char *text = inf_with("HKLM, Software\\Test, Kept, 0x10003, 2\r\n"
                          "HKLM, Software\\Test, Replaced, 0x10001, 2\r\n"
                          "HKLM, Software\\Test, OnlyIfThere, 0x10021, 2\r\n"
                          "HKLM, Software\\Test, NotThere, 0x10021, 2\r\n"
                          "HKLM, Software\\Test, List, 0x10008, b, A, c\r\n"
                          "HKLM, Software\\Test, NewList, 0x10008, x\r\n"
                          "HKLM, Software\\Test, Old, 0x4\r\n",
                          "", "");
    static const uint8_t appended[] = {'a', 0, 0, 0, 'b', 0, 0, 0, 'c', 0, 0, 0, 0, 0};
    struct nt_registry *registry;
    struct nt_reg_key *test;

    assert_int_equal(nt_registry_create(&registry), 0);
    assert_int_equal(nt_reg_create(registry, NULL, NT_REG_MACHINE "\\Software\\Test", &test, NULL),
                     0);
    assert_int_equal(nt_reg_set_value(test, "Kept", 4, "\1\0\0\0", 4), 0);
    assert_int_equal(nt_reg_set_value(test, "Replaced", 4, "\1\0\0\0", 4), 0);
    assert_int_equal(nt_reg_set_value(test, "OnlyIfThere", 4, "\1\0\0\0", 4), 0);
    assert_int_equal(nt_reg_set_value(test, "List", 7, "a\0\0\0b\0\0\0\0\0", 10), 0);
    assert_int_equal(nt_reg_set_value(test, "Old", 4, "\1\0\0\0", 4), 0);
    install_into(registry, text, INSTANCE, NULL);
    assert_registry_value(test, "Kept", 4, "\1\0\0\0", 4);
    assert_registry_value(test, "Replaced", 4, "\2\0\0\0", 4);
    assert_registry_value(test, "OnlyIfThere", 4, "\2\0\0\0", 4);
    assert_no_value(test, "NotThere");
    assert_registry_value(test, "List", 7, appended, sizeof(appended));
    assert_registry_value(test, "NewList", 7, "x\0\0\0\0\0", 6);
    assert_no_value(test, "Old");
    nt_registry_destroy(registry);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_each_type_by_its_flag),
        cmocka_unit_test(test_hkr_means_the_section_s_key),
        cmocka_unit_test(test_malformed_lines_are_refused),
        cmocka_unit_test(test_a_missing_addreg_section_is_named),
        cmocka_unit_test(test_the_registry_installation_leaves),
        cmocka_unit_test(test_flags_say_how_values_are_written),
    };

    return cmocka_run_group_tests_name("inf_addreg", tests, NULL, NULL);
}
