/*
 * tests/sim/nt/inf_fixture.c - see inf_fixture.h.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "inf_fixture.h"

static char scratch[PATH_MAX];

struct nt_inf *inf_fixture_parse(const char *text)
{
    char error[NT_INF_ERROR_SIZE] = "";
    struct nt_inf *inf;
    int err = nt_inf_parse(text, strlen(text), "test.inf", &inf, error, sizeof(error));

    if (err)
        fail_msg("test.inf does not parse (%d): %s", err, error);
    return inf;
}

int inf_fixture_parse_error(const void *text, size_t size, char *error, size_t error_size)
{
    struct nt_inf *inf = NULL;
    int err = nt_inf_parse(text, size, "test.inf", &inf, error, error_size);

    if (err == 0) {
        nt_inf_free(inf);
        fail_msg("test.inf parsed, though it should not");
    }
    assert_null(inf);
    print_message("# %s\n", error);
    return err;
}

void inf_fixture_install(const struct nt_inf *inf, const struct nt_device_ids *ids,
                         struct nt_inf_driver *driver)
{
    char error[NT_INF_ERROR_SIZE] = "";
    struct nt_inf_match match;
    int err = nt_inf_match(inf, ids, NULL, &match, error, sizeof(error));

    if (err == 0)
        err = nt_inf_install(inf, &match, driver, error, sizeof(error));
    if (err)
        fail_msg("no install (%d): %s", err, error);
}

const char *inf_fixture_scratch(void)
{
    const char *tmp = getenv("TMPDIR");

    snprintf(scratch, sizeof(scratch), "%s/winpv-inf-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (mkdtemp(scratch) == NULL)
        fail_msg("mkdtemp %s: %s", scratch, strerror(errno));
    return scratch;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    return remove(path);
}

void inf_fixture_remove_scratch(void)
{
    if (scratch[0])
        nftw(scratch, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
    scratch[0] = '\0';
}

void inf_fixture_write(const char *dir, const char *relative, const void *data, size_t size)
{
    char path[PATH_MAX];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", dir, relative);
    for (char *slash = strchr(path + strlen(dir) + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
        *slash = '\0';
        if (mkdir(path, 0755) != 0 && errno != EEXIST)
            fail_msg("mkdir %s: %s", path, strerror(errno));
        *slash = '/';
    }
    f = fopen(path, "wb");
    if (f == NULL || fwrite(data, 1, size, f) != size || fclose(f) != 0)
        fail_msg("cannot write %s", path);
}

void inf_fixture_package(const char *dir, const char *name, const char *head)
{
    char text[8192], relative[PATH_MAX];

    snprintf(text, sizeof(text),
             "%s\r\n"
             "[Install.NTamd64]\r\nCopyFiles = Files\r\n"
             "[Install.NTamd64.Services]\r\nAddService = %s, 0x2, Service\r\n"
             "[Service]\r\nServiceType = 1\r\nStartType = 3\r\nErrorControl = 1\r\n"
             "ServiceBinary = %%12%%\\%s.sys\r\n"
             "[Files]\r\n%s.sys\r\n"
             "[DestinationDirs]\r\nDefaultDestDir = 12\r\n"
             "[SourceDisksNames]\r\n1 = disk\r\n"
             "[SourceDisksFiles]\r\n%s.sys = 1\r\n",
             head, name, name, name, name);
    snprintf(relative, sizeof(relative), "%s/%s.inf", name, name);
    inf_fixture_write(dir, relative, text, strlen(text));
    snprintf(relative, sizeof(relative), "%s/%s.sys", name, name);
    inf_fixture_write(dir, relative, "MZ", 2);
}
