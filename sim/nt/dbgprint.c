/*
 * sim/nt/dbgprint.c - DbgPrint, DbgPrintEx and vDbgPrintExWithPrefix, and
 * the kernel C library's _vsnprintf, with Windows's format rules: LLP64. %ld and %lx are 32
 * bits; %I64x, %llx and %Ix are 64; %p is 16 hex digits; %wZ/%Z print a
 * UNICODE_STRING/ANSI_STRING, %ws/%S a wide string. A conversion the kernel
 * does not know ends the driver's run: it would read the wrong argument.
 * So does _vsnprintf of a wide string above PASSIVE_LEVEL (the conversion
 * may page: Microsoft documents the wide conversions as passive-level).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "exports_impl.h"
#include "kernel.h"

#define DPFLTR_ERROR_LEVEL   0
#define DPFLTR_WARNING_LEVEL 1
#define DPFLTR_TRACE_LEVEL   2
#define DPFLTR_INFO_LEVEL    3
#define DBG_PRINT_MAX        512 /* Windows truncates a message here */

struct out {
    char *buf;
    size_t size, used;
    bool wide; /* a wide string was converted */
};

static void put(struct out *o, char c)
{
    if (o->used + 1 < o->size)
        o->buf[o->used] = c;
    o->used++;
}

static void put_wide(struct out *o, const WCHAR *s, size_t count)
{
    o->wide = true;
    for (size_t i = 0; i < count && s[i]; i++)
        put(o, s[i] < 0x80 ? (char)s[i] : '?');
}

enum width { W_DEFAULT, W_SHORT, W_CHAR, W_32, W_64 };

static void format_number(struct out *o, const char *spec, uint64_t value, bool is_signed,
                          char conversion)
{
    char fmt[32], text[64];

    /* The host's printf formats the number; Windows's rules chose its width. */
    snprintf(fmt, sizeof(fmt), "%%%sll%c", spec, conversion);
    if (is_signed)
        snprintf(text, sizeof(text), fmt, (long long)value);
    else
        snprintf(text, sizeof(text), fmt, (unsigned long long)value);
    for (const char *p = text; *p; p++)
        put(o, *p);
}

/* Format @fmt with Windows's rules; returns false on a conversion it does not know. */
static bool format(struct out *o, const char *fmt, __builtin_ms_va_list args, const char **bad)
{
    for (const char *p = fmt; *p; p++) {
        char spec[16] = "";
        size_t spec_len = 0;
        enum width width = W_DEFAULT;
        bool wide = false;

        if (*p != '%') {
            put(o, *p);
            continue;
        }
        *bad = p++;
        while (*p && strchr("-+ #0", *p) && spec_len < 8)
            spec[spec_len++] = *p++;
        if (*p == '*') {
            spec_len += (size_t)snprintf(spec + spec_len, sizeof(spec) - spec_len, "%d",
                                         __builtin_va_arg(args, int));
            p++;
        }
        while (*p >= '0' && *p <= '9' && spec_len < 12)
            spec[spec_len++] = *p++;
        if (*p == '.') {
            spec[spec_len++] = *p++;
            while (*p >= '0' && *p <= '9' && spec_len < 15)
                spec[spec_len++] = *p++;
        }
        spec[spec_len] = '\0';
        if (strncmp(p, "I64", 3) == 0) {
            width = W_64;
            p += 3;
        } else if (strncmp(p, "I32", 3) == 0) {
            width = W_32;
            p += 3;
        } else if (*p == 'I' || *p == 'z') {
            width = W_64; /* pointer-sized on x64 */
            p++;
        } else if (strncmp(p, "ll", 2) == 0) {
            width = W_64;
            p += 2;
        } else if (strncmp(p, "hh", 2) == 0) {
            width = W_CHAR;
            p += 2;
        } else if (*p == 'l') {
            width = W_32; /* LLP64: long is 32 bits */
            p++;
        } else if (*p == 'h') {
            width = W_SHORT;
            p++;
        } else if (*p == 'w') {
            wide = true;
            p++;
        }
        switch (*p) {
        case '%':
            put(o, '%');
            break;
        case 'd':
        case 'i': {
            int64_t v = width == W_64 ? __builtin_va_arg(args, int64_t)
                                      : (int64_t) __builtin_va_arg(args, int32_t);
            if (width == W_SHORT)
                v = (int16_t)v;
            else if (width == W_CHAR)
                v = (int8_t)v;
            format_number(o, spec, (uint64_t)v, true, 'd');
            break;
        }
        case 'u':
        case 'x':
        case 'X':
        case 'o': {
            uint64_t v = width == W_64 ? __builtin_va_arg(args, uint64_t)
                                       : (uint64_t) __builtin_va_arg(args, uint32_t);
            if (width == W_SHORT)
                v = (uint16_t)v;
            else if (width == W_CHAR)
                v = (uint8_t)v;
            format_number(o, spec, v, false, *p);
            break;
        }
        case 'p':
            format_number(o, "016", __builtin_va_arg(args, uint64_t), false, 'X');
            break;
        case 'c':
            put(o, (char)__builtin_va_arg(args, int));
            break;
        case 's': {
            const void *s = __builtin_va_arg(args, const void *);
            if (s == NULL) {
                for (const char *n = "(null)"; *n; n++)
                    put(o, *n);
            } else if (wide || width == W_32) {
                put_wide(o, s, SIZE_MAX);
            } else {
                for (const char *c = s; *c; c++)
                    put(o, *c);
            }
            break;
        }
        case 'S':
            put_wide(o, __builtin_va_arg(args, const WCHAR *), SIZE_MAX);
            break;
        case 'Z': {
            const UNICODE_STRING *u = __builtin_va_arg(args, const UNICODE_STRING *);
            if (u && wide) {
                put_wide(o, u->Buffer, u->Length / 2);
            } else if (u) { /* ANSI_STRING: the same layout with 1-byte characters */
                const char *c = (const char *)u->Buffer;
                for (size_t i = 0; i < u->Length; i++)
                    put(o, c[i]);
            }
            break;
        }
        default:
            return false;
        }
    }
    return true;
}

