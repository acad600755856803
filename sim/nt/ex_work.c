/*
 * sim/nt/ex_work.c - system worker threads (ExQueueWorkItem; the item is
 * initialized by the inline ExInitializeWorkItem).
 *
 * Queued items are linked through their own List entry, as Windows links
 * them; List.Flink is NULL again before the routine runs, so the routine
 * may queue its item once more. The routine runs at PASSIVE_LEVEL and must
 * come back there with no spinlock held.
 */
#include <stdlib.h>

#include "exports_impl.h"
#include "kernel.h"

#define WORKER_THREADS 3

static pthread_mutex_t work_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t work_changed = PTHREAD_COND_INITIALIZER;
static LIST_ENTRY work = {&work, &work};
static unsigned int running; /* routines running now */
static bool stopping;
static pthread_t workers[WORKER_THREADS];
static unsigned int worker_count;

static void *worker_main(void *unused)
{
    struct nt_thread thread;

    if (nt_thread_enter(&thread, "worker", 0) != 0)
        abort();
    pthread_mutex_lock(&work_lock);
    for (;;) {
        WORK_QUEUE_ITEM *item;
        WORKER_THREAD_ROUTINE *routine;
        void *parameter;

        while (work.Flink == &work && !stopping)
            pthread_cond_wait(&work_changed, &work_lock);
        if (work.Flink == &work)
            break;
        item = (WORK_QUEUE_ITEM *)work.Flink;
        work.Flink = item->List.Flink;
        work.Flink->Blink = &work;
        routine = item->WorkerRoutine;
        parameter = item->Parameter;
        item->List.Flink = NULL; /* the item may be queued again from here on */
        running++;
        pthread_mutex_unlock(&work_lock);

        nt_driver_call(routine, (uint64_t)(uintptr_t)parameter, 0, 0, 0);
        if (thread.spinlocks)
            nt_verifier_fail(NT_VERIFY_SPINLOCK_HELD, (uint64_t)(uintptr_t)routine,
                             "work item routine returned holding %u spinlock(s)", thread.spinlocks);
        if (nt_irql() != PASSIVE_LEVEL)
            nt_verifier_fail(NT_VERIFY_IRQL, (uint64_t)(uintptr_t)routine,
                             "work item routine returned at IRQL %u", nt_irql());

        pthread_mutex_lock(&work_lock);
        running--;
        pthread_cond_broadcast(&work_changed);
    }
    pthread_mutex_unlock(&work_lock);
    nt_thread_exit(&thread);
    return NULL;
}

int nt_workers_start(void)
{
    stopping = false;
    for (worker_count = 0; worker_count < WORKER_THREADS; worker_count++) {
        if (pthread_create(&workers[worker_count], NULL, worker_main, NULL) != 0) {
            nt_workers_stop();
            return -1;
        }
    }
    return 0;
}

/* Runs what is queued, then ends the workers. */
void nt_workers_stop(void)
{
    pthread_mutex_lock(&work_lock);
    stopping = true;
    pthread_cond_broadcast(&work_changed);
    pthread_mutex_unlock(&work_lock);
    for (unsigned int i = 0; i < worker_count; i++)
        pthread_join(workers[i], NULL);
    worker_count = 0;
}

void nt_work_enqueue(WORK_QUEUE_ITEM *item, uint64_t caller)
{
    if (item == NULL || item->WorkerRoutine == NULL)
        nt_verifier_fail(NT_VERIFY_ARGUMENT, caller, "ExQueueWorkItem(%p) with no routine",
                         (void *)item);
    pthread_mutex_lock(&work_lock);
    if (item->List.Flink != NULL) {
        pthread_mutex_unlock(&work_lock);
        nt_verifier_fail(NT_VERIFY_ARGUMENT, caller,
                         "ExQueueWorkItem(%p): the item is queued already", (void *)item);
    }
    item->List.Flink = &work;
    item->List.Blink = work.Blink;
    work.Blink->Flink = &item->List;
    work.Blink = &item->List;
    pthread_cond_broadcast(&work_changed);
    pthread_mutex_unlock(&work_lock);
}

static NT_EXPORT void ExQueueWorkItem(WORK_QUEUE_ITEM *item, uint32_t queue_type)
{
    uint64_t caller = NT_CALLER;

    nt_require_irql(DISPATCH_LEVEL, caller, __func__);
    nt_work_enqueue(item, caller);
}
NT_REGISTER(NTOSKRNL, ExQueueWorkItem);
