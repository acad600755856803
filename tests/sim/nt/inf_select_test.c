/*
 * The driver sim/nt chooses for a device, as Windows ranks drivers: hardware
 * ID matches before compatible ID matches, earlier IDs before later ones,
 * DriverVer breaking ties; the [Manufacturer] decoration for x64 with the
 * highest OS version not above the system's; the DDInstall section's
 * decoration; the files, the service and the errors of broken packages.
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

#define MANUFACTURER       "[Manufacturer]\r\nTest = Models, NTamd64\r\n[Models.NTamd64]\r\n"
#define HEAD(date, models) INF_FIXTURE_VERSION(date) MANUFACTURER models

/* The device: 1234:5678, subsystem 0001, revision 2, class FF80. */
static struct nt_pci_ids pci;
static struct nt_device_ids device;

static int setup(void **state)
{
    *state = (void *)inf_fixture_scratch();
    return 0;
}

static int teardown(void **state)
{
    inf_fixture_remove_scratch();
    return 0;
}

/* The service of the driver chosen from @dir for @ids, and its rank. */
static int choose(const char *dir, const struct nt_device_ids *ids, const struct nt_os_version *os,
                  char *service, uint32_t *rank)
{
    char error[NT_INF_ERROR_SIZE] = "";
    struct nt_inf_driver driver;
    int err = nt_inf_select(dir, ids, os, &driver, error, sizeof(error));

    if (err) {
        print_message("# %s\n", error);
        return err;
    }
    snprintf(service, 64, "%s", driver.service.name);
    *rank = driver.rank;
    nt_inf_driver_free(&driver);
    return 0;
}

static void assert_chosen(const char *dir, const char *expected, uint32_t expected_rank)
{
    char service[64];
    uint32_t rank;

    assert_int_equal(choose(dir, &device, NULL, service, &rank), 0);
    assert_string_equal(service, expected);
    assert_int_equal(rank, expected_rank);
}

/* The identifier score of the one model line @line for @ids. */
static uint32_t score_of(const char *line, const struct nt_device_ids *ids)
{
    char text[2048], error[NT_INF_ERROR_SIZE];
    struct nt_inf_match match;
    struct nt_inf *inf;
    int err;

    snprintf(text, sizeof(text), "%s%s\r\n[Install]\r\n", HEAD("01/01/2026,1.0.0.0", ""), line);
    inf = inf_fixture_parse(text);
    err = nt_inf_match(inf, ids, NULL, &match, error, sizeof(error));
    nt_inf_free(inf);
    return err ? UINT32_MAX : match.rank & 0xffff;
}

/* Microsoft's driver rank example: each device ID against each of a model's IDs. */
static void test_identifier_scores_follow_windows_ranking(void **state)
{
    static const char *const hw[] = {"HwID_1", "HwID_2"}, *const cid[] = {"CID_1", "CID_2"};
    const struct nt_device_ids ids = {hw, 2, cid, 2};
    static const struct {
        const char *model;
        uint32_t score;
    } cases[] = {
        {"d = Install, HwID_1", 0x0000},        {"d = Install, HwID_2", 0x0001},
        {"d = Install, x, HwID_1", 0x1000},     {"d = Install, x, y, HwID_1", 0x1000},
        {"d = Install, x, HwID_2", 0x1001},     {"d = Install, x, y, HwID_2", 0x1001},
        {"d = Install, CID_1", 0x2000},         {"d = Install, CID_2", 0x2001},
        {"d = Install, x, CID_1", 0x3000},      {"d = Install, x, y, CID_1", 0x3100},
        {"d = Install, x, CID_2", 0x3001},      {"d = Install, x, y, CID_2", 0x3101},
        {"d = Install, cid_2, HWID_2", 0x1001}, {"d = Install, HwID_2, HwID_1", 0x0001},
        {"d = Install, , HwID_1", 0x1000},      {"d = Install, other", UINT32_MAX},
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        print_message("# %s\n", cases[i].model);
        assert_int_equal(score_of(cases[i].model, &ids), cases[i].score);
    }
}

