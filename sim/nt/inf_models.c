/*
 * sim/nt/inf_models.c - the model line of an INF that matches a device
 * best, as Windows ranks them.
 *
 * [Manufacturer] lines name a Models section and the platforms it serves:
 * "%Mfg% = Models, NTamd64, NTamd64.10.0...14393". A decoration is
 * NT[arch][.major[.minor[.product type[.suite mask[.build]]]]]; on x64 one
 * with arch amd64, or none ("NT": every architecture), applies when its
 * version (major, minor, build) is not above the system's, its product
 * type (if given) is the system's and its suite mask (if given) is within
 * the system's. The highest such version is used, the Models section
 * being "Models.<decoration>"; a line with no decoration serves x86 only
 * (x64 INFs must decorate, since Windows Server 2003 SP1).
 *
 * A Models line is "description = install-section, hw-id, compatible-id...".
 * Its rank is 0xSSGGTHHH: SS the signature score (not modelled: 0), GG the
 * DDInstall section's FeatureScore (0xFF without one) and THHH how the IDs
 * matched, the best of:
 *   0x0000 + i  the device's hardware ID i is the line's hardware ID
 *   0x1000 + i  the device's hardware ID i is one of the line's compatible IDs
 *   0x2000 + j  the device's compatible ID j is the line's hardware ID
 *   0x3000 + k * 0x100 + j  the device's compatible ID j is the line's
 *               compatible ID k (k at most 15, j at most 255 here)
 * Lower is better; of two equal ranks the first line wins.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "inf_impl.h"

#define NO_MATCH             UINT32_MAX
#define FEATURE_SCORE_NONE   0xffu
#define VER_NT_WORKSTATION   1u
#define VER_SUITE_SINGLEUSER 0x100u /* a single interactive session: Windows 10 desktop editions */

const struct nt_os_version nt_inf_simulated_os = {
    .major = 10,
    .minor = 0,
    .build = 14393,
    .product_type = VER_NT_WORKSTATION,
    .suite_mask = VER_SUITE_SINGLEUSER,
};

struct decoration {
    bool every_arch;
    uint32_t version[3]; /* major, minor, build; 0 when not given */
    bool has_product, has_suite;
    uint32_t product, suite;
};

/* Windows's architecture names: only amd64 (and none) apply to the simulated system. */
static const char *const architectures[] = {"", "amd64", "x86", "ia64", "arm", "arm64"};

/* The architecture at @text (up to '.'): 0 every, 1 amd64, 2 another, -EINVAL unknown. */
static int parse_arch(const char *text, size_t len)
{
    for (size_t i = 0; i < sizeof(architectures) / sizeof(architectures[0]); i++) {
        if (strlen(architectures[i]) == len && strncasecmp(text, architectures[i], len) == 0)
            return i < 2 ? (int)i : 2;
    }
    return -EINVAL;
}

/* One of a decoration's dot-separated numbers, text[0..len), if given. */
static int decoration_number(const char *text, size_t len, bool *given, uint32_t *value)
{
    char digits[12];

    *given = len > 0;
    *value = 0;
    if (len == 0)
        return 0;
    if (len >= sizeof(digits))
        return -EINVAL;
    memcpy(digits, text, len);
    digits[len] = '\0';
    return inf_number(digits, value);
}

/* 0 when @text applies to x64, 1 for another architecture, -EINVAL when it is no decoration. */
static int parse_decoration(const char *text, struct decoration *d)
{
    const char *p;
    size_t len;
    int arch;

    memset(d, 0, sizeof(*d));
    if (strncasecmp(text, "NT", 2) != 0)
        return -EINVAL;
    p = text + 2;
    len = strcspn(p, ".");
    arch = parse_arch(p, len);
    if (arch < 0)
        return -EINVAL;
    d->every_arch = arch == 0;
    for (int field = 0; p[len] == '.'; field++) {
        uint32_t value;
        bool given;

        p += len + 1;
        len = strcspn(p, ".");
        if (field == 5 || decoration_number(p, len, &given, &value))
            return -EINVAL;
        if (field < 2)
            d->version[field] = value;
        else if (field == 2)
            d->has_product = given, d->product = value;
        else if (field == 3)
            d->has_suite = given, d->suite = value;
        else
            d->version[2] = value;
    }
    return arch == 2;
}

static int compare_versions(const uint32_t a[3], const uint32_t b[3])
{
    for (int i = 0; i < 3; i++) {
        if (a[i] != b[i])
            return a[i] < b[i] ? -1 : 1;
    }
    return 0;
}

static bool applies(const struct decoration *d, const struct nt_os_version *os)
{
    const uint32_t system[3] = {os->major, os->minor, os->build};

    return compare_versions(d->version, system) <= 0 &&
           (!d->has_product || d->product == os->product_type) &&
           (!d->has_suite || (os->suite_mask & d->suite) == d->suite);
}

/* Better: a higher version, then one for amd64 over one for every architecture. */
static bool better(const struct decoration *d, const struct decoration *than)
{
    int c = compare_versions(d->version, than->version);

    return c > 0 || (c == 0 && than->every_arch && !d->every_arch);
}

