/*
 * sim/nt/registry.c - the registry's tree of keys and values (see
 * registry.h). A key keeps its subkeys sorted by name, for lookups by
 * binary search and enumeration in Windows's order, and its values in a
 * list in the order they were first set.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "registry.h"

struct reg_value {
    char *name;
    uint32_t type;
    uint8_t *data;
    size_t size;
};

struct nt_reg_key {
    struct nt_reg_key *parent;
    char *name;
    bool is_volatile;
    struct nt_reg_key **subkeys; /* sorted by name, case-insensitively */
    size_t subkey_count, subkey_capacity;
    struct reg_value *values;
    size_t value_count, value_capacity;
};

struct nt_registry {
    pthread_mutex_t lock;
    struct nt_reg_key root;
};

/* The lock is the registry's: each key reaches it through its root. */
static struct nt_registry *registry_of(const struct nt_reg_key *key)
{
    while (key->parent)
        key = key->parent;
    return (struct nt_registry *)((char *)key - offsetof(struct nt_registry, root));
}

/* Compare @name with the counted name part[0..len). */
static int compare_name(const char *name, const char *part, size_t len)
{
    int c = strncasecmp(name, part, len);

    return c ? c : name[len] != '\0';
}

/* The position of the subkey part[0..len) in @key, or where it would go; *@found says which. */
static size_t find_subkey(const struct nt_reg_key *key, const char *part, size_t len, bool *found)
{
    size_t low = 0, high = key->subkey_count;

    while (low < high) {
        size_t mid = low + (high - low) / 2;

        if (compare_name(key->subkeys[mid]->name, part, len) < 0)
            low = mid + 1;
        else
            high = mid;
    }
    *found = low < key->subkey_count && compare_name(key->subkeys[low]->name, part, len) == 0;
    return low;
}

static int add_subkey(struct nt_reg_key *key, size_t at, const char *part, size_t len,
                      struct nt_reg_key **added)
{
    struct nt_reg_key *child;

    if (key->subkey_count == key->subkey_capacity) {
        size_t capacity = key->subkey_capacity ? key->subkey_capacity * 2 : 4;
        struct nt_reg_key **subkeys = realloc(key->subkeys, capacity * sizeof(*subkeys));

        if (subkeys == NULL)
            return -ENOMEM;
        key->subkeys = subkeys;
        key->subkey_capacity = capacity;
    }
    child = calloc(1, sizeof(*child));
    if (child == NULL || (child->name = strndup(part, len)) == NULL) {
        free(child);
        return -ENOMEM;
    }
    child->parent = key;
    child->is_volatile = key->is_volatile;
    memmove(&key->subkeys[at + 1], &key->subkeys[at],
            (key->subkey_count - at) * sizeof(*key->subkeys));
    key->subkeys[at] = child;
    key->subkey_count++;
    *added = child;
    return 0;
}

static size_t depth_of(const struct nt_reg_key *key)
{
    size_t depth = 0;

    for (; key->parent; key = key->parent)
        depth++;
    return depth;
}

/*
 * -EINVAL unless @path is components of 1 to NT_REG_KEY_NAME_MAX bytes that
 * take a key at @depth no deeper than NT_REG_DEPTH_MAX.
 */
static int check_path(const char *path, size_t depth)
{
    while (*path) {
        size_t len = strcspn(path, "\\");

        if (len == 0 || len > NT_REG_KEY_NAME_MAX || ++depth > NT_REG_DEPTH_MAX ||
            (path[len] == '\\' && path[len + 1] == '\0'))
            return -EINVAL;
        path += len + (path[len] == '\\');
    }
    return 0;
}

static int walk(struct nt_registry *registry, struct nt_reg_key *base, const char *path,
                bool create, struct nt_reg_key **key, bool *created)
{
    struct nt_reg_key *at = base ? base : &registry->root;
    bool found = true;

    if ((base == NULL) != (path[0] == '\\'))
        return -EINVAL; /* absolute without a base, relative with one */
    if (base == NULL)
        path++;
    if (check_path(path, depth_of(at)))
        return -EINVAL;
    while (*path) {
        size_t len = strcspn(path, "\\");
        size_t pos = find_subkey(at, path, len, &found);

        if (found) {
            at = at->subkeys[pos];
        } else {
            int err = create ? add_subkey(at, pos, path, len, &at) : -ENOENT;

            if (err)
                return err;
        }
        path += len + (path[len] == '\\');
    }
    if (created)
        *created = !found;
    *key = at;
    return 0;
}

int nt_reg_open(struct nt_registry *registry, struct nt_reg_key *base, const char *path,
                struct nt_reg_key **key)
{
    int err;