static void test_a_hardware_id_match_beats_a_compatible_one(void **state)
{
    const char *dir = *state;

    /* "a" matches the device's first compatible ID, "b" its last hardware ID. */
    inf_fixture_package(
        dir, "a", HEAD("01/01/2030,9.0.0.0", "d = Install, PCI\\VEN_1234&DEV_5678&REV_02\r\n"));
    inf_fixture_package(
        dir, "b", HEAD("01/01/2020,1.0.0.0", "d = Install, PCI\\VEN_1234&DEV_5678&CC_FF80\r\n"));
    assert_chosen(dir, "b", 0x00ff0003);
    /* A hardware ID listed among a model's compatible IDs ranks after it. */
    inf_fixture_package(
        dir, "c",
        HEAD("01/01/2020,1.0.0.0",
             "d = Install, none, PCI\\VEN_1234&DEV_5678&SUBSYS_00011234&REV_02\r\n"));
    assert_chosen(dir, "b", 0x00ff0003);
    /* An earlier hardware ID beats a later one. */
    inf_fixture_package(
        dir, "d",
        HEAD("01/01/2020,1.0.0.0", "d = Install, PCI\\VEN_1234&DEV_5678&SUBSYS_00011234\r\n"));
    assert_chosen(dir, "d", 0x00ff0001);
}

static void test_an_earlier_compatible_id_beats_a_later_one(void **state)
{
    const char *dir = *state;

    inf_fixture_package(dir, "generic",
                        HEAD("01/01/2026,1.0.0.0", "d = Install, PCI\\CC_FF80\r\n"));
    inf_fixture_package(dir, "vendor",
                        HEAD("01/01/2020,1.0.0.0", "d = Install, PCI\\VEN_1234\r\n"));
    assert_chosen(dir, "vendor", 0x00ff2004);
}

static void test_feature_score_counts_before_the_ids(void **state)
{
    const char *dir = *state;

    inf_fixture_package(
        dir, "a", HEAD("01/01/2026,1.0.0.0", "d = Install, PCI\\VEN_1234&DEV_5678&CC_FF80\r\n"));
    inf_fixture_package(dir, "b",
                        HEAD("01/01/2026,1.0.0.0", "d = Install, PCI\\VEN_1234\r\n"
                                                   "[Install.NTamd64]\r\nFeatureScore = 0x80\r\n"));
    assert_chosen(dir, "b", 0x00802004);
}

static void test_equal_ranks_go_to_the_newer_driver(void **state)
{
    const char *dir = *state;
    const char *model = "d = Install, PCI\\VEN_1234&DEV_5678\r\n";
    char head[1024];

    snprintf(head, sizeof(head), "%s%s", HEAD("12/31/2025,9.9.9.9", ""), model);
    inf_fixture_package(dir, "older", head);
    snprintf(head, sizeof(head), "%s%s", HEAD("01/01/2026,1.0.0.0", ""), model);
    inf_fixture_package(dir, "newer", head);
    assert_chosen(dir, "newer", 0x00ff2001);
    snprintf(head, sizeof(head), "%s%s", HEAD("01/01/2026,1.0.0.10", ""), model);
    inf_fixture_package(dir, "patched", head);
    assert_chosen(dir, "patched", 0x00ff2001);
    /* The same date and version: the first package by name. */
    inf_fixture_package(dir, "another", head);
    assert_chosen(dir, "another", 0x00ff2001);
}

/* The model section chosen from a [Manufacturer] line with @decorations, on @os. */
static const char *decorated_choice(const char *decorations, const struct nt_os_version *os,
                                    char *chosen, size_t size)
{
    char text[4096], error[NT_INF_ERROR_SIZE], *copy, *save = NULL;
    struct nt_inf_match match;
    struct nt_inf *inf;
    size_t n;
    int err;

    n = (size_t)snprintf(text, sizeof(text), "%s[Manufacturer]\r\nTest = M, %s\r\n[Install]\r\n",
                         INF_FIXTURE_VERSION("01/01/2026"), decorations);
    /* A Models section for each decoration, with the device in it. */
    copy = strdup(decorations);
    assert_non_null(copy);
    for (char *d = strtok_r(copy, ", ", &save); d; d = strtok_r(NULL, ", ", &save))
        n += (size_t)snprintf(text + n, sizeof(text) - n,
                              "[M.%s]\r\nd = Install, PCI\\VEN_1234\r\n", d);
    free(copy);
    inf = inf_fixture_parse(text);
    err = nt_inf_match(inf, &device, os, &match, error, sizeof(error));
    snprintf(chosen, size, "%s", err ? "(none)" : match.models_section);
    nt_inf_free(inf);
    return chosen;
}

