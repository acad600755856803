/* core/xenbus/suspend_callbacks.c - see suspend_callbacks.h. */
#include <xen/errno.h>

#include "xenbus/suspend_callbacks.h"

struct xenbus_suspend_callback {
    struct xenbus_suspend_callback *next;
    xenbus_suspend_early_fn early; /* one of the two */
    xenbus_suspend_late_fn late;
    void *arg;
    uint32_t pass; /* the last phase that ran it (or that ran when it came) */
};

void xenbus_suspend_callbacks_init(struct xenbus_suspend_callbacks *cbs)
{
    os_mutex_init(&cbs->lock);
    os_event_init(&cbs->idle);
    cbs->first = cbs->last = cbs->running = NULL;
    cbs->pass = 0;
    cbs->runner = 0;
    os_atomic_store32(&cbs->resumes, 0);
}

bool xenbus_suspend_callbacks_empty(struct xenbus_suspend_callbacks *cbs)
{
    bool empty;

    os_mutex_lock(&cbs->lock);
    empty = cbs->first == NULL;
    os_mutex_unlock(&cbs->lock);
    return empty;
}

int xenbus_suspend_callbacks_add(struct xenbus_suspend_callbacks *cbs,
                                 xenbus_suspend_early_fn early, xenbus_suspend_late_fn late,
                                 void *arg, struct xenbus_suspend_callback **out)
{
    struct xenbus_suspend_callback *cb;

    OS_ASSERT((early == NULL) != (late == NULL));
    cb = os_alloc(sizeof(*cb));
    if (cb == NULL)
        return -XEN_ENOMEM;
    cb->early = early;
    cb->late = late;
    cb->arg = arg;
    os_mutex_lock(&cbs->lock);
    cb->pass = cbs->pass; /* not in a phase running now */
    if (cbs->last)
        cbs->last->next = cb;
    else
        cbs->first = cb;
    cbs->last = cb;
    os_mutex_unlock(&cbs->lock);
    *out = cb;
    return 0;
}

void xenbus_suspend_callbacks_remove(struct xenbus_suspend_callbacks *cbs,
                                     struct xenbus_suspend_callback *cb)
{
    struct xenbus_suspend_callback *prev = NULL;

    os_mutex_lock(&cbs->lock);
    OS_ASSERT(cbs->running != cb || cbs->runner != os_thread_self());
    for (struct xenbus_suspend_callback *at = cbs->first; at; prev = at, at = at->next) {
        if (at != cb)
            continue;
        if (prev)
            prev->next = at->next;
        else
            cbs->first = at->next;
        if (cbs->last == at)
            cbs->last = prev;
        break;
    }
    while (cbs->running == cb) {
        os_event_clear(&cbs->idle);
        os_mutex_unlock(&cbs->lock);
        os_event_wait(&cbs->idle, OS_WAIT_FOREVER);
        os_mutex_lock(&cbs->lock);
    }
    os_mutex_unlock(&cbs->lock);
    os_free(cb);
}

/*
 * Run each callback of the phase once, in order, without the lock: after
 * each, the list is looked at afresh (it may have changed meanwhile).
 */
static void run_phase(struct xenbus_suspend_callbacks *cbs, bool late, bool cancelled)
{
    os_mutex_lock(&cbs->lock);
    cbs->pass++;
    for (;;) {
        struct xenbus_suspend_callback *cb = cbs->first;

        while (cb && cb->pass == cbs->pass)
            cb = cb->next;
        if (cb == NULL)
            break;
        cb->pass = cbs->pass;
        if (late ? cb->late == NULL : cb->early == NULL)
            continue;
        cbs->running = cb;
        cbs->runner = os_thread_self();
        os_mutex_unlock(&cbs->lock);
        if (late)
            cb->late(cb->arg, cancelled);
        else
            cb->early(cb->arg);
        os_mutex_lock(&cbs->lock);
        cbs->running = NULL;
        os_event_set(&cbs->idle);
    }
    os_mutex_unlock(&cbs->lock);
}

void xenbus_suspend_callbacks_early(struct xenbus_suspend_callbacks *cbs)
{
    run_phase(cbs, false, false);
}

void xenbus_suspend_callbacks_late(struct xenbus_suspend_callbacks *cbs, bool cancelled)
{
    if (!cancelled)
        os_atomic_add32(&cbs->resumes, 1);
    run_phase(cbs, true, cancelled);
}

uint32_t xenbus_suspend_callbacks_resumes(const struct xenbus_suspend_callbacks *cbs)
{
    return os_atomic_load32(&cbs->resumes);
}
