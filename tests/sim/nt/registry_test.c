/*
 * sim/nt's registry as the kernel's DDIs will use it: keys opened and
 * created by path, case-insensitively; typed values set, read (whole or cut
 * to a small buffer, or name, type and data at once while another thread
 * changes them), replaced, deleted and enumerated; subkeys listed in name
 * order; bad paths refused; volatile keys, and no key that is not volatile
 * made under one; threads using it at once.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nt/registry.h"

static int setup(void **state)
{
    struct nt_registry *registry;

    assert_int_equal(nt_registry_create(&registry), 0);
    *state = registry;
    return 0;
}

static int teardown(void **state)
{
    nt_registry_destroy(*state);
    return 0;
}

static struct nt_reg_key *create(struct nt_registry *registry, struct nt_reg_key *base,
                                 const char *path)
{
    struct nt_reg_key *key;

    assert_int_equal(nt_reg_create(registry, base, path, &key, NULL), 0);
    return key;
}

static void test_the_machine_has_windows_keys(void **state)
{
    struct nt_registry *registry = *state;
    struct nt_reg_key *key;
    char path[256];

    assert_int_equal(nt_reg_open(registry, NULL, NT_REG_SERVICES, &key), 0);
    assert_string_equal(nt_reg_key_name(key), "Services");
    assert_int_equal(nt_reg_key_path(key, path, sizeof(path)), strlen(NT_REG_SERVICES));
    assert_string_equal(path, NT_REG_SERVICES);
    assert_int_equal(nt_reg_open(registry, NULL, NT_REG_ENUM, &key), 0);
    assert_int_equal(nt_reg_open(registry, NULL, NT_REG_CLASS, &key), 0);
    assert_int_equal(nt_reg_open(registry, NULL, "\\Registry\\User", &key), 0);
    assert_int_equal(nt_reg_open(registry, NULL, "\\", &key), 0);
    assert_string_equal(nt_reg_key_name(key), "");
    assert_int_equal(nt_reg_key_path(key, path, sizeof(path)), 1);
    assert_string_equal(path, "\\");
}

static void test_keys_open_by_path_in_any_case(void **state)
{
    struct nt_registry *registry = *state;
    struct nt_reg_key *key, *again, *parameters;
    bool created;

    assert_int_equal(
        nt_reg_create(registry, NULL, NT_REG_SERVICES "\\xenbus\\Parameters", &key, &created), 0);
    assert_true(created);
    assert_int_equal(nt_reg_create(registry, NULL,
                                   "\\REGISTRY\\machine\\SYSTEM\\CurrentControlSet\\services\\"
                                   "XENBUS\\parameters",
                                   &again, &created),
                     0);
    assert_false(created);
    assert_ptr_equal(again, key);
    assert_string_equal(nt_reg_key_name(key), "Parameters"); /* as first written */
    assert_int_equal(nt_reg_open(registry, NULL, NT_REG_SERVICES "\\XenBus", &again), 0);
    assert_int_equal(nt_reg_open(registry, again, "PARAMETERS", &parameters), 0);
    assert_ptr_equal(parameters, key);
    assert_int_equal(nt_reg_open(registry, again, "", &parameters), 0);
    assert_ptr_equal(parameters, again);
    assert_int_equal(nt_reg_open(registry, NULL, NT_REG_SERVICES "\\xenvbd", &again), -ENOENT);
    assert_int_equal(nt_reg_open(registry, key, "Missing\\Deeper", &again), -ENOENT);
}

static void test_bad_paths_are_refused(void **state)
{
    struct nt_registry *registry = *state;
    struct nt_reg_key *base = create(registry, NULL, "\\Registry\\Machine\\Software\\Test");
    struct nt_reg_key *key, *deep = base;
    char name[NT_REG_KEY_NAME_MAX + 2], *path;
    size_t n = 0;

    static const char *const absolute[] = {
        "Registry\\Machine",     /* absolute without its '\' */
        "\\Registry\\\\Machine", /* an empty component */
        "\\Registry\\Machine\\", /* ending in '\' */
    };
    for (size_t i = 0; i < sizeof(absolute) / sizeof(absolute[0]); i++) {
        assert_int_equal(nt_reg_create(registry, NULL, absolute[i], &key, NULL), -EINVAL);
        assert_int_equal(nt_reg_open(registry, NULL, absolute[i], &key), -EINVAL);
    }
    assert_int_equal(nt_reg_create(registry, base, "\\Absolute", &key, NULL), -EINVAL);
    /* Nothing of a refused path was created. */
    assert_int_equal(nt_reg_create(registry, base, "made\\\\not", &key, NULL), -EINVAL);
    assert_int_equal(nt_reg_open(registry, base, "made", &key), -ENOENT);
    memset(name, 'k', NT_REG_KEY_NAME_MAX);
    name[NT_REG_KEY_NAME_MAX] = '\0';
    assert_int_equal(nt_reg_create(registry, base, name, &key, NULL), 0);
    strcat(name, "k");
    assert_int_equal(nt_reg_create(registry, base, name, &key, NULL), -EINVAL);
    /* No deeper than NT_REG_DEPTH_MAX keys below the root. */
    path = malloc(NT_REG_DEPTH_MAX * 2 + 1);
    assert_non_null(path);
    for (size_t depth = 4; depth < NT_REG_DEPTH_MAX; depth++)
        n += (size_t)sprintf(path + n, "%sd", n ? "\\" : "");
    assert_int_equal(nt_reg_create(registry, base, path, &deep, NULL), 0);
    assert_int_equal(nt_reg_create(registry, deep, "one", &key, NULL), -EINVAL);
    free(path);
}

