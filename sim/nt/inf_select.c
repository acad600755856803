/*
 * sim/nt/inf_select.c - the driver for a device, chosen from a directory of
 * driver packages (dist/x64: one subdirectory per driver, its .inf beside
 * the files it copies).
 *
 * Every INF is read; the best rank wins, then the newer DriverVer date,
 * then the higher DriverVer version, then the first in name order (so the
 * choice never depends on the order the file system lists them). An INF
 * that cannot be read fails the choice: in a package of ours that is a bug
 * to see, not one to step over. File names are matched case-insensitively
 * in the package, as Windows would find them.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "inf_impl.h"
#include "pecheck/file.h"

int nt_inf_load(const char *path, struct nt_inf **inf, char *error, size_t error_size)
{
    struct file_contents file;
    struct failure why;
    int err;

    *inf = NULL;
    if (!file_read(path, &file, &why)) {
        snprintf(error, error_size, "%s", why.text);
        return -ENOENT;
    }
    err = nt_inf_parse(file.data, file.size, path, inf, error, error_size);
    file_release(&file);
    return err;
}

struct candidate {
    struct nt_inf *inf;
    struct nt_inf_match match;
    struct inf_version version;
    char dir[PATH_MAX]; /* its package's directory */
};

static bool is_dir(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool is_file(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static bool better(const struct candidate *c, const struct candidate *than)
{
    if (than->inf == NULL || c->match.rank != than->match.rank)
        return than->inf == NULL || c->match.rank < than->match.rank;
    if (c->version.driver_date != than->version.driver_date)
        return c->version.driver_date > than->version.driver_date;
    return c->version.driver_version > than->version.driver_version;
}

static int has_inf_suffix(const struct dirent *entry)
{
    size_t len = strlen(entry->d_name);

    return len > 4 && strcasecmp(entry->d_name + len - 4, ".inf") == 0;
}

static int not_dot(const struct dirent *entry)
{
    return strcmp(entry->d_name, ".") != 0 && strcmp(entry->d_name, "..") != 0;
}

static void free_list(struct dirent **list, int count)
{
    for (int i = 0; i < count; i++)
        free(list[i]);
    free(list);
}

/* Consider the INF at @path (in @dir): it replaces *@best when it matches better. */
static int consider(const char *dir, const char *path, const struct nt_device_ids *ids,
                    const struct nt_os_version *os, struct candidate *best, char *error,
                    size_t error_size)
{
    struct candidate c = {0};
    int err = nt_inf_load(path, &c.inf, error, error_size);

    if (err)
        return err;
    err = nt_inf_match(c.inf, ids, os, &c.match, error, error_size);
    if (err == 0)
        err = inf_read_version(c.inf, &c.version, error, error_size);
    if (err == 0 && better(&c, best)) {
        snprintf(c.dir, sizeof(c.dir), "%s", dir);
        nt_inf_free(best->inf);
        *best = c;
        return 0;
    }
    nt_inf_free(c.inf);
    return err == -ENOENT ? 0 : err; /* an INF with no model for the device is no error */
}

/* Consider every INF of the package directory @dir. */
static int consider_package(const char *dir, const struct nt_device_ids *ids,
                            const struct nt_os_version *os, struct candidate *best, char *error,
                            size_t error_size)
{
    struct dirent **infs;
    int count = scandir(dir, &infs, has_inf_suffix, alphasort), err = 0;

    if (count < 0) {
        snprintf(error, error_size, "%s: %s", dir, strerror(errno));
        return -errno;
    }
    for (int i = 0; i < count && err == 0; i++) {
        char path[PATH_MAX];

        snprintf(path, sizeof(path), "%s/%s", dir, infs[i]->d_name);
        if (is_file(path))
            err = consider(dir, path, ids, os, best, error, error_size);
    }
    free_list(infs, count);
    return err;
}

/* @dir/@relative with each component matched case-insensitively, into @out; 0 or -ENOENT. */
static int find_file(const char *dir, const char *relative, char *out, size_t size)
{
    char copy[PATH_MAX], *save = NULL;

    snprintf(out, size, "%s", dir);
    snprintf(copy, sizeof(copy), "%s", relative);
    for (char *part = strtok_r(copy, "/", &save); part; part = strtok_r(NULL, "/", &save)) {
        size_t len = strlen(out);
        struct dirent **entries;
        int count;

        snprintf(out + len, size - len, "/%s", part);
        if (access(out, F_OK) == 0)
            continue;
        out[len] = '\0';
        count = scandir(out, &entries, not_dot, alphasort);
        for (int i = 0; i < count; i++) {
            if (strcasecmp(entries[i]->d_name, part) == 0) {
                snprintf(out + len, size - len, "/%s", entries[i]->d_name);
                break;
            }
        }
        if (count >= 0)
            free_list(entries, count);
        if (out[len] == '\0')
            return -ENOENT;
    }
    return is_file(out) ? 0 : -ENOENT;
}

/* Every file the install copies is in the package; the image's path made absolute. */
static int check_files(const struct candidate *best, struct nt_inf_driver *driver, char *error,
                       size_t error_size)
{
    char path[PATH_MAX], absolute[PATH_MAX];

    for (size_t i = 0; i < driver->file_count; i++) {
        if (find_file(best->dir, driver->files[i], path, sizeof(path)) != 0) {
            snprintf(error, error_size, "%s: [%s] copies %s, which is not in %s", driver->inf_path,
                     driver->install_section, driver->files[i], best->dir);
            return -ENOENT;
        }
    }
    if (find_file(best->dir, driver->image_path, path, sizeof(path)) != 0 ||
        realpath(path, absolute) == NULL) {
        snprintf(error, error_size, "%s: cannot find its image %s", driver->inf_path,
                 driver->image_path);
        return -ENOENT;
    }
    driver->image_path = inf_arena_strdup(driver->arena, absolute);
    return driver->image_path ? 0 : -ENOMEM;
}

int nt_inf_select(const char *dir, const struct nt_device_ids *ids, const struct nt_os_version *os,
                  struct nt_inf_driver *driver, char *error, size_t error_size)
{
    struct candidate *best = calloc(1, sizeof(*best));
    struct dirent **packages = NULL;
    int count, err = 0;

    memset(driver, 0, sizeof(*driver));
    if (best == NULL)
        return -ENOMEM;
    count = scandir(dir, &packages, not_dot, alphasort);
    if (count < 0) {
        err = -errno;
        snprintf(error, error_size, "%s: %s", dir, strerror(errno));
    }
    for (int i = 0; i < count && err == 0; i++) {
        char path[PATH_MAX];

        snprintf(path, sizeof(path), "%s/%s", dir, packages[i]->d_name);
        if (is_dir(path))
            err = consider_package(path, ids, os, best, error, error_size);
    }
    if (count >= 0)
        free_list(packages, count);
    if (err == 0 && best->inf == NULL) {
        snprintf(error, error_size, "%s: no INF has a model for the device (hardware ID %s)", dir,
                 ids->hardware_count ? ids->hardware[0] : "none");
        err = -ENOENT;
    }
    if (err == 0)
        err = nt_inf_install(best->inf, &best->match, driver, error, error_size);
    if (err == 0) {
        err = check_files(best, driver, error, error_size);
        if (err)
            nt_inf_driver_free(driver);
    }
    nt_inf_free(best->inf);
    free(best);
    return err;
}