static void test_the_highest_decoration_not_above_the_system_wins(void **state)
{
    const char *all = "NTx86.10.0...14393, NTamd64, NTamd64.6.3, NTamd64.10.0...14393, "
                      "NTamd64.10.0...17763, NTarm64.10.0";
    const struct nt_os_version w81 = {6, 3, 9600, 1, 0x100}, w1809 = {10, 0, 17763, 1, 0x100},
                               vista = {6, 0, 6002, 1, 0x100};
    char chosen[64];

    assert_string_equal(decorated_choice(all, NULL, chosen, sizeof(chosen)),
                        "M.NTamd64.10.0...14393");
    assert_string_equal(decorated_choice(all, &w1809, chosen, sizeof(chosen)),
                        "M.NTamd64.10.0...17763");
    assert_string_equal(decorated_choice(all, &w81, chosen, sizeof(chosen)), "M.NTamd64.6.3");
    assert_string_equal(decorated_choice(all, &vista, chosen, sizeof(chosen)), "M.NTamd64");
    /* None for x64, or none at all (x64 needs one): no model. */
    assert_string_equal(decorated_choice("NTx86, NTarm64", NULL, chosen, sizeof(chosen)), "(none)");
    assert_string_equal(decorated_choice("NTamd64.10.0...17763", NULL, chosen, sizeof(chosen)),
                        "(none)");
    /* "NT" serves every architecture; amd64 is preferred at the same version. */
    assert_string_equal(decorated_choice("NT.6.1", NULL, chosen, sizeof(chosen)), "M.NT.6.1");
    assert_string_equal(decorated_choice("NT.10.0, NTamd64.10.0", NULL, chosen, sizeof(chosen)),
                        "M.NTamd64.10.0");
    /* A product type or suite the system is not. */
    assert_string_equal(decorated_choice("NTamd64, NTamd64.10.0.3", NULL, chosen, sizeof(chosen)),
                        "M.NTamd64");
    assert_string_equal(
        decorated_choice("NTamd64, NTamd64.10.0.1.0x102", NULL, chosen, sizeof(chosen)),
        "M.NTamd64");
    assert_string_equal(
        decorated_choice("NTamd64, ntAMD64.10.0.1.0x100", NULL, chosen, sizeof(chosen)),
        "M.ntAMD64.10.0.1.0x100");
}

static void test_no_decoration_is_no_model_on_x64(void **state)
{
    char error[NT_INF_ERROR_SIZE];
    struct nt_inf_match match;
    struct nt_inf *inf = inf_fixture_parse(
        INF_FIXTURE_VERSION("01/01/2026") "[Manufacturer]\r\nTest = M\r\n"
                                          "[M]\r\nd = Install, PCI\\VEN_1234\r\n");

    assert_int_equal(nt_inf_match(inf, &device, NULL, &match, error, sizeof(error)), -ENOENT);
    nt_inf_free(inf);
}

/* The DDInstall section installing "Install" from @sections. */
static void assert_install_section(const char *sections, const char *expected)
{
    char text[2048];
    struct nt_inf_driver driver;
    struct nt_inf *inf;

    snprintf(text, sizeof(text),
             "%s%s"
             "[Install.NTamd64.Services]\r\nAddService = s, 2, S\r\n"
             "[Install.NT.Services]\r\nAddService = s, 2, S\r\n"
             "[Install.Services]\r\nAddService = s, 2, S\r\n"
             "[S]\r\nServiceType = 1\r\nStartType = 3\r\nErrorControl = 0\r\n"
             "ServiceBinary = %%12%%\\s.sys\r\n[F]\r\ns.sys\r\n"
             "[DestinationDirs]\r\nDefaultDestDir = 12\r\n[SourceDisksNames]\r\n1 = "
             "d\r\n[SourceDisksFiles]\r\ns.sys = 1\r\n",
             HEAD("01/01/2026", "d = Install, PCI\\VEN_1234\r\n"), sections);
    inf = inf_fixture_parse(text);
    inf_fixture_install(inf, &device, &driver);
    assert_string_equal(driver.install_section, expected);
    nt_inf_driver_free(&driver);
    nt_inf_free(inf);
}

static void test_the_install_section_for_x64(void **state)
{
    const char *nt = "[Install.NT]\r\nCopyFiles = F\r\n";
    const char *plain = "[Install]\r\nCopyFiles = F\r\n";
    char all[256];

    snprintf(all, sizeof(all), "%s%s[install.ntamd64]\r\nCopyFiles = F\r\n", plain, nt);
    assert_install_section(all, "install.ntamd64");
    snprintf(all, sizeof(all), "%s%s", plain, nt);
    assert_install_section(all, "Install.NT");
    assert_install_section(plain, "Install");
}

