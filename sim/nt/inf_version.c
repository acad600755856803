/*
 * sim/nt/inf_version.c - an INF's [Version] section: the signature Windows
 * requires, the class, the provider and DriverVer (mm/dd/yyyy[,w.x.y.z]),
 * which breaks ties between drivers of the same rank.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "inf_impl.h"

/* The next number of @text (at most @max) up to @separator (0: none) or the end. */
static int take_number(const char **text, char separator, uint32_t max, uint32_t *value)
{
    const char *end = separator ? strchr(*text, separator) : NULL;
    size_t len = end ? (size_t)(end - *text) : strlen(*text);
    char digits[12];
    int err;

    if (len == 0 || len >= sizeof(digits))
        return -EINVAL;
    memcpy(digits, *text, len);
    digits[len] = '\0';
    for (size_t i = 0; i < len; i++) {
        if (digits[i] < '0' || digits[i] > '9')
            return -EINVAL;
    }
    err = inf_number(digits, value);
    if (err || *value > max)
        return -EINVAL;
    *text += len + (end != NULL);
    return 0;
}

static int parse_date(const char *text, uint32_t *date)
{
    uint32_t month, day, year;

    if (take_number(&text, '/', 12, &month) || take_number(&text, '/', 31, &day) ||
        take_number(&text, '\0', 9999, &year) || month == 0 || day == 0 || year < 1000)
        return -EINVAL;
    *date = year << 16 | month << 8 | day;
    return 0;
}

static int parse_version(const char *text, uint64_t *version)
{
    *version = 0;
    for (int part = 0; part < 4; part++) {
        uint32_t v = 0;

        if (*text && take_number(&text, '.', 0xffff, &v))
            return -EINVAL;
        *version = *version << 16 | v;
    }
    return *text ? -EINVAL : 0;
}

static const char *value_or_empty(const struct nt_inf *inf, const char *key)
{
    const char *value = nt_inf_value(inf, "Version", key);

    return value ? value : "";
}

int inf_read_version(const struct nt_inf *inf, struct inf_version *version, char *error,
                     size_t error_size)
{
    const struct nt_inf_section *section = nt_inf_section(inf, "Version");
    const struct nt_inf_line *signature = nt_inf_line(section, "Signature");
    const struct nt_inf_line *driver_ver = nt_inf_line(section, "DriverVer");
    const char *sig = nt_inf_field(signature, 0);

    if (section == NULL)
        return inf_error(error, error_size, -EINVAL, inf, NULL, "no [Version] section");
    /* Windows takes "$Chicago$" too, from INFs that served Windows 9x as well. */
    if (sig == NULL || (!inf_name_eq(sig, "$Windows NT$") && !inf_name_eq(sig, "$Chicago$")))
        return inf_error(error, error_size, -EINVAL, inf, signature,
                         "[Version] needs Signature=\"$Windows NT$\"");
    if (driver_ver == NULL)
        return inf_error(error, error_size, -EINVAL, inf, NULL,
                         "[Version] has no DriverVer=mm/dd/yyyy,w.x.y.z");
    if (parse_date(driver_ver->fields[0], &version->driver_date) ||
        parse_version(nt_inf_field(driver_ver, 1) ? driver_ver->fields[1] : "",
                      &version->driver_version))
        return inf_error(error, error_size, -EINVAL, inf, driver_ver,
                         "DriverVer is mm/dd/yyyy,w.x.y.z (each part of the version <= 65535)");
    version->class_name = value_or_empty(inf, "Class");
    version->class_guid = value_or_empty(inf, "ClassGuid");
    version->provider = value_or_empty(inf, "Provider");
    return 0;
}