static void test_values_are_typed_bytes(void **state)
{
    struct nt_registry *registry = *state;
    struct nt_reg_key *key = create(registry, NULL, NT_REG_SERVICES "\\svc");
    const uint8_t sz[] = {'h', 0, 'i', 0, 0, 0}, dword[] = {1, 0, 0, 0};
    uint8_t buffer[16];
    struct nt_reg_data out = {.data = buffer, .size = sizeof(buffer)};

    assert_int_equal(nt_reg_set_value(key, "Name", NT_REG_SZ, sz, sizeof(sz)), 0);
    assert_int_equal(nt_reg_set_value(key, "", NT_REG_DWORD, dword, sizeof(dword)), 0);
    assert_int_equal(nt_reg_set_value(key, "Empty", NT_REG_NONE, NULL, 0), 0);
    assert_int_equal(nt_reg_query_value(key, "NAME", &out), 0);
    assert_int_equal(out.type, NT_REG_SZ);
    assert_int_equal(out.length, sizeof(sz));
    assert_memory_equal(buffer, sz, sizeof(sz));
    assert_int_equal(nt_reg_query_value(key, "", &out), 0); /* the default value */
    assert_int_equal(out.type, NT_REG_DWORD);
    assert_memory_equal(buffer, dword, sizeof(dword));
    assert_int_equal(nt_reg_query_value(key, "Empty", &out), 0);
    assert_int_equal(out.length, 0);
    assert_int_equal(nt_reg_query_value(key, "Missing", &out), -ENOENT);
    /* Too small a buffer: the type and the whole length, and nothing copied. */
    memset(buffer, 0xcc, sizeof(buffer));
    out = (struct nt_reg_data){.data = buffer, .size = 4};
    assert_int_equal(nt_reg_query_value(key, "Name", &out), -EOVERFLOW);
    assert_int_equal(out.type, NT_REG_SZ);
    assert_int_equal(out.length, sizeof(sz));
    assert_int_equal(buffer[0], 0xcc);
    out = (struct nt_reg_data){.size = 0};
    assert_int_equal(nt_reg_query_value(key, "Name", &out), -EOVERFLOW);
    assert_int_equal(out.length, sizeof(sz));
}

static void test_values_replace_delete_and_enumerate_in_order(void **state)
{
    struct nt_registry *registry = *state;
    struct nt_reg_key *key = create(registry, NULL, NT_REG_SERVICES "\\svc");
    char name[NT_REG_VALUE_NAME_MAX + 1];
    uint8_t buffer[8];
    struct nt_reg_data out = {.data = buffer, .size = sizeof(buffer)};
    static const char *const names[] = {"Zeta", "alpha", "Mid"};

    for (size_t i = 0; i < 3; i++)
        assert_int_equal(nt_reg_set_value(key, names[i], NT_REG_BINARY, &i, 1), 0);
    assert_int_equal(nt_reg_set_value(key, "ZETA", NT_REG_DWORD, "\x07\0\0\0", 4), 0);
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(nt_reg_enum_value(key, i, name, sizeof(name), &out), 0);
        assert_string_equal(name, names[i]); /* first-set order, first-written name */
    }
    assert_int_equal(nt_reg_enum_value(key, 0, name, sizeof(name), &out), 0);
    assert_int_equal(out.type, NT_REG_DWORD);
    assert_int_equal(buffer[0], 7);
    assert_int_equal(nt_reg_enum_value(key, 3, name, sizeof(name), &out), -ENOENT);
    assert_int_equal(nt_reg_enum_value(key, 1, name, 5, &out), -EOVERFLOW);
    assert_int_equal(nt_reg_delete_value(key, "ALPHA"), 0);
    assert_int_equal(nt_reg_delete_value(key, "alpha"), -ENOENT);
    assert_int_equal(nt_reg_enum_value(key, 1, name, sizeof(name), &out), 0);
    assert_string_equal(name, "Mid");
    assert_int_equal(nt_reg_enum_value(key, 2, name, sizeof(name), &out), -ENOENT);
}

