/*
 * sim/client/client.h - a connection to winpv-simd, as every client (guest
 * transport, toolstack, replacement libraries) opens and uses it.
 *
 * A connection is not shared between threads without the caller's own lock.
 */
#ifndef WINPV_SIM_CLIENT_H
#define WINPV_SIM_CLIENT_H

#include <stddef.h>

#include "proto.h"

struct sim_conn {
    int fd;
    uint32_t domid; /* from the HELLO reply */
    uint64_t ram_pages;
    uint64_t max_gfn;
};

#define SIM_MAX_REPLY_FDS 2

/*
 * Connect to the daemon of the run directory named by $WINPV_SIM_DIR (or
 * @run_dir when not NULL) and introduce ourselves as @role (and @domid for a
 * guest). Descriptors that come with the HELLO reply are stored in @fds
 * (unused slots -1). Returns 0 or a negative XEN_E* value.
 */
int sim_connect(struct sim_conn *conn, const char *run_dir, enum sim_role role, uint32_t domid,
                int fds[SIM_MAX_REPLY_FDS]);

/* Release what the connection holds in the daemon (synchronously), then close it. */
void sim_disconnect(struct sim_conn *conn);

/*
 * Send @request (type set by the caller) and wait for the reply. @fds, when
 * not NULL, receives descriptors passed with the reply (unused slots -1).
 * Returns the reply's error: 0 or a negative XEN_E* value; -XEN_EIO when
 * the connection failed.
 */
int sim_call(struct sim_conn *conn, const struct sim_request *request, struct sim_reply *reply,
             int fds[SIM_MAX_REPLY_FDS]);

/* Send a request that has no reply (SIM_EVTCHN_NOTIFY_ASYNC). Returns 0 or -XEN_EIO. */
int sim_send(struct sim_conn *conn, const struct sim_request *request);

/*
 * The socket path for @run_dir (or $WINPV_SIM_DIR) in @buf. Returns 0,
 * -XEN_ENOENT when neither is set, or -XEN_ENAMETOOLONG.
 */
int sim_socket_path(const char *run_dir, char *buf, size_t size);

#endif /* WINPV_SIM_CLIENT_H */
