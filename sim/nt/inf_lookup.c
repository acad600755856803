/*
 * sim/nt/inf_lookup.c - finding sections, lines and values in a parsed INF;
 * INF numbers; messages that name the file and line.
 *
 * Names compare case-insensitively in ASCII, as Windows compares the names
 * INFs use (non-ASCII letters are compared exactly).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "inf_impl.h"

bool inf_name_eq(const char *a, const char *b)
{
    return strcasecmp(a, b) == 0;
}

uint64_t inf_name_hash(const char *name)
{
    uint64_t hash = 0xcbf29ce484222325u; /* FNV-1a */

    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
        unsigned char c = *p >= 'A' && *p <= 'Z' ? *p + ('a' - 'A') : *p;

        hash = (hash ^ c) * 0x100000001b3u;
    }
    return hash;
}

const struct nt_inf_section *nt_inf_section(const struct nt_inf *inf, const char *name)
{
    size_t mask = inf->index_size - 1;

    if (inf->index_size == 0)
        return NULL;
    for (size_t slot = inf_name_hash(name) & mask; inf->index[slot]; slot = (slot + 1) & mask) {
        const struct nt_inf_section *section = &inf->sections[inf->index[slot] - 1];

        if (inf_name_eq(section->name, name))
            return section;
    }
    return NULL;
}

const struct nt_inf_line *inf_next_keyed(const struct nt_inf_section *section, const char *key,
                                         size_t *pos)
{
    for (; section && *pos < section->line_count; (*pos)++) {
        const struct nt_inf_line *line = &section->lines[*pos];

        if (line->key && inf_name_eq(line->key, key)) {
            (*pos)++;
            return line;
        }
    }
    return NULL;
}

const struct nt_inf_line *nt_inf_line(const struct nt_inf_section *section, const char *key)
{
    size_t pos = 0;

    return inf_next_keyed(section, key, &pos);
}

const char *nt_inf_field(const struct nt_inf_line *line, size_t i)
{
    return line && i < line->field_count ? line->fields[i] : NULL;
}

const char *nt_inf_value(const struct nt_inf *inf, const char *section, const char *key)
{
    return nt_inf_field(nt_inf_line(nt_inf_section(inf, section), key), 0);
}

int inf_error(char *error, size_t error_size, int err, const struct nt_inf *inf,
              const struct nt_inf_line *line, const char *fmt, ...)
{
    va_list args;
    int n;

    if (line)
        n = snprintf(error, error_size, "%s:%u: ", inf->path, line->lineno);
    else
        n = snprintf(error, error_size, "%s: ", inf->path);
    if (n < 0 || (size_t)n >= error_size)
        return err;
    va_start(args, fmt);
    vsnprintf(error + n, error_size - (size_t)n, fmt, args);
    va_end(args);
    return err;
}

const char *inf_origin(struct inf_arena *arena, const struct nt_inf *inf,
                       const struct nt_inf_line *line)
{
    return inf_arena_printf(arena, "%s:%u", inf->path, line->lineno);
}

static int digit_value(char c, unsigned int base)
{
    int v = c >= '0' && c <= '9'   ? c - '0'
            : c >= 'a' && c <= 'f' ? c - 'a' + 10
            : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                   : 99;

    return (unsigned int)v < base ? v : -1;
}

int inf_number(const char *text, uint32_t *value)
{
    unsigned int base = 10;
    uint64_t v = 0;

    if (text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
        base = 16;
        text += 2;
    }
    if (*text == '\0')
        return -EINVAL;
    for (; *text; text++) {
        int digit = digit_value(*text, base);

        if (digit < 0)
            return -EINVAL;
        v = v * base + (unsigned int)digit;
        if (v > UINT32_MAX)
            return -EINVAL;
    }
    *value = (uint32_t)v;
    return 0;
}