/* The Models section a [Manufacturer] line gives x64 on @os, or NULL when none applies. */
static int models_section(const struct nt_inf *inf, const struct nt_inf_line *line,
                          const struct nt_os_version *os, const struct nt_inf_section **models,
                          char *error, size_t error_size)
{
    const char *base = line->fields[0];
    struct decoration best, d;
    const char *chosen = NULL;
    char name[2 * NT_INF_MAX_LINE + 2];

    *models = NULL;
    for (size_t i = 1; line->key && i < line->field_count; i++) {
        int rc = parse_decoration(line->fields[i], &d);

        if (rc < 0)
            return inf_error(error, error_size, -EINVAL, inf, line,
                             "\"%s\" is not a TargetOSVersion decoration (NTamd64.10.0...14393)",
                             line->fields[i]);
        if (rc == 0 && applies(&d, os) && (chosen == NULL || better(&d, &best))) {
            best = d;
            chosen = line->fields[i];
        }
    }
    if (chosen == NULL)
        return 0;
    snprintf(name, sizeof(name), "%s.%s", base, chosen);
    *models = nt_inf_section(inf, name);
    if (*models == NULL)
        return inf_error(error, error_size, -EINVAL, inf, line,
                         "[Manufacturer] names [%s], which is not in the INF", name);
    return 0;
}

static uint32_t position_in(const char *id, const char *const *list, size_t count, size_t max)
{
    for (size_t i = 0; i < count && i <= max; i++) {
        if (id[0] && inf_name_eq(id, list[i]))
            return (uint32_t)i;
    }
    return NO_MATCH;
}

/* The identifier score of a Models line for @ids (NO_MATCH when none matches). */
static uint32_t identifier_score(const struct nt_inf_line *model, const struct nt_device_ids *ids,
                                 const char **matched)
{
    uint32_t best = NO_MATCH;

    for (size_t k = 1; k < model->field_count; k++) {
        const char *id = model->fields[k];
        uint32_t hw = position_in(id, ids->hardware, ids->hardware_count, 0xfff);
        uint32_t compat =
            position_in(id, ids->compatible, ids->compatible_count, k == 1 ? 0xfff : 0xff);
        uint32_t score = NO_MATCH;

        if (hw != NO_MATCH)
            score = (k == 1 ? 0x0000 : 0x1000) + hw;
        else if (compat != NO_MATCH)
            score = k == 1 ? 0x2000 + compat
                           : 0x3000 + (uint32_t)(k - 2 > 15 ? 15 : k - 2) * 0x100 + compat;
        if (score < best) {
            best = score;
            *matched = id;
        }
    }
    return best;
}

/* The feature score of the model's DDInstall section. */
static int feature_score(const struct nt_inf *inf, const struct nt_inf_line *model, uint32_t *score,
                         char *error, size_t error_size)
{
    const struct nt_inf_section *ddinstall = inf_ddinstall(inf, model->fields[0]);
    const struct nt_inf_line *line = nt_inf_line(ddinstall, "FeatureScore");

    if (ddinstall == NULL)
        return inf_error(error, error_size, -EINVAL, inf, model,
                         "no install section [%s] (nor .NTamd64, .NT)", model->fields[0]);
    *score = FEATURE_SCORE_NONE;
    if (line && (inf_number(line->fields[0], score) || *score > 0xff))
        return inf_error(error, error_size, -EINVAL, inf, line, "FeatureScore is 0x00 to 0xFF");
    return 0;
}

/* Ranks @models's lines, keeping the best in @match. */
static int rank_models(const struct nt_inf *inf, const struct nt_inf_section *models,
                       const struct nt_device_ids *ids, struct nt_inf_match *match, char *error,
                       size_t error_size)
{
    for (size_t i = 0; i < models->line_count; i++) {
        const struct nt_inf_line *model = &models->lines[i];
        const char *matched = NULL;
        uint32_t score, feature;
        int err;

        if (model->key == NULL || model->field_count < 2 || model->fields[0][0] == '\0')
            return inf_error(error, error_size, -EINVAL, inf, model,
                             "a Models line is description = install-section, hw-id[, "
                             "compatible-id...]");
        score = identifier_score(model, ids, &matched);
        if (score == NO_MATCH)
            continue;
        err = feature_score(inf, model, &feature, error, error_size);
        if (err)
            return err;
        score |= feature << 16;
        if (match->model == NULL || score < match->rank) {
            match->rank = score;
            match->model = model;
            match->models_section = models->name;
            match->matched_id = matched;
        }
    }
    return 0;
}

int nt_inf_match(const struct nt_inf *inf, const struct nt_device_ids *ids,
                 const struct nt_os_version *os, struct nt_inf_match *match, char *error,
                 size_t error_size)
{
    const struct nt_inf_section *manufacturer = nt_inf_section(inf, "Manufacturer");
    struct inf_version version;
    int err = inf_read_version(inf, &version, error, error_size);

    memset(match, 0, sizeof(*match));
    if (os == NULL)
        os = &nt_inf_simulated_os;
    for (size_t i = 0; err == 0 && manufacturer && i < manufacturer->line_count; i++) {
        const struct nt_inf_section *models;

        err = models_section(inf, &manufacturer->lines[i], os, &models, error, error_size);
        if (err == 0 && models)
            err = rank_models(inf, models, ids, match, error, error_size);
    }
    if (err)
        return err;
    if (match->model == NULL)
        return inf_error(error, error_size, -ENOENT, inf, NULL,
                         "no x64 model for Windows %u.%u.%u matches the device's IDs", os->major,
                         os->minor, os->build);
    return 0;
}