static void test_the_chosen_driver_says_what_to_install(void **state)
{
    const char *dir = *state;
    char error[NT_INF_ERROR_SIZE], expected[PATH_MAX], *real;
    struct nt_inf_driver driver;

    inf_fixture_package(dir, "pick",
                        HEAD("02/03/2026,1.2.3.4", "%Desc% = Install, PCI\\VEN_1234\r\n"
                                                   "[Strings]\r\nDesc = \"A device\"\r\n"));
    assert_int_equal(nt_inf_select(dir, &device, NULL, &driver, error, sizeof(error)), 0);
    snprintf(expected, sizeof(expected), "%s/pick/pick.sys", dir);
    real = realpath(expected, NULL);
    assert_non_null(real);
    assert_string_equal(driver.image_path, real);
    free(real);
    assert_string_equal(driver.description, "A device");
    assert_string_equal(driver.matched_id, "PCI\\VEN_1234");
    assert_string_equal(driver.models_section, "Models.NTamd64");
    assert_string_equal(driver.class_name, "System");
    assert_string_equal(driver.class_guid, "{4d36e97d-e325-11ce-bfc1-08002be10318}");
    assert_int_equal(driver.driver_date, 2026u << 16 | 2 << 8 | 3);
    assert_int_equal(driver.driver_version, 0x0001000200030004ull);
    assert_string_equal(driver.service.name, "pick");
    assert_int_equal(driver.service.flags, 2);
    assert_int_equal(driver.service.type, 1);
    assert_int_equal(driver.service.start, 3);
    assert_int_equal(driver.service.error_control, 1);
    assert_string_equal(driver.service.binary, "C:\\Windows\\System32\\drivers\\pick.sys");
    assert_string_equal(driver.service.group, "");
    assert_int_equal(driver.file_count, 1);
    assert_string_equal(driver.files[0], "pick.sys");
    nt_inf_driver_free(&driver);
}

static void test_files_are_found_in_any_case(void **state)
{
    const char *dir = *state;
    char from[PATH_MAX], to[PATH_MAX], service[64];
    uint32_t rank;

    inf_fixture_package(dir, "pkg", HEAD("01/01/2026", "d = Install, PCI\\VEN_1234\r\n"));
    snprintf(from, sizeof(from), "%s/pkg/pkg.sys", dir);
    snprintf(to, sizeof(to), "%s/pkg/PKG.SYS", dir);
    assert_int_equal(rename(from, to), 0);
    assert_int_equal(choose(dir, &device, NULL, service, &rank), 0);
    assert_string_equal(service, "pkg");
}

/* nt_inf_select on a package "bad" made of @head and @rest must fail with @err, saying @what. */
static void assert_package_error(const char *dir, const char *text, int err, const char *what)
{
    char error[NT_INF_ERROR_SIZE] = "";
    struct nt_inf_driver driver;

    inf_fixture_write(dir, "bad/bad.inf", text, strlen(text));
    inf_fixture_write(dir, "bad/bad.sys", "MZ", 2);
    assert_int_equal(nt_inf_select(dir, &device, NULL, &driver, error, sizeof(error)), err);
    print_message("# %s\n", error);
    assert_non_null(strstr(error, "bad.inf"));
    assert_non_null(strstr(error, what));
    assert_null(driver.arena);
}

#define SERVICE_SECTION                                                               \
    "[S]\r\nServiceType = 1\r\nStartType = 3\r\nErrorControl = 1\r\nServiceBinary = " \
    "%12%\\bad.sys\r\n"
#define DISKS "[SourceDisksNames]\r\n1 = d\r\n[SourceDisksFiles]\r\nbad.sys = 1\r\n"
#define MODEL HEAD("01/01/2026", "d = Install, PCI\\VEN_1234\r\n")

