/*
 * tests/support/xenstore/store_glue.h - this guest's xenstore as XENBUS connects
 * it: shared_info and the event-channel engine for the whole group
 * (winpv-simd's upcalls driving evtchn_upcall), and for each test a
 * connection (core/xenbus/store: the ring page, the adopted store port,
 * the client).
 */
#ifndef WINPV_TESTS_XSCLIENT_STORE_GLUE_H
#define WINPV_TESTS_XSCLIENT_STORE_GLUE_H

#include "xenstore/client.h"

struct evtchn_engine;

/* Start (or stop) the guest's event channels. Returns 0 or -XEN_E*. */
int store_glue_start_events(void);
void store_glue_stop_events(void);

/* The running engine (for tests that open channels of their own). */
struct evtchn_engine *store_glue_engine(void);

/* A client on the guest's store ring, its events delivered. Returns 0 or -XEN_E*. */
int store_glue_connect(struct xs_client **client);

/* Close the connection: the port stays bound for the next one. */
void store_glue_disconnect(struct xs_client *client);

/* The guest's store page (the tests read server_features there). */
struct xenstore_domain_interface *store_glue_page(void);

#endif /* WINPV_TESTS_XSCLIENT_STORE_GLUE_H */