    pthread_mutex_lock(&registry->lock);
    err = walk(registry, base, path, false, key, NULL);
    pthread_mutex_unlock(&registry->lock);
    return err;
}

int nt_reg_create(struct nt_registry *registry, struct nt_reg_key *base, const char *path,
                  struct nt_reg_key **key, bool *created)
{
    int err;

    pthread_mutex_lock(&registry->lock);
    err = walk(registry, base, path, true, key, created);
    pthread_mutex_unlock(&registry->lock);
    return err;
}

int nt_reg_create_subkey(struct nt_reg_key *parent, const char *name, bool is_volatile,
                         struct nt_reg_key **key, bool *created)
{
    struct nt_registry *registry = registry_of(parent);
    size_t len = strlen(name), at;
    bool found = false;
    int err = 0;

    if (len == 0 || strchr(name, '\\'))
        return -EINVAL;
    pthread_mutex_lock(&registry->lock);
    err = check_path(name, depth_of(parent));
    if (err == 0) {
        at = find_subkey(parent, name, len, &found);
        if (found)
            *key = parent->subkeys[at];
        else if (!is_volatile && parent->is_volatile)
            err = -EPERM;
        else
            err = add_subkey(parent, at, name, len, key);
        if (err == 0 && !found)
            (*key)->is_volatile = is_volatile;
    }
    pthread_mutex_unlock(&registry->lock);
    if (err == 0 && created)
        *created = !found;
    return err;
}

const char *nt_reg_key_name(const struct nt_reg_key *key)
{
    return key->name;
}

size_t nt_reg_key_path(const struct nt_reg_key *key, char *out, size_t size)
{
    const struct nt_reg_key *chain[NT_REG_DEPTH_MAX];
    size_t depth = 0, len = 0;

    for (; key->parent; key = key->parent)
        chain[depth++] = key; /* walk keeps every key within NT_REG_DEPTH_MAX */
    if (size)
        out[0] = '\0';
    if (depth == 0)
        return (size_t)snprintf(out, size, "\\");
    while (depth--) {
        int n = snprintf(len < size ? out + len : NULL, len < size ? size - len : 0, "\\%s",
                         chain[depth]->name);

        len += (size_t)n;
    }
    return len;
}

static struct reg_value *find_value(struct nt_reg_key *key, const char *name)
{
    for (size_t i = 0; i < key->value_count; i++) {
        if (strcasecmp(key->values[i].name, name) == 0)
            return &key->values[i];
    }
    return NULL;
}

static int set_value_locked(struct nt_reg_key *key, const char *name, uint32_t type,
                            const void *data, size_t size)
{
    struct reg_value *value = find_value(key, name);
    uint8_t *copy = malloc(size ? size : 1);

    if (copy == NULL)
        return -ENOMEM;
    if (size)
        memcpy(copy, data, size);
    if (value == NULL) {
        if (key->value_count == key->value_capacity) {
            size_t capacity = key->value_capacity ? key->value_capacity * 2 : 4;
            struct reg_value *values = realloc(key->values, capacity * sizeof(*values));

            if (values == NULL) {
                free(copy);
                return -ENOMEM;
            }
            key->values = values;
            key->value_capacity = capacity;
        }
        value = &key->values[key->value_count];
        value->name = strdup(name);
        if (value->name == NULL) {
            free(copy);
            return -ENOMEM;
        }
        value->data = NULL;
        key->value_count++;
    }
    free(value->data);
    value->type = type;
    value->data = copy;
    value->size = size;
    return 0;
}

int nt_reg_set_value(struct nt_reg_key *key, const char *name, uint32_t type, const void *data,
                     size_t size)
{
    struct nt_registry *registry = registry_of(key);
    int err;

    if (strlen(name) > NT_REG_VALUE_NAME_MAX || size > NT_REG_VALUE_SIZE_MAX ||
        (size && data == NULL))
        return -EINVAL;
    pthread_mutex_lock(&registry->lock);
    err = set_value_locked(key, name, type, data, size);
    pthread_mutex_unlock(&registry->lock);
    return err;
}

/* @value's data into @out: 0, or -EOVERFLOW when it does not fit. */
static int copy_out(const struct reg_value *value, struct nt_reg_data *out)
{
    out->type = value->type;
    out->length = value->size;
    if (value->size > out->size)
        return -EOVERFLOW;
    if (value->size)
        memcpy(out->data, value->data, value->size);
    return 0;
}

