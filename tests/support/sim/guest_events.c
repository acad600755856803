/* tests/support/sim/guest_events.c - see guest_events.h. */
#include <stddef.h>

#include "guest.h"
#include "guest_events.h"

static void on_upcall(void *ctx, unsigned int vcpu)
{
    evtchn_upcall(ctx, vcpu);
}

int guest_events_start(struct guest_events *ev, unsigned int vcpus)
{
    int rc = hv_shared_info_map(&ev->shared);

    if (rc == 0)
        rc = evtchn_create(ev->shared, vcpus, &ev->engine);
    if (rc) {
        guest_events_stop(ev);
        return rc;
    }
    sim_guest_set_upcall(on_upcall, ev->engine);
    return 0;
}

void guest_events_stop(struct guest_events *ev)
{
    /* Returns once no upcall runs the engine: then it may go. */
    sim_guest_set_upcall(NULL, NULL);
    if (ev->engine)
        evtchn_destroy(ev->engine);
    ev->engine = NULL;
    if (ev->shared)
        hv_shared_info_unmap(ev->shared);
    ev->shared = NULL;
}
