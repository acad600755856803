/* tests/support/sim/services_fixture.c - see services_fixture.h. */
#include <stdio.h>
#include <stdlib.h>

#include "guest.h"
#include "os_posix.h"
#include "support/sim/services_fixture.h"
#include "support/sim/sim_fixture.h"

struct xenstore xenstored;
struct guest_rings rings;
struct xenbus_services services;
size_t pages_at_start;

void services_fixture_upcall(void *ctx, unsigned int vcpu)
{
    xenbus_services_upcall(ctx, vcpu);
}

int services_fixture_setup(void **state, enum xenstored_kind kind)
{
    if (sim_fixture_setup(state) != 0)
        return -1;
    pages_at_start = os_posix_guest_pages_in_use();
    /* Where a backend's libxengnttab finds the daemon. */
    setenv(SIM_RUN_DIR_ENV, fx.simd.dir, 1);
    sim_guest_set_upcall(services_fixture_upcall, &services);
    if (xenstore_start(&fx.simd, &xenstored, kind) != 0 ||
        xenstore_introduce(&fx.simd, &xenstored, fx.domid, &rings) != 0 ||
        xenbus_services_start(&services, 2) != 0) {
        fprintf(stderr, "services set-up failed; run directory %s\n", fx.simd.dir);
        sim_guest_set_upcall(NULL, NULL);
        xenstore_stop(&xenstored);
        sim_fixture_teardown(state);
        return -1;
    }
    return 0;
}

int services_fixture_teardown(void **state, bool pages_back)
{
    bool back;
    int stopped;

    sim_guest_set_upcall(NULL, NULL);
    if (xenbus_services_state(&services) == XENBUS_SERVICES_RUNNING)
        xenbus_services_stop(&services);
    back = !pages_back || os_posix_guest_pages_in_use() == pages_at_start;
    if (!back)
        fprintf(stderr, "guest pages not given back after stop\n");
    stopped = xenstore_stop(&xenstored);
    return sim_fixture_teardown(state) == 0 && stopped == 0 && back ? 0 : -1;
}

int services_query(const struct winpv_guid *guid, struct winpv_interface_header *table, size_t size)
{
    return xenbus_query_interface(&services.provider, guid, 1, table, (uint16_t)size);
}
