/*
 * sim/nt/zw_registry.c - the registry DDIs on the kernel's registry
 * (registry.h): ZwOpenKey, ZwCreateKey, ZwQueryValueKey, ZwSetValueKey,
 * ZwDeleteValueKey; key handles are kernel handles (ob.h).
 *
 * Each is called at PASSIVE_LEVEL, as documented. Names come as
 * UNICODE_STRINGs and are kept as UTF-8; a key's path is absolute
 * (\Registry\...) without a RootDirectory, relative to that key's handle
 * with one. Access is checked as Windows checks a handle's: reading a
 * value needs KEY_QUERY_VALUE, writing or deleting one KEY_SET_VALUE.
 * Keys live as long as the registry, so a handle holds no reference.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "exports_impl.h"
#include "inf_impl.h"
#include "kernel.h"
#include "ob.h"
#include "pnp.h"

#define KEY_QUERY_VALUE               0x0001u
#define KEY_SET_VALUE                 0x0002u
#define KEY_READ                      0x00020019u
#define KEY_WRITE                     0x00020006u
#define KEY_ALL_ACCESS                0x000F003Fu
#define REG_OPTION_VOLATILE           0x1u
#define REG_CREATED_NEW_KEY           1u
#define REG_OPENED_EXISTING_KEY       2u
#define STATUS_CHILD_MUST_BE_VOLATILE ((NTSTATUS)0xC0000181)
#define FULL_INFORMATION_NAME         20u /* offsetof(KEY_VALUE_FULL_INFORMATION, Name) */
#define PARTIAL_INFORMATION \
    12u /* offsetof(KEY_VALUE_PARTIAL_INFORMATION, Data), and Basic's Name */

static void key_describe(const void *object, char *out, size_t size)
{
    nt_reg_key_path(object, out, size);
}

const struct nt_object_type nt_key_type = {"Key", NULL, key_describe};

NTSTATUS nt_key_handle(struct nt_reg_key *key, uint32_t access, uint64_t caller, void **handle)
{
    if (access & (NT_GENERIC_ALL | NT_MAXIMUM_ALLOWED))
        access |= KEY_ALL_ACCESS;
    if (access & (NT_GENERIC_READ | NT_GENERIC_EXECUTE))
        access |= KEY_READ;
    if (access & NT_GENERIC_WRITE)
        access |= KEY_WRITE;
    access &= ~(NT_GENERIC_READ | NT_GENERIC_WRITE | NT_GENERIC_EXECUTE | NT_GENERIC_ALL |
                NT_MAXIMUM_ALLOWED);
    return nt_handle_create(key, &nt_key_type, access, caller, handle);
}

