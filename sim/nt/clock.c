/*
 * sim/nt/clock.c - the kernel's clocks, and KUSER_SHARED_DATA, the page
 * drivers read them from without a call (KeQueryInterruptTime and
 * KeQuerySystemTime are inline reads of it).
 *
 * A clock thread refreshes the page every millisecond, as the clock
 * interrupt does at its fastest rate; each KSYSTEM_TIME is written in the
 * order readers rely on (High2Time, LowPart, High1Time).
 */
#include <stdatomic.h>
#include <string.h>
#include <time.h>

#include "kernel.h"
#include "clock.h"

#define KUSER_INTERRUPT_TIME       0x008
#define KUSER_SYSTEM_TIME          0x014
#define KUSER_TICK_COUNT           0x320
#define KUSER_NUMBER_OF_PROCESSORS 0x3c0
/* 100 ns units from 1601-01-01 to 1970-01-01. */
#define EPOCH_1601_TO_1970         116444736000000000ull
#define TICK_100NS                 156250 /* the default clock interrupt, 15.625 ms */

static uint8_t kuser_page[4096] __attribute__((aligned(4096)));
static pthread_t clock_thread;
static atomic_bool clock_running;
static uint64_t boot_ns;

static uint64_t monotonic_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

uint64_t nt_interrupt_time(void)
{
    return (monotonic_ns() - boot_ns) / 100;
}

uint64_t nt_system_time(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return EPOCH_1601_TO_1970 + (uint64_t)ts.tv_sec * 10000000ull + (uint64_t)ts.tv_nsec / 100;
}

/*
 * Drivers read LowPart and High1Time as one 64-bit value (mingw-w64's
 * KeQueryInterruptTime does): where that is 8-byte aligned it is stored
 * at once, so no reader sees half of it.
 */
static void write_system_time(size_t offset, uint64_t value)
{
    volatile uint32_t *t = (volatile uint32_t *)(kuser_page + offset);

    t[2] = (uint32_t)(value >> 32); /* High2Time */
    atomic_thread_fence(memory_order_release);
    if (offset % 8 == 0) {
        *(volatile uint64_t *)t = value; /* LowPart and High1Time */
    } else {
        t[0] = (uint32_t)value; /* LowPart */
        atomic_thread_fence(memory_order_release);
        t[1] = (uint32_t)(value >> 32); /* High1Time */
    }
}

/* One writer at a time, so the clocks never go back. */
static pthread_mutex_t refresh_lock = PTHREAD_MUTEX_INITIALIZER;

void nt_clock_refresh(void)
{
    uint64_t now;

    pthread_mutex_lock(&refresh_lock);
    now = nt_interrupt_time();
    write_system_time(KUSER_INTERRUPT_TIME, now);
    write_system_time(KUSER_SYSTEM_TIME, nt_system_time());
    write_system_time(KUSER_TICK_COUNT, now / TICK_100NS);
    pthread_mutex_unlock(&refresh_lock);
}

static void *clock_main(void *unused)
{
    struct timespec period = {0, 1000000};

    while (atomic_load(&clock_running)) {
        nt_clock_refresh();
        nanosleep(&period, NULL);
    }
    return NULL;
}

uint64_t nt_time_start(void)
{
    uint32_t processors = nt_vcpu_count();

    boot_ns = monotonic_ns() - 1000000000ull; /* a second since boot, so no time reads as 0 */
    memcpy(kuser_page + KUSER_NUMBER_OF_PROCESSORS, &processors, sizeof(processors));
    nt_clock_refresh();
    atomic_store(&clock_running, true);
    if (pthread_create(&clock_thread, NULL, clock_main, NULL) != 0)
        atomic_store(&clock_running, false);
    return (uint64_t)(uintptr_t)kuser_page;
}

uint64_t nt_kuser_page(void)
{
    return (uint64_t)(uintptr_t)kuser_page;
}

void nt_time_stop(void)
{
    if (atomic_exchange(&clock_running, false))
        pthread_join(clock_thread, NULL);
}

void nt_deadline_after_ms(struct timespec *deadline, uint64_t ms)
{
    clock_gettime(CLOCK_REALTIME, deadline);
    deadline->tv_sec += (time_t)(ms / 1000);
    deadline->tv_nsec += (long)(ms % 1000) * 1000000;
    if (deadline->tv_nsec >= 1000000000) {
        deadline->tv_sec++;
        deadline->tv_nsec -= 1000000000;
    }
}
