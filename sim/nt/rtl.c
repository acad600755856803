/* sim/nt/rtl.c - the run-time library drivers import (memory and strings, UNICODE_STRINGs). */
#include <string.h>

#include "exports_impl.h"
#include "kernel.h"

static NT_EXPORT uint64_t RtlCompareMemory(const void *a, const void *b, uint64_t length)
{
    const uint8_t *x = a, *y = b;
    uint64_t same = 0;

    while (same < length && x[same] == y[same])
        same++;
    return same;
}
NT_REGISTER(NTOSKRNL, RtlCompareMemory);

static NT_EXPORT void *nt_memcpy(void *dst, const void *src, uint64_t n)
{
    return memcpy(dst, src, n);
}
NT_REGISTER_AS(NTOSKRNL, "memcpy", nt_memcpy);

static NT_EXPORT void *nt_memmove(void *dst, const void *src, uint64_t n)
{
    return memmove(dst, src, n);
}
NT_REGISTER_AS(NTOSKRNL, "memmove", nt_memmove);

static NT_EXPORT void *nt_memset(void *dst, int c, uint64_t n)
{
    return memset(dst, c, n);
}
NT_REGISTER_AS(NTOSKRNL, "memset", nt_memset);

static NT_EXPORT int nt_memcmp(const void *a, const void *b, uint64_t n)
{
    return memcmp(a, b, n);
}
NT_REGISTER_AS(NTOSKRNL, "memcmp", nt_memcmp);

static NT_EXPORT uint64_t nt_strlen(const char *s)
{
    return strlen(s);
}
NT_REGISTER_AS(NTOSKRNL, "strlen", nt_strlen);

static NT_EXPORT uint64_t nt_strnlen(const char *s, uint64_t max)
{
    return strnlen(s, max);
}
NT_REGISTER_AS(NTOSKRNL, "strnlen", nt_strnlen);

static NT_EXPORT int nt_strcmp(const char *a, const char *b)
{
    return strcmp(a, b);
}
NT_REGISTER_AS(NTOSKRNL, "strcmp", nt_strcmp);

static NT_EXPORT int nt_strncmp(const char *a, const char *b, uint64_t n)
{
    return strncmp(a, b, n);
}
NT_REGISTER_AS(NTOSKRNL, "strncmp", nt_strncmp);

static NT_EXPORT char *nt_strrchr(const char *s, int c)
{
    return strrchr(s, c);
}
NT_REGISTER_AS(NTOSKRNL, "strrchr", nt_strrchr);

static NT_EXPORT void *nt_memchr(const void *s, int c, uint64_t n)
{
    return memchr(s, c, n);
}
NT_REGISTER_AS(NTOSKRNL, "memchr", nt_memchr);

static NT_EXPORT char *nt_strcpy(char *dst, const char *src)
{
    return strcpy(dst, src);
}
NT_REGISTER_AS(NTOSKRNL, "strcpy", nt_strcpy);

/* @source's length in Length, with its terminator in MaximumLength (NULL: an empty string). */
static NT_EXPORT void RtlInitUnicodeString(UNICODE_STRING *destination, const WCHAR *source)
{
    uint64_t caller = NT_CALLER;
    size_t chars = 0;

    /* DISPATCH_LEVEL when the string is resident: every string here is. */
    nt_require_irql(DISPATCH_LEVEL, caller, __func__);
    if (destination == NULL)
        nt_verifier_fail(NT_VERIFY_ARGUMENT, caller, "RtlInitUnicodeString(NULL, %p)",
                         (const void *)source);
    while (source && source[chars])
        chars++;
    if (chars * sizeof(WCHAR) > UINT16_MAX - sizeof(WCHAR))
        nt_verifier_fail(NT_VERIFY_ARGUMENT, caller,
                         "RtlInitUnicodeString of %zu characters: too long for a UNICODE_STRING",
                         chars);
    destination->Length = (uint16_t)(chars * sizeof(WCHAR));
    destination->MaximumLength = source ? (uint16_t)(destination->Length + sizeof(WCHAR)) : 0;
    destination->Buffer = (WCHAR *)source;
}
NT_REGISTER(NTOSKRNL, RtlInitUnicodeString);

/*
 * Frees a string the kernel allocated for the caller (IoRegisterDeviceInterface's
 * link name): its buffer goes back to pool, the string is left empty.
 */
static NT_EXPORT void RtlFreeUnicodeString(UNICODE_STRING *string)
{
    uint64_t caller = NT_CALLER;

    nt_require_irql(PASSIVE_LEVEL, caller, __func__);
    if (string == NULL)
        nt_verifier_fail(NT_VERIFY_ARGUMENT, caller, "RtlFreeUnicodeString(NULL)");
    if (string->Buffer)
        nt_pool_free(string->Buffer, 0, false, caller);
    *string = (UNICODE_STRING){0};
}
NT_REGISTER(NTOSKRNL, RtlFreeUnicodeString);
