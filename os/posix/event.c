/* os/posix/event.c - notification events on a monotonic-clock condition variable. */
#include <errno.h>
#include <time.h>

#include "os.h"
#include "os_posix.h"

void os_event_init(struct os_event *event)
{
    pthread_condattr_t attr;

    pthread_mutex_init(&event->mutex, NULL);
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&event->cond, &attr);
    pthread_condattr_destroy(&attr);
    event->signalled = false;
}

void os_event_set(struct os_event *event)
{
    pthread_mutex_lock(&event->mutex);
    event->signalled = true;
    pthread_cond_broadcast(&event->cond);
    pthread_mutex_unlock(&event->mutex);
}

void os_event_clear(struct os_event *event)
{
    pthread_mutex_lock(&event->mutex);
    event->signalled = false;
    pthread_mutex_unlock(&event->mutex);
}

static struct timespec deadline_after(uint64_t timeout_ns)
{
    uint64_t at = os_time_ns() + timeout_ns;
    struct timespec ts = {.tv_sec = (time_t)(at / 1000000000u),
                          .tv_nsec = (long)(at % 1000000000u)};

    return ts;
}

int os_event_wait(struct os_event *event, uint64_t timeout_ns)
{
    struct timespec deadline;
    int rc = 0;

    os_posix_require_passive(__func__);
    if (timeout_ns != OS_WAIT_FOREVER)
        deadline = deadline_after(timeout_ns);
    pthread_mutex_lock(&event->mutex);
    while (!event->signalled && rc != ETIMEDOUT) {
        if (timeout_ns == OS_WAIT_FOREVER)
            pthread_cond_wait(&event->cond, &event->mutex);
        else
            rc = pthread_cond_timedwait(&event->cond, &event->mutex, &deadline);
    }
    rc = event->signalled ? 0 : -XEN_ETIMEDOUT;
    pthread_mutex_unlock(&event->mutex);
    return rc;
}
