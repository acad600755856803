/*
 * sim/nt/inf_install.c - what installing a model line means: its DDInstall
 * section for x64, the files it copies, the service its .Services section
 * adds for the device (the AddService line flagged SPSVCINST_ASSOCSERVICE)
 * and the registry values its sections write.
 *
 * The simulated system has no drivers of its own, so ServiceBinary must
 * name a file the install copies: that file, beside the INF, is the image
 * the PnP manager loads.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "inf_impl.h"

#define SPSVCINST_ASSOCSERVICE 0x2u
#define SERVICE_KERNEL_DRIVER  0x1u
#define SERVICE_FILE_SYSTEM    0x2u
#define SERVICE_WIN32_OWN      0x10u
#define SERVICE_WIN32_SHARE    0x20u
#define SERVICE_SYSTEM_START   1u
#define SERVICE_DISABLED       4u
#define SERVICE_ERROR_CRITICAL 3u

const struct nt_inf_section *inf_ddinstall(const struct nt_inf *inf, const char *name)
{
    /* On x64 Windows looks for these in turn. */
    static const char *const decorations[] = {".NTamd64", ".NT", ""};
    char decorated[NT_INF_MAX_LINE + 16];

    for (size_t i = 0; i < sizeof(decorations) / sizeof(decorations[0]); i++) {
        const struct nt_inf_section *section;

        snprintf(decorated, sizeof(decorated), "%s%s", name, decorations[i]);
        section = nt_inf_section(inf, decorated);
        if (section)
            return section;
    }
    return NULL;
}

/* @section[.suffix], or NULL. */
static const struct nt_inf_section *
related(const struct nt_inf *inf, const struct nt_inf_section *section, const char *suffix)
{
    char name[INF_MAX_SECTION_NAME + 16];

    snprintf(name, sizeof(name), "%s%s", section->name, suffix);
    return nt_inf_section(inf, name);
}

/* Include= and Needs= take sections from the system's INFs, which the simulation lacks. */
static int refuse_includes(const struct nt_inf *inf, const struct nt_inf_section *section,
                           char *error, size_t error_size)
{
    const struct nt_inf_line *line = nt_inf_line(section, "Include");

    if (line == NULL)
        line = nt_inf_line(section, "Needs");
    if (line)
        return inf_error(error, error_size, -ENOTSUP, inf, line,
                         "%s= of system INFs is not supported by the simulated system", line->key);
    return 0;
}

static int required_number(const struct nt_inf *inf, const struct nt_inf_section *section,
                           const char *key, uint32_t max, uint32_t *value, char *error,
                           size_t error_size)
{
    const struct nt_inf_line *line = nt_inf_line(section, key);

    if (line == NULL)
        return inf_error(error, error_size, -EINVAL, inf, NULL, "[%s] has no %s", section->name,
                         key);
    if (inf_number(line->fields[0], value) || *value > max)
        return inf_error(error, error_size, -EINVAL, inf, line, "%s is a number, 0 to %u", key,
                         max);
    return 0;
}

static const char *copied_value(struct inf_arena *arena, const struct nt_inf_section *section,
                                const char *key)
{
    const struct nt_inf_line *line = nt_inf_line(section, key);

    return inf_arena_strdup(arena, line ? line->fields[0] : "");
}

/* The service-install section @section of the service @line adds, into @service. */
static int read_service(const struct nt_inf *inf, const struct nt_inf_line *line,
                        const struct nt_inf_section *section, struct inf_arena *arena,
                        struct nt_inf_service *service, char *error, size_t error_size)
{
    const struct nt_inf_line *binary = nt_inf_line(section, "ServiceBinary");
    int err;

