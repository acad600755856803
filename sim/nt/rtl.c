/* sim/nt/rtl.c - the run-time library drivers import (memory). */
#include <string.h>

#include "exports_impl.h"

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
