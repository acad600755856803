/*
 * tests/support/sim/services_fixture.h - XENBUS's services in this process,
 * the guest of the sim fixture's domain (sim_fixture_setup first), with
 * Debian's C xenstored as the toolstack's store and upcalls delivered to
 * the services.
 */
#ifndef WINPV_TESTS_SIM_SERVICES_FIXTURE_H
#define WINPV_TESTS_SIM_SERVICES_FIXTURE_H

#include "store.h"
#include "xenbus/services.h"

/* Start xenstored, introduce fx.domid, start @services. 0, or -1 with nothing left running. */
int services_fixture_start(struct xenstore *xenstored, struct guest_rings *rings,
                           struct xenbus_services *services);

/* Stop @services (if running), the upcalls, xenstored; 0, or -1 when xenstored ended badly. */
int services_fixture_stop(struct xenstore *xenstored, struct xenbus_services *services);

#endif /* WINPV_TESTS_SIM_SERVICES_FIXTURE_H */
