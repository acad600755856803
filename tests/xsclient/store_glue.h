/*
 * tests/xsclient/store_glue.h - connect a xenstore client to this guest's
 * xenstore: the ring and port the toolstack put in the HVM parameters, the
 * daemon signalled with EVTCHNOP_send.
 *
 * Until the guest's event-channel engine exists, a thread stands in for the
 * store port's callback: every millisecond it calls xs_client_on_event in
 * dispatch context. Swapping this file for the real event channel is the
 * only change the tests need.
 */
#ifndef WINPV_TESTS_XSCLIENT_STORE_GLUE_H
#define WINPV_TESTS_XSCLIENT_STORE_GLUE_H

#include "xenstore/client.h"

/* A client on the guest's store ring, its events delivered (one at a time). Returns 0 or -XEN_E*. */
int store_glue_connect(struct xs_client **client);

/* Stop the events, then destroy the client. */
void store_glue_disconnect(struct xs_client *client);

/* The guest's store page (the tests read server_features there). */
struct xenstore_domain_interface *store_glue_page(void);

#endif /* WINPV_TESTS_XSCLIENT_STORE_GLUE_H */
