/*
 * core/xenbus/services_suspend.c - suspend and resume of the whole set of
 * services (see services.h), in this order:
 *
 *   QUIESCING  the children's early callbacks (they stop issuing I/O);
 *              the store brought to rest (no transaction open, every
 *              request answered): nothing is half-said when the domain
 *              stops. If it will not come to rest, no suspend. The
 *              console stops notifying (output still goes into its ring).
 *   SUSPENDED  with every other vCPU held (the shell's run_held): event
 *              delivery off, SCHEDOP_shutdown(SHUTDOWN_suspend); on its
 *              return 0 (a new domain) shared_info shown again and the
 *              grant frames, before any other vCPU runs and might look at
 *              them; on 1 (cancelled) event delivery back on, as it was.
 *   RESUMING   after a restore: the event channels (VIRQs and IPIs bound
 *              again, the others disconnected for their owners), the store
 *              on the toolstack's page and port, its watches registered
 *              again, the console on its port (told of what was written);
 *              then the children's late callbacks (they reconnect
 *              to their backends), told whether it was cancelled.
 */
#include "evtchn/evtchn.h"
#include "gnttab/gnttab.h"
#include "hv/hv.h"
#include "hv/shared_info.h"
#include "os.h"
#include "xenbus/services.h"

/* What happens while the other vCPUs are held, and what came of it. */
struct held {
    struct xenbus_services *services;
    int64_t result; /* the hypercall's */
    int rc;         /* the first failure to show Xen's pages again */
};

static void suspend_held(void *arg)
{
    struct held *h = arg;
    struct xenbus_services *s = h->services;

    evtchn_suspend(s->evtchn);
    h->result = hv_suspend();
    if (h->result != 0) {
        /* Cancelled, or refused: the same domain, Xen's state intact. */
        evtchn_suspend_cancelled(s->evtchn);
        return;
    }
    h->rc = hv_shared_info_resume(s->shared);
    if (h->rc == 0)
        h->rc = gnttab_resume(s->gnttab);
    else
        gnttab_resume(s->gnttab);
}

/* A restore as a new domain: what runs in passive context. Returns the first failure. */
static int resume_restored(struct xenbus_services *s, int first)
{
    int rc = evtchn_resume(s->evtchn);

    if (first == 0)
        first = rc;
    rc = xenbus_store_resume(&s->store, true);
    if (first == 0)
        first = rc;
    rc = xenbus_console_resume(&s->console, true);
    return first ? first : rc;
}

int xenbus_services_suspend(struct xenbus_services *s, const struct xenbus_suspend_hold *hold)
{
    struct held h = {.services = s};
    bool restored;
    int rc;

    xenbus_services_transition(s, XENBUS_SERVICES_QUIESCING);
    xenbus_suspend_callbacks_early(&s->suspend);
    rc = xenbus_store_suspend(&s->store);
    if (rc == 0)
        xenbus_console_suspend(&s->console);
    if (rc) {
        os_log(OS_LOG_ERROR, "xenbus: the store did not come to rest (%d): no suspend\n", rc);
        rc = -XEN_EBUSY;
    } else {
        xenbus_services_transition(s, XENBUS_SERVICES_SUSPENDED);
        hold->run_held(hold->ctx, suspend_held, &h);
        if (h.result < 0)
            os_log(OS_LOG_ERROR, "xenbus: Xen refused the suspend (%d)\n", (int)h.result);
        rc = h.result > 0 ? 1 : (int)h.result;
    }
    xenbus_services_transition(s, XENBUS_SERVICES_RESUMING);
    restored = rc == 0;
    if (restored) {
        rc = resume_restored(s, h.rc);
        if (rc)
            os_log(OS_LOG_ERROR, "xenbus: services after restore: %d\n", rc);
    } else {
        xenbus_store_resume(&s->store, false);
        xenbus_console_resume(&s->console, false);
    }
    xenbus_suspend_callbacks_late(&s->suspend, !restored);
    xenbus_services_transition(s, XENBUS_SERVICES_RUNNING);
    return rc;
}
