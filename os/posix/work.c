/*
 * os/posix/work.c - deferred work on a small pool of passive threads.
 *
 * Several threads, as Windows has several system worker threads, so a work
 * item that waits for another one to run does not deadlock. One item never
 * runs on two threads at once: queued while it runs, it is not put on the
 * list but run again by the same thread when it returns.
 */
#include "os.h"
#include "os_posix.h"

#define WORKER_THREADS 4

static struct {
    pthread_once_t once;
    pthread_mutex_t lock;
    pthread_cond_t queued; /* work was added */
    pthread_cond_t done;   /* a work item finished running */
    struct os_work *head;
    struct os_work *tail;
} pool = {
    .once = PTHREAD_ONCE_INIT,
    .lock = PTHREAD_MUTEX_INITIALIZER,
    .queued = PTHREAD_COND_INITIALIZER,
    .done = PTHREAD_COND_INITIALIZER,
};

static void *worker_main(void *unused)
{
    pthread_mutex_lock(&pool.lock);
    for (;;) {
        struct os_work *work;

        while (pool.head == NULL)
            pthread_cond_wait(&pool.queued, &pool.lock);
        work = pool.head;
        pool.head = work->next;
        if (pool.head == NULL)
            pool.tail = NULL;
        work->next = NULL;
        work->queued = false;
        work->running = true;
        pthread_mutex_unlock(&pool.lock);

        for (;;) {
            work->fn(work->ctx);
            pthread_mutex_lock(&pool.lock);
            if (!work->queued)
                break;
            work->queued = false; /* queued while it ran: run again */
            pthread_mutex_unlock(&pool.lock);
        }
        work->running = false;
        pthread_cond_broadcast(&pool.done);
    }
    return NULL;
}

static void start_workers(void)
{
    for (int i = 0; i < WORKER_THREADS; i++) {
        pthread_t thread;

        if (pthread_create(&thread, NULL, worker_main, NULL) != 0)
            os_assert_failed("pthread_create(worker)", __FILE__, __LINE__);
        pthread_detach(thread);
    }
}

void os_work_init(struct os_work *work, os_work_fn fn, void *ctx)
{
    work->fn = fn;
    work->ctx = ctx;
    work->next = NULL;
    work->queued = false;
    work->running = false;
}

bool os_work_queue(struct os_work *work)
{
    pthread_once(&pool.once, start_workers);
    pthread_mutex_lock(&pool.lock);
    if (work->queued) {
        pthread_mutex_unlock(&pool.lock);
        return false;
    }
    work->queued = true;
    if (!work->running) {
        if (pool.tail)
            pool.tail->next = work;
        else
            pool.head = work;
        pool.tail = work;
        pthread_cond_signal(&pool.queued);
    }
    pthread_mutex_unlock(&pool.lock);
    return true;
}

void os_work_flush(struct os_work *work)
{
    os_posix_require_passive(__func__);
    pthread_mutex_lock(&pool.lock);
    while (work->queued || work->running)
        pthread_cond_wait(&pool.done, &pool.lock);
    pthread_mutex_unlock(&pool.lock);
}
