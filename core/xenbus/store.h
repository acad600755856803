/*
 * core/xenbus/store.h - the guest's xenstore connection: the toolstack's
 * ring page (HVM_PARAM_STORE_PFN) mapped, its port (HVM_PARAM_STORE_EVTCHN)
 * adopted as an event channel whose callback feeds the client, and the
 * client on top.
 *
 * Closing leaves the port bound (only masked) and the ring as it is, so
 * the guest can connect again later; the daemon's view of the connection
 * does not change.
 */
#ifndef WINPV_CORE_XENBUS_STORE_H
#define WINPV_CORE_XENBUS_STORE_H

#include <stdbool.h>
#include <stdint.h>

struct evtchn_engine;
struct evtchn_channel;
struct xs_client;

struct xenbus_store {
    void *page;   /* the ring page, mapped */
    uint64_t gfn; /* where it is */
    struct evtchn_channel *channel;
    struct xs_client *client; /* set last: the channel's callback looks at it */
};

/*
 * Connect through @evtchn's engine. Returns 0; -XEN_ENODEV when the
 * toolstack gave this guest no xenstore; else the failure, with nothing
 * left open. Context: passive.
 */
int xenbus_store_connect(struct xenbus_store *store, struct evtchn_engine *evtchn);

/*
 * Close what connect opened (any part of it): requests still under way
 * fail -XEN_ENOTCONN, and none signals the daemon once the port is closed.
 * Context: passive.
 */
void xenbus_store_disconnect(struct xenbus_store *store);

/*
 * Before the domain suspends: the client brought to rest (see
 * xs_client_suspend; xenbus_store_resume follows whatever it returns).
 * Context: passive.
 */
int xenbus_store_suspend(struct xenbus_store *store);

/*
 * After: with @restored false the connection goes on as it was; with
 * @restored true (a new domain, the event-channel engine resumed) the
 * toolstack's port and page are read again from the HVM parameters, the
 * port adopted by the same channel, the page mapped if it moved, and the
 * client resumed on it (its watches registered again). Returns 0 or the
 * first failure; the client is resumed either way, so requests do not
 * wait forever. Context: passive.
 */
int xenbus_store_resume(struct xenbus_store *store, bool restored);

#endif /* WINPV_CORE_XENBUS_STORE_H */
