/*
 * sim/lib/simlib.h - what the replacement Xen libraries (libxenevtchn,
 * libxengnttab, libxenforeignmemory, libxenctrl, ...) share: a connection
 * to winpv-simd guarded by a lock, and the errno conventions of the
 * libraries they stand in for.
 *
 * Each library handle owns one connection. The daemon answers in order, so
 * a request and its reply must not interleave with another thread's: every
 * call on a handle's connection is made with the handle's lock held.
 */
#ifndef WINPV_SIMLIB_H
#define WINPV_SIMLIB_H

#include <pthread.h>

#include "client.h"

#define SIMLIB_PAGE_SHIFT 12
#define SIMLIB_PAGE_SIZE  (1u << SIMLIB_PAGE_SHIFT)

struct simlib_conn {
    struct sim_conn conn;
    pthread_mutex_t lock;
};

/* A handle with no connection (yet): its lock ready, calls fail with -XEN_EIO. */
void simlib_init(struct simlib_conn *c);

/*
 * Connect to the daemon of $WINPV_SIM_DIR as @role. Descriptors sent with
 * the HELLO reply land in @fds (may be NULL: they are closed). Returns 0, or
 * -1 with errno set and a line on stderr, naming @library and the run
 * directory, that says why.
 */
int simlib_open(struct simlib_conn *c, enum sim_role role, int fds[SIM_MAX_REPLY_FDS],
                const char *library);

/* Close the connection: the daemon then releases what it held for it. */
void simlib_close(struct simlib_conn *c);

/*
 * One request and its reply; the caller holds c->lock. Returns 0 or a
 * negative XEN_E* value (-XEN_EIO when the connection failed).
 */
int simlib_call(struct simlib_conn *c, const struct sim_request *req, struct sim_reply *reply,
                int fds[SIM_MAX_REPLY_FDS]);

/*
 * One request and its reply with c->lock taken for the call. Returns 0, or
 * -1 with errno set from the daemon's error (as simlib_fail).
 */
int simlib_call_locked(struct simlib_conn *c, const struct sim_request *req,
                       struct sim_reply *reply);

/*
 * SIM_DOMAIN_SHUTDOWN of @domid for @reason (SHUTDOWN_*) on @c, under its
 * lock: xc_domain_shutdown and xendevicemodel_shutdown. Returns 0, or -1
 * with errno set.
 */
int simlib_domain_shutdown(struct simlib_conn *c, uint32_t domid, uint32_t reason);

/*
 * Set errno from a negative XEN_E* value (Xen's numbers are Linux's) and
 * return -1, as the replaced libraries report failures.
 */
int simlib_fail(int rc);

/* errno = ENOSYS, return -1: what a function the simulator does not offer reports. */
int simlib_unsupported(void);

#endif /* WINPV_SIMLIB_H */
