/*
 * os/nt/os_impl.h - storage of the seam's objects in the Windows kernel.
 * Included by core/os.h only.
 */
#ifndef WINPV_OS_NT_IMPL_H
#define WINPV_OS_NT_IMPL_H

#include "nt_headers.h"

/* The IRQL before the spinlock was taken. */
typedef KIRQL os_irql_t;

struct os_spinlock {
    KSPIN_LOCK lock;
};

/* A fast mutex raises to APC_LEVEL, where waiting is still allowed. */
struct os_mutex {
    FAST_MUTEX mutex;
};

struct os_event {
    KEVENT event;
};

struct os_work {
    WORK_QUEUE_ITEM item;
    os_work_fn fn;
    void *ctx;
    volatile LONG state; /* OS_NT_WORK_QUEUED | OS_NT_WORK_RUNNING */
    KEVENT idle;         /* set while state is 0 */
};

struct os_timer {
    KTIMER timer;
    KDPC dpc;
    os_timer_fn fn;
    void *ctx;
    volatile uint32_t stopping; /* set by os_timer_sync: arming does nothing until init */
};

#endif /* WINPV_OS_NT_IMPL_H */
