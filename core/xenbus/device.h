/*
 * core/xenbus/device.h - a PV frontend's side of the xenbus handshake.
 *
 * A frontend lives at device/<class>/<id> in the guest's xenstore home; the
 * toolstack wrote there where its backend is ("backend", "backend-id").
 * Both ends publish a xenbus state in their "state" node and watch the
 * other's. This is what every frontend driver needs of that: find and
 * check the backend, switch its own state, learn of the backend's changes,
 * wait for a backend state, and fail the device in the way the toolstack
 * understands (an error node, then Closing).
 *
 * The backend's nodes are written by another domain: the backend path is
 * checked against backend-id, states outside the protocol are ignored
 * (logged) rather than trusted.
 *
 * Context: every function is "passive". The change callback runs in
 * passive context on the xenstore client's watch work and may make requests.
 */
#ifndef WINPV_CORE_XENBUS_DEVICE_H
#define WINPV_CORE_XENBUS_DEVICE_H

#include <stdint.h>

#include <xen/io/xenbus.h>

#include "xenstore/client.h"

struct xenbus_device;

/* The backend's state changed (or was first read) to @state (an enum xenbus_state). */
typedef void (*xenbus_otherend_fn)(void *ctx, uint32_t state);

/* Longest class and id accepted ("vbd", "768"). */
#define XENBUS_NAME_MAX 32

/*
 * Open frontend @class/@id: read and check its backend, watch the backend's
 * state (@fn may be NULL). Returns 0, -XEN_ENOENT when the device has no
 * backend, -XEN_EINVAL when its nodes are malformed.
 */
int xenbus_device_open(struct xs_client *client, const char *class, const char *id,
                       xenbus_otherend_fn fn, void *ctx, struct xenbus_device **out);

/* Stop watching and free; @fn is not running when it returns. */
void xenbus_device_close(struct xenbus_device *dev);

/* "device/<class>/<id>", our directory (relative to the domain's home). */
const char *xenbus_device_nodename(const struct xenbus_device *dev);

/* The backend's directory (absolute) and domain. */
const char *xenbus_device_otherend(const struct xenbus_device *dev);
uint32_t xenbus_device_otherend_id(const struct xenbus_device *dev);

/* Our state, written to <nodename>/state. */
int xenbus_switch_state(struct xenbus_device *dev, enum xenbus_state state);

/* The backend's state as last seen by the watch. */
enum xenbus_state xenbus_otherend_state(const struct xenbus_device *dev);

/* A bit per state, for the mask below. */
#define XENBUS_STATE_BIT(state) (1u << (state))

/*
 * Wait until the backend's state is one in @mask, or @timeout_ns passed
 * (-XEN_ETIMEDOUT). The state reached is returned in *state.
 */
int xenbus_wait_for_otherend(struct xenbus_device *dev, uint32_t mask, uint64_t timeout_ns,
                             enum xenbus_state *state);

/*
 * A fatal error: write "<errno> <message>" to error/<nodename>/error (where
 * the toolstack looks), log it, and switch to Closing. @err is a negative
 * XEN_E*.
 */
void xenbus_fail(struct xenbus_device *dev, int err, const char *message);

#endif /* WINPV_CORE_XENBUS_DEVICE_H */
