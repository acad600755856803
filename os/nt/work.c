/*
 * os/nt/work.c - deferred work on the system worker threads.
 *
 * A work item is queued to the system at most once: queuing it while it
 * runs only marks it, and the running routine goes round again. The idle
 * event lets os_work_flush wait for the item to be neither queued nor
 * running.
 *
 * Limitation: ExQueueWorkItem holds no reference on the driver, so a driver
 * must flush its work items before it unloads; the few instructions after
 * the last touch of an item still run in the driver's image. The shells move
 * to IoQueueWorkItemEx (which holds a device reference) when they own
 * device objects for all their work.
 */
#include "os.h"

#define WORK_QUEUED  1
#define WORK_RUNNING 2

static void work_routine(PVOID context)
{
    struct os_work *work = context;

    for (;;) {
        InterlockedExchange(&work->state, WORK_RUNNING); /* clears QUEUED */
        work->fn(work->ctx);
        /*
         * Signal before the state goes to 0: once it is 0 a flusher may
         * free the item, so the item is not touched after that.
         */
        KeSetEvent(&work->idle, IO_NO_INCREMENT, FALSE);
        if (InterlockedCompareExchange(&work->state, 0, WORK_RUNNING) == WORK_RUNNING)
            return;
        /* Queued again while it ran: run again. */
    }
}

void os_work_init(struct os_work *work, os_work_fn fn, void *ctx)
{
    work->fn = fn;
    work->ctx = ctx;
    work->state = 0;
    KeInitializeEvent(&work->idle, NotificationEvent, TRUE);
    ExInitializeWorkItem(&work->item, work_routine, work);
}

bool os_work_queue(struct os_work *work)
{
    LONG old;

    for (;;) {
        old = work->state;
        if (old & WORK_QUEUED)
            return false;
        KeClearEvent(&work->idle);
        if (InterlockedCompareExchange(&work->state, old | WORK_QUEUED, old) == old)
            break;
    }
    if (!(old & WORK_RUNNING))
        ExQueueWorkItem(&work->item, DelayedWorkQueue);
    return true;
}

void os_work_flush(struct os_work *work)
{
    LARGE_INTEGER pause = {.QuadPart = -10000}; /* 1 ms */

    while (work->state != 0) {
        KeWaitForSingleObject(&work->idle, Executive, KernelMode, FALSE, NULL);
        /*
         * The event can be set by a routine that finished just as the item
         * was queued again: look at the state, not only the event.
         */
        if (work->state != 0)
            KeDelayExecutionThread(KernelMode, FALSE, &pause);
    }
}
