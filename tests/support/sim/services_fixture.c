/* tests/support/sim/services_fixture.c - see services_fixture.h. */
#include <stdio.h>
#include <stdlib.h>

#include "guest.h"
#include "support/sim/services_fixture.h"
#include "support/sim/sim_fixture.h"

static void on_upcall(void *ctx, unsigned int vcpu)
{
    xenbus_services_upcall(ctx, vcpu);
}

int services_fixture_start(struct xenstore *xenstored, struct guest_rings *rings,
                           struct xenbus_services *services)
{
    /* Where the Xen libraries dom0's side of a test opens find the daemon. */
    setenv(SIM_RUN_DIR_ENV, fx.simd.dir, 1);
    sim_guest_set_upcall(on_upcall, services);
    if (xenstore_start(&fx.simd, xenstored, XENSTORED_C) != 0 ||
        xenstore_introduce(&fx.simd, xenstored, fx.domid, rings) != 0 ||
        xenbus_services_start(services, 2) != 0) {
        fprintf(stderr, "services set-up failed; run directory %s\n", fx.simd.dir);
        sim_guest_set_upcall(NULL, NULL);
        xenstore_stop(xenstored);
        return -1;
    }
    return 0;
}

int services_fixture_stop(struct xenstore *xenstored, struct xenbus_services *services)
{
    sim_guest_set_upcall(NULL, NULL);
    if (services->evtchn)
        xenbus_services_stop(services);
    return xenstore_stop(xenstored) == 0 ? 0 : -1;
}
