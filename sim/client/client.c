/* sim/client/client.c - connecting to winpv-simd and calling it. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <xen/errno.h>

#include "client.h"
#include "fdpass.h"

int sim_socket_path(const char *run_dir, char *buf, size_t size)
{
    const char *dir = run_dir ? run_dir : getenv(SIM_RUN_DIR_ENV);
    int n;

    if (dir == NULL || *dir == '\0')
        return -XEN_ENOENT;
    n = snprintf(buf, size, "%s/%s", dir, SIM_SOCKET_NAME);
    return n > 0 && (size_t)n < size ? 0 : -XEN_ENAMETOOLONG;
}

int sim_send(struct sim_conn *conn, const struct sim_request *request)
{
    return send(conn->fd, request, sizeof(*request), MSG_NOSIGNAL) == (ssize_t)sizeof(*request)
               ? 0
               : -XEN_EIO;
}

int sim_call(struct sim_conn *conn, const struct sim_request *request, struct sim_reply *reply,
             int fds[SIM_MAX_REPLY_FDS])
{
    int local_fds[SIM_MAX_REPLY_FDS];
    ssize_t n;

    if (send(conn->fd, request, sizeof(*request), MSG_NOSIGNAL) != (ssize_t)sizeof(*request))
        return -XEN_EIO;
    n = sim_recv_with_fds(conn->fd, reply, sizeof(*reply), fds ? fds : local_fds,
                          SIM_MAX_REPLY_FDS);
    if (fds == NULL)
        sim_close_fds(local_fds, SIM_MAX_REPLY_FDS);
    if (n != (ssize_t)sizeof(*reply)) {
        if (fds)
            sim_close_fds(fds, SIM_MAX_REPLY_FDS);
        return -XEN_EIO;
    }
    return reply->error;
}

int sim_connect(struct sim_conn *conn, const char *run_dir, enum sim_role role, uint32_t domid,
                int fds[SIM_MAX_REPLY_FDS])
{
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    struct sim_request request = {.type = SIM_HELLO};
    struct sim_reply reply;
    int rc = sim_socket_path(run_dir, addr.sun_path, sizeof(addr.sun_path));

    conn->fd = -1;
    if (rc)
        return rc;
    conn->fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
    if (conn->fd < 0)
        return -XEN_ENOMEM;
    if (connect(conn->fd, (struct sockaddr *)&addr, sizeof(addr)) != 0) {
        rc = errno == ENOENT ? -XEN_ENOENT : -XEN_ECONNREFUSED;
        goto fail;
    }
    request.body.hello.version = SIM_PROTO_VERSION;
    request.body.hello.role = role;
    request.body.hello.domid = domid;
    rc = sim_call(conn, &request, &reply, fds);
    if (rc)
        goto fail;
    conn->domid = reply.body.hello.domid;
    conn->ram_pages = reply.body.hello.ram_pages;
    conn->max_gfn = reply.body.hello.max_gfn;
    return 0;

fail:
    close(conn->fd);
    conn->fd = -1;
    return rc;
}

void sim_disconnect(struct sim_conn *conn)
{
    struct sim_request bye = {.type = SIM_BYE};
    struct sim_reply reply;

    if (conn->fd < 0)
        return;
    /* Released by the daemon before we go on; a daemon already gone answers nothing. */
    sim_call(conn, &bye, &reply, NULL);
    close(conn->fd);
    conn->fd = -1;
}
