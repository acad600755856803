/*
 * os/posix/os_impl.h - storage of the seam's objects in user space.
 *
 * Included by core/os.h only. Dispatch context is modelled per thread: a
 * spinlock held or a timer/event callback running puts the thread in it, and
 * the passive-only functions check (os_posix_require_passive).
 */
#ifndef WINPV_OS_POSIX_IMPL_H
#define WINPV_OS_POSIX_IMPL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

/* The thread's dispatch depth before the lock was taken. */
typedef int os_irql_t;

struct os_spinlock {
    pthread_mutex_t mutex;
};

struct os_mutex {
    pthread_mutex_t mutex;
};

struct os_event {
    pthread_mutex_t mutex;
    pthread_cond_t cond;
    bool signalled;
};

struct os_work {
    os_work_fn fn;
    void *ctx;
    struct os_work *next;
    bool queued;
    bool running;
};

struct os_timer {
    os_timer_fn fn;
    void *ctx;
    uint64_t deadline_ns;
    struct os_timer *next;
    bool armed;
    bool running;
    bool stopping; /* set by os_timer_sync: arming does nothing until init */
};

#endif /* WINPV_OS_POSIX_IMPL_H */
