/*
 * xen/io/xenbus.h - the states a frontend and a backend publish in their
 * xenstore "state" nodes while they connect and disconnect.
 */
#ifndef WINPV_XEN_IO_XENBUS_H
#define WINPV_XEN_IO_XENBUS_H

enum xenbus_state {
    XenbusStateUnknown = 0,      /* no state node (yet) */
    XenbusStateInitialising = 1, /* setting up */
    XenbusStateInitWait = 2,     /* backend: waiting for the frontend's details */
    XenbusStateInitialised = 3,  /* frontend: details (rings, ports) published */
    XenbusStateConnected = 4,    /* in use */
    XenbusStateClosing = 5,      /* asked to close */
    XenbusStateClosed = 6,       /* closed; may start over */
    XenbusStateReconfiguring = 7,
    XenbusStateReconfigured = 8,
};
typedef enum xenbus_state XenbusState;

#endif /* WINPV_XEN_IO_XENBUS_H */
