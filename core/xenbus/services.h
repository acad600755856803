/*
 * core/xenbus/services.h - what XENBUS runs for the whole guest, started
 * in order on the platform device: shared_info, the event-channel engine,
 * the grant table, and the xenstore client on the toolstack's store ring
 * and port (HVM_PARAM_STORE_PFN, HVM_PARAM_STORE_EVTCHN), and the PV
 * console (xenbus/console.h: the log goes there too; a guest without one
 * runs on). The provider serves them to child drivers (include/winpv).
 *
 * The balloon (core/balloon) runs beside them while xenstore answers: it
 * is started once the rest runs and stopped before the upcall goes.
 *
 * The upcall interrupt's deferred routine calls xenbus_services_upcall
 * for its vCPU; everything else follows from there: the store port's
 * callback takes xenstore's replies off the ring.
 *
 * Suspend and resume of the whole set (services_suspend.c): child drivers'
 * early callbacks (include/winpv/suspend_interface.h), the store brought
 * to rest, event channels off, SCHEDOP_shutdown(SHUTDOWN_suspend) with
 * every other vCPU held by the shell; then on a restore as a new domain
 * shared_info, grant frames, event channels and the store connection (the
 * toolstack's page and port read again, watches registered again) set up
 * anew, or on a cancelled suspend everything goes on in place; then the
 * late callbacks.
 *
 * The lifecycle is one state (enum xenbus_services_state), changed only
 * by xenbus_services_transition (services_state.c), which knows the moves
 * allowed.
 */
#ifndef WINPV_CORE_XENBUS_SERVICES_H
#define WINPV_CORE_XENBUS_SERVICES_H

#include "xenbus/console.h"
#include "xenbus/provider.h"
#include "xenbus/store.h"
#include "xenbus/suspend_callbacks.h"

struct hv_shared_info;
struct balloon;

enum xenbus_services_state {
    XENBUS_SERVICES_STOPPED,   /* nothing running (the zeroed state) */
    XENBUS_SERVICES_RUNNING,   /* started; served to children */
    XENBUS_SERVICES_QUIESCING, /* early callbacks, the store brought to rest */
    XENBUS_SERVICES_SUSPENDED, /* events off, in (or going to) the suspend hypercall */
    XENBUS_SERVICES_RESUMING,  /* back: Xen's state, the store, late callbacks */
};

struct xenbus_services {
    volatile uint32_t state; /* enum xenbus_services_state; see xenbus_services_transition */
    struct hv_shared_info *shared;
    struct evtchn_engine *evtchn;
    struct gnttab *gnttab;
    struct xenbus_store store;
    struct xenbus_console console; /* page NULL: the guest runs without */
    struct xenbus_suspend_callbacks suspend;
    struct xenbus_provider provider;
    struct balloon *balloon; /* NULL: not ballooning */
};

/* The state now. Context: any. */
enum xenbus_services_state xenbus_services_state(const struct xenbus_services *services);

/*
 * Move to @to; a move the lifecycle does not allow is our bug (asserted):
 * STOPPED -> RUNNING -> STOPPED, RUNNING -> QUIESCING -> SUSPENDED ->
 * RESUMING -> RUNNING, and QUIESCING -> RESUMING (the store would not come
 * to rest: no suspend). Only core/xenbus calls it. Context: any.
 */
void xenbus_services_transition(struct xenbus_services *services, enum xenbus_services_state to);

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

/*
 * How the shell holds every other vCPU around the suspend hypercall:
 * run_held(ctx, fn, arg) runs fn(arg) on the calling vCPU while every other
 * vCPU is held still, spinning with interrupts off (on Windows: one
 * KeIpiGenericCall, or a DPC per processor at HIGH_LEVEL, the calling one
 * running @fn once the others are spinning), and returns when @fn did and
 * the others run again. @fn runs in dispatch context, the others held (see
 * services_suspend.c for what it does). Called in passive context.
 */
struct xenbus_suspend_hold {
    void (*run_held)(void *ctx, void (*fn)(void *arg), void *arg);
    void *ctx;
};

/*
 * Suspend the domain (see above), the services RUNNING. Returns 0 when the
 * domain was restored as a new one and everything was set up again; 1
 * when the suspend was cancelled (everything goes on in place); a
 * negative XEN_E* when it did not happen (-XEN_EBUSY: the store would not
 * come to rest, or Xen's error from the hypercall: everything goes on in
 * place, the late callbacks told it was cancelled) or when a service could
 * not be set up again after a restore (the first failure; the rest was set
 * up, the late callbacks run). The services are RUNNING again on return.
 * Context: passive, not from a store watch callback nor a suspend callback.
 */
int xenbus_services_suspend(struct xenbus_services *services,
                            const struct xenbus_suspend_hold *hold);

/* The upcall for @vcpu was raised. Context: dispatch. */
void xenbus_services_upcall(struct xenbus_services *services, unsigned int vcpu);

#endif /* WINPV_CORE_XENBUS_SERVICES_H */
