/*
 * sim/nt/registry_inf.c - writing a chosen driver's installation into the
 * registry (see registry_inf.h).
 *
 * AddReg values are applied in the INF's order, with their flags' meaning:
 * NOCLOBBER keeps a value already there, OVERWRITEONLY writes only over
 * one, DELVAL deletes, APPEND adds to a REG_MULTI_SZ the strings it lacks
 * (compared case-insensitively), KEYONLY creates the key alone.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "inf_impl.h"
#include "registry_inf.h"

#define WINDOWS_DIRID       10u
#define CLASS_INSTANCES_MAX 10000u /* NNNN */

struct installer {
    struct nt_registry *registry;
    struct nt_reg_key *roots[NT_INF_REG_MACHINE + 1]; /* what HKR (or HKLM) means, by context */
};

static int set_string(struct nt_reg_key *key, const char *name, uint32_t type, const char *text)
{
    size_t size = inf_utf16_encode(text, NULL);
    uint8_t *data;
    int err;

    if (size == SIZE_MAX)
        return -EINVAL;
    data = calloc(1, size + 2);
    if (data == NULL)
        return -ENOMEM;
    inf_utf16_encode(text, data);
    err = nt_reg_set_value(key, name, type, data, size + 2);
    free(data);
    return err;
}

static int set_dword(struct nt_reg_key *key, const char *name, uint32_t value)
{
    const uint8_t bytes[4] = {(uint8_t)value, (uint8_t)(value >> 8), (uint8_t)(value >> 16),
                              (uint8_t)(value >> 24)};

    return nt_reg_set_value(key, name, NT_REG_DWORD, bytes, sizeof(bytes));
}

/* ImagePath as Windows writes it: \SystemRoot\... below the Windows directory. */
static int set_image_path(struct nt_reg_key *key, const char *binary)
{
    const char *windows = inf_dirid_path(WINDOWS_DIRID);
    size_t len = strlen(windows);
    char path[NT_INF_MAX_LINE + 16];

    if (strncasecmp(binary, windows, len) == 0 && binary[len] == '\\')
        snprintf(path, sizeof(path), "\\SystemRoot%s", binary + len);
    else
        snprintf(path, sizeof(path), "\\??\\%s", binary);
    return set_string(key, "ImagePath", NT_REG_EXPAND_SZ, path);
}

static int write_service(struct nt_reg_key *key, const struct nt_inf_service *service)
{
    int err = set_dword(key, "Type", service->type);

    if (err == 0)
        err = set_dword(key, "Start", service->start);
    if (err == 0)
        err = set_dword(key, "ErrorControl", service->error_control);
    if (err == 0)
        err = set_image_path(key, service->binary);
    if (err == 0 && service->group[0])
        err = set_string(key, "Group", NT_REG_SZ, service->group);
    if (err == 0 && service->display_name[0])
        err = set_string(key, "DisplayName", NT_REG_SZ, service->display_name);
    return err;
}

/* Control\Class\{guid}\NNNN: the first number not taken. */
static int create_driver_key(struct installer *in, const struct nt_inf_driver *driver, char *name,
                             size_t size)
{
    for (unsigned int n = 0; n < CLASS_INSTANCES_MAX; n++) {
        char path[NT_INF_MAX_LINE + 64];
        bool created;
        int err;

        snprintf(name, size, "%s\\%04u", driver->class_guid, n);
        snprintf(path, sizeof(path), NT_REG_CLASS "\\%s", name);
        err = nt_reg_create(in->registry, NULL, path, &in->roots[NT_INF_REG_DRIVER], &created);
        if (err || created)
            return err;
    }
    return -ENOSPC;
}

static int write_instance(struct nt_reg_key *key, const struct nt_inf_driver *driver,
                          const char *driver_key)
{
    int err = set_string(key, "Service", NT_REG_SZ, driver->service.name);

    if (err == 0)
        err = set_string(key, "ClassGUID", NT_REG_SZ, driver->class_guid);
    if (err == 0)
        err = set_string(key, "Class", NT_REG_SZ, driver->class_name);
    if (err == 0)
        err = set_string(key, "Driver", NT_REG_SZ, driver_key);
    if (err == 0)
        err = set_string(key, "DeviceDesc", NT_REG_SZ, driver->description);
    return err;
}

/* The keys of the installation, with the service's and the instance's own values. */
static int create_keys(struct installer *in, const struct nt_inf_driver *driver,
                       const char *instance, struct nt_reg_key **instance_key)
{
    char path[NT_INF_MAX_LINE + 64], driver_key[NT_INF_MAX_LINE + 8];
    int err;

    snprintf(path, sizeof(path), NT_REG_SERVICES "\\%s", driver->service.name);
    err = nt_reg_create(in->registry, NULL, path, &in->roots[NT_INF_REG_SERVICE], NULL);
    if (err == 0)
        err = write_service(in->roots[NT_INF_REG_SERVICE], &driver->service);
    if (err)
        return err;
    snprintf(path, sizeof(path), NT_REG_ENUM "\\%s", instance);
    err = nt_reg_create(in->registry, NULL, path, instance_key, NULL);
    if (err == 0)
        err = nt_reg_create(in->registry, *instance_key, "Device Parameters",
                            &in->roots[NT_INF_REG_HARDWARE], NULL);
    if (err == 0)
        err = create_driver_key(in, driver, driver_key, sizeof(driver_key));
    if (err == 0)
        err = write_instance(*instance_key, driver, driver_key);
    if (err == 0)
        err = nt_reg_open(in->registry, NULL, NT_REG_MACHINE, &in->roots[NT_INF_REG_MACHINE]);
    return err;
}

