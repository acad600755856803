/*
 * sim/lib/evtchn.c - libxenevtchn.so.1 on winpv-simd.
 *
 * A handle is one SIM_ROLE_EVTCHN connection. The descriptor that comes
 * with its HELLO reply is what /dev/xen/evtchn is to the real library: it
 * is xenevtchn_fd(), and each event arrives on it as a uint32_t port, after
 * which the port stays masked for this handle until xenevtchn_unmask().
 * Closing the handle closes the connection and the daemon unbinds its ports.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include <xen/errno.h>
#include <xenevtchn.h>

#include "simlib.h"

/* Ports a handle can hold: the FIFO ABI's limit. */
#define SIMLIB_EVTCHN_PORTS (1u << 17)

struct xenevtchn_handle {
    struct simlib_conn conn;
    int event_fd;
    /* The ports bound through this handle (guarded by conn.lock), so a notify
     * of one of them needs no answer from the daemon. */
    uint64_t bound[SIMLIB_EVTCHN_PORTS / 64];
};

/* Record @port as bound (or not) by @xce. Called with conn.lock held. */
static void mark_bound(xenevtchn_handle *xce, uint32_t port, bool bound)
{
    if (port >= SIMLIB_EVTCHN_PORTS)
        return;
    if (bound)
        xce->bound[port / 64] |= 1ull << (port % 64);
    else
        xce->bound[port / 64] &= ~(1ull << (port % 64));
}

static bool is_bound(const xenevtchn_handle *xce, uint32_t port)
{
    return port < SIMLIB_EVTCHN_PORTS && (xce->bound[port / 64] >> (port % 64)) & 1;
}

xenevtchn_handle *xenevtchn_open(struct xentoollog_logger *logger, unsigned int flags)
{
    xenevtchn_handle *xce = calloc(1, sizeof(*xce));
    int fds[SIM_MAX_REPLY_FDS];

    if (xce == NULL)
        return NULL;
    if (simlib_open(&xce->conn, SIM_ROLE_EVTCHN, fds, "libxenevtchn") != 0) {
        free(xce);
        return NULL;
    }
    xce->event_fd = fds[0];
    if (fds[1] >= 0)
        close(fds[1]);
    if (xce->event_fd < 0) {
        simlib_close(&xce->conn);
        free(xce);
        errno = EIO;
        return NULL;
    }
    /* Daemons that re-exec themselves keep the device open across exec. */
    if (flags & XENEVTCHN_NO_CLOEXEC) {
        fcntl(xce->event_fd, F_SETFD, 0);
        fcntl(xce->conn.conn.fd, F_SETFD, 0);
    }
    return xce;
}

/*
 * The real function adopts @fd, an evtchn device that a previous image of
 * the program (xenstored after a live update) left open, with the ports
 * bound on it. A handle here is a connection to the daemon, which the event
 * descriptor alone does not lead back to: @fd is left alone and a new
 * handle, with no ports bound, is opened. Live update is not supported.
 */
xenevtchn_handle *xenevtchn_fdopen(struct xentoollog_logger *logger, int fd, unsigned open_flags)
{
    if (open_flags & XENEVTCHN_NO_CLOEXEC) {
        errno = EINVAL;
        return NULL;
    }
    return xenevtchn_open(logger, open_flags);
}

int xenevtchn_close(xenevtchn_handle *xce)
{
    if (xce == NULL)
        return 0;
    close(xce->event_fd);
    simlib_close(&xce->conn);
    free(xce);
    return 0;
}

int xenevtchn_fd(xenevtchn_handle *xce)
{
    return xce->event_fd;
}

/* A port from the daemon: a valid xenevtchn_port_or_error_t, never port 0. */
static xenevtchn_port_or_error_t port_reply(const struct sim_reply *reply)
{
    if (reply->body.port.port == 0 || reply->body.port.port > INT32_MAX) {
        errno = EIO;
        return -1;
    }
    return (xenevtchn_port_or_error_t)reply->body.port.port;
}

