/* os/nt/platform.c - time, processors, logging, assertions and I/O ports. */
#include <stdio.h>
#include <string.h>

#include "os.h"

#ifndef DPFLTR_IHVDRIVER_ID
#define DPFLTR_IHVDRIVER_ID 77 /* the DbgPrintEx component for third-party drivers */
#endif
#ifndef ALL_PROCESSOR_GROUPS
#define ALL_PROCESSOR_GROUPS 0xffff
#endif

/* Bugcheck code for a broken invariant of ours: "WPV" and 1. */
#define WINPV_BUGCHECK_ASSERTION 0x57505601u

uint64_t os_time_ns(void)
{
    return KeQueryInterruptTime() * 100; /* 100 ns units since boot */
}

unsigned int os_cpu_count(void)
{
    return KeQueryActiveProcessorCountEx(ALL_PROCESSOR_GROUPS);
}

uintptr_t os_thread_self(void)
{
    return (uintptr_t)KeGetCurrentThread();
}

unsigned int os_cpu_current(void)
{
    return KeGetCurrentProcessorNumberEx(NULL);
}

void os_vlog(enum os_log_level level, const char *fmt, va_list args)
{
    /* DbgPrintEx levels 0..3 are error, warning, trace, info. */
    static const ULONG dbg_level[] = {0, 1, 3, 3};

    vDbgPrintExWithPrefix("winpv: ", DPFLTR_IHVDRIVER_ID, dbg_level[level], fmt, args);
}

size_t os_vformat(char *buf, size_t size, const char *fmt, va_list args)
{
    /* The kernel's _vsnprintf writes no NUL when the text fills the buffer (returning -1 when cut). */
    int n = _vsnprintf(buf, size - 1, fmt, args);

    buf[size - 1] = '\0';
    if (n < 0 || (size_t)n >= size - 1)
        return strlen(buf);
    buf[n] = '\0';
    return (size_t)n;
}

void os_assert_failed(const char *expr, const char *file, int line)
{
    os_log(OS_LOG_ERROR, "assertion failed: %s (%s:%d)\n", expr, file, line);
    KeBugCheckEx(WINPV_BUGCHECK_ASSERTION, (ULONG_PTR)expr, (ULONG_PTR)file, (ULONG_PTR)line, 0);
}

void os_assert_cmp_failed(const char *expr, uint64_t left, uint64_t right, const char *file,
                          int line)
{
    os_log(OS_LOG_ERROR, "assertion failed: %s (left %#llx, right %#llx) (%s:%d)\n", expr,
           (unsigned long long)left, (unsigned long long)right, file, line);
    KeBugCheckEx(WINPV_BUGCHECK_ASSERTION, (ULONG_PTR)expr, (ULONG_PTR)file, (ULONG_PTR)line,
                 (ULONG_PTR)left);
}

uint8_t os_inb(uint16_t port)
{
    return __inbyte(port);
}

uint16_t os_inw(uint16_t port)
{
    return __inword(port);
}

uint32_t os_inl(uint16_t port)
{
    return __indword(port);
}

void os_outb(uint16_t port, uint8_t value)
{
    __outbyte(port, value);
}

void os_outw(uint16_t port, uint16_t value)
{
    __outword(port, value);
}

void os_outl(uint16_t port, uint32_t value)
{
    __outdword(port, value);
}