/* ZwCreateKey's rule: a key that is not volatile cannot be made under a volatile one. */
static void test_volatile_keys(void **state)
{
    struct nt_reg_key *service = create(*state, NULL, NT_REG_SERVICES "\\svc"), *hardware;
    struct nt_reg_key *runtime, *key, *again;
    bool created = false;

    assert_int_equal(nt_reg_create_subkey(service, "Runtime", true, &runtime, &created), 0);
    assert_true(created);
    assert_int_equal(nt_reg_create_subkey(service, "Stored", false, &key, NULL), 0);
    assert_int_equal(nt_reg_create_subkey(runtime, "Child", false, &key, NULL), -EPERM);
    assert_int_equal(nt_reg_create_subkey(runtime, "Child", true, &key, &created), 0);
    /* An existing key opens as it is, whatever is asked. */
    assert_int_equal(nt_reg_create_subkey(service, "RUNTIME", false, &again, &created), 0);
    assert_false(created);
    assert_ptr_equal(again, runtime);
    assert_int_equal(nt_reg_create_subkey(service, "a\\b", true, &key, NULL), -EINVAL);
    assert_int_equal(nt_reg_create_subkey(service, "", true, &key, NULL), -EINVAL);
    /* HARDWARE is volatile, as on Windows, and what nt_reg_create makes there too. */
    hardware = create(*state, NULL, NT_REG_MACHINE "\\Hardware\\Description");
    assert_int_equal(nt_reg_create_subkey(hardware, "System", false, &key, NULL), -EPERM);
}

/* Sets "Flip" to a DWORD of 1s or 8 bytes of 2s, and deletes it, by turns. */
static void *flip_value(void *arg)
{
    struct nt_reg_key *key = arg;
    const uint8_t ones[4] = {1, 1, 1, 1}, twos[8] = {2, 2, 2, 2, 2, 2, 2, 2};

    for (int i = 0; i < 3000; i++) {
        if (nt_reg_set_value(key, i % 2 ? "FLIP" : "Flip", i % 2 ? NT_REG_BINARY : NT_REG_DWORD,
                             i % 2 ? twos : ones, i % 2 ? sizeof(twos) : sizeof(ones)) != 0)
            return (void *)1;
        if (i % 3 == 0)
            nt_reg_delete_value(key, "flip");
    }
    return NULL;
}

/* A value read whole is one value: its name as stored, and type and data that belong together. */
static void test_a_value_reads_whole(void **state)
{
    struct nt_reg_key *key = create(*state, NULL, NT_REG_SERVICES "\\svc");
    struct nt_reg_value value;
    pthread_t writer;
    void *result;

    assert_int_equal(nt_reg_set_value(key, "Stored", NT_REG_DWORD, "\x05\0\0\0", 4), 0);
    assert_int_equal(nt_reg_read_value(key, "STORED", &value), 0);
    assert_string_equal(value.name, "Stored");
    assert_int_equal(value.type, NT_REG_DWORD);
    assert_int_equal(value.length, 4);
    assert_int_equal(value.data[0], 5);
    nt_reg_value_free(&value);
    assert_int_equal(nt_reg_read_value(key, "Missing", &value), -ENOENT);
    assert_null(value.name);
    assert_int_equal(pthread_create(&writer, NULL, flip_value, key), 0);
    for (int i = 0; i < 3000; i++) {
        int err = nt_reg_read_value(key, "flip", &value);

        assert_true(err == 0 || err == -ENOENT);
        if (err)
            continue;
        /* The name it was set with first after its last delete. */
        assert_true(strcmp(value.name, "Flip") == 0 || strcmp(value.name, "FLIP") == 0);
        if (value.type == NT_REG_DWORD)
            assert_true(value.length == 4 && value.data[3] == 1);
        else
            assert_true(value.type == NT_REG_BINARY && value.length == 8 && value.data[7] == 2);
        nt_reg_value_free(&value);
    }
    assert_int_equal(pthread_join(writer, &result), 0);
    assert_null(result);
}