static xenevtchn_port_or_error_t bind_port(xenevtchn_handle *xce, struct sim_request *req)
{
    struct sim_reply reply;
    xenevtchn_port_or_error_t port;
    int rc;

    pthread_mutex_lock(&xce->conn.lock);
    rc = simlib_call(&xce->conn, req, &reply, NULL);
    port = rc ? simlib_fail(rc) : port_reply(&reply);
    if (port > 0)
        mark_bound(xce, (uint32_t)port, true);
    pthread_mutex_unlock(&xce->conn.lock);
    return port;
}

xenevtchn_port_or_error_t xenevtchn_bind_unbound_port(xenevtchn_handle *xce, uint32_t domid)
{
    struct sim_request req = {.type = SIM_EVTCHN_BIND_UNBOUND};

    req.body.bind.remote_domid = domid;
    return bind_port(xce, &req);
}

xenevtchn_port_or_error_t xenevtchn_bind_interdomain(xenevtchn_handle *xce, uint32_t domid,
                                                     evtchn_port_t remote_port)
{
    struct sim_request req = {.type = SIM_EVTCHN_BIND_INTERDOMAIN};

    req.body.bind.remote_domid = domid;
    req.body.bind.remote_port = remote_port;
    return bind_port(xce, &req);
}

xenevtchn_port_or_error_t xenevtchn_bind_virq(xenevtchn_handle *xce, unsigned int virq)
{
    struct sim_request req = {.type = SIM_EVTCHN_BIND_VIRQ};

    req.body.bind.virq = virq;
    return bind_port(xce, &req);
}

/*
 * Notify and unmask are one-way, as each costs one system call on Linux (an
 * ioctl, a write): an operation on a port this handle bound goes to the
 * daemon without waiting for it; any other port is refused here, as the
 * daemon would.
 */
static int port_op_async(xenevtchn_handle *xce, uint32_t type, evtchn_port_t port)
{
    struct sim_request req = {.type = type};
    int rc;

    req.body.port.port = port;
    pthread_mutex_lock(&xce->conn.lock);
    rc = is_bound(xce, port) ? sim_send(&xce->conn.conn, &req) : -XEN_EINVAL;
    pthread_mutex_unlock(&xce->conn.lock);
    return rc ? simlib_fail(rc) : 0;
}

int xenevtchn_notify(xenevtchn_handle *xce, evtchn_port_t port)
{
    return port_op_async(xce, SIM_EVTCHN_NOTIFY_ASYNC, port);
}

int xenevtchn_unmask(xenevtchn_handle *xce, evtchn_port_t port)
{
    return port_op_async(xce, SIM_EVTCHN_UNMASK_ASYNC, port);
}

int xenevtchn_unbind(xenevtchn_handle *xce, evtchn_port_t port)
{
    struct sim_request req = {.type = SIM_EVTCHN_UNBIND};
    struct sim_reply reply;
    int rc;

    req.body.port.port = port;
    pthread_mutex_lock(&xce->conn.lock);
    rc = simlib_call(&xce->conn, &req, &reply, NULL);
    if (rc == 0)
        mark_bound(xce, port, false);
    pthread_mutex_unlock(&xce->conn.lock);
    return rc ? simlib_fail(rc) : 0;
}

/*
 * One port from the event stream. Like a read of the device it blocks
 * until an event comes, unless the caller made the descriptor non-blocking
 * (then -1/EAGAIN when none is there). A port is never returned in part:
 * once some of its bytes are in, the rest is waited for.
 */
xenevtchn_port_or_error_t xenevtchn_pending(xenevtchn_handle *xce)
{
    uint32_t port;
    size_t got = 0;

    while (got < sizeof(port)) {
        ssize_t n = read(xce->event_fd, (char *)&port + got, sizeof(port) - got);

        if (n > 0) {
            got += (size_t)n;
        } else if (n == 0) {
            errno = EIO; /* the daemon is gone */
            return -1;
        } else if (errno == EAGAIN && got > 0) {
            struct pollfd pfd = {.fd = xce->event_fd, .events = POLLIN};

            poll(&pfd, 1, -1);
        } else if (errno != EINTR || got == 0) {
            return -1;
        }
    }
    if (port > INT32_MAX) {
        errno = EIO;
        return -1;
    }
    return (xenevtchn_port_or_error_t)port;
}

/* Restricting a handle to one domain is not simulated. */
int xenevtchn_restrict(xenevtchn_handle *xce, domid_t domid)
{
    return simlib_unsupported();
}
