/*
 * core/xenbus/services.h - what XENBUS runs for the whole guest, started
 * in order on the platform device: shared_info, the event-channel engine,
 * the grant table, and the xenstore client on the toolstack's store ring
 * and port (HVM_PARAM_STORE_PFN, HVM_PARAM_STORE_EVTCHN). The provider
 * serves them to child drivers (include/winpv).
 *
 * The balloon (core/balloon) runs beside them while xenstore answers: it
 * is started once the rest runs and stopped before the upcall goes.
 *
 * The upcall interrupt's deferred routine calls xenbus_services_upcall
 * for its vCPU; everything else follows from there: the store port's
 * callback takes xenstore's replies off the ring.
 *
 * Not yet here: suspend and resume of the whole set (the engines each
 * resume; the store connection after a restore does not yet).
 */
#ifndef WINPV_CORE_XENBUS_SERVICES_H
#define WINPV_CORE_XENBUS_SERVICES_H

#include "xenbus/provider.h"
#include "xenbus/store.h"

struct hv_shared_info;
struct balloon;

struct xenbus_services {
    struct hv_shared_info *shared;
    struct evtchn_engine *evtchn;
    struct gnttab *gnttab;
    struct xenbus_store store;
    struct xenbus_provider provider;
    struct balloon *balloon; /* NULL: not ballooning */
};

/*
 * Start everything for a guest of @vcpus vCPUs, the first time or again
 * after xenbus_services_stop (PnP stop and start, a driver update: the
 * toolstack's store port is found again, see evtchn_destroy). Returns 0,
 * or the first failure with nothing left running. Context: passive.
 */
int xenbus_services_start(struct xenbus_services *services, unsigned int vcpus);

/*
 * Stop everything, in reverse. No consumer may hold a reference
 * (xenbus_provider_references is 0), and upcalls must have stopped (the
 * interrupt disconnected, its DPC flushed). Context: passive.
 */
void xenbus_services_stop(struct xenbus_services *services);

/*
 * Start the balloon on the running services' store connection; a balloon
 * that cannot start (no memory/static-max, no memory) is logged and the
 * guest runs without. Stop it (every page back from Xen) while upcalls
 * still arrive, before xenbus_services_stop. Context: passive.
 */
void xenbus_services_balloon_start(struct xenbus_services *services);
void xenbus_services_balloon_stop(struct xenbus_services *services);

/* The upcall for @vcpu was raised. Context: dispatch. */
void xenbus_services_upcall(struct xenbus_services *services, unsigned int vcpu);

#endif /* WINPV_CORE_XENBUS_SERVICES_H */