    err =
        required_number(inf, section, "ServiceType", UINT32_MAX, &service->type, error, error_size);
    if (err == 0 && service->type != SERVICE_KERNEL_DRIVER &&
        service->type != SERVICE_FILE_SYSTEM && service->type != SERVICE_WIN32_OWN &&
        service->type != SERVICE_WIN32_SHARE)
        err = inf_error(error, error_size, -EINVAL, inf, nt_inf_line(section, "ServiceType"),
                        "ServiceType %#x is none of 0x1, 0x2, 0x10, 0x20", service->type);
    if (err == 0)
        err = required_number(inf, section, "StartType", SERVICE_DISABLED, &service->start, error,
                              error_size);
    if (err == 0 && service->start <= SERVICE_SYSTEM_START && service->type > SERVICE_FILE_SYSTEM)
        err = inf_error(error, error_size, -EINVAL, inf, nt_inf_line(section, "StartType"),
                        "only a driver starts at boot or with the system");
    if (err == 0)
        err = required_number(inf, section, "ErrorControl", SERVICE_ERROR_CRITICAL,
                              &service->error_control, error, error_size);
    if (err == 0 && (binary == NULL || binary->fields[0][0] == '\0'))
        err = inf_error(error, error_size, -EINVAL, inf, line, "[%s] has no ServiceBinary",
                        section->name);
    if (err)
        return err;
    service->name = inf_arena_strdup(arena, line->fields[0]);
    service->binary = inf_arena_strdup(arena, binary->fields[0]);
    service->group = copied_value(arena, section, "LoadOrderGroup");
    service->display_name = copied_value(arena, section, "DisplayName");
    service->install_section = inf_arena_strdup(arena, section->name);
    if (!service->name || !service->binary || !service->group || !service->display_name ||
        !service->install_section)
        return -ENOMEM;
    return 0;
}

/* The AddService line of @services that names the device's function driver. */
static int associated_service(const struct nt_inf *inf, const struct nt_inf_section *services,
                              const struct nt_inf_line **found, uint32_t *flags, char *error,
                              size_t error_size)
{
    const struct nt_inf_line *line;
    size_t pos = 0;

    *found = NULL;
    while ((line = inf_next_keyed(services, "AddService", &pos)) != NULL) {
        const char *flag_text = nt_inf_field(line, 1);
        uint32_t value = 0;

        if (flag_text && flag_text[0] && inf_number(flag_text, &value))
            return inf_error(error, error_size, -EINVAL, inf, line,
                             "AddService's flags are a number");
        if (!(value & SPSVCINST_ASSOCSERVICE))
            continue;
        if (*found)
            return inf_error(error, error_size, -EINVAL, inf, line,
                             "a second AddService flagged 0x2 (SPSVCINST_ASSOCSERVICE)");
        *found = line;
        *flags = value;
    }
    if (*found == NULL)
        return inf_error(error, error_size, -EINVAL, inf, NULL,
                         "[%s] has no AddService flagged 0x2 (SPSVCINST_ASSOCSERVICE)",
                         services->name);
    if ((*found)->fields[0][0] == '\0' || nt_inf_field(*found, 2) == NULL ||
        (*found)->fields[2][0] == '\0')
        return inf_error(error, error_size, -EINVAL, inf, *found,
                         "AddService = name, flags, service-install-section: the device gets no "
                         "driver without them");
    return 0;
}

static int install_service(const struct nt_inf *inf, const struct nt_inf_section *ddinstall,
                           struct nt_inf_driver *driver, struct inf_reg_values *values, char *error,
                           size_t error_size)
{
    const struct nt_inf_section *services = related(inf, ddinstall, ".Services"), *section;
    const struct nt_inf_line *line;
    int err;

    if (services == NULL)
        return inf_error(error, error_size, -EINVAL, inf, NULL, "no [%s.Services] section",
                         ddinstall->name);
    err = refuse_includes(inf, services, error, error_size);
    if (err == 0)
        err = associated_service(inf, services, &line, &driver->service.flags, error, error_size);
    if (err)
        return err;
    section = nt_inf_section(inf, line->fields[2]);
    if (section == NULL)
        return inf_error(error, error_size, -EINVAL, inf, line,
                         "AddService names [%s], which is not in the INF", line->fields[2]);
    err = read_service(inf, line, section, driver->arena, &driver->service, error, error_size);
    if (err == 0)
        err =
            inf_addreg(inf, section, NT_INF_REG_SERVICE, driver->arena, values, error, error_size);
    return err;
}

/* The image: the copied file that ServiceBinary names. */
static int find_image(const struct nt_inf *inf, const struct inf_copies *copies,
                      struct nt_inf_driver *driver, char *error, size_t error_size)
{
    for (size_t i = 0; i < copies->count; i++) {
        if (inf_name_eq(copies->items[i].destination, driver->service.binary)) {
            driver->image_path = copies->items[i].source;
            return 0;
        }
    }
    return inf_error(error, error_size, -EINVAL, inf, NULL,
                     "ServiceBinary %s is not a file [%s] copies", driver->service.binary,
                     driver->install_section);
}