static void test_broken_packages_are_named(void **state)
{
    const char *dir = *state;

    assert_package_error(dir, "[Version]\r\nSignature = \"$Windows 95$\"\r\n", -EINVAL,
                         "$Windows NT$");
    assert_package_error(dir, INF_FIXTURE_VERSION("13/01/2026") MANUFACTURER, -EINVAL, "DriverVer");
    assert_package_error(dir, MODEL, -EINVAL, "no install section [Install]");
    assert_package_error(dir, MODEL "[Install]\r\nCopyFiles = F\r\n", -EINVAL,
                         "names [F], which is not in the INF");
    assert_package_error(dir, MODEL "[Install]\r\nCopyFiles = @bad.sys\r\n", -EINVAL,
                         "not in [SourceDisksFiles]");
    assert_package_error(dir, MODEL "[Install]\r\nCopyFiles = @bad.sys\r\n" DISKS, -EINVAL,
                         "no [Install.Services] section");
    assert_package_error(dir,
                         MODEL "[Install]\r\nCopyFiles = @bad.sys\r\n" DISKS
                               "[Install.Services]\r\nAddService = bad, 0, S\r\n" SERVICE_SECTION,
                         -EINVAL, "no AddService flagged 0x2");
    assert_package_error(dir,
                         MODEL "[Install]\r\nCopyFiles = @bad.sys\r\n" DISKS
                               "[Install.Services]\r\nAddService = bad, 2, S\r\n"
                               "[S]\r\nServiceType = 1\r\nStartType = 9\r\n",
                         -EINVAL, "StartType is a number, 0 to 4");
    assert_package_error(dir,
                         MODEL "[Install]\r\nCopyFiles = @bad.sys\r\n" DISKS
                               "[Install.Services]\r\nAddService = bad, 2, S\r\n"
                               "[S]\r\nServiceType = 0x10\r\nStartType = 0\r\n",
                         -EINVAL, "only a driver starts at boot");
    assert_package_error(dir,
                         MODEL "[Install]\r\n" DISKS
                               "[Install.Services]\r\nAddService = bad, 2, S\r\n" SERVICE_SECTION,
                         -EINVAL, "ServiceBinary C:\\Windows\\System32\\drivers\\bad.sys is not");
    assert_package_error(dir, MODEL "[Install]\r\nInclude = machine.inf\r\nNeeds = PCI.Install\r\n",
                         -ENOTSUP, "Include=");
    assert_package_error(dir,
                         MODEL "[Install]\r\nCopyFiles = @bad.sys\r\n"
                               "[SourceDisksNames]\r\n1 = d, , , ..\\..\r\n"
                               "[SourceDisksFiles]\r\nbad.sys = 1\r\n",
                         -EINVAL, "leaves the driver package");
    assert_package_error(dir,
                         MODEL
                         "[Install]\r\nCopyFiles = @other.sys\r\n"
                         "[SourceDisksNames]\r\n1 = d\r\n[SourceDisksFiles]\r\nother.sys = 1\r\n"
                         "[Install.Services]\r\nAddService = bad, 2, S\r\n"
                         "[S]\r\nServiceType = 1\r\nStartType = 3\r\nErrorControl = 1\r\n"
                         "ServiceBinary = %11%\\other.sys\r\n",
                         -ENOENT, "copies other.sys, which is not in");
}

static void test_no_match_and_missing_directories(void **state)
{
    const char *dir = *state;
    char service[64], error[NT_INF_ERROR_SIZE], missing[PATH_MAX];
    static const char *const other[] = {"PCI\\VEN_8086&DEV_7010"};
    const struct nt_device_ids ids = {other, 1, NULL, 0};
    struct nt_inf_driver driver;
    uint32_t rank;

    inf_fixture_package(dir, "a", HEAD("01/01/2026", "d = Install, PCI\\VEN_1234\r\n"));
    assert_int_equal(choose(dir, &ids, NULL, service, &rank), -ENOENT);
    snprintf(missing, sizeof(missing), "%s/none", dir);
    assert_int_equal(nt_inf_select(missing, &device, NULL, &driver, error, sizeof(error)), -ENOENT);
    assert_non_null(strstr(error, missing));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_identifier_scores_follow_windows_ranking),
        cmocka_unit_test_setup_teardown(test_a_hardware_id_match_beats_a_compatible_one, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_an_earlier_compatible_id_beats_a_later_one, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_feature_score_counts_before_the_ids, setup, teardown),
        cmocka_unit_test_setup_teardown(test_equal_ranks_go_to_the_newer_driver, setup, teardown),
        cmocka_unit_test(test_the_highest_decoration_not_above_the_system_wins),
        cmocka_unit_test(test_no_decoration_is_no_model_on_x64),
        cmocka_unit_test(test_the_install_section_for_x64),
        cmocka_unit_test_setup_teardown(test_the_chosen_driver_says_what_to_install, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_files_are_found_in_any_case, setup, teardown),
        cmocka_unit_test_setup_teardown(test_broken_packages_are_named, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_match_and_missing_directories, setup, teardown),
    };

    device = *nt_pci_ids(&pci, 0x1234, 0x5678, 0x0001, 2, 0xff8000);
    return cmocka_run_group_tests_name("inf_select", tests, NULL, NULL);
}