static bool same_string_ci(const uint8_t *a, size_t a_len, const uint8_t *b, size_t b_len)
{
    if (a_len != b_len)
        return false;
    for (size_t i = 0; i < a_len; i += 2) {
        unsigned int x = a[i] | a[i + 1] << 8, y = b[i] | b[i + 1] << 8;

        x = x >= 'a' && x <= 'z' ? x - 32 : x;
        y = y >= 'a' && y <= 'z' ? y - 32 : y;
        if (x != y)
            return false;
    }
    return true;
}

/* The byte length of the UTF-16 string at data[pos..size), to its NUL or the end. */
static size_t string_at(const uint8_t *data, size_t size, size_t pos)
{
    size_t end = pos;

    while (end + 1 < size && (data[end] | data[end + 1]))
        end += 2;
    return end - pos;
}

static bool list_has(const uint8_t *list, size_t size, const uint8_t *s, size_t len)
{
    for (size_t pos = 0, n; pos + 1 < size && (n = string_at(list, size, pos)) > 0; pos += n + 2) {
        if (same_string_ci(list + pos, n, s, len))
            return true;
    }
    return false;
}

/* @old's strings, then those of @add it lacks, into a REG_MULTI_SZ value of @key. */
static int append_multi_sz(struct nt_reg_key *key, const char *name, const uint8_t *old,
                           size_t old_size, const struct nt_inf_reg_value *add)
{
    uint8_t *merged = calloc(1, old_size + add->size + 2);
    size_t len = 0;
    int err;

    if (merged == NULL)
        return -ENOMEM;
    for (size_t pos = 0, n; pos + 1 < old_size && (n = string_at(old, old_size, pos)) > 0;
         pos += n + 2, len += n + 2)
        memcpy(merged + len, old + pos, n);
    for (size_t pos = 0, n; pos + 1 < add->size && (n = string_at(add->data, add->size, pos)) > 0;
         pos += n + 2) {
        if (!list_has(old, old_size, add->data + pos, n)) {
            memcpy(merged + len, add->data + pos, n);
            len += n + 2;
        }
    }
    err = nt_reg_set_value(key, name, NT_REG_MULTI_SZ, merged, len + 2);
    free(merged);
    return err;
}

static int write_value(struct nt_reg_key *key, const struct nt_inf_reg_value *value)
{
    struct nt_reg_data old = {0};
    int err = nt_reg_query_value(key, value->name, &old);
    bool exists = err != -ENOENT;
    uint8_t *old_data;

    if ((value->flags & NT_INF_ADDREG_NOCLOBBER && exists) ||
        (value->flags & NT_INF_ADDREG_OVERWRITEONLY && !exists))
        return 0;
    if (!(value->flags & NT_INF_ADDREG_APPEND) || !exists || old.type != NT_REG_MULTI_SZ)
        return nt_reg_set_value(key, value->name, value->type, value->data, value->size);
    old_data = malloc(old.length ? old.length : 1);
    if (old_data == NULL)
        return -ENOMEM;
    old = (struct nt_reg_data){.data = old_data, .size = old.length};
    err = nt_reg_query_value(key, value->name, &old);
    if (err == 0)
        err = append_multi_sz(key, value->name, old_data, old.length, value);
    free(old_data);
    return err;
}

static int apply(struct installer *in, const struct nt_inf_reg_value *value)
{
    struct nt_reg_key *key = in->roots[value->root];
    int err = 0;

    if (value->subkey[0])
        err = nt_reg_create(in->registry, key, value->subkey, &key, NULL);
    if (err || value->flags & NT_INF_ADDREG_KEYONLY)
        return err;
    if (value->flags & NT_INF_ADDREG_DELVAL) {
        err = nt_reg_delete_value(key, value->name);
        return err == -ENOENT ? 0 : err;
    }
    return write_value(key, value);
}

int nt_registry_install(struct nt_registry *registry, const struct nt_inf_driver *driver,
                        const char *instance, struct nt_installed_keys *keys, char *error,
                        size_t error_size)
{
    struct installer in = {.registry = registry};
    struct nt_reg_key *instance_key = NULL;
    int err = create_keys(&in, driver, instance, &instance_key);

    if (err) {
        snprintf(error, error_size, "%s: cannot write the keys of service %s for %s: %s",
                 driver->inf_path, driver->service.name, instance, strerror(-err));
        return err;
    }
    for (size_t i = 0; i < driver->registry_count; i++) {
        err = apply(&in, &driver->registry[i]);
        if (err) {
            snprintf(error, error_size, "%s: cannot write this value: %s",
                     driver->registry[i].origin, strerror(-err));
            return err;
        }
    }
    if (keys)
        *keys =
            (struct nt_installed_keys){in.roots[NT_INF_REG_SERVICE], instance_key,
                                       in.roots[NT_INF_REG_HARDWARE], in.roots[NT_INF_REG_DRIVER]};
    return 0;
}
