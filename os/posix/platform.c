/*
 * os/posix/platform.c - time, processors, logging, assertions, and the
 * hypervisor transport for user space.
 */
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "os.h"
#include "os_posix.h"

uint64_t os_time_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

unsigned int os_cpu_count(void)
{
    /* Asked once: sysconf reads a file in /sys each time, and callers are on fast paths. */
    static unsigned int count;
    unsigned int n = __atomic_load_n(&count, __ATOMIC_RELAXED);

    if (n == 0) {
        long online = sysconf(_SC_NPROCESSORS_ONLN);

        n = online > 0 ? (unsigned int)online : 1;
        __atomic_store_n(&count, n, __ATOMIC_RELAXED);
    }
    return n;
}

uintptr_t os_thread_self(void)
{
    return (uintptr_t)pthread_self();
}

unsigned int os_cpu_current(void)
{
    int cpu = sched_getcpu();
    unsigned int count = os_cpu_count();

    return cpu >= 0 ? (unsigned int)cpu % count : 0;
}

/* -- logging: WINPV_LOG=error|warn|info|debug picks the threshold (warn) -- */

static const char *const level_names[] = {"error", "warn", "info", "debug"};

static enum os_log_level log_threshold(void)
{
    const char *want = getenv("WINPV_LOG");

    for (unsigned int i = 0; want && i < sizeof(level_names) / sizeof(level_names[0]); i++)
        if (strcmp(want, level_names[i]) == 0)
            return (enum os_log_level)i;
    return OS_LOG_WARN;
}

void os_vlog(enum os_log_level level, const char *fmt, va_list args)
{
    char line[512];

    if (level > log_threshold())
        return;
    vsnprintf(line, sizeof(line), fmt, args);
    /* Messages end in a newline, as DbgPrint wants; one missing is added. */
    fprintf(stderr, "winpv %s: %s%s", level_names[level], line,
            line[0] && line[strlen(line) - 1] == '\n' ? "" : "\n");
}

size_t os_vformat(char *buf, size_t size, const char *fmt, va_list args)
{
    int n = vsnprintf(buf, size, fmt, args);

    if (n < 0) {
        buf[0] = '\0';
        return 0;
    }
    return (size_t)n < size ? (size_t)n : size - 1;
}

void os_assert_failed(const char *expr, const char *file, int line)
{
    fprintf(stderr, "winpv: assertion failed: %s (%s:%d)\n", expr, file, line);
    abort();
}

void os_assert_cmp_failed(const char *expr, uint64_t left, uint64_t right, const char *file,
                          int line)
{
    fprintf(stderr, "winpv: assertion failed: %s (left %#llx, right %#llx) (%s:%d)\n", expr,
            (unsigned long long)left, (unsigned long long)right, file, line);
    abort();
}

/* -- hypervisor transport -------------------------------------------------- */

static const struct os_posix_platform *_Atomic platform;

void os_posix_set_platform(const struct os_posix_platform *p)
{
    platform = p;
}

int64_t os_hypercall(uint32_t op, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
    const struct os_posix_platform *p = platform;
    const uint64_t args[5] = {a1, a2, a3, a4, a5};

    return p && p->hypercall ? p->hypercall(p->ctx, op, args) : -XEN_ENOSYS;
}

static uint32_t port_in(uint16_t port, unsigned int bytes)
{
    const struct os_posix_platform *p = platform;

    return p && p->port_in ? p->port_in(p->ctx, port, bytes) : UINT32_MAX;
}

static void port_out(uint16_t port, unsigned int bytes, uint32_t value)
{
    const struct os_posix_platform *p = platform;

    if (p && p->port_out)
        p->port_out(p->ctx, port, bytes, value);
}

uint8_t os_inb(uint16_t port)
{
    return (uint8_t)port_in(port, 1);
}

uint16_t os_inw(uint16_t port)
{
    return (uint16_t)port_in(port, 2);
}

uint32_t os_inl(uint16_t port)
{
    return port_in(port, 4);
}

void os_outb(uint16_t port, uint8_t value)
{
    port_out(port, 1, value);
}

void os_outw(uint16_t port, uint16_t value)
{
    port_out(port, 2, value);
}

void os_outl(uint16_t port, uint32_t value)
{
    port_out(port, 4, value);
}