static void test_value_limits(void **state)
{
    struct nt_registry *registry = *state;
    struct nt_reg_key *key = create(registry, NULL, NT_REG_SERVICES "\\svc");
    char *long_name = malloc(NT_REG_VALUE_NAME_MAX + 2);
    uint8_t *big = calloc(1, NT_REG_VALUE_SIZE_MAX + 1);

    assert_non_null(long_name);
    assert_non_null(big);
    memset(long_name, 'v', NT_REG_VALUE_NAME_MAX + 1);
    long_name[NT_REG_VALUE_NAME_MAX + 1] = '\0';
    assert_int_equal(nt_reg_set_value(key, long_name, NT_REG_NONE, NULL, 0), -EINVAL);
    long_name[NT_REG_VALUE_NAME_MAX] = '\0';
    assert_int_equal(nt_reg_set_value(key, long_name, NT_REG_NONE, NULL, 0), 0);
    assert_int_equal(nt_reg_set_value(key, "big", NT_REG_BINARY, big, NT_REG_VALUE_SIZE_MAX + 1),
                     -EINVAL);
    assert_int_equal(nt_reg_set_value(key, "big", NT_REG_BINARY, big, NT_REG_VALUE_SIZE_MAX), 0);
    assert_int_equal(nt_reg_set_value(key, "null", NT_REG_BINARY, NULL, 1), -EINVAL);
    free(long_name);
    free(big);
}

static void test_subkeys_enumerate_in_name_order(void **state)
{
    struct nt_registry *registry = *state;
    struct nt_reg_key *key = create(registry, NULL, NT_REG_MACHINE "\\Software\\Vendor");
    static const char *const made[] = {"beta", "Alpha", "gamma", "ALPHA\\child", "Delta"};
    static const char *const listed[] = {"Alpha", "beta", "Delta", "gamma"};
    char name[NT_REG_KEY_NAME_MAX + 1];
    size_t i;

    for (i = 0; i < sizeof(made) / sizeof(made[0]); i++)
        create(registry, key, made[i]);
    for (i = 0; nt_reg_enum_subkey(key, i, name, sizeof(name)) == 0; i++)
        assert_string_equal(name, listed[i]);
    assert_int_equal(i, 4);
    assert_int_equal(nt_reg_enum_subkey(key, 0, name, 3), -EOVERFLOW);
}

struct writer {
    struct nt_registry *registry;
    int id;
};

static void *write_values(void *arg)
{
    struct writer *w = arg;
    char path[64], name[16];

    for (int i = 0; i < 200; i++) {
        struct nt_reg_key *key;

        snprintf(path, sizeof(path), NT_REG_SERVICES "\\shared\\k%d", i % 7);
        snprintf(name, sizeof(name), "w%d-%d", w->id, i);
        if (nt_reg_create(w->registry, NULL, path, &key, NULL) ||
            nt_reg_set_value(key, name, NT_REG_DWORD, &i, 4))
            return (void *)1;
    }
    return NULL;
}

static void test_threads_share_it(void **state)
{
    struct writer writers[4];
    pthread_t threads[4];
    struct nt_reg_key *key;
    char name[32];
    size_t values = 0;

    for (int i = 0; i < 4; i++) {
        writers[i] = (struct writer){*state, i};
        assert_int_equal(pthread_create(&threads[i], NULL, write_values, &writers[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        void *result;

        assert_int_equal(pthread_join(threads[i], &result), 0);
        assert_null(result);
    }
    for (int k = 0; k < 7; k++) {
        struct nt_reg_data out = {.size = 0};

        snprintf(name, sizeof(name), "shared\\k%d", k);
        assert_int_equal(nt_reg_open(*state, NULL, NT_REG_SERVICES, &key), 0);
        assert_int_equal(nt_reg_open(*state, key, name, &key), 0);
        for (size_t i = 0; nt_reg_enum_value(key, i, name, sizeof(name), &out) != -ENOENT; i++)
            values++;
    }
    assert_int_equal(values, 4 * 200);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_the_machine_has_windows_keys, setup, teardown),
        cmocka_unit_test_setup_teardown(test_keys_open_by_path_in_any_case, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_paths_are_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_values_are_typed_bytes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_values_replace_delete_and_enumerate_in_order, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_a_value_reads_whole, setup, teardown),
        cmocka_unit_test_setup_teardown(test_volatile_keys, setup, teardown),
        cmocka_unit_test_setup_teardown(test_value_limits, setup, teardown),
        cmocka_unit_test_setup_teardown(test_subkeys_enumerate_in_name_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_threads_share_it, setup, teardown),
    };

    return cmocka_run_group_tests_name("nt_registry", tests, NULL, NULL);
}
