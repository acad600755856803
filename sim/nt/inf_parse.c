/*
 * sim/nt/inf_parse.c - an INF's text as sections of lines of fields.
 *
 * Each logical line (inf_lines.c) is a [section] header or a line of the
 * current section. The first '=' outside quotes splits a line into its key
 * and its values; values split at commas outside quotes. A field loses the
 * blanks around it and its quotes ("" inside quotes is one quote); blanks
 * inside it stay. A [Strings] line's value is one field, commas and all.
 * A section named again continues the first (Windows merges them). Once
 * every line is read, %substitutions% are made (inf_strings.c): [Strings]
 * may come last.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inf_impl.h"

struct parser {
    struct nt_inf *inf;
    struct nt_inf_section *section; /* the current one */
    bool in_strings;
    char *error;
    size_t error_size;
};

static bool is_blank(char c)
{
    return c == ' ' || c == '\t';
}

/* The field in raw[0..len): quotes resolved, outer blanks dropped. */
static char *field_text(struct inf_arena *arena, const char *raw, size_t len)
{
    char *out = inf_arena_alloc(arena, len + 1);
    size_t n = 0, keep = 0; /* keep: the length up to the last character that stays */
    bool quoted = false;

    if (out == NULL)
        return NULL;
    for (size_t i = 0; i < len; i++) {
        char c = raw[i];

        if (c == '"') {
            if (quoted && i + 1 < len && raw[i + 1] == '"') {
                out[n++] = '"';
                keep = n;
                i++;
            } else {
                quoted = !quoted;
            }
            continue;
        }
        if (!quoted && is_blank(c) && n == 0)
            continue;
        out[n++] = c;
        if (quoted || !is_blank(c))
            keep = n;
    }
    out[keep] = '\0';
    return out;
}

/* Where the next @stop ('=' or ',') outside quotes is in raw[from..len), or len. */
static size_t find_unquoted(const char *raw, size_t from, size_t len, char stop)
{
    bool quoted = false;

    for (size_t i = from; i < len; i++) {
        if (raw[i] == '"')
            quoted = !quoted;
        else if (raw[i] == stop && !quoted)
            return i;
    }
    return len;
}

/* The number of fields in raw[from..len): one more than the commas outside quotes. */
static size_t count_fields(const struct parser *p, const char *raw, size_t from, size_t len)
{
    size_t count = 1;

    for (size_t i = find_unquoted(raw, from, len, ','); !p->in_strings && i < len;
         i = find_unquoted(raw, i + 1, len, ','))
        count++;
    return count;
}

static int add_line(struct parser *p, const char *raw, unsigned int lineno)
{
    struct nt_inf *inf = p->inf;
    struct nt_inf_section *section = p->section;
    struct nt_inf_line *line;
    size_t len = strlen(raw), eq = find_unquoted(raw, 0, len, '='), from = 0;
    int err;

    err = inf_arena_grow(inf->arena, (void **)&section->lines, &section->line_capacity,
                         section->line_count, sizeof(*section->lines));
    if (err)
        return err;
    line = &section->lines[section->line_count];
    line->lineno = lineno;
    if (eq < len) {
        line->key = field_text(inf->arena, raw, eq);
        if (line->key == NULL)
            return -ENOMEM;
        if (line->key[0] == '\0')
            return inf_error(p->error, p->error_size, -EINVAL, inf, line, "nothing before '='");
        from = eq + 1;
    }
    line->field_count = count_fields(p, raw, from, len);
    line->fields = inf_arena_alloc(inf->arena, line->field_count * sizeof(*line->fields));
    if (line->fields == NULL)
        return -ENOMEM;
    for (size_t i = 0; i < line->field_count; i++) {
        size_t comma = p->in_strings ? len : find_unquoted(raw, from, len, ',');

        line->fields[i] = field_text(inf->arena, raw + from, comma - from);
        if (line->fields[i] == NULL)
            return -ENOMEM;
        from = comma + 1;
    }
    section->line_count++;
    return 0;
}

static int index_section(struct nt_inf *inf, size_t position)
{
    size_t mask;

    if ((position + 1) * 2 > inf->index_size) {
        size_t size = inf->index_size ? inf->index_size * 2 : 64;
        size_t *index = inf_arena_alloc(inf->arena, size * sizeof(*index));

        if (index == NULL)
            return -ENOMEM;
        inf->index = index;
        inf->index_size = size;
        for (size_t i = 0; i < position; i++)
            index_section(inf, i);
    }
    mask = inf->index_size - 1;
    for (size_t slot = inf_name_hash(inf->sections[position].name) & mask;;
         slot = (slot + 1) & mask) {
        if (inf->index[slot] == 0) {
            inf->index[slot] = position + 1;
            return 0;
        }
    }
}

