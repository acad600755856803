/*
 * winpv/suspend_interface.h - suspend and resume of the domain (save and
 * restore, live migration), served by XENBUS.
 *
 * Version 1. A child driver registers callbacks; when the domain suspends,
 * XENBUS runs them around the whole set of its services:
 *
 *   early  before anything is taken down, in passive context: the child
 *          stops issuing I/O (and waits for what it has in flight) and
 *          uses none of XENBUS's interfaces until its late callback.
 *   late   after the domain runs again, in passive context, with
 *          @cancelled saying how:
 *          false  it was restored as a new domain (a migration, a restore):
 *                 the event channels, grant table and store are back, the
 *                 child's channels to other domains are disconnected
 *                 (EVTCHN's reconnect), every grant it made is gone from
 *                 the new domain's table (grant again), its backends are
 *                 other ones (perhaps on another host): it reconnects, as
 *                 after a backend went away. The store's watches were
 *                 registered again and fire once each.
 *          true   the suspend was cancelled, or never happened: the same
 *                 domain, nothing lost; the child goes on.
 *
 * Callbacks of one phase run one at a time, in the order registered, on
 * the thread that suspends; each runs once per suspend. A callback may use
 * the other interfaces (the store, event channels, grants) but may not
 * register or deregister callbacks.
 *
 * register_early, register_late and deregister are passive-level;
 * deregister returns once the callback is not running, and it is not
 * called again. resume_count may be called at any IRQL up to
 * DISPATCH_LEVEL: how many times the domain was restored as a new one
 * since XENBUS started (a child may compare it with what it saw last).
 * Every callback a child registered is deregistered before it gives its
 * table back.
 */
#ifndef WINPV_SUSPEND_INTERFACE_H
#define WINPV_SUSPEND_INTERFACE_H

#include <stdbool.h>

#include "winpv/interface.h"

/* {0d68f5c6-6c2d-40e2-abba-f8e07fdf466d} */
#define WINPV_SUSPEND_INTERFACE_GUID                       \
    {                                                      \
        0x0d68f5c6, 0x6c2d, 0x40e2,                        \
        {                                                  \
            0xab, 0xba, 0xf8, 0xe0, 0x7f, 0xdf, 0x46, 0x6d \
        }                                                  \
    }

#define WINPV_SUSPEND_INTERFACE_VERSION_MIN 1
#define WINPV_SUSPEND_INTERFACE_VERSION_MAX 1

struct winpv_suspend_callback;

struct winpv_suspend_interface_v1 {
    struct winpv_interface_header header;
    /* 0 and the registration in *callback, or -XEN_ENOMEM. */
    int (*register_early)(void *context, void (*fn)(void *arg), void *arg,
                          struct winpv_suspend_callback **callback);
    int (*register_late)(void *context, void (*fn)(void *arg, bool cancelled), void *arg,
                         struct winpv_suspend_callback **callback);
    void (*deregister)(void *context, struct winpv_suspend_callback *callback);
    uint32_t (*resume_count)(void *context);
};

#endif /* WINPV_SUSPEND_INTERFACE_H */