static int list_files(struct nt_inf_driver *driver, const struct inf_copies *copies)
{
    const char **files = inf_arena_alloc(driver->arena, (copies->count + 1) * sizeof(*files));

    if (files == NULL)
        return -ENOMEM;
    for (size_t i = 0; i < copies->count; i++)
        files[i] = copies->items[i].source;
    driver->files = files;
    driver->file_count = copies->count;
    return 0;
}

/* The strings of @match and [Version], copied into the driver's arena. */
static int describe(const struct nt_inf *inf, const struct nt_inf_match *match,
                    const struct nt_inf_section *ddinstall, struct nt_inf_driver *driver,
                    char *error, size_t error_size)
{
    struct inf_arena *arena = driver->arena;
    struct inf_version version;
    int err = inf_read_version(inf, &version, error, error_size);

    if (err)
        return err;
    driver->inf_path = inf_arena_strdup(arena, inf->path);
    driver->description = inf_arena_strdup(arena, match->model->key);
    driver->matched_id = inf_arena_strdup(arena, match->matched_id);
    driver->models_section = inf_arena_strdup(arena, match->models_section);
    driver->install_section = inf_arena_strdup(arena, ddinstall->name);
    driver->class_name = inf_arena_strdup(arena, version.class_name);
    driver->class_guid = inf_arena_strdup(arena, version.class_guid);
    driver->provider = inf_arena_strdup(arena, version.provider);
    driver->rank = match->rank;
    driver->driver_date = version.driver_date;
    driver->driver_version = version.driver_version;
    if (!driver->inf_path || !driver->description || !driver->matched_id ||
        !driver->models_section || !driver->install_section || !driver->class_name ||
        !driver->class_guid || !driver->provider)
        return -ENOMEM;
    return 0;
}

static int install(const struct nt_inf *inf, const struct nt_inf_match *match,
                   struct nt_inf_driver *driver, char *error, size_t error_size)
{
    const struct nt_inf_section *ddinstall = inf_ddinstall(inf, match->model->fields[0]);
    const struct nt_inf_section *hw;
    struct inf_copies copies = {0};
    struct inf_reg_values values = {0};
    int err;

    if (ddinstall == NULL)
        return inf_error(error, error_size, -EINVAL, inf, match->model,
                         "no install section [%s] (nor .NTamd64, .NT)", match->model->fields[0]);
    hw = related(inf, ddinstall, ".HW");
    err = describe(inf, match, ddinstall, driver, error, error_size);
    if (err == 0)
        err = refuse_includes(inf, ddinstall, error, error_size);
    if (err == 0)
        err = inf_copyfiles(inf, ddinstall, driver->arena, &copies, error, error_size);
    if (err == 0)
        err = inf_addreg(inf, ddinstall, NT_INF_REG_DRIVER, driver->arena, &values, error,
                         error_size);
    if (err == 0 && hw)
        err = inf_addreg(inf, hw, NT_INF_REG_HARDWARE, driver->arena, &values, error, error_size);
    if (err == 0)
        err = install_service(inf, ddinstall, driver, &values, error, error_size);
    if (err == 0)
        err = find_image(inf, &copies, driver, error, error_size);
    if (err == 0)
        err = list_files(driver, &copies);
    driver->registry = values.items;
    driver->registry_count = values.count;
    return err;
}

int nt_inf_install(const struct nt_inf *inf, const struct nt_inf_match *match,
                   struct nt_inf_driver *driver, char *error, size_t error_size)
{
    int err;

    memset(driver, 0, sizeof(*driver));
    driver->arena = inf_arena_new();
    if (driver->arena == NULL)
        return -ENOMEM;
    err = install(inf, match, driver, error, error_size);
    if (err) {
        if (err == -ENOMEM)
            snprintf(error, error_size, "%s: out of memory", inf->path);
        nt_inf_driver_free(driver);
    }
    return err;
}

void nt_inf_driver_free(struct nt_inf_driver *driver)
{
    inf_arena_free(driver->arena);
    memset(driver, 0, sizeof(*driver));
}