static int start_section(struct parser *p, const char *raw, unsigned int lineno)
{
    struct nt_inf *inf = p->inf;
    const char *close = strchr(raw, ']');
    struct nt_inf_line where = {.lineno = lineno};
    const char *name;
    int err;

    if (close == NULL)
        return inf_error(p->error, p->error_size, -EINVAL, inf, &where, "no ']' after '['");
    for (const char *c = close + 1; *c; c++) {
        if (!is_blank(*c))
            return inf_error(p->error, p->error_size, -EINVAL, inf, &where,
                             "text after the section name");
    }
    while (is_blank(*raw))
        raw++;
    while (close > raw && is_blank(close[-1]))
        close--;
    if (close == raw || close - raw > INF_MAX_SECTION_NAME)
        return inf_error(p->error, p->error_size, -EINVAL, inf, &where,
                         "a section name is 1 to %d characters", INF_MAX_SECTION_NAME);
    name = inf_arena_strndup(inf->arena, raw, (size_t)(close - raw));
    if (name == NULL)
        return -ENOMEM;
    p->in_strings = inf_is_strings_section(name);
    p->section = (struct nt_inf_section *)nt_inf_section(inf, name);
    if (p->section)
        return 0; /* named again: its lines continue the first */
    if (inf->section_count == INF_MAX_SECTIONS)
        return inf_error(p->error, p->error_size, -EFBIG, inf, &where, "more than %d sections",
                         INF_MAX_SECTIONS);
    err = inf_arena_grow(inf->arena, (void **)&inf->sections, &inf->section_capacity,
                         inf->section_count, sizeof(*inf->sections));
    if (err)
        return err;
    p->section = &inf->sections[inf->section_count];
    p->section->name = name;
    return index_section(inf, inf->section_count++);
}

static int parse_lines(struct parser *p, const char *text)
{
    struct inf_reader reader = {.text = text, .lineno = 1};
    char *raw = malloc(NT_INF_MAX_LINE + 1);
    unsigned int lineno;
    int rc;

    if (raw == NULL)
        return -ENOMEM;
    while ((rc = inf_read_line(&reader, raw, &lineno)) > 0) {
        const char *start = raw;
        struct nt_inf_line where = {.lineno = lineno};

        while (is_blank(*start))
            start++;
        if (*start == '\0')
            continue;
        if (*start == '[')
            rc = start_section(p, start + 1, lineno);
        else if (p->section == NULL)
            rc = inf_error(p->error, p->error_size, -EINVAL, p->inf, &where,
                           "a line before the first [section]");
        else
            rc = add_line(p, start, lineno);
        if (rc)
            break;
    }
    if (rc == -EINVAL && p->error[0] == '\0')
        inf_error(p->error, p->error_size, rc, p->inf, &(struct nt_inf_line){.lineno = lineno},
                  "a quoted string not closed on its line");
    else if (rc == -EFBIG && p->error[0] == '\0')
        inf_error(p->error, p->error_size, rc, p->inf, &(struct nt_inf_line){.lineno = lineno},
                  "a line longer than %d characters", NT_INF_MAX_LINE);
    free(raw);
    return rc < 0 ? rc : 0;
}

int nt_inf_parse(const void *bytes, size_t size, const char *path, struct nt_inf **out, char *error,
                 size_t error_size)
{
    struct nt_inf *inf;
    struct parser p = {.error = error, .error_size = error_size};
    unsigned int bad_line = 0;
    char *text = NULL;
    int err;

    *out = NULL;
    error[0] = '\0';
    inf = calloc(1, sizeof(*inf));
    if (inf == NULL || (inf->arena = inf_arena_new()) == NULL ||
        (inf->path = inf_arena_strdup(inf->arena, path)) == NULL) {
        err = -ENOMEM;
        goto fail;
    }
    p.inf = inf;
    if (size > NT_INF_MAX_FILE_SIZE) {
        err = inf_error(error, error_size, -EFBIG, inf, NULL, "%zu bytes, more than %u", size,
                        NT_INF_MAX_FILE_SIZE);
        goto fail;
    }
    err = inf_text_decode(bytes, size, &text, &bad_line);
    if (err == -EILSEQ)
        inf_error(error, error_size, err, inf, &(struct nt_inf_line){.lineno = bad_line},
                  "not UTF-8, nor UTF-16LE after a byte-order mark (FF FE)");
    if (err == 0)
        err = parse_lines(&p, text);
    if (err == 0)
        err = inf_substitute(inf, error, error_size);
    free(text);
    if (err == 0) {
        *out = inf;
        return 0;
    }
fail:
    if (err == -ENOMEM && error[0] == '\0')
        snprintf(error, error_size, "%s: out of memory", path);
    nt_inf_free(inf);
    return err;
}

void nt_inf_free(struct nt_inf *inf)
{
    if (inf) {
        inf_arena_free(inf->arena);
        free(inf);
    }
}