static void print(const char *prefix, uint32_t level, const char *fmt, __builtin_ms_va_list args,
                  uint64_t caller)
{
    char text[DBG_PRINT_MAX + 1];
    struct out o = {text, sizeof(text), 0, false};
    const char *bad = NULL;
    static const char *const level_names[] = {"error", "warning", "trace", "info"};

    if (fmt == NULL)
        nt_verifier_fail(NT_VERIFY_ARGUMENT, caller, "DbgPrint with a NULL format");
    for (const char *p = prefix; p && *p; p++)
        put(&o, *p);
    if (!format(&o, fmt, args, &bad))
        nt_verifier_fail(NT_VERIFY_ARGUMENT, caller,
                         "DbgPrint format \"%s\": the conversion at \"%.8s\" is none the kernel "
                         "knows",
                         fmt, bad);
    text[o.used < sizeof(text) ? o.used : sizeof(text) - 1] = '\0';
    nt_log("[%s] %s%s", level < 4 ? level_names[level] : "mask", text,
           o.used && text[strlen(text) - 1] == '\n' ? "" : "\n");
}

static NT_EXPORT uint32_t vDbgPrintExWithPrefix(const char *prefix, uint32_t component,
                                                uint32_t level, const char *fmt,
                                                __builtin_ms_va_list args)
{
    print(prefix, level, fmt, args, NT_CALLER);
    return STATUS_SUCCESS;
}
NT_REGISTER(NTOSKRNL, vDbgPrintExWithPrefix);

static NT_EXPORT uint32_t vDbgPrintEx(uint32_t component, uint32_t level, const char *fmt,
                                      __builtin_ms_va_list args)
{
    print(NULL, level, fmt, args, NT_CALLER);
    return STATUS_SUCCESS;
}
NT_REGISTER(NTOSKRNL, vDbgPrintEx);

static NT_EXPORT uint32_t DbgPrintEx(uint32_t component, uint32_t level, const char *fmt, ...)
{
    __builtin_ms_va_list args;

    __builtin_ms_va_start(args, fmt);
    print(NULL, level, fmt, args, NT_CALLER);
    __builtin_ms_va_end(args);
    return STATUS_SUCCESS;
}
NT_REGISTER(NTOSKRNL, DbgPrintEx);

static NT_EXPORT uint32_t DbgPrint(const char *fmt, ...)
{
    __builtin_ms_va_list args;

    __builtin_ms_va_start(args, fmt);
    print(NULL, DPFLTR_INFO_LEVEL, fmt, args, NT_CALLER);
    __builtin_ms_va_end(args);
    return STATUS_SUCCESS;
}
NT_REGISTER(NTOSKRNL, DbgPrint);

/*
 * At most @count characters of the text: all of it and a NUL when it is
 * shorter (its length returned), all of it without a NUL when exactly
 * @count long (@count returned), else the first @count without a NUL, -1.
 */
static NT_EXPORT int nt_vsnprintf(char *buffer, size_t count, const char *fmt,
                                  __builtin_ms_va_list args)
{
    uint64_t caller = NT_CALLER;
    /* Written in place: put() stops one short of the size, so at most @count characters. */
    struct out o = {buffer, count + 1, 0, false};
    const char *bad = NULL;

    if (fmt == NULL || (buffer == NULL && count > 0))
        nt_verifier_fail(NT_VERIFY_ARGUMENT, caller, "_vsnprintf with a NULL %s",
                         fmt ? "buffer" : "format");
    if (!format(&o, fmt, args, &bad))
        nt_verifier_fail(NT_VERIFY_ARGUMENT, caller,
                         "_vsnprintf format \"%s\": the conversion at \"%.8s\" is none the "
                         "kernel knows",
                         fmt, bad);
    if (o.wide && nt_irql() > PASSIVE_LEVEL)
        nt_verifier_fail(NT_VERIFY_IRQL, caller,
                         "_vsnprintf of a wide string at IRQL %u (needs PASSIVE_LEVEL)", nt_irql());
    if (o.used < count)
        buffer[o.used] = '\0';
    return o.used <= count ? (int)o.used : -1;
}
NT_REGISTER_AS(NTOSKRNL, "_vsnprintf", nt_vsnprintf);
