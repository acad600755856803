/*
 * sim/blkback/xenbus.h - a vbd's backend as xenstore sees it: the nodes the
 * toolstack wrote read, features and disk properties published, the xenbus
 * states walked as Linux's blkback walks them, a connection made and ended.
 *
 * States:
 *  - InitWait once the image is open and everything is published;
 *  - on the frontend's Initialised or Connected: its rings and ports read
 *    and connected, then Connected (any failure: an "error" node in the
 *    backend directory and Closing);
 *  - Closing when the frontend closes, Closed (connection ended) when it
 *    is Closed, InitWait again when a closed frontend starts over
 *    (Initialising), so a frontend may reconnect any number of times;
 *  - "online" 0 (the toolstack unplugging): Closing while connected, and
 *    once closed the process exits.
 * A new backend process that finds a frontend still attached to a previous
 * one (whose ring state died with it) asks it to close (Closing) and then
 * connects afresh, so nothing in flight is answered twice or lost silently.
 *
 * All of it is called from the single event loop in main.c.
 */
#ifndef WINPV_BLKBACK_XENBUS_H
#define WINPV_BLKBACK_XENBUS_H

#include <stdbool.h>
#include <stdint.h>

#include "device.h"
#include "disk.h"
#include "dom0.h"
#include "options.h"

struct backend {
    const struct blkback_options *opt;
    struct xs_handle *xs;
    struct dom0 *dom0;
    char path[192];     /* our directory */
    char frontend[192]; /* the frontend's directory */
    uint32_t frontend_id;
    int state; /* as we last wrote it */
    uint32_t info;
    bool discard; /* offered: the option, a writable disk, the toolstack's discard-enable */
    struct disk disk;
    struct device *dev;         /* NULL when not connected */
    bool quit;                  /* the device was unplugged: exit */
    struct misbehave misbehave; /* --misbehave, counted over every connection */
};

/*
 * Read the toolstack's nodes, open the image, publish, set the watches and
 * take the first state. On failure, says why (hotplug-status "error",
 * hotplug-error, stderr) and returns -errno.
 */
int backend_start(struct backend *be, const struct blkback_options *opt, struct xs_handle *xs,
                  struct dom0 *dom0);

/* A watch fired: act on the frontend's state and our "online". */
void backend_changed(struct backend *be);

/* After the device's events and completions: fail a broken connection. */
void backend_check(struct backend *be);

/* The image may have changed size: publish the new "sectors" (state stays as it is). */
void backend_resize(struct backend *be);

/* End any connection (answering what is in flight) and close the image. */
void backend_stop(struct backend *be);

#endif /* WINPV_BLKBACK_XENBUS_H */
