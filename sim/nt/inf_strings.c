/*
 * sim/nt/inf_strings.c - %strkey% and %dirid% substitution.
 *
 * Every key and field outside the [Strings] sections has each %name%
 * replaced: a number by the simulated system's directory of that DIRID, a
 * name by its value in [Strings.0409] (the simulated system's language,
 * en-US) or else [Strings]; %% is one '%'. Quotes do not protect from it
 * (an INF writes "%%SystemRoot%%" for a literal %SystemRoot%), and what is
 * substituted is not looked at again. An undefined name is an error, as
 * is a '%' that is not closed on its field: both are mistakes in an INF.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "inf_impl.h"

#define LANGUAGE_STRINGS "Strings.0409"

/* The simulated system's directories (Windows 10 1607 on C:). */
static const struct {
    uint32_t dirid;
    const char *path;
} dirids[] = {
    {10, "C:\\Windows"},
    {11, "C:\\Windows\\System32"},
    {12, "C:\\Windows\\System32\\drivers"},
    {17, "C:\\Windows\\INF"},
    {18, "C:\\Windows\\Help"},
    {20, "C:\\Windows\\Fonts"},
    {24, "C:\\"},
    {25, "C:\\Windows"},
    {30, "C:\\"},
    {50, "C:\\Windows\\System"},
    {54, "C:\\"},
    {16422, "C:\\Program Files"},
    {16426, "C:\\Program Files (x86)"},
    {16427, "C:\\Program Files\\Common Files"},
};

const char *inf_dirid_path(uint32_t dirid)
{
    for (size_t i = 0; i < sizeof(dirids) / sizeof(dirids[0]); i++) {
        if (dirids[i].dirid == dirid)
            return dirids[i].path;
    }
    return NULL;
}

bool inf_is_strings_section(const char *name)
{
    return strncasecmp(name, "Strings", 7) == 0 && (name[7] == '\0' || name[7] == '.');
}

struct string_entry {
    const char *key, *value;
    size_t order; /* the language's section first, then each section's lines in order */
};

struct string_table {
    struct string_entry *entries;
    size_t count;
};

static int compare_entries(const void *a, const void *b)
{
    const struct string_entry *x = a, *y = b;
    int c = strcasecmp(x->key, y->key);

    return c ? c : x->order < y->order ? -1 : x->order > y->order;
}

static size_t add_entries(struct string_table *table, const struct nt_inf_section *section)
{
    for (size_t i = 0; section && i < section->line_count; i++) {
        const struct nt_inf_line *line = &section->lines[i];

        if (line->key) {
            table->entries[table->count] = (struct string_entry){
                .key = line->key, .value = line->fields[0], .order = table->count};
            table->count++;
        }
    }
    return table->count;
}

static int build_table(const struct nt_inf *inf, struct string_table *table)
{
    const struct nt_inf_section *language = nt_inf_section(inf, LANGUAGE_STRINGS);
    const struct nt_inf_section *neutral = nt_inf_section(inf, "Strings");
    size_t lines = (language ? language->line_count : 0) + (neutral ? neutral->line_count : 0);

    table->count = 0;
    table->entries = malloc((lines ? lines : 1) * sizeof(*table->entries));
    if (table->entries == NULL)
        return -ENOMEM;
    add_entries(table, language);
    add_entries(table, neutral);
    qsort(table->entries, table->count, sizeof(*table->entries), compare_entries);
    return 0;
}

/* The value of @key (the first definition wins), or NULL. */
static const char *lookup(const struct string_table *table, const char *key)
{
    size_t low = 0, high = table->count;

    while (low < high) { /* the first entry not below @key */
        size_t mid = low + (high - low) / 2;

        if (strcasecmp(table->entries[mid].key, key) < 0)
            low = mid + 1;
        else
            high = mid;
    }
    return low < table->count && inf_name_eq(table->entries[low].key, key)
               ? table->entries[low].value
               : NULL;
}

struct expansion {
    const struct nt_inf *inf;
    const struct nt_inf_line *line;
    const struct string_table *table;
    char *error;
    size_t error_size;
};

static int append(const struct expansion *x, char *out, size_t *len, const char *s, size_t n)
{
    if (n > NT_INF_MAX_LINE - *len)
        return inf_error(x->error, x->error_size, -EFBIG, x->inf, x->line,
                         "a field longer than %d characters once its %%strings%% are substituted",
                         NT_INF_MAX_LINE);
    memcpy(out + *len, s, n);
    *len += n;
    return 0;
}

/* The value of the %name% token name[0..n). */
static const char *token_value(const struct expansion *x, const char *name, size_t n)
{
    char key[NT_INF_MAX_LINE + 1];
    uint32_t dirid;

    memcpy(key, name, n);
    key[n] = '\0';
    if (inf_number(key, &dirid) == 0)
        return inf_dirid_path(dirid);
    return lookup(x->table, key);
}

/* @in with its tokens replaced, in @out (NT_INF_MAX_LINE + 1 bytes). */
static int expand(const struct expansion *x, const char *in, char *out)
{
    size_t len = 0;
    int err = 0;

    while (*in && err == 0) {
        const char *percent = strchr(in, '%'), *close, *value;

        if (percent == NULL)
            return append(x, out, &len, in, strlen(in) + 1);
        err = append(x, out, &len, in, (size_t)(percent - in));
        close = strchr(percent + 1, '%');
        if (err)
            break;
        if (close == NULL)
            return inf_error(x->error, x->error_size, -EINVAL, x->inf, x->line,
                             "a '%%' with no closing '%%' (write %%%% for a '%%')");
        if (close == percent + 1) {
            err = append(x, out, &len, "%", 1);
        } else {
            value = token_value(x, percent + 1, (size_t)(close - percent - 1));
            if (value == NULL)
                return inf_error(x->error, x->error_size, -EINVAL, x->inf, x->line,
                                 "%.*s is not defined in [Strings] nor a known DIRID",
                                 (int)(close - percent + 1), percent);
            err = append(x, out, &len, value, strlen(value));
        }
        in = close + 1;
    }
    return err ? err : append(x, out, &len, "", 1);
}

/* *@text substituted, if it has a '%'. */
static int substitute(const struct expansion *x, const char **text, char *scratch)
{
    int err;

    if (*text == NULL || strchr(*text, '%') == NULL)
        return 0;
    err = expand(x, *text, scratch);
    if (err)
        return err;
    *text = inf_arena_strdup(x->inf->arena, scratch);
    return *text ? 0 : -ENOMEM;
}

static int substitute_section(struct expansion *x, struct nt_inf_section *section, char *scratch)
{
    for (size_t i = 0; i < section->line_count; i++) {
        struct nt_inf_line *line = &section->lines[i];
        int err;

        x->line = line;
        err = substitute(x, &line->key, scratch);
        for (size_t f = 0; err == 0 && f < line->field_count; f++)
            err = substitute(x, &line->fields[f], scratch);
        if (err)
            return err;
    }
    return 0;
}

int inf_substitute(struct nt_inf *inf, char *error, size_t error_size)
{
    struct string_table table;
    struct expansion x = {.inf = inf, .table = &table, .error = error, .error_size = error_size};
    char *scratch = malloc(NT_INF_MAX_LINE + 1);
    int err = scratch ? build_table(inf, &table) : -ENOMEM;

    if (err) {
        free(scratch);
        return err;
    }
    for (size_t s = 0; err == 0 && s < inf->section_count; s++) {
        if (!inf_is_strings_section(inf->sections[s].name))
            err = substitute_section(&x, &inf->sections[s], scratch);
    }
    free(table.entries);
    free(scratch);
    return err;
}