/* @s as UTF-8 (malloc'd) in *@out; a malformed UNICODE_STRING is a verifier failure. */
static NTSTATUS utf8_of(const UNICODE_STRING *s, uint64_t caller, const char *function, char **out)
{
    if (s == NULL || s->Length % 2 || s->Length > s->MaximumLength ||
        (s->Length && s->Buffer == NULL))
        nt_verifier_fail(NT_VERIFY_ARGUMENT, caller, "%s: a name that is no UNICODE_STRING (%p)",
                         function, (const void *)s);
    *out = malloc((size_t)s->Length / 2 * 3 + 1);
    if (*out == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    if (inf_utf16_decode((const uint8_t *)s->Buffer, s->Length, *out) != 0) {
        free(*out);
        return STATUS_OBJECT_NAME_INVALID;
    }
    return STATUS_SUCCESS;
}

static NTSTATUS status_of(int err)
{
    switch (err) {
    case 0:
        return STATUS_SUCCESS;
    case -ENOENT:
        return STATUS_OBJECT_NAME_NOT_FOUND;
    case -ENOMEM:
        return STATUS_INSUFFICIENT_RESOURCES;
    default:
        return STATUS_OBJECT_NAME_INVALID;
    }
}

/* The key a handle names, with its granted access; a handle that is no key's fails. */
static NTSTATUS key_of(void *handle, uint32_t needed, struct nt_reg_key **key)
{
    struct nt_handle_info found;
    NTSTATUS status = nt_handle_object(handle, &nt_key_type, false, &found);

    if (!NT_SUCCESS(status))
        return status;
    if ((found.access & needed) != needed)
        return STATUS_ACCESS_DENIED;
    *key = found.object;
    return STATUS_SUCCESS;
}

/*
 * What @attributes name: the key of RootDirectory (NULL without one) and
 * the path (malloc'd UTF-8), checked as Windows parses it: absolute
 * without a root, relative with one.
 */
static NTSTATUS named_key(void **handle, const OBJECT_ATTRIBUTES *attributes, uint64_t caller,
                          const char *function, struct nt_reg_key **base, char **path)
{
    NTSTATUS status;

    nt_require_irql(PASSIVE_LEVEL, caller, function);
    if (handle == NULL || attributes == NULL)
        nt_verifier_fail(NT_VERIFY_ARGUMENT, caller, "%s with no KeyHandle or ObjectAttributes",
                         function);
    nt_object_attributes_check(attributes, caller, function);
    *base = NULL;
    if (attributes->RootDirectory) {
        status = key_of(attributes->RootDirectory, 0, base);
        if (!NT_SUCCESS(status))
            return status;
    }
    status = utf8_of(attributes->ObjectName, caller, function, path);
    if (!NT_SUCCESS(status))
        return status;
    if ((*base == NULL) != ((*path)[0] == '\\')) {
        free(*path);
        return STATUS_OBJECT_PATH_SYNTAX_BAD;
    }
    return STATUS_SUCCESS;
}

static NT_EXPORT NTSTATUS ZwOpenKey(void **handle, uint32_t access, OBJECT_ATTRIBUTES *attributes)
{
    uint64_t caller = NT_CALLER;
    struct nt_reg_key *base, *key;
    char *path;
    NTSTATUS status = named_key(handle, attributes, caller, __func__, &base, &path);

    if (!NT_SUCCESS(status))
        return status;
    status = status_of(nt_reg_open(nt_pnp_registry(), base, path, &key));
    free(path);
    return NT_SUCCESS(status) ? nt_key_handle(key, access, caller, handle) : status;
}
NT_REGISTER(NTOSKRNL, ZwOpenKey);

/*
 * ZwCreateKey creates the last key of the path only: the one before it
 * must exist. An empty path with a RootDirectory is that key itself.
 */
static NTSTATUS create_last(struct nt_reg_key *base, char *path, bool is_volatile,
                            struct nt_reg_key **key, bool *created)
{
    char *last = strrchr(path, '\\');
    struct nt_reg_key *parent = base;
    int err = 0;

    if (base && path[0] == '\0') {
        *key = base;
        *created = false;
        return STATUS_SUCCESS;
    }
    if (last) {
        *last++ = '\0';
        err = nt_reg_open(nt_pnp_registry(), base, path, &parent);
    } else {
        last = path;
    }
    if (err == 0)
        err = nt_reg_create_subkey(parent, last, is_volatile, key, created);
    return err == -EPERM ? STATUS_CHILD_MUST_BE_VOLATILE : status_of(err);
}

static NT_EXPORT NTSTATUS ZwCreateKey(void **handle, uint32_t access, OBJECT_ATTRIBUTES *attributes,
                                      uint32_t title_index, UNICODE_STRING *class_name,
                                      uint32_t options, uint32_t *disposition)
{
    uint64_t caller = NT_CALLER;
    struct nt_reg_key *base, *key;
    bool created = false;
    char *path;
    NTSTATUS status = named_key(handle, attributes, caller, __func__, &base, &path);

    if (!NT_SUCCESS(status))
        return status;
    /*
     * Nothing outlives the simulated boot, yet a key keeps whether it is
     * volatile, for Windows's one rule about it (registry.h).
     */
    if (class_name != NULL || options & ~REG_OPTION_VOLATILE) {
        free(path);
        nt_verifier_fail(NT_VERIFY_ARGUMENT, caller,
                         "ZwCreateKey with a Class or CreateOptions %#x: not implemented", options);
    }
    status = create_last(base, path, options & REG_OPTION_VOLATILE, &key, &created);
    free(path);
    if (NT_SUCCESS(status))
        status = nt_key_handle(key, access, caller, handle);
    if (NT_SUCCESS(status) && disposition)
        *disposition = created ? REG_CREATED_NEW_KEY : REG_OPENED_EXISTING_KEY;
    return status;
}
NT_REGISTER(NTOSKRNL, ZwCreateKey);

/* The key of @handle (with @needed access) and the value name (malloc'd UTF-8) of a value DDI. */
static NTSTATUS value_of(void *handle, uint32_t needed, const UNICODE_STRING *name, uint64_t caller,
                         const char *function, struct nt_reg_key **key, char **utf8)
{
    NTSTATUS status;

    nt_require_irql(PASSIVE_LEVEL, caller, function);
    status = key_of(handle, needed, key);
    if (NT_SUCCESS(status))
        status = utf8_of(name, caller, function, utf8);
    return status;
}

static NT_EXPORT NTSTATUS ZwSetValueKey(void *handle, UNICODE_STRING *name, uint32_t title_index,
                                        uint32_t type, void *data, uint32_t size)
{
    uint64_t caller = NT_CALLER;
    struct nt_reg_key *key;
    char *utf8;
    NTSTATUS status = value_of(handle, KEY_SET_VALUE, name, caller, __func__, &key, &utf8);
    int err;

    if (!NT_SUCCESS(status))
        return status;
    if (data == NULL && size)
        nt_verifier_fail(NT_VERIFY_ARGUMENT, caller, "ZwSetValueKey of %u bytes at NULL", size);
    err = nt_reg_set_value(key, utf8, type, data, size);
    free(utf8);
    return err == -EINVAL ? STATUS_INVALID_PARAMETER : status_of(err);
}
NT_REGISTER(NTOSKRNL, ZwSetValueKey);

static NT_EXPORT NTSTATUS ZwDeleteValueKey(void *handle, UNICODE_STRING *name)
{
    uint64_t caller = NT_CALLER;
    struct nt_reg_key *key;
    char *utf8;
    NTSTATUS status = value_of(handle, KEY_SET_VALUE, name, caller, __func__, &key, &utf8);

    if (!NT_SUCCESS(status))
        return status;
    status = status_of(nt_reg_delete_value(key, utf8));
    free(utf8);
    return status;
}
NT_REGISTER(NTOSKRNL, ZwDeleteValueKey);

/* A value as ZwQueryValueKey reports it: its name as stored (UTF-16LE), type and data. */
struct value {
    uint8_t *name; /* malloc'd */
    uint32_t name_length;
    struct nt_reg_value stored;
};

/* The value @name of @key, read whole at once. 0, -ENOENT, -ENOMEM. */
static int read_value(struct nt_reg_key *key, const char *name, struct value *v)
{
    int err = nt_reg_read_value(key, name, &v->stored);

    if (err)
        return err;
    v->name_length = (uint32_t)inf_utf16_encode(v->stored.name, NULL);
    v->name = malloc(v->name_length + 1u);
    if (v->name == NULL)
        return -ENOMEM;
    inf_utf16_encode(v->stored.name, v->name);
    return 0;
}

/* Copy what fits of @size bytes to @at in a buffer of @length; whether all did. */
static bool copy_part(uint8_t *buffer, uint32_t length, uint32_t at, const void *bytes,
                      uint32_t size)
{
    uint32_t room = length > at ? length - at : 0;

    memcpy(buffer + at, bytes, room < size ? room : size);
    return room >= size;
}

/*
 * @v as KEY_VALUE_*_INFORMATION @class in @out, as Windows writes it:
 * *@result is the size the whole answer needs; a buffer smaller than the
 * fixed part gets nothing (STATUS_BUFFER_TOO_SMALL), one smaller than the
 * whole gets the fixed part and what fits of the name and data
 * (STATUS_BUFFER_OVERFLOW). Full information puts the data at the next
 * 4-byte (ULONG) boundary after the name, DataOffset -1 without data:
 * only KeyValueFullInformationAlign64, not implemented, aligns it to 8.
 */
static NTSTATUS fill_information(const struct value *v, uint32_t class, uint8_t *out,
                                 uint32_t length, uint32_t *result)
{
    uint32_t fixed = class == NT_KEY_VALUE_FULL ? FULL_INFORMATION_NAME : PARTIAL_INFORMATION;
    uint32_t offset = (FULL_INFORMATION_NAME + v->name_length + 3u) & ~3u;
    uint32_t type = v->stored.type, data_length = (uint32_t)v->stored.length;
    const uint8_t *data = v->stored.data;
    bool whole;

    if (class == NT_KEY_VALUE_BASIC)
        *result = PARTIAL_INFORMATION + v->name_length;
    else if (class == NT_KEY_VALUE_PARTIAL)
        *result = PARTIAL_INFORMATION + data_length;
    else
        *result = data_length ? offset + data_length : FULL_INFORMATION_NAME + v->name_length;
    if (length < fixed)
        return STATUS_BUFFER_TOO_SMALL;
    if (class == NT_KEY_VALUE_BASIC) {
        KEY_VALUE_BASIC_INFORMATION basic = {0, type, v->name_length, {0}};

        memcpy(out, &basic, fixed);
        whole = copy_part(out, length, fixed, v->name, v->name_length);
    } else if (class == NT_KEY_VALUE_PARTIAL) {
        KEY_VALUE_PARTIAL_INFORMATION partial = {0, type, data_length, {0}};

        memcpy(out, &partial, fixed);
        whole = copy_part(out, length, fixed, data, data_length);
    } else {
        KEY_VALUE_FULL_INFORMATION full = {
            0, type, data_length ? offset : UINT32_MAX, data_length, v->name_length, {0}};

        memcpy(out, &full, fixed);
        whole = copy_part(out, length, fixed, v->name, v->name_length);
        whole = copy_part(out, length, offset, data, data_length) && whole;
    }
    return whole ? STATUS_SUCCESS : STATUS_BUFFER_OVERFLOW;
}

static NT_EXPORT NTSTATUS ZwQueryValueKey(void *handle, UNICODE_STRING *name, uint32_t class,
                                          void *information, uint32_t length, uint32_t *result)
{
    uint64_t caller = NT_CALLER;
    struct nt_reg_key *key;
    struct value v = {0};
    char *utf8;
    NTSTATUS status = value_of(handle, KEY_QUERY_VALUE, name, caller, __func__, &key, &utf8);

    if (!NT_SUCCESS(status))
        return status;
    if (result == NULL || (information == NULL && length) || class > NT_KEY_VALUE_PARTIAL) {
        free(utf8);
        nt_verifier_fail(NT_VERIFY_ARGUMENT, caller,
                         "ZwQueryValueKey with no ResultLength, no buffer of %u bytes, or class "
                         "%u (Basic, Full and Partial are implemented)",
                         length, class);
    }
    status = status_of(read_value(key, utf8, &v));
    free(utf8);
    if (NT_SUCCESS(status))
        status = fill_information(&v, class, information, length, result);
    free(v.name);
    nt_reg_value_free(&v.stored);
    return status;
}
NT_REGISTER(NTOSKRNL, ZwQueryValueKey);
