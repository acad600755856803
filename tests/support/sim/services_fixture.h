/*
 * tests/support/sim/services_fixture.h - what the services tests share: a test
 * process as the guest of winpv-simd with a real xenstored, introduced as
 * Xen's toolstack does, running XENBUS's services, its upcalls served by
 * them, and the interface tables asked for as a child driver asks.
 */
#ifndef WINPV_TESTS_SIM_SERVICES_FIXTURE_H
#define WINPV_TESTS_SIM_SERVICES_FIXTURE_H

#include <stddef.h>

#include "store.h"
#include "winpv/interface.h"
#include "xenbus/services.h"

extern struct xenstore xenstored;
extern struct guest_rings rings;
extern struct xenbus_services services;
extern size_t pages_at_start; /* guest pages in use before the services started */

/* The sim fixture, then @kind of xenstored, the guest introduced, the services started. */
int services_fixture_setup(void **state, enum xenstored_kind kind);

/*
 * The services stopped (if running), xenstored and the sim fixture too.
 * Fails when anything failed to stop, or when @pages_back and a guest page
 * is not back.
 */
int services_fixture_teardown(void **state, bool pages_back);

/* The guest's upcall handler: the services' (sim_guest_set_upcall with &services). */
void services_fixture_upcall(void *ctx, unsigned int vcpu);

/* Version 1 of interface @guid into @table, as a child driver asks. */
int services_query(const struct winpv_guid *guid, struct winpv_interface_header *table,
                   size_t size);

#endif /* WINPV_TESTS_SIM_SERVICES_FIXTURE_H */
