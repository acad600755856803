/*
 * tests/vbd/front/hostile_backend.h - a blkif backend played by the test
 * itself, as dom0: it lays out the device in xenstore with whatever nodes
 * the test wants (nonsense included), maps the frontend's one-page ring
 * (libxengnttab) and binds its event channel, then takes requests and
 * writes exactly the responses the test asks for, right or wrong. It can
 * leave (Closing, Closed) still mapping a request's pages, and come back.
 *
 * The frontend is opened on a thread of its own (vbd_front_open waits for
 * the backend), while the test, on its own thread, plays the backend.
 */
#ifndef WINPV_TESTS_VBDFRONT_HOSTILE_BACKEND_H
#define WINPV_TESTS_VBDFRONT_HOSTILE_BACKEND_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <xen/io/blkif.h>

#include "ring/ring.h"
#include "vbd/front.h"

struct hostile {
    char backend_path[128];
    char frontend_path[128];
    struct backend *grants; /* libxengnttab */
    void *ring_page;
    struct ring_back ring;
    uint32_t dom0_port;
    /* The frontend being opened. */
    pthread_t opener;
    struct vbd_front_options opt;
    struct vbd_front *front;
    int open_rc;
    volatile int opened; /* vbd_front_open returned */
};

/*
 * The device's directories, the backend's holding @nodes (NULL-terminated
 * name, value pairs) and state InitWait; then vbd_front_open on a thread.
 */
void hostile_start(struct hostile *h, const char *const *nodes,
                   const struct vbd_front_options *opt);

/*
 * Once the frontend is Initialised: map its ring, bind its channel, write
 * @nodes (as above: the disk, as a backend publishes it on connecting) and
 * switch to Connected. Returns false, doing nothing, when the frontend
 * gave up before Initialised. Again after hostile_disconnect: a backend
 * come back.
 */
bool hostile_connect(struct hostile *h, const char *const *nodes);

/*
 * Let go of the ring and the channel, as a backend that left does; pages
 * mapped with hostile_map stay mapped.
 */
void hostile_disconnect(struct hostile *h);

/* Write the backend's state (a number, as in xen/io/xenbus.h). */
void hostile_set_state(struct hostile *h, const char *state);

/* Wait (a few seconds at most) until the frontend's state is @state. */
void hostile_wait_frontend(struct hostile *h, const char *state);

/* Wait for vbd_front_open; its result (the frontend in h->front). */
int hostile_opened(struct hostile *h);

/* The next request the frontend published (within a few seconds), copied out. */
void hostile_take(struct hostile *h, union blkif_sring_entry *req);

/* Write a response (not yet published). */
void hostile_answer(struct hostile *h, uint64_t id, uint8_t operation, int16_t status);

/* Publish what was written and signal the frontend. */
void hostile_push(struct hostile *h);

/* Claim @extra more responses than were written, and signal. */
void hostile_overrun(struct hostile *h, uint32_t extra);

/*
 * Map a data page a request named (to hold it past the answer, or past
 * leaving): @writable for a read's, not for a write's (granted read-only).
 */
void *hostile_map(struct hostile *h, grant_ref_t ref, bool writable);

/* Whether grant @ref maps writable (it is unmapped again at once). */
bool hostile_maps_writable(struct hostile *h, grant_ref_t ref);

void hostile_unmap(struct hostile *h, void *page);

/* Close the frontend (if open) and remove the device; the backend's state is Closed first. */
void hostile_stop(struct hostile *h);

#endif /* WINPV_TESTS_VBDFRONT_HOSTILE_BACKEND_H */
