/*
 * sim/nt/inf_addreg.c - AddReg lines as registry values.
 *
 *   reg-root, [subkey], [value-name], [flags], [value[, value...]]
 *
 * reg-root is HKR (the key of the section's context: service, driver or
 * hardware key), HKLM, or HKCR (HKLM\Software\Classes); per-user roots are
 * not modelled. The flags' type bits (FLG_ADDREG_TYPE_*, mask 0xFFFF0001)
 * say how the values are written:
 *   0x00000000 REG_SZ         one string
 *   0x00020000 REG_EXPAND_SZ  one string
 *   0x00010000 REG_MULTI_SZ   one string a field
 *   0x00010001 REG_DWORD      one number
 *   0x00000001 REG_BINARY     one hex byte a field
 *   0x00020001 REG_NONE       nothing
 *   0xTTTT0001 type TTTT      hex bytes (REG_QWORD is 0x000B0001)
 * A line with no value name, or flagged FLG_ADDREG_KEYONLY, creates the key.
 */
#include <errno.h>
#include <string.h>

#include "inf_impl.h"

#define FLG_ADDREG_BINVALUETYPE   0x00000001u
#define FLG_ADDREG_KEYONLY        0x00000010u
#define FLG_ADDREG_64BITKEY       0x00001000u
#define FLG_ADDREG_KEYONLY_COMMON 0x00002000u
#define FLG_ADDREG_32BITKEY       0x00004000u
#define FLG_ADDREG_TYPE_MASK      0xffff0001u
#define FLG_ADDREG_WRITE_MASK                                                \
    (NT_INF_ADDREG_NOCLOBBER | NT_INF_ADDREG_DELVAL | NT_INF_ADDREG_APPEND | \
     NT_INF_ADDREG_KEYONLY | NT_INF_ADDREG_OVERWRITEONLY)
#define FLG_ADDREG_KNOWN                                                     \
    (FLG_ADDREG_BINVALUETYPE | FLG_ADDREG_WRITE_MASK | FLG_ADDREG_64BITKEY | \
     FLG_ADDREG_KEYONLY_COMMON | FLG_ADDREG_32BITKEY)

#define REG_NONE      0u
#define REG_SZ        1u
#define REG_EXPAND_SZ 2u
#define REG_BINARY    3u
#define REG_DWORD     4u
#define REG_MULTI_SZ  7u

struct decoder {
    const struct nt_inf *inf;
    const struct nt_inf_line *line;
    struct inf_arena *arena;
    char *error;
    size_t error_size;
};

static int bad(const struct decoder *d, const char *what)
{
    return inf_error(d->error, d->error_size, -EINVAL, d->inf, d->line, "%s", what);
}

static const char *const *values_of(const struct nt_inf_line *line, size_t *count)
{
    *count = line->field_count > 4 ? line->field_count - 4 : 0;
    return *count ? line->fields + 4 : NULL;
}

/* The UTF-16LE of @count strings, each NUL-terminated, and one more NUL after them if @multi. */
static int encode_strings(const struct decoder *d, const char *const *strings, size_t count,
                          bool multi, struct nt_inf_reg_value *value)
{
    size_t size = multi ? 2 : 0;
    uint8_t *data;

    for (size_t i = 0; i < count; i++) {
        size_t n = inf_utf16_encode(strings[i], NULL);

        if (n == SIZE_MAX)
            return bad(d, "a string that is not UTF-8");
        if (multi && n == 0)
            return bad(d, "an empty string in a REG_MULTI_SZ (it would end the list)");
        size += n + 2;
    }
    data = inf_arena_alloc(d->arena, size ? size : 2);
    if (data == NULL)
        return -ENOMEM;
    size = 0;
    for (size_t i = 0; i < count; i++)
        size += inf_utf16_encode(strings[i], data + size) + 2; /* the NUL is zeroed already */
    value->data = data;
    value->size = multi ? size + 2 : size;
    return 0;
}

static int hex_byte(const char *text, uint8_t *byte)
{
    unsigned int v = 0;

    if (text[0] == '0' && (text[1] == 'x' || text[1] == 'X'))
        text += 2;
    if (text[0] == '\0' || strlen(text) > 2)
        return -EINVAL;
    for (; *text; text++) {
        char c = *text;
        int digit = c >= '0' && c <= '9'   ? c - '0'
                    : c >= 'a' && c <= 'f' ? c - 'a' + 10
                    : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                           : -1;

        if (digit < 0)
            return -EINVAL;
        v = v << 4 | (unsigned int)digit;
    }
    *byte = (uint8_t)v;
    return 0;
}

static int encode_bytes(const struct decoder *d, const char *const *fields, size_t count,
                        struct nt_inf_reg_value *value)
{
    uint8_t *data = inf_arena_alloc(d->arena, count ? count : 1);

    if (data == NULL)
        return -ENOMEM;
    for (size_t i = 0; i < count; i++) {
        if (hex_byte(fields[i], &data[i]))
            return bad(d, "binary data is hex bytes, one a field (01,ff)");
    }
    value->data = data;
    value->size = count;
    return 0;
}

static int encode_dword(const struct decoder *d, const char *const *fields, size_t count,
                        struct nt_inf_reg_value *value)
{
    uint32_t v;
    uint8_t *data;

    if (count != 1 || inf_number(fields[0], &v))
        return bad(d, "a REG_DWORD is one number (decimal, or hexadecimal after 0x)");
    data = inf_arena_alloc(d->arena, 4);
    if (data == NULL)
        return -ENOMEM;
    for (int i = 0; i < 4; i++)
        data[i] = (uint8_t)(v >> (8 * i));
    value->data = data;
    value->size = 4;
    return 0;
}

