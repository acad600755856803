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

struct evtchn_engine;
struct evtchn_channel;
struct xs_client;

struct xenbus_store {
    void *page; /* the ring page, mapped */
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

#endif /* WINPV_CORE_XENBUS_STORE_H */
