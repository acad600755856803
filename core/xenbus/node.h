/*
 * core/xenbus/node.h - xenstore nodes as typed values: building a node's
 * path from its directory and name, reading a number or a state, writing
 * one. Values come from xenstore, which the other end can write: a number
 * is taken only when the whole value is decimal digits within range.
 *
 * Context: path and parse functions are "any"; those that make requests
 * are "passive" (they block on xenstore).
 */
#ifndef WINPV_CORE_XENBUS_NODE_H
#define WINPV_CORE_XENBUS_NODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <xen/errno.h>
#include <xen/io/xenbus.h>

#include "xenstore/client.h"

/*
 * Whether a read that failed with @rc found the node not there for us:
 * absent (ENOENT), or denied (EACCES), as xenstored answers a guest for a
 * node whose directory is gone, judged by a parent it may not read. Either
 * way the other end took it away.
 */
static inline bool xenbus_node_absent(int rc)
{
    return rc == -XEN_ENOENT || rc == -XEN_EACCES;
}

/*
 * "@dir/@name" into @buf (just @dir when @name is NULL). Returns 0, or
 * -XEN_ENAMETOOLONG when it does not fit in @size or in XENSTORE_ABS_PATH_MAX.
 */
int xenbus_path(char *buf, size_t size, const char *dir, const char *name);

/* Read @dir/@name as xs_number_parse takes it. -XEN_ENOENT when absent. */
int xenbus_read_uint(struct xs_client *client, xs_tx_t tx, const char *dir, const char *name,
                     uint64_t max, uint64_t *value);

/* Write @value in decimal at @dir/@name. */
int xenbus_write_uint(struct xs_client *client, xs_tx_t tx, const char *dir, const char *name,
                      uint64_t value);

/*
 * Read the xenbus state at @dir/state. A node not there for us
 * (xenbus_node_absent) is XenbusStateUnknown: a device not yet set up, or
 * taken away. A value outside the states is -XEN_EINVAL.
 */
int xenbus_read_state(struct xs_client *client, xs_tx_t tx, const char *dir,
                      enum xenbus_state *state);

/* The state's name for logs ("Connected"); "invalid" for others. */
const char *xenbus_state_name(enum xenbus_state state);

#endif /* WINPV_CORE_XENBUS_NODE_H */
