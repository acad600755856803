/*
 * os/posix/timer.c - one-shot timers served by one thread, callbacks in
 * dispatch context (as a DPC on Windows).
 */
#include <errno.h>
#include <time.h>

#include "os.h"
#include "os_posix.h"

static struct {
    pthread_once_t once;
    pthread_mutex_t lock;
    pthread_cond_t changed; /* the earliest deadline may have moved */
    pthread_cond_t done;    /* a callback returned */
    struct os_timer *head;  /* armed timers, earliest deadline first */
} wheel = {
    .once = PTHREAD_ONCE_INIT,
    .lock = PTHREAD_MUTEX_INITIALIZER,
    .done = PTHREAD_COND_INITIALIZER,
};

static void unlink_timer(struct os_timer *timer)
{
    for (struct os_timer **p = &wheel.head; *p; p = &(*p)->next) {
        if (*p == timer) {
            *p = timer->next;
            timer->next = NULL;
            return;
        }
    }
}

static void insert_timer(struct os_timer *timer)
{
    struct os_timer **p = &wheel.head;

    while (*p && (*p)->deadline_ns <= timer->deadline_ns)
        p = &(*p)->next;
    timer->next = *p;
    *p = timer;
}

static void wait_until(uint64_t deadline_ns)
{
    struct timespec ts = {.tv_sec = (time_t)(deadline_ns / 1000000000u),
                          .tv_nsec = (long)(deadline_ns % 1000000000u)};

    pthread_cond_timedwait(&wheel.changed, &wheel.lock, &ts);
}

static void *timer_main(void *unused)
{
    pthread_mutex_lock(&wheel.lock);
    for (;;) {
        struct os_timer *timer = wheel.head;

        if (timer == NULL) {
            pthread_cond_wait(&wheel.changed, &wheel.lock);
            continue;
        }
        if (timer->deadline_ns > os_time_ns()) {
            wait_until(timer->deadline_ns);
            continue;
        }
        wheel.head = timer->next;
        timer->next = NULL;
        timer->armed = false;
        timer->running = true;
        pthread_mutex_unlock(&wheel.lock);

        os_posix_dispatch_enter();
        timer->fn(timer->ctx);
        os_posix_dispatch_leave();

        pthread_mutex_lock(&wheel.lock);
        timer->running = false;
        pthread_cond_broadcast(&wheel.done);
    }
    return NULL;
}

static void start_timer_thread(void)
{
    pthread_condattr_t attr;
    pthread_t thread;

    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&wheel.changed, &attr);
    pthread_condattr_destroy(&attr);
    if (pthread_create(&thread, NULL, timer_main, NULL) != 0)
        os_assert_failed("pthread_create(timer)", __FILE__, __LINE__);
    pthread_detach(thread);
}

void os_timer_init(struct os_timer *timer, os_timer_fn fn, void *ctx)
{
    pthread_once(&wheel.once, start_timer_thread);
    timer->fn = fn;
    timer->ctx = ctx;
    timer->deadline_ns = 0;
    timer->next = NULL;
    timer->armed = false;
    timer->running = false;
    timer->stopping = false;
}

void os_timer_arm(struct os_timer *timer, uint64_t delay_ns)
{
    pthread_mutex_lock(&wheel.lock);
    if (timer->stopping) {
        pthread_mutex_unlock(&wheel.lock);
        return;
    }
    if (timer->armed)
        unlink_timer(timer);
    timer->deadline_ns = os_time_ns() + delay_ns;
    timer->armed = true;
    insert_timer(timer);
    pthread_cond_signal(&wheel.changed);
    pthread_mutex_unlock(&wheel.lock);
}

bool os_timer_cancel(struct os_timer *timer)
{
    bool was_armed;

    pthread_mutex_lock(&wheel.lock);
    was_armed = timer->armed;
    if (was_armed)
        unlink_timer(timer);
    timer->armed = false;
    pthread_mutex_unlock(&wheel.lock);
    return was_armed;
}

void os_timer_sync(struct os_timer *timer)
{
    os_posix_require_passive(__func__);
    pthread_mutex_lock(&wheel.lock);
    timer->stopping = true; /* a running callback can no longer re-arm it */
    while (timer->armed || timer->running) {
        if (timer->armed) {
            unlink_timer(timer);
            timer->armed = false;
        }
        if (timer->running)
            pthread_cond_wait(&wheel.done, &wheel.lock);
    }
    pthread_mutex_unlock(&wheel.lock);
}
