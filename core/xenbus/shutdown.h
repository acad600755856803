/*
 * core/xenbus/shutdown.h - the toolstack's requests to the guest through
 * control/shutdown: power off, reboot, halt, suspend, S3, S4, as xl and
 * XAPI write them (xl: poweroff, reboot, suspend; XAPI's clean shutdown:
 * halt; s3 and s4 for sleep and hibernation).
 *
 * The guest advertises what it can carry out (control/feature-poweroff,
 * -reboot, -suspend, -s3, -s4) and takes a request by clearing the key in
 * a transaction, so a value written twice before it looked is one
 * request, and one the toolstack writes again after it is acknowledged
 * while the first is carried out is acknowledged and ignored. The request
 * goes to the OS side once; it says when it is done with it
 * (xenbus_shutdown_done: a suspend resumed, or a request it could not
 * carry out), and requests are taken again. A value that is no request,
 * and a request the OS side does not carry out, is left for the
 * toolstack, logged once.
 */
#ifndef WINPV_CORE_XENBUS_SHUTDOWN_H
#define WINPV_CORE_XENBUS_SHUTDOWN_H

#include "xenstore/client.h"

/* The requests, each a bit of the set the OS side carries out. */
enum xenbus_shutdown_request {
    XENBUS_SHUTDOWN_POWEROFF = 1u << 0,
    XENBUS_SHUTDOWN_REBOOT = 1u << 1,
    XENBUS_SHUTDOWN_HALT = 1u << 2, /* XAPI's clean shutdown: a power-off */
    XENBUS_SHUTDOWN_SUSPEND = 1u << 3,
    XENBUS_SHUTDOWN_S3 = 1u << 4,
    XENBUS_SHUTDOWN_S4 = 1u << 5,
};

struct xenbus_shutdown;

/*
 * A request taken: carry it out. Called in passive context from the
 * watch's deferred work, once a request; no other request is handed over
 * until xenbus_shutdown_done.
 */
typedef void (*xenbus_shutdown_fn)(void *ctx, enum xenbus_shutdown_request request);

/*
 * Advertise the requests in @handled (a set of enum xenbus_shutdown_request)
 * and watch control/shutdown for them. 0, or a negative XEN_E* with
 * nothing left behind. Context: passive.
 */
int xenbus_shutdown_start(struct xs_client *client, unsigned int handled, xenbus_shutdown_fn fn,
                          void *ctx, struct xenbus_shutdown **out);

/*
 * The OS side carries out @handled from now on (a user-mode agent came or
 * went): what it no longer does is withdrawn, what it does now advertised,
 * and a request left in control/shutdown that it now carries out is
 * taken. 0, or the store's first error (logged). Context: passive, not
 * from the callback.
 */
int xenbus_shutdown_offer(struct xenbus_shutdown *shutdown, unsigned int handled);

/* The request handed over is done with: take the next. Context: passive. */
void xenbus_shutdown_done(struct xenbus_shutdown *shutdown);

/*
 * The domain was restored as a new one, whose tree the toolstack made
 * afresh: advertise again what is carried out. 0, or the store's first
 * error (logged). Context: passive.
 */
int xenbus_shutdown_restored(struct xenbus_shutdown *shutdown);

/*
 * Stop watching and withdraw the advertisements (each feature "0"): the
 * toolstack no longer asks what nothing will carry out. When it returns the callback is not
 * running. Context: passive, not from the callback.
 */
void xenbus_shutdown_stop(struct xenbus_shutdown *shutdown);

/* The name of @request as control/shutdown carries it. Context: any. */
const char *xenbus_shutdown_name(enum xenbus_shutdown_request request);

#endif /* WINPV_CORE_XENBUS_SHUTDOWN_H */