/* The type and data of @line's value, by its flags. */
static int encode_value(const struct decoder *d, uint32_t flags, struct nt_inf_reg_value *value)
{
    size_t count;
    const char *const *fields = values_of(d->line, &count);
    uint32_t type_bits = flags & FLG_ADDREG_TYPE_MASK;

    if ((flags & NT_INF_ADDREG_APPEND) && type_bits != 0x00010000u)
        return bad(d, "FLG_ADDREG_APPEND (0x8) is for REG_MULTI_SZ (0x10000) values");
    switch (type_bits) {
    case 0x00000000u:
    case 0x00020000u:
        if (count > 1)
            return bad(d, "a string value is one field (quote one with a comma)");
        value->type = type_bits ? REG_EXPAND_SZ : REG_SZ;
        return encode_strings(d, count ? fields : (const char *const[]){""}, 1, false, value);
    case 0x00010000u:
        value->type = REG_MULTI_SZ;
        return encode_strings(d, fields, count, true, value);
    case 0x00010001u:
        value->type = REG_DWORD;
        return encode_dword(d, fields, count, value);
    case 0x00020001u:
        value->type = REG_NONE;
        return 0;
    default:
        if (!(type_bits & FLG_ADDREG_BINVALUETYPE))
            return bad(d, "unknown FLG_ADDREG_TYPE_ bits in the flags");
        value->type = type_bits == FLG_ADDREG_BINVALUETYPE ? REG_BINARY : type_bits >> 16;
        return encode_bytes(d, fields, count, value);
    }
}

/* The key @line names, relative to its root. */
static int locate(const struct decoder *d, enum nt_inf_reg_root context,
                  struct nt_inf_reg_value *value)
{
    const char *root = d->line->fields[0];
    const char *subkey = d->line->field_count > 1 ? d->line->fields[1] : "";

    if (inf_name_eq(root, "HKR")) {
        value->root = context;
    } else if (inf_name_eq(root, "HKLM")) {
        value->root = NT_INF_REG_MACHINE;
    } else if (inf_name_eq(root, "HKCR")) {
        value->root = NT_INF_REG_MACHINE;
        subkey = inf_arena_printf(d->arena, "Software\\Classes%s%s", subkey[0] ? "\\" : "", subkey);
    } else if (inf_name_eq(root, "HKCU") || inf_name_eq(root, "HKU")) {
        return inf_error(d->error, d->error_size, -ENOTSUP, d->inf, d->line,
                         "%s: per-user keys are not modelled", root);
    } else {
        return bad(d, "an AddReg line starts HKR, HKLM, HKCR, HKCU or HKU");
    }
    value->subkey = subkey ? inf_arena_strdup(d->arena, subkey) : NULL;
    return value->subkey ? 0 : -ENOMEM;
}

static int decode(const struct decoder *d, enum nt_inf_reg_root context,
                  struct nt_inf_reg_value *value)
{
    const struct nt_inf_line *line = d->line;
    const char *flag_text = line->field_count > 3 ? line->fields[3] : "";
    uint32_t flags = 0;
    int err;

    if (line->key)
        return bad(d, "an AddReg line is reg-root, [subkey], [value-name], [flags], [value...] "
                      "(quote a value with '=')");
    if (flag_text[0] && inf_number(flag_text, &flags))
        return bad(d, "AddReg flags are a number");
    if (flags & 0xffffu & ~FLG_ADDREG_KNOWN)
        return bad(d, "unknown FLG_ADDREG_ bits in the flags");
    err = locate(d, context, value);
    if (err)
        return err;
    value->origin = inf_origin(d->arena, d->inf, line);
    value->flags = flags & FLG_ADDREG_WRITE_MASK;
    if (line->field_count < 3 || (flags & (FLG_ADDREG_KEYONLY | FLG_ADDREG_KEYONLY_COMMON))) {
        value->flags |= NT_INF_ADDREG_KEYONLY;
        return value->origin ? 0 : -ENOMEM;
    }
    value->name = inf_arena_strdup(d->arena, line->fields[2]);
    if (value->origin == NULL || value->name == NULL)
        return -ENOMEM;
    return flags & NT_INF_ADDREG_DELVAL ? 0 : encode_value(d, flags, value);
}

static int add_section(struct decoder *d, const struct nt_inf_section *section,
                       enum nt_inf_reg_root context, struct inf_reg_values *values)
{
    for (size_t i = 0; i < section->line_count; i++) {
        int err = inf_arena_grow(d->arena, (void **)&values->items, &values->capacity,
                                 values->count, sizeof(*values->items));

        d->line = &section->lines[i];
        if (err == 0)
            err = decode(d, context, &values->items[values->count]);
        if (err)
            return err;
        values->count++;
    }
    return 0;
}

int inf_addreg(const struct nt_inf *inf, const struct nt_inf_section *section,
               enum nt_inf_reg_root root, struct inf_arena *arena, struct inf_reg_values *values,
               char *error, size_t error_size)
{
    struct decoder d = {inf, NULL, arena, error, error_size};
    const struct nt_inf_line *line;
    size_t pos = 0;

    while ((line = inf_next_keyed(section, "AddReg", &pos)) != NULL) {
        for (size_t i = 0; i < line->field_count; i++) {
            const struct nt_inf_section *named = nt_inf_section(inf, line->fields[i]);
            int err;

            if (named == NULL)
                return inf_error(error, error_size, -EINVAL, inf, line,
                                 "AddReg names [%s], which is not in the INF", line->fields[i]);
            err = add_section(&d, named, root, values);
            if (err)
                return err;
        }
    }
    return 0;
}
