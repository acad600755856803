/*
 * tests/xenstore/client/fake_store.h - a xenstore daemon played by the test, on a
 * page in memory: it takes the client's requests off the ring and writes
 * whatever replies the test wants, well-formed or not. The test also plays
 * the event channel: fake_store_event calls xs_client_on_event in dispatch
 * context, as the store port's callback would.
 */
#ifndef WINPV_TESTS_XSCLIENT_FAKE_STORE_H
#define WINPV_TESTS_XSCLIENT_FAKE_STORE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "xenstore/client.h"

struct fake_store {
    struct xenstore_domain_interface *intf;
    struct xs_client *client;
    atomic_uint notified;          /* times the client signalled */
    atomic_uint notifying;         /* signals under way */
    atomic_bool hold;              /* while set, a signal takes its time (a slow transport) */
    atomic_uint first_notify_cons; /* the reply ring's consumer index at the first signal */
};

/* A page and a client on it. */
void fake_store_open(struct fake_store *fs);

/* Destroy the client (if still there), free the page. */
void fake_store_close(struct fake_store *fs);

/* The daemon signals the client. */
void fake_store_event(struct fake_store *fs);

/*
 * The next request: its header and payload (NUL-terminated; @payload holds
 * XENSTORE_PAYLOAD_MAX + 1). Waits up to 5 s, signalling the client as the
 * ring empties so a long message can follow. False when none came.
 */
bool fake_store_take(struct fake_store *fs, struct xsd_sockmsg *hdr, char *payload);

/*
 * Bytes into the reply ring, signalling the client whenever it is full;
 * gives up on the rest when the client stops reading (a broken connection).
 */
void fake_store_put(struct fake_store *fs, const void *data, size_t len);

/* A whole message into the reply ring, then a signal. */
void fake_store_reply(struct fake_store *fs, uint32_t type, uint32_t req_id, const void *payload,
                      size_t len);

#endif /* WINPV_TESTS_XSCLIENT_FAKE_STORE_H */
