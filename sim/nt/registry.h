/*
 * sim/nt/registry.h - the simulated system's registry, as far as drivers
 * read it: a tree of keys under \Registry, each with typed values.
 *
 * This is the kernel's data structure; the DDIs (ZwOpenKey, ZwQueryValueKey,
 * IoOpenDeviceRegistryKey, RtlQueryRegistryValues...) are built on it. Key
 * and value names are UTF-8 and compared case-insensitively in ASCII, as
 * Windows compares them (non-ASCII letters exactly); a path's components
 * are separated by '\'. Data is kept as Windows keeps it: strings in
 * UTF-16LE with their NUL, a REG_DWORD in 4 little-endian bytes. Subkeys
 * enumerate in name order (as Windows lists them), values in the order
 * they were first set.
 *
 * A key is volatile (Windows would not write it to its hive) or not; the
 * machine's keys are not, except HARDWARE's, as on Windows. Nothing here
 * outlives the simulated boot, so volatility changes one rule only,
 * Windows's: a key that is not volatile cannot be created under a
 * volatile one. A key nt_reg_create makes is as volatile as its parent.
 *
 * Keys live as long as the registry (there is no deletion of keys), so a
 * struct nt_reg_key * stays valid to use as a handle's object. Every call
 * may come from any thread: one lock serialises them. Context: any thread
 * of the simulated kernel; blocks briefly (a mutex), so not from a path
 * that models a raised IRQL without a thread.
 */
#ifndef WINPV_SIM_NT_REGISTRY_H
#define WINPV_SIM_NT_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NT_REG_KEY_NAME_MAX   255   /* bytes of a key's name, as Windows's 255 characters */
#define NT_REG_VALUE_NAME_MAX 16383 /* bytes of a value's name */
#define NT_REG_VALUE_SIZE_MAX (1u << 20)
#define NT_REG_DEPTH_MAX      512 /* keys in a path, as Windows */

#define NT_REG_NONE      0u
#define NT_REG_SZ        1u
#define NT_REG_EXPAND_SZ 2u
#define NT_REG_BINARY    3u
#define NT_REG_DWORD     4u
#define NT_REG_MULTI_SZ  7u
#define NT_REG_QWORD     11u

/* Keys Windows has and driver installation writes below. */
#define NT_REG_MACHINE  "\\Registry\\Machine"
#define NT_REG_SERVICES NT_REG_MACHINE "\\System\\CurrentControlSet\\Services"
#define NT_REG_ENUM     NT_REG_MACHINE "\\System\\CurrentControlSet\\Enum"
#define NT_REG_CLASS    NT_REG_MACHINE "\\System\\CurrentControlSet\\Control\\Class"

struct nt_registry;
struct nt_reg_key;

/* A value's bytes read out: the caller gives @data and @size, the call sets @type and @length. */
struct nt_reg_data {
    void *data;    /* may be NULL when size is 0 */
    size_t size;   /* room at data */
    uint32_t type; /* out */
    size_t length; /* out: the value's whole length, copied only when it fits */
};

/* A registry with \Registry\Machine\{System\CurrentControlSet\{Services,Enum,Control\Class},
 * Software, Hardware} and \Registry\User. 0 or -ENOMEM. */
int nt_registry_create(struct nt_registry **registry);
void nt_registry_destroy(struct nt_registry *registry);

/*
 * The key at @path: absolute ("\Registry\Machine\...") when @base is NULL,
 * else relative to @base (no leading '\'; "" is @base itself). 0, -ENOENT
 * (a key on the path is missing) or -EINVAL (an empty component, a name
 * too long).
 */
int nt_reg_open(struct nt_registry *registry, struct nt_reg_key *base, const char *path,
                struct nt_reg_key **key);
/*
 * The key at @path as nt_reg_open, created with every missing key before
 * it (as RegCreateKeyEx; ZwCreateKey creates only the last, so its DDI
 * opens the parent first). *@created (unless NULL) says whether the last
 * was new. 0, -EINVAL, -ENOMEM.
 */
int nt_reg_create(struct nt_registry *registry, struct nt_reg_key *base, const char *path,
                  struct nt_reg_key **key, bool *created);

/*
 * The subkey @name (one component) of @parent, created when missing as
 * ZwCreateKey creates it, volatile when @is_volatile; *@created (unless
 * NULL) says whether it was. 0, -EINVAL (a bad name), -ENOMEM, or -EPERM
 * when a key that is not volatile would be created under a volatile one
 * (STATUS_CHILD_MUST_BE_VOLATILE). An existing key is opened as it is.
 */
int nt_reg_create_subkey(struct nt_reg_key *parent, const char *name, bool is_volatile,
                         struct nt_reg_key **key, bool *created);

/* @key's own name ("" for the root), valid as long as the registry. */
const char *nt_reg_key_name(const struct nt_reg_key *key);
/* @key's absolute path in @out (NUL-terminated); its length, or more than @size - 1 if cut. */
size_t nt_reg_key_path(const struct nt_reg_key *key, char *out, size_t size);

/* Set @name ("" the default value) to @size bytes of @type. 0, -EINVAL (name, size), -ENOMEM. */
int nt_reg_set_value(struct nt_reg_key *key, const char *name, uint32_t type, const void *data,
                     size_t size);
/* Read @name into @out. 0, -ENOENT, or -EOVERFLOW (type and length set, data cut to size). */
int nt_reg_query_value(struct nt_reg_key *key, const char *name, struct nt_reg_data *out);
/* 0 or -ENOENT. */
int nt_reg_delete_value(struct nt_reg_key *key, const char *name);

/* A value read whole, each part malloc'd: free it with nt_reg_value_free. */
struct nt_reg_value {
    char *name; /* as it was first set (@name matches it in any case) */
    uint32_t type;
    uint8_t *data;
    size_t length;
};
/*
 * The value @name of @key, name as stored, type and data read under one
 * lock: a set or delete meanwhile gives the value as it was before or
 * after, never parts of both. 0, -ENOENT or -ENOMEM.
 */
int nt_reg_read_value(struct nt_reg_key *key, const char *name, struct nt_reg_value *out);
void nt_reg_value_free(struct nt_reg_value *value);

/*
 * The value at @index: its name in @name (@name_size bytes; NT_REG_VALUE_NAME_MAX
 * + 1 always holds it) and its data in @out. 0, -ENOENT past the last, or
 * -EOVERFLOW (the name or the data did not fit).
 */
int nt_reg_enum_value(struct nt_reg_key *key, size_t index, char *name, size_t name_size,
                      struct nt_reg_data *out);
/* The name of the subkey at @index (NT_REG_KEY_NAME_MAX + 1 bytes hold it). 0, -ENOENT, -EOVERFLOW. */
int nt_reg_enum_subkey(struct nt_reg_key *key, size_t index, char *name, size_t name_size);

#endif /* WINPV_SIM_NT_REGISTRY_H */
