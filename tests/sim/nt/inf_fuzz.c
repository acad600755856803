/*
 * libFuzzer target for sim/nt's INF reader: each input is an INF file. One
 * that parses is matched against the Xen platform device and against a
 * device with the IDs its own lines name (so a mutated INF still reaches a
 * model), installed, and written into a registry. Nothing may crash, leak
 * or overrun; an error is an answer like any other.
 */
#include <stddef.h>
#include <stdint.h>

#include "nt/inf.h"
#include "nt/registry_inf.h"

#define MAX_IDS 8

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const platform_hardware[] = {
    "PCI\\VEN_5853&DEV_0001&SUBSYS_00015853&REV_01",
    "PCI\\VEN_5853&DEV_0001&SUBSYS_00015853",
};
static const char *const platform_compatible[] = {
    "PCI\\VEN_5853&DEV_0001&REV_01",
    "PCI\\VEN_5853&DEV_0001",
};

/* Field 1 of the first lines that have one: what a Models line names its hardware ID. */
static size_t ids_named_in(const struct nt_inf *inf, const char **ids)
{
    size_t count = 0;

    for (size_t s = 0; s < inf->section_count && count < MAX_IDS; s++) {
        const struct nt_inf_section *section = &inf->sections[s];

        for (size_t i = 0; i < section->line_count && count < MAX_IDS; i++) {
            if (section->lines[i].field_count > 1)
                ids[count++] = section->lines[i].fields[1];
        }
    }
    return count;
}

static void install(const struct nt_inf *inf, const struct nt_device_ids *ids)
{
    char error[NT_INF_ERROR_SIZE];
    struct nt_inf_driver driver;
    struct nt_registry *registry;
    struct nt_inf_match match;

    if (nt_inf_match(inf, ids, NULL, &match, error, sizeof(error)) != 0 ||
        nt_inf_install(inf, &match, &driver, error, sizeof(error)) != 0)
        return;
    if (nt_registry_create(&registry) == 0) {
        nt_registry_install(registry, &driver, "PCI\\VEN_5853&DEV_0001\\3&0&0", NULL, error,
                            sizeof(error));
        nt_registry_destroy(registry);
    }
    nt_inf_driver_free(&driver);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const struct nt_device_ids platform = {platform_hardware, 2, platform_compatible, 2};
    char error[NT_INF_ERROR_SIZE];
    const char *named[MAX_IDS];
    struct nt_inf *inf;
    size_t count;

    if (nt_inf_parse(data, size, "fuzz.inf", &inf, error, sizeof(error)) != 0)
        return 0;
    install(inf, &platform);
    /* The first half of the IDs as hardware IDs, the rest as compatible ones. */
    count = ids_named_in(inf, named);
    install(inf, &(struct nt_device_ids){named, count / 2, named + count / 2, count - count / 2});
    nt_inf_free(inf);
    return 0;
}
