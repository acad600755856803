/*
 * core/gnttab/deferred.c - revokes that wait until a backend lets go.
 *
 * A grant a backend still has mapped cannot be revoked, and its page must
 * not be freed under the backend. gnttab_end_access puts such a reference
 * on the pending list (in storage its owner provides); a timer (dispatch
 * context) retries the list every retry_ns while it is not empty. A revoke
 * that succeeds frees the reference at once and moves to the completed
 * list, whose owners a work item tells in passive context, where they may
 * free their pages.
 */
#include "gnttab/gnttab_impl.h"

/* The work: tell the owners of completed revokes. Context: passive. */
static void tell_owners(void *ctx)
{
    struct gnttab *gt = ctx;
    os_irql_t irql = os_spin_lock(&gt->deferred_lock);
    struct gnttab_deferred *list = gt->completed;

    gt->completed = NULL;
    os_spin_unlock(&gt->deferred_lock, irql);
    while (list) {
        struct gnttab_deferred *d = list;

        list = d->next; /* before: the owner may free it */
        d->done(d->ctx, 0);
    }
}

/* @list (@n of them) is revoked: free the references, and have the owners told. */
static void finish(struct gnttab *gt, struct gnttab_deferred *list, uint32_t n)
{
    struct gnttab_deferred *last = NULL;
    os_irql_t irql;

    if (list == NULL)
        return;
    for (struct gnttab_deferred *d = list; d; d = d->next) {
        gnttab_count_revoke(gt);
        gnttab_free(gt, d->ref);
        last = d;
    }
    os_atomic_add64(&gt->deferred_completed, n);
    irql = os_spin_lock(&gt->deferred_lock);
    last->next = gt->completed;
    gt->completed = list;
    os_spin_unlock(&gt->deferred_lock, irql);
    os_work_queue(&gt->complete);
}

/* The timer: try each pending revoke again. Context: dispatch. */
static void retry_pending(void *ctx)
{
    struct gnttab *gt = ctx;
    struct gnttab_deferred *revoked = NULL, **p;
    uint32_t n = 0;
    bool again;
    os_irql_t irql = os_spin_lock(&gt->deferred_lock);

    for (p = &gt->pending; *p;) {
        struct gnttab_deferred *d = *p;

        if (gnttab_entry_revoke(gt, d->ref)) {
            *p = d->next;
            d->next = revoked;
            revoked = d;
            n++;
        } else {
            p = &d->next;
        }
    }
    gt->nr_pending -= n;
    again = gt->nr_pending > 0;
    if (!again)
        os_event_set(&gt->idle);
    os_spin_unlock(&gt->deferred_lock, irql);
    finish(gt, revoked, n);
    if (again)
        os_timer_arm(&gt->retry, gt->retry_ns);
}

void gnttab_deferred_init(struct gnttab *gt)
{
    os_spin_init(&gt->deferred_lock);
    os_timer_init(&gt->retry, retry_pending, gt);
    os_work_init(&gt->complete, tell_owners, gt);
    os_event_init(&gt->idle);
    os_event_set(&gt->idle);
    gt->pending = gt->completed = NULL;
    gt->nr_pending = 0;
}

bool gnttab_end_access(struct gnttab *gt, grant_ref_t ref, struct gnttab_deferred *later,
                       gnttab_revoked_fn done, void *ctx)
{
    bool first;
    os_irql_t irql;

    OS_ASSERT(later != NULL && done != NULL);
    if (gnttab_revoke(gt, ref) == 0) {
        gnttab_free(gt, ref);
        return false;
    }
    later->ref = ref;
    later->done = done;
    later->ctx = ctx;
    irql = os_spin_lock(&gt->deferred_lock);
    later->next = gt->pending;
    gt->pending = later;
    /* The list was empty: the timer is not running, or has decided not to come back. */
    first = gt->nr_pending++ == 0;
    os_event_clear(&gt->idle);
    os_spin_unlock(&gt->deferred_lock, irql);
    os_atomic_add64(&gt->deferred, 1);
    if (first)
        os_timer_arm(&gt->retry, gt->retry_ns);
    return true;
}

void gnttab_deferred_complete_all(struct gnttab *gt)
{
    os_irql_t irql = os_spin_lock(&gt->deferred_lock);
    struct gnttab_deferred *list = gt->pending;
    uint32_t n = gt->nr_pending;

    gt->pending = NULL;
    gt->nr_pending = 0;
    os_event_set(&gt->idle);
    os_spin_unlock(&gt->deferred_lock, irql);
    os_timer_cancel(&gt->retry);
    finish(gt, list, n);
}

uint32_t gnttab_deferred_shutdown(struct gnttab *gt)
{
    struct gnttab_deferred *left;
    uint32_t n;
    os_irql_t irql;

    if (os_event_wait(&gt->idle, gt->destroy_wait_ns) != 0)
        os_log(OS_LOG_WARN, "gnttab: backends still hold grants after %llu ms\n",
               (unsigned long long)(gt->destroy_wait_ns / 1000000));
    os_timer_sync(&gt->retry);
    os_work_flush(&gt->complete);
    irql = os_spin_lock(&gt->deferred_lock);
    left = gt->pending;
    n = gt->nr_pending;
    gt->pending = NULL;
    gt->nr_pending = 0;
    os_spin_unlock(&gt->deferred_lock, irql);
    if (n)
        os_log(OS_LOG_ERROR,
               "gnttab: %u grants still mapped by backends at destroy: their pages are leaked, "
               "their entries stay granted\n",
               n);
    while (left) {
        struct gnttab_deferred *d = left;

        left = d->next;
        os_log(OS_LOG_ERROR, "gnttab: reference %u leaked (domain %u still maps it)\n", d->ref,
               gnttab_entry(gt, d->ref)->domid);
        d->done(d->ctx, -XEN_EBUSY);
    }
    return n;
}

uint32_t gnttab_deferred_pending(struct gnttab *gt)
{
    os_irql_t irql = os_spin_lock(&gt->deferred_lock);
    uint32_t n = gt->nr_pending;

    os_spin_unlock(&gt->deferred_lock, irql);
    return n;
}
