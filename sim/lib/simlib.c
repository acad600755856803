/* sim/lib/simlib.c - reaching winpv-simd from a replacement Xen library. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xen/errno.h>

#include "fdpass.h"
#include "simlib.h"

int simlib_fail(int rc)
{
    /* Anything that is not a plausible negative errno is the daemon's fault. */
    errno = rc < 0 && rc > -4096 ? -rc : EIO;
    return -1;
}

int simlib_unsupported(void)
{
    errno = ENOSYS;
    return -1;
}

void simlib_init(struct simlib_conn *c)
{
    c->conn.fd = -1;
    c->conn.domid = SIM_DOMID_DOM0;
    c->conn.ram_pages = 0;
    pthread_mutex_init(&c->lock, NULL);
}

int simlib_open(struct simlib_conn *c, enum sim_role role, int fds[SIM_MAX_REPLY_FDS],
                const char *library)
{
    const char *dir = getenv(SIM_RUN_DIR_ENV);
    int local_fds[SIM_MAX_REPLY_FDS];
    int rc;

    simlib_init(c);
    rc = sim_connect(&c->conn, NULL, role, SIM_DOMID_DOM0, fds ? fds : local_fds);
    if (rc) {
        int error;

        simlib_fail(rc);
        error = errno;
        if (dir == NULL || *dir == '\0')
            fprintf(stderr, "%s (winpv-sim): %s is not set: no winpv-simd to connect to\n", library,
                    SIM_RUN_DIR_ENV);
        else
            fprintf(stderr, "%s (winpv-sim): cannot reach winpv-simd at %s=%s: %s\n", library,
                    SIM_RUN_DIR_ENV, dir, strerror(error));
        pthread_mutex_destroy(&c->lock);
        errno = error;
        return -1;
    }
    if (fds == NULL)
        sim_close_fds(local_fds, SIM_MAX_REPLY_FDS);
    return 0;
}

void simlib_close(struct simlib_conn *c)
{
    sim_disconnect(&c->conn);
    pthread_mutex_destroy(&c->lock);
}

int simlib_call(struct simlib_conn *c, const struct sim_request *req, struct sim_reply *reply,
                int fds[SIM_MAX_REPLY_FDS])
{
    memset(reply, 0, sizeof(*reply));
    if (c->conn.fd < 0) {
        if (fds)
            for (int i = 0; i < SIM_MAX_REPLY_FDS; i++)
                fds[i] = -1;
        return -XEN_EIO;
    }
    return sim_call(&c->conn, req, reply, fds);
}

int simlib_call_locked(struct simlib_conn *c, const struct sim_request *req,
                       struct sim_reply *reply)
{
    int rc;

    pthread_mutex_lock(&c->lock);
    rc = simlib_call(c, req, reply, NULL);
    pthread_mutex_unlock(&c->lock);
    return rc ? simlib_fail(rc) : 0;
}

int simlib_domain_shutdown(struct simlib_conn *c, uint32_t domid, uint32_t reason)
{
    struct sim_request req = {.type = SIM_DOMAIN_SHUTDOWN};
    struct sim_reply reply;

    req.body.shutdown.domid = domid;
    req.body.shutdown.reason = reason;
    return simlib_call_locked(c, &req, &reply);
}