int nt_reg_query_value(struct nt_reg_key *key, const char *name, struct nt_reg_data *out)
{
    struct nt_registry *registry = registry_of(key);
    const struct reg_value *value;
    int err = -ENOENT;

    pthread_mutex_lock(&registry->lock);
    value = find_value(key, name);
    if (value)
        err = copy_out(value, out);
    pthread_mutex_unlock(&registry->lock);
    return err;
}

int nt_reg_delete_value(struct nt_reg_key *key, const char *name)
{
    struct nt_registry *registry = registry_of(key);
    struct reg_value *value;
    int err = -ENOENT;

    pthread_mutex_lock(&registry->lock);
    value = find_value(key, name);
    if (value) {
        size_t at = (size_t)(value - key->values);

        free(value->name);
        free(value->data);
        memmove(value, value + 1, (key->value_count - at - 1) * sizeof(*value));
        key->value_count--;
        err = 0;
    }
    pthread_mutex_unlock(&registry->lock);
    return err;
}

int nt_reg_read_value(struct nt_reg_key *key, const char *name, struct nt_reg_value *out)
{
    struct nt_registry *registry = registry_of(key);
    const struct reg_value *value;
    int err = -ENOENT;

    *out = (struct nt_reg_value){0};
    pthread_mutex_lock(&registry->lock);
    value = find_value(key, name);
    if (value) {
        out->name = strdup(value->name);
        out->data = malloc(value->size ? value->size : 1);
        out->type = value->type;
        out->length = value->size;
        err = out->name && out->data ? 0 : -ENOMEM;
        if (err == 0 && value->size)
            memcpy(out->data, value->data, value->size);
    }
    pthread_mutex_unlock(&registry->lock);
    if (err)
        nt_reg_value_free(out);
    return err;
}

void nt_reg_value_free(struct nt_reg_value *value)
{
    free(value->name);
    free(value->data);
    *value = (struct nt_reg_value){0};
}

static int copy_name(const char *name, char *out, size_t size)
{
    if (strlen(name) >= size)
        return -EOVERFLOW;
    strcpy(out, name);
    return 0;
}

int nt_reg_enum_value(struct nt_reg_key *key, size_t index, char *name, size_t name_size,
                      struct nt_reg_data *out)
{
    struct nt_registry *registry = registry_of(key);
    int err = -ENOENT;

    pthread_mutex_lock(&registry->lock);
    if (index < key->value_count) {
        err = copy_name(key->values[index].name, name, name_size);
        if (err == 0)
            err = copy_out(&key->values[index], out);
    }
    pthread_mutex_unlock(&registry->lock);
    return err;
}

int nt_reg_enum_subkey(struct nt_reg_key *key, size_t index, char *name, size_t name_size)
{
    struct nt_registry *registry = registry_of(key);
    int err = -ENOENT;

    pthread_mutex_lock(&registry->lock);
    if (index < key->subkey_count)
        err = copy_name(key->subkeys[index]->name, name, name_size);
    pthread_mutex_unlock(&registry->lock);
    return err;
}

static void free_key(struct nt_reg_key *key)
{
    for (size_t i = 0; i < key->subkey_count; i++) {
        free_key(key->subkeys[i]);
        free(key->subkeys[i]);
    }
    for (size_t i = 0; i < key->value_count; i++) {
        free(key->values[i].name);
        free(key->values[i].data);
    }
    free(key->subkeys);
    free(key->values);
    free(key->name);
}

int nt_registry_create(struct nt_registry **out)
{
    static const char *const standard[] = {
        NT_REG_SERVICES,
        NT_REG_ENUM,
        NT_REG_CLASS,
        NT_REG_MACHINE "\\Software",
        NT_REG_MACHINE "\\Hardware",
        "\\Registry\\User",
    };
    struct nt_registry *registry = calloc(1, sizeof(*registry));
    struct nt_reg_key *key;

    *out = NULL;
    if (registry == NULL)
        return -ENOMEM;
    pthread_mutex_init(&registry->lock, NULL);
    registry->root.name = strdup("");
    for (size_t i = 0; i < sizeof(standard) / sizeof(standard[0]); i++) {
        if (registry->root.name == NULL ||
            nt_reg_create(registry, NULL, standard[i], &key, NULL) != 0) {
            nt_registry_destroy(registry);
            return -ENOMEM;
        }
    }
    /* HARDWARE is rebuilt at each boot on Windows: its keys are volatile. */
    if (nt_reg_open(registry, NULL, NT_REG_MACHINE "\\Hardware", &key) == 0)
        key->is_volatile = true;
    *out = registry;
    return 0;
}

void nt_registry_destroy(struct nt_registry *registry)
{
    if (registry == NULL)
        return;
    free_key(&registry->root);
    pthread_mutex_destroy(&registry->lock);
    free(registry);
}
